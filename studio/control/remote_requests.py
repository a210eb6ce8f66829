"""What the remote control API means in the studio: obs-websocket v5 requests answered from the
session, its engine and desks, and their events turned into obs-websocket events.

`RemoteTarget` is the studio as the remote API sees it: a session (`RemoteSession`, a Protocol:
the control never imports studio.session, which sits above it), read through at every use, so
a show loaded with a new engine is what the next request sees and the on-air state has one copy,
the session's. `RemoteTarget.for_session(session)` builds one; a hotkey goes to the session's
hotkey_handler when the desktop app set one, else it runs on the session as the app's action does.

`RemoteRequests.handle(request_type, request_data)` answers one request with a
`RequestResult` (obs-websocket's status codes: 100 success, 204 unknown request type, 207 not
ready, 300/400 field problems, 500/501 output running or not, 600 not found, 601 already exists,
605 unknown input kind, 702 failed with a comment). Every request that changes the show calls
the session's, the engine's or a desk's public methods, which apply at the next tick. Requests
run on one worker thread of the server, one at a time, so they never race each other. The
editing requests (inputs, scenes, scene items) are in remote_editing.py.

`StudioEvents` listens to the engine, the desks and the session and hands each obs-websocket
event to `emit(intent, event_type, event_data)`: the server passes a callable that moves it onto
its event loop. Engine events fire on engine threads: every handler here is quick and never
raises. The newest audio meters are kept in a lock-protected slot (`volume_meters()` reads them
for InputVolumeMeters); input mute and volume changes made anywhere (the GUI, a hotkey, a
request) are found by `poll_input_changes()`, which the server calls every 50 ms. Show edits
made anywhere are found by comparing each edited show with the one before (remote_editing).

Mapping (the engine's words -> obs-websocket's):

- scenes: sceneName = the scene's name, sceneUuid = the scene's id; scene lists are in OBS order
  (the last scene of the show first, sceneIndex 0). Studio mode is always on.
- inputs: each audio input (inputUuid = its id, inputKind = its kind) and each video source
  (inputUuid = its id, inputKind = its source kind). Volume is the input's gain (dB; mul =
  10^(dB/20)).
- scene items: a scene's layers (session.layers), bottom first; sceneItemId = the layer's
  stable id, sceneItemIndex = its position.
- transitions: Cut, Mix, Wipe, Dip to colour; the current one and its duration are kept here
  and used by TriggerStudioModeTransition.
- vendor "studio": requests select_product, next_product, previous_product, link_321,
  dismiss_card, sold_out, set_stock, pin_comment, unpin_comment, get_products; events
  link_pushed, current_product_changed, products_changed.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from pathlib import Path
from typing import Any, Protocol

from studio.engine.clock import NS_PER_SECOND
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.show import AudioInputSpec, Layer, Show, SourceSpec, TransitionKind

log = logging.getLogger(__name__)

OBS_VERSION = "30.0.0"
OBS_WEBSOCKET_VERSION = "5.5.0"
RPC_VERSION = 1
VENDOR_NAME = "studio"
SCENE_KEYS_LIMIT = 9  # as studio.gui.hotkeys: 1-9
PRODUCT_KEYS_LIMIT = 12  # F1-F12
AUDIO_TRACKS = 6  # OBS's MAX_AUDIO_MIXES: track 1 is program, the others are unused
METER_CHANNELS = 2  # the mixer is stereo; each input's meter is reported on both channels
SILENCE_DB = -100.0  # what OBS answers for -inf dB


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
_ACTIVE_STATES = {OUTPUT_STARTED, OUTPUT_RECONNECTED}


@dataclass(frozen=True)
class TransitionInfo:
    kind: TransitionKind
    name: str  # as the desktop app's transition panel says it (English)
    obs_kind: str  # the OBS transition kind it corresponds to

    @property
    def fixed(self) -> bool:
        return self.kind is TransitionKind.CUT


TRANSITIONS = (
    TransitionInfo(TransitionKind.CUT, "Cut", "cut_transition"),
    TransitionInfo(TransitionKind.MIX, "Mix", "fade_transition"),
    TransitionInfo(TransitionKind.WIPE, "Wipe", "wipe_transition"),
    TransitionInfo(TransitionKind.DIP, "Dip to colour", "fade_to_color_transition"),
)
_TRANSITION_BY_KIND = {info.kind: info for info in TRANSITIONS}
MAX_TRANSITION_MS = 10_000  # the engine's limit (obs-websocket allows 50..20000)
MIN_TRANSITION_MS = 50


# -- the studio as the remote API sees it ---------------------------------------------------------


def hotkey_action_ids(show: Show, product_count: int | None = None, *, selling: bool = True) -> list[str]:
    """The desktop app's bindable action ids (studio.gui.hotkeys.action_catalogue), without Qt:
    what GetHotkeyList lists and TriggerHotkeyByName takes."""
    products = len(show.products) if product_count is None else product_count
    actions = ["cut", "auto"]
    scenes = min(len(show.scenes), SCENE_KEYS_LIMIT)
    actions += [f"preview_scene.{n}" for n in range(1, scenes + 1)]
    actions += [f"program_scene.{n}" for n in range(1, scenes + 1)]
    if selling:
        actions += [f"product.{n}" for n in range(1, min(products, PRODUCT_KEYS_LIMIT) + 1)]
        actions += ["product.next", "product.previous", "link_321", "dismiss_card", "apply_preset", "sold_out"]
    actions += [f"mute_input.{audio.id}" for audio in show.audio_inputs]
    actions += ["stream.toggle", "record.toggle"]
    return actions


class RemoteSession(Protocol):
    """The session as the remote control sees it (studio.session.StudioSession is one). A
    Protocol, so the control never imports the session, which sits above it (DESIGN: layers)."""

    engine: Engine | None  # None while a show loads (stop, then build)
    selling: Any | None  # studio.commerce.selling_desk.SellingDesk
    comments: Any | None  # studio.comments.comment_desk.CommentDesk
    options: Any  # .recording_folder: where recordings go
    events: Any  # .show_changed(Show): after every edit, undo or load
    hotkey_handler: Callable[[str], bool] | None  # who presses a remote hotkey; None: the control

    @property
    def show(self) -> Show: ...
    @property
    def streaming(self) -> bool: ...
    @property
    def recording_path(self) -> Path | None: ...

    def start_streaming(self, destinations: list[tuple[str, str]] | None = None) -> list[str]: ...
    def stop_streaming(self) -> None: ...
    def start_recording(self, path: str | Path | None = None) -> Path: ...
    def stop_recording(self) -> None: ...

    def add_source(self, kind: str, name: str, settings: dict[str, Any] | None = None) -> SourceSpec: ...
    def update_source(self, ref: str, *, name: str | None = None, settings: dict[str, Any] | None = None) -> SourceSpec: ...
    def remove_source(self, ref: str) -> None: ...
    def add_audio_input(self, kind: str, name: str, **fields: Any) -> AudioInputSpec: ...
    def update_audio_input(self, ref: str, **changes: Any) -> AudioInputSpec: ...
    def remove_audio_input(self, ref: str) -> None: ...
    def add_scene(self, name: str) -> str: ...
    def rename_scene(self, ref: str, name: str) -> None: ...
    def remove_scene(self, ref: str) -> None: ...
    def layers(self, scene: str) -> list[Layer]: ...
    def add_layer(self, scene: str, source: str, **fields: Any) -> Layer: ...
    def update_layer(self, scene: str, layer_id: int, **changes: Any) -> Layer: ...
    def move_layer(self, scene: str, layer_id: int, index: int) -> None: ...
    def remove_layer(self, scene: str, layer_id: int) -> None: ...
    def duplicate_layer(self, scene: str, layer_id: int, *, to_scene: str | None = None) -> Layer: ...


class RemoteTarget:
    """The studio the remote API controls: a session, read through at every use. Going live and
    recording are the session's (one on-air state); a hotkey goes to session.hotkey_handler when
    the desktop app set one (a remote press is the same as the key), else it runs here."""

    def __init__(self, session: RemoteSession) -> None:
        self.session = session

    @classmethod
    def for_session(cls, session: RemoteSession) -> RemoteTarget:
        return cls(session)

    @property
    def engine(self) -> Engine | None:
        return self.session.engine

    @property
    def show(self) -> Show:
        return self.session.show

    @property
    def selling(self) -> Any | None:
        return self.session.selling

    @property
    def comments(self) -> Any | None:
        return self.session.comments

    @property
    def record_folder(self) -> Path:
        """Where recordings go (GetStats' availableDiskSpace)."""
        return Path(self.session.options.recording_folder)

    def start_stream(self) -> None:
        self.session.start_streaming()  # the show's enabled destinations

    def stop_stream(self) -> None:
        self.session.stop_streaming()

    def start_record(self) -> Path:
        return self.session.start_recording()  # `<show>-<date>-<time>.mkv` in the recording folder

    def stop_record(self) -> None:
        self.session.stop_recording()

    def is_streaming(self) -> bool:
        return self.session.streaming

    def is_recording(self) -> bool:
        return self.session.recording_path is not None

    def hotkey_names(self) -> list[str]:
        desk = self.session.selling
        count = len(desk.products) if desk is not None else 0
        return hotkey_action_ids(self.session.show, count, selling=desk is not None)

    def trigger_hotkey(self, name: str) -> bool:
        """Run a hotkey's action; False for a name that is not a hotkey."""
        handler = self.session.hotkey_handler
        if handler is not None:
            return handler(name)
        if name not in self.hotkey_names():
            return False
        _run_hotkey(self, name)
        return True


def _run_hotkey(target: RemoteTarget, name: str) -> None:
    """A listed hotkey's action on the session, the engine and the desks, as the desktop app runs it."""
    kind, _, argument = name.partition(".")
    engine, desk = target.engine, target.selling
    if engine is None:
        raise InputError("the show is still starting", field="engine")
    if kind == "cut":
        engine.cut()
    elif kind == "auto":
        engine.transition()
    elif kind in ("preview_scene", "program_scene"):
        scene = engine.scene_names[int(argument) - 1]
        engine.set_preview(scene) if kind == "preview_scene" else engine.cut(scene)
    elif kind == "mute_input":
        engine.set_input_muted(argument, not engine.audio_input(argument).muted)
    elif kind == "product":
        if argument in ("next", "previous"):
            desk.step_product(1 if argument == "next" else -1)
        else:
            desk.select_product(desk.products[int(argument) - 1].id)
    elif name == "link_321":
        desk.link_321()
    elif name == "dismiss_card":
        desk.dismiss_card()
    elif name == "apply_preset":
        desk.apply_preset()
    elif name == "sold_out":
        current = desk.current_product
        if current is not None:
            desk.set_sold_out(current.id, not current.sold_out)
    elif name == "stream.toggle":
        target.stop_stream() if target.is_streaming() else target.start_stream()
    elif name == "record.toggle":
        target.stop_record() if target.is_recording() else target.start_record()


# -- results and field checks ----------------------------------------------------------------------


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


def _is_number(value: object) -> bool:
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
        if not _is_number(value) or not math.isfinite(value):
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


# -- conversions -------------------------------------------------------------------------------------


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


def _product_info(product, current_id: str | None = None) -> dict[str, Any]:
    return {
        "productId": product.id,
        "title": product.title,
        "price": f"{product.price:.2f}",
        "compareAtPrice": None if product.compare_at_price is None else f"{product.compare_at_price:.2f}",
        "currency": product.currency,
        "stock": product.stock,
        "soldOut": product.sold_out,
        "link": product.link_url,
        "coupon": product.coupon,
        "current": product.id == current_id,
    }


def _process_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak / 1024 if platform.system() != "Darwin" else peak / (1024 * 1024)
        except (ImportError, OSError):
            return 0.0


# -- requests -----------------------------------------------------------------------------------------

# request type -> handler(requests, fields, *, session, execution_type): methods of RemoteRequests
# and functions of remote_editing, registered by the same decorator.
_HANDLERS: dict[str, Callable[..., Any]] = {}


def _request(name: str):
    def register(handler):
        if name in _HANDLERS:
            raise ValueError(f"request {name!r} registered twice")
        _HANDLERS[name] = handler
        return handler

    return register


request_handler = _request  # for remote_editing


EmitEvent = Callable[[int, str, dict | None], None]


class RemoteRequests:
    """Answers obs-websocket requests from the studio. Call `handle` from one thread at a time."""

    def __init__(self, studio: RemoteTarget, *, emit: EmitEvent | None = None, events: StudioEvents | None = None) -> None:
        self.studio = studio
        self._emit = emit or (lambda intent, event_type, data: None)
        self.events = events
        transition = studio.show.transition
        self.transition: TransitionInfo = _TRANSITION_BY_KIND[transition.kind]
        self.transition_ms: int = max(MIN_TRANSITION_MS, min(MAX_TRANSITION_MS, transition.duration_ms))
        self._cpu_sample = (time.monotonic(), time.process_time())
        self._cpu_usage = 0.0
        self._fps_sample: tuple[float, int] | None = None
        self._active_fps = float(studio.show.canvas.fps)

    @property
    def engine(self) -> Engine:
        engine = self.studio.engine
        if engine is None:  # between a load's stop and its new engine
            raise RequestFailed(Status.NOT_READY, "The studio is loading a show; send again in a moment.")
        return engine

    @staticmethod
    def available_requests() -> list[str]:
        return sorted(_HANDLERS)

    def handle(self, request_type: object, request_data: object = None, *, session: Any = None,
               execution_type: int = BatchExecution.NONE) -> RequestResult:
        if request_data is not None and not isinstance(request_data, dict):
            return RequestResult(Status.INVALID_REQUEST_FIELD_TYPE, comment="Your request data is not an object.")
        if not isinstance(request_type, str) or not request_type:
            return RequestResult(Status.MISSING_REQUEST_TYPE, comment="Your request's `requestType` may not be empty.")
        handler = _HANDLERS.get(request_type)
        if handler is None:
            return RequestResult(Status.UNKNOWN_REQUEST_TYPE, comment="Your request type is not valid.")
        fields = Fields(request_data)
        try:
            outcome = handler(self, fields, session=session, execution_type=execution_type)
        except RequestFailed as failure:
            return RequestResult(failure.code, comment=failure.comment)
        except InputError as error:
            return RequestResult(Status.INVALID_REQUEST_FIELD, comment=str(error))
        except Exception as error:  # noqa: BLE001 - one request failing must not take the API down
            log.exception("remote API: %s failed", request_type)
            return RequestResult(Status.REQUEST_PROCESSING_FAILED, comment=f"{type(error).__name__}: {error}")
        if isinstance(outcome, RequestResult):
            return outcome
        return RequestResult(Status.SUCCESS, outcome)

    # -- lookups ----------------------------------------------------------------------------------

    def _scene(self, fields: Fields, name_key: str = "sceneName", uuid_key: str = "sceneUuid"):
        key, value, what = fields.name_or_uuid(name_key, uuid_key)
        scene = next((s for s in self.studio.show.scenes if getattr(s, key) == value), None)
        if scene is None:
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")
        return scene

    def _audio_input(self, fields: Fields):
        """The audio input named by inputUuid (its id) or inputName; a video source is 604."""
        show = self.engine.show
        key, value, what = fields.name_or_uuid("inputName", "inputUuid")
        spec = next((a for a in show.audio_inputs if getattr(a, key) == value), None)
        if spec is not None:
            return spec
        if any(getattr(s, key) == value for s in show.sources):
            raise RequestFailed(Status.INVALID_RESOURCE_STATE, "The specified input does not support audio.")
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")

    def _scene_info(self, scene, index: int) -> dict[str, Any]:
        return {"sceneName": scene.name, "sceneUuid": scene.id, "sceneIndex": index}

    def scene_list(self) -> list[dict[str, Any]]:
        """OBS order: the show's last scene first, with sceneIndex 0."""
        return [self._scene_info(scene, index) for index, scene in enumerate(reversed(self.engine.show.scenes))]

    def _scene_ref(self, name: str) -> dict[str, Any]:
        scene = self.engine.show.scene_by_ref(name)
        return {"sceneName": name, "sceneUuid": scene.id if scene else None}

    # -- general ----------------------------------------------------------------------------------

    @_request("GetVersion")
    def _get_version(self, fields: Fields, **_context) -> dict:
        return {
            "obsVersion": OBS_VERSION,
            "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
            "rpcVersion": RPC_VERSION,
            "availableRequests": self.available_requests(),
            "supportedImageFormats": ["png", "jpg"],
            "platform": platform.system().lower() or "unknown",
            "platformDescription": platform.platform(terse=True),
        }

    @_request("GetStats")
    def _get_stats(self, fields: Fields, *, session=None, **_context) -> dict:
        now, cpu = time.monotonic(), time.process_time()
        last_now, last_cpu = self._cpu_sample
        if now - last_now >= 0.25:
            self._cpu_usage = 100.0 * (cpu - last_cpu) / (now - last_now)
            self._cpu_sample = (now, cpu)
        stats = self.engine.stats()
        if self._fps_sample is None:
            self._fps_sample = (now, stats.frames_produced)
        elif now - self._fps_sample[0] >= 0.5:
            self._active_fps = (stats.frames_produced - self._fps_sample[1]) / (now - self._fps_sample[0])
            self._fps_sample = (now, stats.frames_produced)
        folder = self.studio.record_folder or Path.cwd()
        try:
            free_mb = shutil.disk_usage(folder if folder.exists() else folder.parent).free / (1024 * 1024)
        except OSError:
            free_mb = 0.0
        return {
            "cpuUsage": round(self._cpu_usage, 2),
            "memoryUsage": round(_process_rss_mb(), 2),
            "availableDiskSpace": round(free_mb, 2),
            "activeFps": round(self._active_fps, 2),
            "averageFrameRenderTime": round(self.events.average_tick_cpu_ms(), 3) if self.events is not None else 0.0,
            "renderSkippedFrames": stats.frames_dropped,
            "renderTotalFrames": stats.frames_produced + stats.frames_dropped,
            "outputSkippedFrames": stats.encoder_dropped,
            "outputTotalFrames": stats.frames_produced,
            "webSocketSessionIncomingMessages": getattr(session, "incoming", None),
            "webSocketSessionOutgoingMessages": getattr(session, "outgoing", None),
        }

    @_request("GetHotkeyList")
    def _get_hotkey_list(self, fields: Fields, **_context) -> dict:
        return {"hotkeys": list(self.studio.hotkey_names())}

    @_request("TriggerHotkeyByName")
    def _trigger_hotkey_by_name(self, fields: Fields, **_context) -> None:
        name = fields.string("hotkeyName")
        fields.string("contextName", optional=True, allow_empty=True)
        if name not in self.studio.hotkey_names():
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No hotkeys were found by that name.")
        try:
            found = self.studio.trigger_hotkey(name)
        except (InputError, RuntimeError, OSError) as error:  # e.g. a link run with no product, going live with no destination
            raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"the hotkey's action failed: {error}") from None
        if not found:
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No hotkeys were found by that name.")
        if self.events is not None and name.startswith("mute_input."):
            self.events.poll_input_changes()

    @_request("Sleep")
    def _sleep(self, fields: Fields, *, execution_type: int = BatchExecution.NONE, **_context) -> RequestResult:
        if execution_type == BatchExecution.SERIAL_REALTIME:
            millis = fields.number("sleepMillis", 0, 50_000)
            return RequestResult(Status.SUCCESS, sleep_s=millis / 1000)
        if execution_type == BatchExecution.SERIAL_FRAME:
            frames = fields.integer("sleepFrames", 0, 10_000)
            return RequestResult(Status.SUCCESS, sleep_s=frames / self.engine.show.canvas.fps)
        return RequestResult(
            Status.UNSUPPORTED_REQUEST_BATCH_EXECUTION_TYPE, comment="Sleep is only available in SerialRealtime and SerialFrame request batches."
        )

    @_request("CallVendorRequest")
    def _call_vendor_request(self, fields: Fields, **_context) -> dict:
        vendor = fields.string("vendorName")
        request_type = fields.string("requestType")
        data = Fields(fields.object("requestData", optional=True) or {})
        if vendor != VENDOR_NAME:
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No vendor was found by that name.")
        handler = _VENDOR_REQUESTS.get(request_type)
        if handler is None:
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No request was found by that name.")
        response = getattr(self, handler)(data) or {}
        return {"vendorName": vendor, "requestType": request_type, "responseData": response}

    # -- scenes -----------------------------------------------------------------------------------

    @_request("GetSceneList")
    def _get_scene_list(self, fields: Fields, **_context) -> dict:
        program, preview = self.engine.program_scene, self.engine.preview_scene
        return {
            "currentProgramSceneName": program,
            "currentProgramSceneUuid": self._scene_ref(program)["sceneUuid"],
            "currentPreviewSceneName": preview,
            "currentPreviewSceneUuid": self._scene_ref(preview)["sceneUuid"],
            "scenes": self.scene_list(),
        }

    @_request("GetCurrentProgramScene")
    def _get_current_program_scene(self, fields: Fields, **_context) -> dict:
        ref = self._scene_ref(self.engine.program_scene)
        return {**ref, "currentProgramSceneName": ref["sceneName"], "currentProgramSceneUuid": ref["sceneUuid"]}

    @_request("SetCurrentProgramScene")
    def _set_current_program_scene(self, fields: Fields, **_context) -> None:
        self.engine.cut(self._scene(fields).id)

    @_request("GetCurrentPreviewScene")
    def _get_current_preview_scene(self, fields: Fields, **_context) -> dict:
        ref = self._scene_ref(self.engine.preview_scene)
        return {**ref, "currentPreviewSceneName": ref["sceneName"], "currentPreviewSceneUuid": ref["sceneUuid"]}

    @_request("SetCurrentPreviewScene")
    def _set_current_preview_scene(self, fields: Fields, **_context) -> None:
        self.engine.set_preview(self._scene(fields).id)

    # -- studio mode and transitions --------------------------------------------------------------

    @_request("GetStudioModeEnabled")
    def _get_studio_mode_enabled(self, fields: Fields, **_context) -> dict:
        return {"studioModeEnabled": True}

    @_request("SetStudioModeEnabled")
    def _set_studio_mode_enabled(self, fields: Fields, **_context) -> None:
        if not fields.boolean("studioModeEnabled"):
            raise RequestFailed(
                Status.REQUEST_PROCESSING_FAILED, "The studio always works in studio mode (preview and program); it cannot be turned off."
            )

    @_request("TriggerStudioModeTransition")
    def _trigger_studio_mode_transition(self, fields: Fields, **_context) -> None:
        if self.transition.fixed:
            self.engine.cut()
        else:
            self.engine.transition(kind=self.transition.kind, duration_ms=self.transition_ms)

    @_request("SetTBarPosition")
    def _set_tbar_position(self, fields: Fields, **_context) -> None:
        position = fields.number("position", 0.0, 1.0)
        fields.boolean("release", optional=True)
        kind = TransitionKind.MIX if self.transition.fixed else self.transition.kind
        self.engine.set_tbar(float(position), kind=kind)

    @_request("GetTransitionKindList")
    def _get_transition_kind_list(self, fields: Fields, **_context) -> dict:
        return {"transitionKinds": [info.obs_kind for info in TRANSITIONS]}

    def _transition_entry(self, info: TransitionInfo) -> dict[str, Any]:
        return {
            "transitionName": info.name,
            "transitionUuid": info.kind.value,
            "transitionKind": info.obs_kind,
            "transitionFixed": info.fixed,
            "transitionConfigurable": False,
        }

    @_request("GetSceneTransitionList")
    def _get_scene_transition_list(self, fields: Fields, **_context) -> dict:
        return {
            "currentSceneTransitionName": self.transition.name,
            "currentSceneTransitionUuid": self.transition.kind.value,
            "currentSceneTransitionKind": self.transition.obs_kind,
            "transitions": [self._transition_entry(info) for info in TRANSITIONS],
        }

    @_request("GetCurrentSceneTransition")
    def _get_current_scene_transition(self, fields: Fields, **_context) -> dict:
        info = self.transition
        return {
            **self._transition_entry(info),
            "transitionDuration": None if info.fixed else self.transition_ms,
            "transitionSettings": None,
        }

    @_request("SetCurrentSceneTransition")
    def _set_current_scene_transition(self, fields: Fields, **_context) -> None:
        name = fields.string("transitionName")
        info = next((i for i in TRANSITIONS if name in (i.name, i.kind.value)), None)
        if info is None:
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No scene transition was found by that name.")
        if info is not self.transition:
            self.transition = info
            self._emit(Subscription.TRANSITIONS, "CurrentSceneTransitionChanged", {"transitionName": info.name, "transitionUuid": info.kind.value})

    @_request("SetCurrentSceneTransitionDuration")
    def _set_current_scene_transition_duration(self, fields: Fields, **_context) -> None:
        duration = fields.integer("transitionDuration", MIN_TRANSITION_MS, 20_000)
        if duration > MAX_TRANSITION_MS:
            raise RequestFailed(
                Status.REQUEST_FIELD_OUT_OF_RANGE, f"The field value of `transitionDuration` is above the studio's maximum of `{MAX_TRANSITION_MS}`"
            )
        if self.transition.fixed:
            raise RequestFailed(Status.RESOURCE_NOT_CONFIGURABLE, "The current transition (Cut) has a fixed duration.")
        if duration != self.transition_ms:
            self.transition_ms = duration
            self._emit(Subscription.TRANSITIONS, "CurrentSceneTransitionDurationChanged", {"transitionDuration": duration})

    # -- inputs -----------------------------------------------------------------------------------

    def input_list(self, kind: str | None = None) -> list[dict[str, Any]]:
        show = self.engine.show
        inputs = [
            {"inputName": a.name, "inputUuid": a.id, "inputKind": a.kind.value if hasattr(a.kind, "value") else str(a.kind),
             "unversionedInputKind": a.kind.value if hasattr(a.kind, "value") else str(a.kind), "inputKindCaps": 2}
            for a in show.audio_inputs
        ]
        inputs += [
            {"inputName": s.name, "inputUuid": s.id, "inputKind": s.kind, "unversionedInputKind": s.kind, "inputKindCaps": 1}
            for s in show.sources
        ]
        return [i for i in inputs if kind is None or i["inputKind"] == kind]

    @_request("GetInputList")
    def _get_input_list(self, fields: Fields, **_context) -> dict:
        return {"inputs": self.input_list(fields.string("inputKind", optional=True))}

    @_request("GetInputAudioTracks")
    def _get_input_audio_tracks(self, fields: Fields, **_context) -> dict:
        self._audio_input(fields)
        return {"inputAudioTracks": {str(track): track == 1 for track in range(1, AUDIO_TRACKS + 1)}}

    @_request("GetInputMute")
    def _get_input_mute(self, fields: Fields, **_context) -> dict:
        spec = self._audio_input(fields)
        return {"inputMuted": self.engine.audio_input(spec.id).muted}

    @_request("SetInputMute")
    def _set_input_mute(self, fields: Fields, **_context) -> None:
        spec = self._audio_input(fields)
        muted = fields.boolean("inputMuted")
        self.engine.set_input_muted(spec.id, muted)
        if self.events is not None:
            self.events.poll_input_changes()

    @_request("ToggleInputMute")
    def _toggle_input_mute(self, fields: Fields, **_context) -> dict:
        spec = self._audio_input(fields)
        muted = not self.engine.audio_input(spec.id).muted
        self.engine.set_input_muted(spec.id, muted)
        if self.events is not None:
            self.events.poll_input_changes()
        return {"inputMuted": muted}

    @_request("GetInputVolume")
    def _get_input_volume(self, fields: Fields, **_context) -> dict:
        spec = self._audio_input(fields)
        gain_db = self.engine.audio_input(spec.id).gain_db
        return {"inputVolumeMul": db_to_mul(gain_db), "inputVolumeDb": max(SILENCE_DB, gain_db)}

    @_request("SetInputVolume")
    def _set_input_volume(self, fields: Fields, **_context) -> None:
        spec = self._audio_input(fields)
        mul = fields.number("inputVolumeMul", 0, 20, optional=True)
        db = fields.number("inputVolumeDb", -100, 26, optional=True)
        if mul is not None and db is not None:
            raise RequestFailed(Status.TOO_MANY_REQUEST_FIELDS, "You may only specify one volume field.")
        if mul is None and db is None:
            raise RequestFailed(Status.MISSING_REQUEST_FIELD, "You must specify one volume field.")
        gain_db = mul_to_db(mul) if mul is not None else float(db)
        minimum, maximum = _gain_range()
        if gain_db > maximum:
            raise RequestFailed(Status.REQUEST_FIELD_OUT_OF_RANGE, f"The studio's input gain is at most {maximum:g} dB (x{db_to_mul(maximum):.2f}).")
        # Below the mixer's range is as good as silent: the lowest gain it takes.
        self.engine.set_input_gain(spec.id, max(minimum, gain_db))
        if self.events is not None:
            self.events.poll_input_changes()

    # -- outputs ------------------------------------------------------------------------------------

    def _stream_status(self) -> dict[str, Any]:
        destinations = self.engine.destination_stats()
        active = bool(self.studio.is_streaming())
        tracker = self.events.outputs if self.events is not None else None
        duration_ms = int(max((d.uptime_s for d in destinations), default=0.0) * 1000) if active else 0
        return {
            "outputActive": active,
            "outputReconnecting": active and any(d.state.value == "RECONNECTING" for d in destinations),
            "outputTimecode": timecode(duration_ms),
            "outputDuration": duration_ms,
            "outputCongestion": min(1.0, max((d.queue_ms for d in destinations), default=0) / 1000.0) if active else 0.0,
            "outputBytes": tracker.stream_bytes() if tracker is not None else 0,
            "outputSkippedFrames": sum(sum(d.dropped_frames.values()) for d in destinations) if active else 0,
            "outputTotalFrames": tracker.stream_frames(self.engine) if tracker is not None and active else 0,
        }

    @_request("GetStreamStatus")
    def _get_stream_status(self, fields: Fields, **_context) -> dict:
        return self._stream_status()

    def _start_stream(self) -> None:
        try:
            self.studio.start_stream()
        except (InputError, RuntimeError, OSError) as error:
            raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"cannot go live: {error}") from None
        if self.events is not None:
            self.events.stream_requested(True)

    def _stop_stream(self) -> None:
        self.studio.stop_stream()
        if self.events is not None:
            self.events.stream_requested(False)

    @_request("StartStream")
    def _start_stream_request(self, fields: Fields, **_context) -> None:
        if self.studio.is_streaming():
            raise RequestFailed(Status.OUTPUT_RUNNING)
        self._start_stream()

    @_request("StopStream")
    def _stop_stream_request(self, fields: Fields, **_context) -> None:
        if not self.studio.is_streaming():
            raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
        self._stop_stream()

    @_request("ToggleStream")
    def _toggle_stream(self, fields: Fields, **_context) -> dict:
        if self.studio.is_streaming():
            self._stop_stream()
            return {"outputActive": False}
        self._start_stream()
        return {"outputActive": True}

    @_request("GetRecordStatus")
    def _get_record_status(self, fields: Fields, **_context) -> dict:
        active = bool(self.studio.is_recording())
        tracker = self.events.outputs if self.events is not None else None
        duration_ms = tracker.record_duration_ms() if tracker is not None and active else 0
        return {
            "outputActive": active,
            "outputPaused": False,
            "outputTimecode": timecode(duration_ms),
            "outputDuration": duration_ms,
            "outputBytes": int(self.engine.recording_stats.bytes_recorded) if active else 0,
        }

    def _start_record(self) -> Path:
        try:
            path = self.studio.start_record()
        except (InputError, RuntimeError, OSError) as error:
            raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"cannot record: {error}") from None
        if self.events is not None:
            self.events.outputs.record_requested(path)
        return path

    def _stop_record(self) -> str | None:
        tracker = self.events.outputs if self.events is not None else None
        path = (tracker.record_path() if tracker is not None else None) or self.engine.recording_stats.recording_path
        self.studio.stop_record()
        return str(path) if path else None

    @_request("StartRecord")
    def _start_record_request(self, fields: Fields, **_context) -> None:
        if self.studio.is_recording():
            raise RequestFailed(Status.OUTPUT_RUNNING)
        self._start_record()

    @_request("StopRecord")
    def _stop_record_request(self, fields: Fields, **_context) -> dict:
        if not self.studio.is_recording():
            raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
        return {"outputPath": self._stop_record()}

    @_request("ToggleRecord")
    def _toggle_record(self, fields: Fields, **_context) -> dict:
        if self.studio.is_recording():
            self._stop_record()
            return {"outputActive": False}
        self._start_record()
        return {"outputActive": True}

    @_request("CreateRecordChapter")
    def _create_record_chapter(self, fields: Fields, **_context) -> None:
        name = fields.string("chapterName", optional=True)
        if not self.studio.is_recording():
            raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
        tracker = self.events.outputs if self.events is not None else None
        title = (name or "").strip() or f"Chapter {tracker.next_chapter_number() if tracker else 1}"
        self.engine.add_chapter(title)

    # -- vendor "studio" ------------------------------------------------------------------------------

    def _desk(self):
        if self.studio.selling is None:
            raise RequestFailed(Status.INVALID_RESOURCE_STATE, "This studio has no selling desk (the show has no products).")
        return self.studio.selling

    def _product_id(self, fields: Fields, *, optional: bool = False) -> str | None:
        """A product by id, or by its number on the run sheet (1 = the first)."""
        value = fields.data.get("product")
        if value is None:
            if optional:
                return None
            fields.string("product")
        desk = self._desk()
        if _is_number(value):
            products = desk.products
            if value != int(value) or not 1 <= value <= len(products):
                raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No product number {value}; the run sheet has {len(products)}.")
            return products[int(value) - 1].id
        product_id = fields.string("product")
        if product_id not in {p.id for p in desk.products}:
            known = ", ".join(p.id for p in desk.products) or "(no products)"
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No product {product_id!r}; expected one of {known}.")
        return product_id

    def _products_response(self) -> dict:
        desk = self._desk()
        current = desk.current_product
        current_id = current.id if current else None
        return {"products": [_product_info(p, current_id) for p in desk.products], "currentProduct": current_id}

    def _vendor_get_products(self, fields: Fields) -> dict:
        return self._products_response()

    def _vendor_select_product(self, fields: Fields) -> dict:
        product = self._desk().select_product(self._product_id(fields))
        return {"product": _product_info(product, product.id)}

    def _vendor_step(self, step: int) -> dict:
        product = self._desk().step_product(step)
        return {"product": _product_info(product, product.id) if product else None}

    def _vendor_next_product(self, fields: Fields) -> dict:
        return self._vendor_step(+1)

    def _vendor_previous_product(self, fields: Fields) -> dict:
        return self._vendor_step(-1)

    def _vendor_link_321(self, fields: Fields) -> dict:
        desk = self._desk()
        push = desk.link_321(self._product_id(fields, optional=True))
        return {"productId": push.product_id, "title": push.title, "link": push.link}

    def _vendor_dismiss_card(self, fields: Fields) -> dict:
        self._desk().dismiss_card()
        return {}

    def _vendor_sold_out(self, fields: Fields) -> dict:
        product_id = self._product_id(fields)
        sold_out = fields.boolean("soldOut")
        product = self._desk().set_sold_out(product_id, sold_out)
        return {"product": _product_info(product)}

    def _vendor_set_stock(self, fields: Fields) -> dict:
        product_id = self._product_id(fields)
        if "stock" not in fields.data:
            raise RequestFailed(Status.MISSING_REQUEST_FIELD, "Your request is missing the `stock` field.")
        stock = None if fields.data["stock"] is None else fields.integer("stock", 0, 2**31)  # null: not shown
        product = self._desk().set_stock(product_id, stock)
        return {"product": _product_info(product)}

    def _comment_desk(self):
        if self.studio.comments is None:
            raise RequestFailed(Status.INVALID_RESOURCE_STATE, "This studio has no comment desk.")
        return self.studio.comments

    def _vendor_pin_comment(self, fields: Fields) -> dict:
        rowid = fields.integer("rowid", 1, 2**63)
        desk = self._comment_desk()
        try:
            stored = desk.pin_comment(rowid)
        except InputError as error:
            code = Status.RESOURCE_NOT_FOUND if "no stored comment" in str(error) else Status.INVALID_RESOURCE_STATE
            raise RequestFailed(code, str(error)) from None
        comment = stored.comment
        return {"rowid": rowid, "platform": comment.platform, "user": comment.user, "text": comment.text}

    def _vendor_unpin_comment(self, fields: Fields) -> dict:
        self._comment_desk().unpin()
        return {}


_VENDOR_REQUESTS = {
    "get_products": "_vendor_get_products",
    "select_product": "_vendor_select_product",
    "next_product": "_vendor_next_product",
    "previous_product": "_vendor_previous_product",
    "link_321": "_vendor_link_321",
    "dismiss_card": "_vendor_dismiss_card",
    "sold_out": "_vendor_sold_out",
    "set_stock": "_vendor_set_stock",
    "pin_comment": "_vendor_pin_comment",
    "unpin_comment": "_vendor_unpin_comment",
}
VENDOR_REQUEST_TYPES = tuple(_VENDOR_REQUESTS)


def _gain_range() -> tuple[float, float]:
    from studio.engine.show import AudioInputSpec

    minimum, maximum = -96.0, 24.0
    for constraint in AudioInputSpec.model_fields["gain_db"].metadata:
        minimum = float(getattr(constraint, "ge", minimum))
        maximum = float(getattr(constraint, "le", maximum))
    return minimum, maximum


# -- events -------------------------------------------------------------------------------------------


class OutputTracker:
    """Stream and record state as obs-websocket tells it, from the engine's per-destination and
    recording events (any thread; one lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.destinations: dict[str, str] = {}
        self.stream_state = OUTPUT_STOPPED
        self._stream_bytes = 0.0
        self._stream_frames_at_start: int | None = None
        self._record_path: str | None = None
        self._record_started: float | None = None
        self._pending_stop: str | None = None
        self._chapters = 0

    # stream ------------------------------------------------------------------------------------

    def destination_state(self, name: str, state: str) -> list[str]:
        """A destination changed; the obs-websocket stream states this leads to (maybe none)."""
        with self._lock:
            self.destinations[name] = state
            running = [s for s in self.destinations.values() if s not in ("OFF", "FAILED")]
            previous, states = self.stream_state, []
            if not running:
                if previous != OUTPUT_STOPPED:
                    states.append(OUTPUT_STOPPED)
            elif "LIVE" in running:
                if previous == OUTPUT_RECONNECTING:
                    states.append(OUTPUT_RECONNECTED)
                elif previous not in _ACTIVE_STATES:
                    states.append(OUTPUT_STARTED)
            elif previous in (OUTPUT_STOPPED, OUTPUT_STOPPING):
                states.append(OUTPUT_STARTING)
            elif previous in _ACTIVE_STATES:
                states.append(OUTPUT_RECONNECTING)
            if states:
                self.stream_state = states[-1]
                if states[-1] == OUTPUT_STOPPED:
                    self.destinations = {}
            return states

    def stream_stopping(self) -> bool:
        with self._lock:
            if self.stream_state == OUTPUT_STOPPED:
                return False
            self.stream_state = OUTPUT_STOPPING
            return True

    def stream_started_at(self, frames_produced: int) -> None:
        with self._lock:
            self._stream_frames_at_start = frames_produced
            self._stream_bytes = 0.0

    def add_stream_seconds(self, outputs: tuple, seconds: float) -> None:
        """Once a second: count what the destinations sent (their measured bitrate)."""
        with self._lock:
            self._stream_bytes += sum(d.bitrate_kbps for d in outputs) * 125.0 * seconds

    def stream_bytes(self) -> int:
        with self._lock:
            return int(self._stream_bytes)

    def stream_frames(self, engine: Engine) -> int:
        with self._lock:
            start = self._stream_frames_at_start
        return max(0, engine.stats().frames_produced - start) if start is not None else 0

    # record ------------------------------------------------------------------------------------

    def record_requested(self, path: Path) -> None:
        with self._lock:
            self._record_path = str(path)

    def record_path(self) -> str | None:
        with self._lock:
            return self._record_path

    def record_duration_ms(self) -> int:
        with self._lock:
            started = self._record_started
        return int((time.monotonic() - started) * 1000) if started is not None else 0

    def next_chapter_number(self) -> int:
        with self._lock:
            self._chapters += 1
            return self._chapters

    def recording(self, path: str) -> tuple[str, dict] | None:
        """The engine started writing `path`: RecordStateChanged STARTED, or RecordFileChanged
        when it follows a split's stop."""
        with self._lock:
            self._record_path = path
            if self._pending_stop is not None:
                self._pending_stop = None
                return "RecordFileChanged", {"newOutputPath": path}
            self._record_started = time.monotonic()
            self._chapters = 0
            return "RecordStateChanged", {"outputActive": True, "outputState": OUTPUT_STARTED, "outputPath": path}

    def stopped(self, path: str, still_recording: bool) -> tuple[str, dict] | None:
        """The engine closed `path`. While the recording is still wanted that is a split (or a
        failure): held until `flush_stop` unless the next part follows."""
        with self._lock:
            if still_recording:
                self._pending_stop = path
                return None
            self._pending_stop = None
            self._record_started = None
            return "RecordStateChanged", {"outputActive": False, "outputState": OUTPUT_STOPPED, "outputPath": path}

    def flush_stop(self) -> tuple[str, dict] | None:
        with self._lock:
            path, self._pending_stop = self._pending_stop, None
            if path is None:
                return None
            self._record_started = None
            return "RecordStateChanged", {"outputActive": False, "outputState": OUTPUT_STOPPED, "outputPath": path}


class StudioEvents:
    """Engine and desk events as obs-websocket events, handed to `emit` (from any thread).

    `schedule(delay_s, callback)` runs a callback later on the server's loop (holding a
    recording's stop while a split opens the next part)."""

    SPLIT_GRACE_S = 0.5

    def __init__(
        self,
        studio: RemoteTarget,
        emit: EmitEvent,
        *,
        schedule: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        self.studio = studio
        self._emit = emit
        self._schedule = schedule or (lambda delay, callback: None)
        self.outputs = OutputTracker()
        self._levels_lock = threading.Lock()
        self._levels = None  # the newest AudioLevels
        self._tick_cpu_last: float | None = None
        self._tick_cpu_sum = 0.0
        self._tick_cpu_count = 0
        self._tick_cpu_ms = 0.0
        self._inputs_lock = threading.Lock()
        self._input_state: dict[str, tuple[bool, float]] = {}
        self._connections: list[tuple[object, Callable]] = []
        self._view_lock = threading.Lock()  # edits come from any thread: one diff at a time, in order
        self._view = None  # remote_editing.ShowView: the show as clients were last told it

    # -- wiring -----------------------------------------------------------------------------------

    def attach(self) -> None:
        self._watch_show()
        engine = self.studio.engine
        if engine is None:  # the session builds it later; set_studio brings it here
            return
        events = engine.events
        self._connect(events.program_scene_changed, self._on_program_scene)
        self._connect(events.preview_scene_changed, self._on_preview_scene)
        self._connect(events.output_state_changed, self._on_output_state)
        self._connect(events.recording_state_changed, self._on_recording_state)
        self._connect(events.audio_levels, self._on_audio_levels)
        self._connect(events.link_pushed, self._on_link_pushed)
        self._connect(events.program_stats, self._on_program_stats)
        if self.studio.selling is not None:
            desk_events = self.studio.selling.events
            self._connect(desk_events.current_product_changed, self._on_current_product)
            self._connect(desk_events.products_changed, self._on_products_changed)
        with self._levels_lock:
            self._levels, self._tick_cpu_last = None, None  # a new engine: a new program thread
            self._tick_cpu_sum, self._tick_cpu_count = 0.0, 0
        with self._inputs_lock:
            self._input_state = self._read_inputs()

    def _watch_show(self) -> None:
        with self._view_lock:
            self._view = editing.show_view(self.studio.show, self.studio.session.layers)
        self._connect(self.studio.session.events.show_changed, self._on_show_changed)

    def _scene_ids(self) -> list[str]:
        with self._view_lock:
            return [scene.scene_id for scene in self._view.scenes] if self._view is not None else []

    def detach(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._connections.clear()

    def _connect(self, signal, slot: Callable) -> None:
        def guarded(*args) -> None:  # an engine thread must never see an exception from here
            try:
                slot(*args)
            except Exception:  # noqa: BLE001
                log.exception("remote API: handling an engine event failed")

        signal.connect(guarded)
        self._connections.append((signal, guarded))

    def replace_studio(self, studio: RemoteTarget) -> None:
        """A new engine (the session loaded a show): listen to it instead; tell clients what
        changed (SceneListChanged, the new program and preview)."""
        old_ids = self._scene_ids()
        self.detach()
        self.studio = studio
        self.attach()
        engine = studio.engine
        if engine is None:
            return
        if self._scene_ids() != old_ids:
            self._emit(Subscription.SCENES, "SceneListChanged", {"scenes": self._scene_list()})
        self._on_program_scene(engine.program_scene)
        self._on_preview_scene(engine.preview_scene)

    def _scene_list(self) -> list[dict[str, Any]]:
        scenes = self.studio.show.scenes
        return [{"sceneName": s.name, "sceneUuid": s.id, "sceneIndex": i} for i, s in enumerate(reversed(scenes))]

    def _on_show_changed(self, show: Show) -> None:
        """An edit, an undo or a load, made anywhere (the GUI, a request, a script): what it
        changed, as OBS tells it. On the editing thread; the events go out in the edits' order."""
        with self._view_lock:
            after = editing.show_view(show, self.studio.session.layers)
            before, self._view = self._view, after
            for intent, event_type, data in editing.show_changes(before, after):
                self._emit(intent, event_type, data)

    # -- handlers (engine threads) ---------------------------------------------------------------

    def _scene_ref(self, name: str) -> dict[str, Any]:
        scene = self.studio.engine.show.scene_by_ref(name)
        return {"sceneName": name, "sceneUuid": scene.id if scene else None}

    def _on_program_scene(self, name: str) -> None:
        self._emit(Subscription.SCENES, "CurrentProgramSceneChanged", self._scene_ref(name))

    def _on_preview_scene(self, name: str) -> None:
        self._emit(Subscription.SCENES, "CurrentPreviewSceneChanged", self._scene_ref(name))

    def _on_output_state(self, name: str, state: str, _reason: str) -> None:
        for obs_state in self.outputs.destination_state(name, state):
            if obs_state == OUTPUT_STARTED:
                self.outputs.stream_started_at(self.studio.engine.stats().frames_produced)
            self._emit_stream_state(obs_state)

    def _emit_stream_state(self, obs_state: str) -> None:
        self._emit(Subscription.OUTPUTS, "StreamStateChanged", {"outputActive": obs_state in _ACTIVE_STATES, "outputState": obs_state})

    def stream_requested(self, live: bool) -> None:
        """Go Live / End through the API: STOPPING is said at once (STARTING comes with the first
        destination connecting)."""
        if not live and self.outputs.stream_stopping():
            self._emit_stream_state(OUTPUT_STOPPING)

    def _on_recording_state(self, state: str, path: str) -> None:
        if state == "recording":
            event = self.outputs.recording(path)
        else:
            still = bool(self.studio.is_recording())
            event = self.outputs.stopped(path, still)
            if still:
                self._schedule(self.SPLIT_GRACE_S, self._flush_stop)
        if event is not None:
            self._emit(Subscription.OUTPUTS, *event)

    def _flush_stop(self) -> None:
        event = self.outputs.flush_stop()
        if event is not None:
            self._emit(Subscription.OUTPUTS, *event)

    def _on_program_stats(self, stats) -> None:
        if stats.outputs:
            self.outputs.add_stream_seconds(stats.outputs, 1.0)

    def _on_audio_levels(self, levels) -> None:
        # Once per tick on the program thread: its CPU time between two ticks is what rendering
        # (and mixing) a frame costs, GetStats' averageFrameRenderTime.
        cpu = time.thread_time()
        with self._levels_lock:
            self._levels = levels
            if self._tick_cpu_last is not None:
                self._tick_cpu_sum += cpu - self._tick_cpu_last
                self._tick_cpu_count += 1
                if self._tick_cpu_count >= 30:
                    self._tick_cpu_ms = 1000.0 * self._tick_cpu_sum / self._tick_cpu_count
                    self._tick_cpu_sum, self._tick_cpu_count = 0.0, 0
            self._tick_cpu_last = cpu

    def average_tick_cpu_ms(self) -> float:
        """The program thread's CPU time per tick over the last 30 ticks (ms)."""
        with self._levels_lock:
            if self._tick_cpu_ms == 0.0 and self._tick_cpu_count:  # the first 30 ticks: what there is
                return 1000.0 * self._tick_cpu_sum / self._tick_cpu_count
            return self._tick_cpu_ms

    def _on_link_pushed(self, push) -> None:
        self._emit(
            Subscription.VENDORS,
            "VendorEvent",
            {
                "vendorName": VENDOR_NAME,
                "eventType": "link_pushed",
                "eventData": {
                    "productId": push.product_id,
                    "title": push.title,
                    "link": push.link,
                    "tick": push.tick,
                    "mediaTimeS": round(push.media_time_ns / NS_PER_SECOND, 3),
                },
            },
        )

    def _on_current_product(self, product_id: str) -> None:
        self._emit(
            Subscription.VENDORS,
            "VendorEvent",
            {"vendorName": VENDOR_NAME, "eventType": "current_product_changed", "eventData": {"productId": product_id}},
        )

    def _on_products_changed(self) -> None:
        self._emit(Subscription.VENDORS, "VendorEvent", {"vendorName": VENDOR_NAME, "eventType": "products_changed", "eventData": {}})

    # -- polled (the server's loop, or the request worker) ----------------------------------------

    def _read_inputs(self) -> dict[str, tuple[bool, float]]:
        engine = self.studio.engine
        state: dict[str, tuple[bool, float]] = {}
        if engine is None:  # a show loading: nothing to compare until its engine is here
            return state
        for spec in engine.show.audio_inputs:
            current = engine.audio_input(spec.id)
            state[spec.id] = (current.muted, current.gain_db)
        return state

    def poll_input_changes(self) -> None:
        """Emit InputMuteStateChanged / InputVolumeChanged for inputs changed since the last look
        (by a request, a hotkey or the GUI)."""
        with self._inputs_lock:
            now = self._read_inputs()
            changes = []
            for input_id, (muted, gain_db) in now.items():
                before = self._input_state.get(input_id)
                if before is None:
                    continue
                if before[0] != muted:
                    changes.append(("InputMuteStateChanged", input_id, {"inputMuted": muted}))
                if before[1] != gain_db:
                    changes.append(
                        ("InputVolumeChanged", input_id, {"inputVolumeMul": db_to_mul(gain_db), "inputVolumeDb": max(SILENCE_DB, gain_db)})
                    )
            self._input_state = now
            if not changes:
                return
            names = {spec.id: spec.name for spec in self.studio.engine.show.audio_inputs}
            for event_type, input_id, data in changes:
                self._emit(Subscription.INPUTS, event_type, {"inputName": names[input_id], "inputUuid": input_id, **data})

    def volume_meters(self) -> dict[str, Any] | None:
        """InputVolumeMeters' data from the newest meters: per input and channel [magnitude
        (RMS, post-fader), peak (post-fader), input peak (pre-fader; 0 while muted)], as
        multipliers. None before the first meters."""
        with self._levels_lock:
            levels = self._levels
        engine = self.studio.engine
        if levels is None or engine is None:
            return None
        specs = {spec.id: spec for spec in engine.show.audio_inputs}
        inputs = []
        for level in levels.inputs:
            spec = specs.get(level.input_id)
            if spec is None:
                continue
            current = engine.audio_input(level.input_id)
            magnitude = db_to_mul(level.rms_db)
            peak = db_to_mul(level.peak_db)
            gain = db_to_mul(current.gain_db)
            input_peak = 0.0 if current.muted or gain <= 0.0 else min(peak / gain, 1e6)
            channel = [round(magnitude, 6), round(peak, 6), round(input_peak, 6)]
            inputs.append({"inputName": spec.name, "inputUuid": spec.id, "inputLevelsMul": [channel] * METER_CHANNELS})
        return {"inputs": inputs}


__all__ = [
    "BatchExecution",
    "Fields",
    "OBS_VERSION",
    "OBS_WEBSOCKET_VERSION",
    "RPC_VERSION",
    "RemoteRequests",
    "RemoteTarget",
    "RequestFailed",
    "RequestResult",
    "Status",
    "StudioEvents",
    "Subscription",
    "TRANSITIONS",
    "VENDOR_NAME",
    "VENDOR_REQUEST_TYPES",
    "RemoteSession",
    "hotkey_action_ids",
]


# The editing requests (inputs, scenes, scene items) and the show diff live in remote_editing,
# which builds on the definitions above; importing it here registers its requests with every
# RemoteRequests, whichever module is imported first.
from studio.control import remote_editing as editing  # noqa: E402
