"""Secrets (stream keys, passphrases, tokens, passwords) are never shown: not in logs, errors,
status lines or screenshots. Everything that prints a URL or a user's value goes through here."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

MASK = "****"
_URL_IN_TEXT = re.compile(r"\b(?:srt|rtmps?|rtmpt|tcp|tls|udp|https?)://[^\s'\"]+", re.IGNORECASE)
# Fragments shorter than this are not scrubbed from free text: "1" or "ab" would mangle it.
_MIN_SCRUBBED_SECRET_CHARS = 3

# Field names whose values are secret, or may hold one (a URL with a key in it).
_SECRET_FIELD_WORDS = ("url", "key", "password", "passphrase", "token", "secret")


def url_scheme(url: str) -> str:
    return url.partition("://")[0].lower() if "://" in url else ""


def mask_url(url: str) -> str:
    """The URL as it may be shown: host and port (and an RTMP app name) only."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"{url_scheme(url) or 'url'}://{MASK}"
    scheme = parts.scheme.lower() or "url"
    _userinfo, at, host = parts.netloc.rpartition("@")
    shown = f"{scheme}://{MASK + '@' if at else ''}{host}"
    segments = [segment for segment in parts.path.split("/") if segment]
    if scheme.startswith("rtmp") and segments:
        # rtmp://host/app/key: the app is a public name, everything after it is the stream key.
        shown += f"/{segments[0]}" + (f"/{MASK}" if len(segments) > 1 else "")
    elif segments:
        shown += f"/{MASK}"
    if parts.query or parts.fragment:
        shown += f"?{MASK}"
    return shown


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that must never be shown, longest first (for scrubbing free text)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return [url]
    secrets = [url, url.strip()]
    userinfo, at, _host = parts.netloc.rpartition("@")
    if at:
        secrets += [userinfo, *userinfo.split(":")]
    segments = [segment for segment in parts.path.split("/") if segment]
    keep = 1 if parts.scheme.lower().startswith("rtmp") else 0
    if len(segments) > keep:
        secrets.append("/".join(segments[keep:]))
        secrets += segments[keep:]
    for text in (parts.query, parts.fragment):
        if text:
            secrets.append(text)
            for key, value in parse_qsl(text, keep_blank_values=True):
                secrets += [f"{key}={value}", value]
    unique = {secret for secret in secrets if len(secret) >= _MIN_SCRUBBED_SECRET_CHARS}
    return sorted(unique, key=len, reverse=True)


def scrub_secrets(text: str, *urls: str) -> str:
    """Free text (FFmpeg's messages) with every URL masked and no fragment of these URLs' secrets."""
    text = _URL_IN_TEXT.sub(lambda match: mask_url(match.group(0)), text)
    for url in urls:
        for secret in url_secrets(url):
            text = text.replace(secret, MASK)
    return text


def url_problem(url: str, schemes: tuple[str, ...]) -> str | None:
    """Why this URL cannot be used, or None: the scheme must be one of `schemes` (named in
    that order in the message) and there must be a host. Never quotes the URL: it may hold a
    key."""
    scheme = url_scheme(url)
    if scheme not in schemes:
        shown = f"'{scheme}://'" if scheme else "no scheme"
        expected = ", ".join(f"{name}://" for name in schemes[:-1]) + f" or {schemes[-1]}://"
        return f"expected an {expected} URL, got {shown}"
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    if not host:
        return f"the {scheme}:// URL names no host"
    return None


def shown_value(field: str, value: object) -> str:
    """A user's value as an error message may quote it: masked when the field can hold a secret."""
    if any(word in field.lower() for word in _SECRET_FIELD_WORDS):
        return mask_url(value) if isinstance(value, str) and "://" in value else MASK
    return repr(value)
