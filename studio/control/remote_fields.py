"""A request's requestData with obs-websocket's field checks, and its wording: a missing field is
300, a field of the wrong type 401, out of range 402, empty 403 (RequestFailed carries the code
and obs-websocket's own comment, so a client's error handling works as it does against OBS)."""

from __future__ import annotations

import math
from typing import Any

from studio.control.remote_protocol import RequestFailed, Status


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Fields:
    """A request's requestData with obs-websocket's checks (and its wording)."""

    def __init__(self, data: object) -> None:
        self.present = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    def contains(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _basic(self, key: str) -> None:
        if not self.present:
            raise RequestFailed(Status.MISSING_REQUEST_DATA, "Your request data is missing or invalid (non-object)")
        if not self.contains(key):
            raise RequestFailed(Status.MISSING_REQUEST_FIELD, f"Your request is missing the `{key}` field.")

    def string(self, key: str, *, optional: bool = False, allow_empty: bool = False) -> str | None:
        if optional and not self.contains(key):
            return None
        self._basic(key)
        value = self.data[key]
        if not isinstance(value, str):
            raise RequestFailed(Status.INVALID_REQUEST_FIELD_TYPE, f"The field value of `{key}` must be a string.")
        if not value and not allow_empty:
            raise RequestFailed(Status.REQUEST_FIELD_EMPTY, f"The field value of `{key}` must not be empty.")
        return value

    def number(self, key: str, minimum: float, maximum: float, *, optional: bool = False) -> float | None:
        if optional and not self.contains(key):
            return None
        self._basic(key)
        value = self.data[key]
        if not is_number(value) or not math.isfinite(value):
            raise RequestFailed(Status.INVALID_REQUEST_FIELD_TYPE, f"The field value of `{key}` must be a number.")
        if value < minimum:
            raise RequestFailed(Status.REQUEST_FIELD_OUT_OF_RANGE, f"The field value of `{key}` is below the minimum of `{minimum:g}`")
        if value > maximum:
            raise RequestFailed(Status.REQUEST_FIELD_OUT_OF_RANGE, f"The field value of `{key}` is above the maximum of `{maximum:g}`")
        return value

    def integer(self, key: str, minimum: int, maximum: int, *, optional: bool = False) -> int | None:
        value = self.number(key, minimum, maximum, optional=optional)
        if value is None:
            return None
        if value != int(value):
            raise RequestFailed(Status.INVALID_REQUEST_FIELD_TYPE, f"The field value of `{key}` must be a whole number.")
        return int(value)

    def boolean(self, key: str, *, optional: bool = False) -> bool | None:
        if optional and not self.contains(key):
            return None
        self._basic(key)
        value = self.data[key]
        if not isinstance(value, bool):
            raise RequestFailed(Status.INVALID_REQUEST_FIELD_TYPE, f"The field value of `{key}` must be boolean.")
        return value

    def object(self, key: str, *, optional: bool = False) -> dict | None:
        if optional and not self.contains(key):
            return None
        self._basic(key)
        value = self.data[key]
        if not isinstance(value, dict):
            raise RequestFailed(Status.INVALID_REQUEST_FIELD_TYPE, f"The field value of `{key}` must be an object.")
        return value

    def name_or_uuid(self, name_key: str, uuid_key: str) -> tuple[str, str, str]:
        """obs-websocket names a thing by its UUID (tried first) or its name: ("id" or "name",
        the value, "UUID" or "name" for messages). Neither given is 300."""
        uuid = self.string(uuid_key, optional=True)
        if uuid is not None:
            return "id", uuid, "UUID"
        name = self.string(name_key, optional=True)
        if name is not None:
            return "name", name, "name"
        raise RequestFailed(
            Status.MISSING_REQUEST_FIELD, f"Your request must contain at least one of the following fields: `{name_key}` or `{uuid_key}`."
        )
