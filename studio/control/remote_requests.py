"""What the remote control API means in the studio: obs-websocket v5 requests answered from the
session, its engine and desks.

`RemoteRequests.handle(request_type, request_data)` answers one request with a
`RequestResult` (obs-websocket's status codes: 100 success, 204 unknown request type, 207 not
ready, 300/400 field problems, 500/501 output running or not, 600 not found, 601 already exists,
605 unknown input kind, 702 failed with a comment). It looks the handler up in the one registry
(request_handlers.REQUEST_HANDLERS; one module per category, as obs-websocket's
RequestHandler_*.cpp). Every request that changes the show calls the session's, the engine's or
a desk's public methods, which apply at the next tick. Requests run on one worker thread of the
server, one at a time, so they never race each other.

Where the rest lives: the studio as the API sees it (RemoteSession, RemoteTarget) in
remote_target; obs-websocket's codes and units in remote_protocol; field checks in remote_fields;
engine and desk events as obs-websocket events (StudioEvents) in remote_events; the bindable
actions (GetHotkeyList) in hotkey_catalogue. Their public names are importable from here too.

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
from typing import Any

from studio.control.hotkey_catalogue import hotkey_action_ids
from studio.control.remote_events import StudioEvents
from studio.control.remote_fields import Fields
from studio.control.remote_protocol import (
    OBS_VERSION,
    OBS_WEBSOCKET_VERSION,
    RPC_VERSION,
    VENDOR_NAME,
    BatchExecution,
    EmitEvent,
    RequestFailed,
    RequestResult,
    Status,
    Subscription,
)
from studio.control.remote_target import RemoteSession, RemoteTarget
from studio.control.request_handlers import REQUEST_HANDLERS
from studio.control.request_handlers.general import StatsSampler
from studio.control.request_handlers.transitions import TRANSITIONS, TransitionInfo, initial_transition
from studio.control.request_handlers.vendor import VENDOR_REQUEST_TYPES
from studio.engine.engine import Engine
from studio.engine.errors import InputError

log = logging.getLogger(__name__)


class RemoteRequests:
    """Answers obs-websocket requests from the studio. Call `handle` from one thread at a time.

    Besides the studio it holds the remote control's own state: the current transition and its
    duration (TriggerStudioModeTransition's; they start as the show's) and GetStats' samples."""

    def __init__(self, studio: RemoteTarget, *, emit: EmitEvent | None = None, events: StudioEvents | None = None) -> None:
        self.studio = studio
        self.emit: EmitEvent = emit or (lambda intent, event_type, data: None)
        self.events = events
        transition, transition_ms = initial_transition(studio.show)
        self.transition: TransitionInfo = transition
        self.transition_ms: int = transition_ms
        self.stats_sampler = StatsSampler(studio.show.canvas.fps)

    @property
    def engine(self) -> Engine:
        engine = self.studio.engine
        if engine is None:  # between a load's stop and its new engine
            raise RequestFailed(Status.NOT_READY, "The studio is loading a show; send again in a moment.")
        return engine

    @staticmethod
    def available_requests() -> list[str]:
        return sorted(REQUEST_HANDLERS)

    def handle(self, request_type: object, request_data: object = None, *, session: Any = None,
               execution_type: int = BatchExecution.NONE) -> RequestResult:
        if request_data is not None and not isinstance(request_data, dict):
            return RequestResult(Status.INVALID_REQUEST_FIELD_TYPE, comment="Your request data is not an object.")
        if not isinstance(request_type, str) or not request_type:
            return RequestResult(Status.MISSING_REQUEST_TYPE, comment="Your request's `requestType` may not be empty.")
        handler = REQUEST_HANDLERS.get(request_type)
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
