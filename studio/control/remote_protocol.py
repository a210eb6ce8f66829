"""obs-websocket v5's vocabulary, as the studio speaks it: versions, op codes, close codes,
request status codes, event subscription bits, batch execution types, output states, the result
of one request, and obs-websocket's units (volume multipliers, timecodes).

Nothing here does anything: the server (remote_api), the request handlers (request_handlers/)
and the events (remote_events) all take their words from this one place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Any

import msgpack

OBS_VERSION = "30.0.0"
OBS_WEBSOCKET_VERSION = "5.5.0"
RPC_VERSION = 1
VENDOR_NAME = "studio"
DEFAULT_PORT = 4455  # obs-websocket's: a Stream Deck or Companion set up for OBS finds the studio there
MIN_PASSWORD_CHARACTERS = 6  # the remote control always asks for one; shorter is no protection
JSON_PROTOCOL = "obswebsocket.json"
MSGPACK_PROTOCOL = "obswebsocket.msgpack"
AUDIO_TRACKS = 6  # OBS's MAX_AUDIO_MIXES: track 1 is program, the others are unused
METER_CHANNELS = 2  # the mixer is stereo; each input's meter is reported on both channels
SILENCE_DB = -100.0  # what OBS answers for -inf dB


class OpCode(IntEnum):
    HELLO = 0
    IDENTIFY = 1
    IDENTIFIED = 2
    REIDENTIFY = 3
    EVENT = 5
    REQUEST = 6
    REQUEST_RESPONSE = 7
    REQUEST_BATCH = 8
    REQUEST_BATCH_RESPONSE = 9


class CloseCode(IntEnum):
    UNKNOWN_REASON = 4000
    MESSAGE_DECODE_ERROR = 4002
    MISSING_DATA_FIELD = 4003
    INVALID_DATA_FIELD_TYPE = 4004
    INVALID_DATA_FIELD_VALUE = 4005
    UNKNOWN_OP_CODE = 4006
    NOT_IDENTIFIED = 4007
    ALREADY_IDENTIFIED = 4008
    AUTHENTICATION_FAILED = 4009
    UNSUPPORTED_RPC_VERSION = 4010
    SESSION_INVALIDATED = 4011
    UNSUPPORTED_FEATURE = 4012


class Status(IntEnum):
    """obs-websocket RequestStatus codes."""

    SUCCESS = 100
    MISSING_REQUEST_TYPE = 203
    UNKNOWN_REQUEST_TYPE = 204
    GENERIC_ERROR = 205
    UNSUPPORTED_REQUEST_BATCH_EXECUTION_TYPE = 206
    NOT_READY = 207
    MISSING_REQUEST_FIELD = 300
    MISSING_REQUEST_DATA = 301
    INVALID_REQUEST_FIELD = 400
    INVALID_REQUEST_FIELD_TYPE = 401
    REQUEST_FIELD_OUT_OF_RANGE = 402
    REQUEST_FIELD_EMPTY = 403
    TOO_MANY_REQUEST_FIELDS = 404
    OUTPUT_RUNNING = 500
    OUTPUT_NOT_RUNNING = 501
    RESOURCE_NOT_FOUND = 600
    RESOURCE_ALREADY_EXISTS = 601
    INVALID_RESOURCE_TYPE = 602
    NOT_ENOUGH_RESOURCES = 603
    INVALID_RESOURCE_STATE = 604
    INVALID_INPUT_KIND = 605
    RESOURCE_NOT_CONFIGURABLE = 606
    RESOURCE_CREATION_FAILED = 700
    RESOURCE_ACTION_FAILED = 701
    REQUEST_PROCESSING_FAILED = 702
    CANNOT_ACT = 703


class Subscription(IntFlag):
    """obs-websocket EventSubscription bits."""

    NONE = 0
    GENERAL = 1 << 0
    CONFIG = 1 << 1
    SCENES = 1 << 2
    INPUTS = 1 << 3
    TRANSITIONS = 1 << 4
    FILTERS = 1 << 5
    OUTPUTS = 1 << 6
    SCENE_ITEMS = 1 << 7
    MEDIA_INPUTS = 1 << 8
    VENDORS = 1 << 9
    UI = 1 << 10
    ALL = (1 << 11) - 1  # 2047: every category that is not high volume
    INPUT_VOLUME_METERS = 1 << 16
    INPUT_ACTIVE_STATE_CHANGED = 1 << 17
    INPUT_SHOW_STATE_CHANGED = 1 << 18
    SCENE_ITEM_TRANSFORM_CHANGED = 1 << 19


class BatchExecution(IntEnum):
    NONE = -1
    SERIAL_REALTIME = 0
    SERIAL_FRAME = 1
    PARALLEL = 2


# obs-websocket ObsOutputState values
OUTPUT_STARTING = "OBS_WEBSOCKET_OUTPUT_STARTING"
OUTPUT_STARTED = "OBS_WEBSOCKET_OUTPUT_STARTED"
OUTPUT_STOPPING = "OBS_WEBSOCKET_OUTPUT_STOPPING"
OUTPUT_STOPPED = "OBS_WEBSOCKET_OUTPUT_STOPPED"
OUTPUT_RECONNECTING = "OBS_WEBSOCKET_OUTPUT_RECONNECTING"
OUTPUT_RECONNECTED = "OBS_WEBSOCKET_OUTPUT_RECONNECTED"
ACTIVE_OUTPUT_STATES = frozenset({OUTPUT_STARTED, OUTPUT_RECONNECTED})

# (subscription intent, eventType, eventData): how events are handed to the server, from any thread
EmitEvent = Callable[[int, str, dict | None], None]


# -- one request's outcome --------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestResult:
    code: int
    data: dict[str, Any] | None = None
    comment: str | None = None
    sleep_s: float = 0.0  # a Sleep request in a batch: how long the batch waits before going on

    @property
    def ok(self) -> bool:
        return self.code == Status.SUCCESS


class RequestFailed(Exception):
    def __init__(self, code: int, comment: str | None = None) -> None:
        super().__init__(comment or str(code))
        self.code = code
        self.comment = comment


class CloseSession(Exception):
    """Close this client's session with a close code and a reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def request_status(result: RequestResult) -> dict[str, Any]:
    """A RequestResult as obs-websocket's requestStatus object."""
    status: dict[str, Any] = {"result": result.ok, "code": int(result.code)}
    if result.comment:
        status["comment"] = result.comment
    return status


def encode_message(message: dict, encoding: str) -> str | bytes:
    """A message as the session's subprotocol frames it: JSON text or MessagePack bytes."""
    if encoding == MSGPACK_PROTOCOL:
        return msgpack.packb(message, use_bin_type=True, default=str)
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


# -- units -------------------------------------------------------------------------------------------


def db_to_mul(db: float) -> float:
    return 0.0 if db <= SILENCE_DB else 10.0 ** (db / 20.0)


def mul_to_db(mul: float) -> float:
    return SILENCE_DB if mul <= 0.0 else max(SILENCE_DB, 20.0 * math.log10(mul))


def timecode(duration_ms: int) -> str:
    """obs-websocket's output timecode: HH:MM:SS.mmm"""
    seconds, ms = divmod(max(0, int(duration_ms)), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"
