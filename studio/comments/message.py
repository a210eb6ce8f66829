"""One viewer message as it arrives, made safe: `parse_message(raw) -> Comment`.

Platform bridges (WebSocket / HTTP), the Twitch connector and replay files all hand us JSON
objects like

    {"id": "7f3a", "platform": "douyin", "user": "小美", "text": "3号多少钱", "kind": "comment",
     "ts": 1718000000.25}

and everything that reaches the store, the screen or the exports went through `parse_message`.
It either returns a `Comment` or raises `MessageError` (a ValueError) whose `.field` names the
field and whose text says what was expected and what came, e.g.

    text: too long (1048576 bytes; at most 8192)
    kind: expected one of comment, like, gift, order, follow, got 'spam'

It never raises anything else, whatever the input (arbitrary bytes, any JSON value, any dict).

Fields
------
- id: required; a non-empty string (at most 128 characters, no control characters, kept
  exactly: it is the key that deduplicates re-sent messages) or an integer (made a string).
- platform: optional, else `default_platform`; lowercased; 1-32 of [a-z0-9_-].
- user: required; a string (or an integer, made a string); cleaned (below); 1-128 characters.
- kind: optional, default "comment"; one of comment, like, gift, order, follow (any case).
- text: required and non-empty (after cleaning) for a comment; optional for like, follow, gift
  and order (missing: ""). More than MAX_TEXT_BYTES (8192) UTF-8 bytes is refused, measured as
  sent and again after cleaning.
- ts: optional; the sender's time as Unix seconds (a number, or a numeric string) or an
  ISO-8601 string ("2024-06-10T12:00:00Z", "...+08:00"; without an offset it is UTC). Values
  above 1e11 are taken as Unix milliseconds (JavaScript's Date.now()). Missing: now.
- Other fields are ignored.

Cleaning (user and text)
------------------------
Control characters (C0, DEL, C1) are removed, except that newline, tab, NEL and the Unicode
line/paragraph separators become a space; unpaired surrogates (possible in JSON "\\ud800"
escapes) become U+FFFD; the result is normalized to NFC and stripped. Everything else is kept
literally: markup such as `<b>` or `<img src=x onerror=...>` is plain text, drawn as text and
never interpreted; emoji, right-to-left scripts and bidi marks are kept as sent.
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from studio.engine.graphics.graphemes import clusters, take_clusters

MAX_TEXT_BYTES = 8192
MAX_ID_CHARS = 128
MAX_USER_CHARS = 128
MAX_PLATFORM_CHARS = 32
_MAX_TS_CHARS = 64
_MS_THRESHOLD = 1e11  # seconds above this are year 5138: the sender meant milliseconds
_MAX_TS = 1e14  # ... and milliseconds above 1e14 (year 5138 again) are refused
_SHOWN_CHARS = 40  # of a refused value quoted in an error message

_PLATFORM = re.compile(r"[a-z0-9_-]{1,32}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")
_SPACE_LIKE = re.compile(r"[\t\n\x85\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CommentKind(str, Enum):
    COMMENT = "comment"
    LIKE = "like"
    GIFT = "gift"
    ORDER = "order"
    FOLLOW = "follow"


_KINDS = ", ".join(kind.value for kind in CommentKind)
_TEXT_OPTIONAL = frozenset({CommentKind.LIKE, CommentKind.FOLLOW, CommentKind.GIFT, CommentKind.ORDER})


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    platform: str
    user: str
    text: str
    kind: CommentKind
    ts: float
    received_ns: int = 0


class MessageError(ValueError):
    """A message we refuse, naming the field: `str(error)` is "field: what is wrong"."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.detail = message
        super().__init__(f"{field}: {message}")


def clean_text(value: str) -> str:
    """Control characters out (newline/tab -> space), lone surrogates -> U+FFFD, NFC, stripped."""
    value = _SPACE_LIKE.sub(" ", value)
    value = _CONTROL.sub("", value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return unicodedata.normalize("NFC", value).strip()


def utf8_size(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def parse_message(raw: bytes | str | dict, *, default_platform: str = "local", received_ns: int = 0) -> Comment:
    """One message (JSON bytes/text, or an already decoded object) -> Comment, or MessageError."""
    if isinstance(raw, dict):
        data = raw
    else:
        data = _decode_json(raw)
        if not isinstance(data, dict):
            raise MessageError("message", f"expected a JSON object, got {_shown(data)}")
    return _from_object(data, default_platform, received_ns)


def parse_batch(
    raw: bytes | str | list, *, default_platform: str = "local", received_ns: int = 0
) -> list[Comment | MessageError]:
    """A JSON array of messages: one Comment or MessageError per element, in order.

    Raises MessageError ("message") only when the whole thing is not a JSON array.
    """
    data = raw if isinstance(raw, list) else _decode_json(raw)
    if not isinstance(data, list):
        raise MessageError("message", f"expected a JSON array of messages, got {_shown(data)}")
    results: list[Comment | MessageError] = []
    for element in data:
        try:
            if not isinstance(element, dict):
                raise MessageError("message", f"expected a JSON object, got {_shown(element)}")
            results.append(_from_object(element, default_platform, received_ns))
        except MessageError as error:
            results.append(error)
    return results


def _decode_json(raw: Any) -> Any:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as error:
            raise MessageError("message", f"not valid UTF-8 (bad byte at offset {error.start})") from None
    if not isinstance(raw, str):
        raise MessageError("message", f"expected JSON text, got {type(raw).__name__}")
    raw = raw.removeprefix("\ufeff")
    try:
        return json.loads(raw)
    except RecursionError:
        raise MessageError("message", "not valid JSON (nested too deeply)") from None
    except json.JSONDecodeError as error:
        raise MessageError("message", f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except ValueError as error:  # e.g. an integer with more than 4300 digits
        raise MessageError("message", f"not valid JSON ({error})") from None


def _from_object(data: dict, default_platform: str, received_ns: int) -> Comment:
    kind = _kind(data.get("kind"))
    message_id = _id(data.get("id"))
    platform = _platform(data.get("platform"), default_platform)
    user = _user(data.get("user"))
    text = _text(data.get("text"), kind)
    ts = _ts(data.get("ts"))
    if not isinstance(received_ns, int) or isinstance(received_ns, bool):
        received_ns = 0
    return Comment(id=message_id, platform=platform, user=user, text=text, kind=kind, ts=ts, received_ns=received_ns)


def _kind(value: Any) -> CommentKind:
    if value is None:
        return CommentKind.COMMENT
    if isinstance(value, str):
        try:
            return CommentKind(value.strip().lower())
        except ValueError:
            pass
    raise MessageError("kind", f"expected one of {_KINDS}, got {_shown(value)}")


def _id(value: Any) -> str:
    if value is None:
        raise MessageError("id", "missing")
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 430:  # more than 128 digits (and str() of huge ints raises)
            raise MessageError("id", f"too long (a number of more than {MAX_ID_CHARS} digits)")
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise MessageError("id", f"expected a string or an integer, got {_shown(value)}")
    if not text.strip():
        raise MessageError("id", "empty")
    if len(text) > MAX_ID_CHARS:
        raise MessageError("id", f"too long ({len(text)} characters; at most {MAX_ID_CHARS})")
    if _ANY_CONTROL.search(text):
        raise MessageError("id", "contains control characters")
    if _SURROGATE.search(text):
        raise MessageError("id", "not valid Unicode (an unpaired surrogate)")
    return text


def _platform(value: Any, default: str) -> str:
    field = "platform"
    if value is None or value == "":
        value, field = default, "default_platform"
    if not isinstance(value, str):
        raise MessageError(field, f"expected a string, got {_shown(value)}")
    name = value.strip().lower()
    if len(name) > MAX_PLATFORM_CHARS:
        raise MessageError(field, f"too long ({len(name)} characters; at most {MAX_PLATFORM_CHARS})")
    if not _PLATFORM.fullmatch(name):
        raise MessageError(field, f"expected 1-{MAX_PLATFORM_CHARS} of a-z, 0-9, _ and -, got {_shown(value)}")
    return name


def _user(value: Any) -> str:
    if value is None:
        raise MessageError("user", "missing")
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 430:
            raise MessageError("user", f"too long (a number of more than {MAX_USER_CHARS} digits)")
        value = str(value)
    if not isinstance(value, str):
        raise MessageError("user", f"expected a string, got {_shown(value)}")
    if len(value) > 64 * MAX_USER_CHARS:  # do not clean megabytes just to refuse them
        raise MessageError("user", f"too long ({len(value)} characters; at most {MAX_USER_CHARS})")
    user = clean_text(value)
    if not user:
        raise MessageError("user", "empty")
    if len(user) > MAX_USER_CHARS:
        raise MessageError("user", f"too long ({len(user)} characters; at most {MAX_USER_CHARS})")
    return user


def _text(value: Any, kind: CommentKind) -> str:
    if value is None:
        if kind in _TEXT_OPTIONAL:
            return ""
        raise MessageError("text", f"missing (required for a {kind.value})")
    if not isinstance(value, str):
        raise MessageError("text", f"expected a string, got {_shown(value)}")
    size = utf8_size(value)
    if size > MAX_TEXT_BYTES:
        raise MessageError("text", f"too long ({size} bytes; at most {MAX_TEXT_BYTES})")
    text = clean_text(value)
    size = utf8_size(text)
    if size > MAX_TEXT_BYTES:  # NFC can lengthen a few scripts
        raise MessageError("text", f"too long after normalization ({size} bytes; at most {MAX_TEXT_BYTES})")
    if not text and kind not in _TEXT_OPTIONAL:
        raise MessageError("text", f"empty (required for a {kind.value})")
    return text


def _ts(value: Any) -> float:
    if value is None:
        return time.time()
    if isinstance(value, bool):
        raise MessageError("ts", f"expected Unix seconds or an ISO-8601 time, got {_shown(value)}")
    if isinstance(value, (int, float)):
        try:
            seconds = float(value)
        except OverflowError:
            raise MessageError("ts", "out of range") from None
    elif isinstance(value, str):
        seconds = _ts_from_string(value)
    else:
        raise MessageError("ts", f"expected Unix seconds or an ISO-8601 time, got {_shown(value)}")
    if not math.isfinite(seconds) or seconds < 0 or seconds > _MAX_TS:
        raise MessageError("ts", f"out of range (got {_shown(value)})")
    if seconds > _MS_THRESHOLD:
        seconds /= 1000.0
    return seconds


def _ts_from_string(value: str) -> float:
    text = value.strip()
    if not text or len(text) > _MAX_TS_CHARS:
        raise MessageError("ts", f"expected Unix seconds or an ISO-8601 time, got {_shown(value)}")
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MessageError("ts", f"expected Unix seconds or an ISO-8601 time, got {_shown(value)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        raise MessageError("ts", f"out of range (got {_shown(value)})") from None


def _shown(value: Any) -> str:
    """A value as the error text shows it: short, one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 128:
        return "a very large number"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if len(value) > _SHOWN_CHARS:
            # Whole grapheme clusters only: never half an emoji sequence or a lone accent. One
            # character past the limit is enough to tell where the last kept cluster ends.
            value = "".join(take_clusters(clusters(value[: _SHOWN_CHARS + 1]), _SHOWN_CHARS)) + "…"
        return repr(_ANY_CONTROL.sub("?", _SURROGATE.sub("?", value)))
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
