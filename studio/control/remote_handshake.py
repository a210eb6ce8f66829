"""obs-websocket's handshake: the Hello the server sends, the Identify (and Reidentify) it
checks, and the password challenge.

With a password every client must answer the challenge: base64(sha256(base64(sha256(password +
salt)) + challenge)), compared in constant time. The password itself is never kept (only the
salted secret), never logged, never sent. No password (None or ""): no authentication.
A bad Identify closes the session with obs-websocket's close code and wording (CloseSession).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from studio.control.remote_protocol import OBS_VERSION, OBS_WEBSOCKET_VERSION, RPC_VERSION, CloseCode, CloseSession, Subscription

_SALT_BYTES = 32
_CHALLENGE_BYTES = 32


class AuthenticationFailed(CloseSession):
    """An Identify without the right answer to the challenge (4009)."""


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _unsigned(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class PasswordCheck:
    """The salted secret of a password, and the check of a client's answer to its challenge."""

    def __init__(self, password: str | None) -> None:
        # Only the salted secret is kept: the password itself goes out of scope here.
        self.salt: str | None = None
        self._secret: bytes | None = None
        if password:
            self.salt = base64.b64encode(os.urandom(_SALT_BYTES)).decode("ascii")
            self._secret = _b64_sha256((password + self.salt).encode("utf-8")).encode("ascii")

    @property
    def required(self) -> bool:
        return self._secret is not None

    @staticmethod
    def new_challenge() -> str:
        return base64.b64encode(os.urandom(_CHALLENGE_BYTES)).decode("ascii")

    def accepts(self, challenge: str, offered: str) -> bool:
        assert self._secret is not None
        expected = _b64_sha256(self._secret + challenge.encode("ascii"))
        return hmac.compare_digest(expected.encode("ascii"), offered.encode("utf-8", "replace"))


def hello_data(password: PasswordCheck, challenge: str | None) -> dict[str, Any]:
    """The Hello's data; with the challenge and salt when a password is required."""
    hello: dict[str, Any] = {
        "obsStudioVersion": OBS_VERSION,
        "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
        "rpcVersion": RPC_VERSION,
    }
    if challenge is not None:
        hello["authentication"] = {"challenge": challenge, "salt": password.salt}
    return hello


def event_subscriptions(data: dict, default: int) -> int:
    """An Identify's or Reidentify's eventSubscriptions (default when not given)."""
    if "eventSubscriptions" not in data or data["eventSubscriptions"] is None:
        return default
    value = data["eventSubscriptions"]
    if not _unsigned(value):
        raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `eventSubscriptions` is not an unsigned number.")
    return value


def read_identify(data: dict, password: PasswordCheck, challenge: str | None) -> tuple[int, int]:
    """An Identify's (rpcVersion, eventSubscriptions). Raises AuthenticationFailed for a wrong or
    missing answer to the challenge, CloseSession for any other bad field."""
    if password.required:
        offered = data.get("authentication")
        reason = None
        if offered is None:
            reason = "Your payload's data is missing an `authentication` string, however authentication is required."
        elif not isinstance(offered, str):
            reason = "Your `authentication` field is not a string."
        elif challenge is None or not password.accepts(challenge, offered):
            reason = "Authentication failed."
        if reason is not None:
            raise AuthenticationFailed(CloseCode.AUTHENTICATION_FAILED, reason)
    if data.get("rpcVersion") is None:
        raise CloseSession(CloseCode.MISSING_DATA_FIELD, "Your payload's data is missing an `rpcVersion`.")
    rpc_version = data["rpcVersion"]
    if not _unsigned(rpc_version):
        raise CloseSession(CloseCode.INVALID_DATA_FIELD_TYPE, "Your `rpcVersion` is not an unsigned number.")
    if rpc_version != RPC_VERSION:
        raise CloseSession(CloseCode.UNSUPPORTED_RPC_VERSION, "Your requested RPC version is not supported by this server.")
    return rpc_version, event_subscriptions(data, int(Subscription.ALL))
