"""Transition requests (obs-websocket's RequestHandler_Transitions): Cut, Mix, Wipe and Dip to
colour. The current transition and its duration are the remote control's own (they start as
the show's) and are used by TriggerStudioModeTransition; the T-bar uses the current kind (Mix
when it is Cut, which has no in-between)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status, Subscription
from studio.engine.show import Show, TransitionKind

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


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
OBS_MAX_TRANSITION_MS = 20_000


def initial_transition(show: Show) -> tuple[TransitionInfo, int]:
    """The show's transition and its duration (ms, within what the engine draws)."""
    transition = show.transition
    return _TRANSITION_BY_KIND[transition.kind], max(MIN_TRANSITION_MS, min(MAX_TRANSITION_MS, transition.duration_ms))


def trigger_studio_mode_transition(requests: RemoteRequests, fields: Fields, **_context) -> None:
    if requests.transition.fixed:
        requests.engine.cut()
    else:
        requests.engine.transition(kind=requests.transition.kind, duration_ms=requests.transition_ms)


def set_tbar_position(requests: RemoteRequests, fields: Fields, **_context) -> None:
    position = fields.number("position", 0.0, 1.0)
    fields.boolean("release", optional=True)
    kind = TransitionKind.MIX if requests.transition.fixed else requests.transition.kind
    requests.engine.set_tbar(float(position), kind=kind)


def get_transition_kind_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"transitionKinds": [info.obs_kind for info in TRANSITIONS]}


def _transition_entry(info: TransitionInfo) -> dict[str, Any]:
    return {
        "transitionName": info.name,
        "transitionUuid": info.kind.value,
        "transitionKind": info.obs_kind,
        "transitionFixed": info.fixed,
        "transitionConfigurable": False,
    }


def get_scene_transition_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {
        "currentSceneTransitionName": requests.transition.name,
        "currentSceneTransitionUuid": requests.transition.kind.value,
        "currentSceneTransitionKind": requests.transition.obs_kind,
        "transitions": [_transition_entry(info) for info in TRANSITIONS],
    }


def get_current_scene_transition(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    info = requests.transition
    return {
        **_transition_entry(info),
        "transitionDuration": None if info.fixed else requests.transition_ms,
        "transitionSettings": None,
    }


def set_current_scene_transition(requests: RemoteRequests, fields: Fields, **_context) -> None:
    name = fields.string("transitionName")
    info = next((i for i in TRANSITIONS if name in (i.name, i.kind.value)), None)
    if info is None:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No scene transition was found by that name.")
    if info is not requests.transition:
        requests.transition = info
        requests.emit(Subscription.TRANSITIONS, "CurrentSceneTransitionChanged", {"transitionName": info.name, "transitionUuid": info.kind.value})


def set_current_scene_transition_duration(requests: RemoteRequests, fields: Fields, **_context) -> None:
    duration = fields.integer("transitionDuration", MIN_TRANSITION_MS, OBS_MAX_TRANSITION_MS)
    if duration > MAX_TRANSITION_MS:
        raise RequestFailed(
            Status.REQUEST_FIELD_OUT_OF_RANGE, f"The field value of `transitionDuration` is above the studio's maximum of `{MAX_TRANSITION_MS}`"
        )
    if requests.transition.fixed:
        raise RequestFailed(Status.RESOURCE_NOT_CONFIGURABLE, "The current transition (Cut) has a fixed duration.")
    if duration != requests.transition_ms:
        requests.transition_ms = duration
        requests.emit(Subscription.TRANSITIONS, "CurrentSceneTransitionDurationChanged", {"transitionDuration": duration})
