"""Input requests (obs-websocket's RequestHandler_Inputs). An input is a video source (inputUuid
= its id, inputKind = its source kind) or an audio input of the mixer (inputUuid = its id,
inputKind = its kind); OBS's inputs share one namespace, so names are unique across both.
Volume is the audio input's gain (dB; mul = 10^(dB/20)); only audio inputs have mute, volume
and tracks (track 1 is program). Kinds and settings keys: remote_editing (OBS's kinds are
aliases of the studio's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python

from studio.control.remote_editing import (
    AUDIO_SETTINGS,
    OBS_KINDS,
    audio_settings,
    default_settings,
    input_kinds,
    native_box,
    resolve_kind,
    shown_settings,
    studio_settings,
)
from studio.control.remote_fields import Fields
from studio.control.remote_protocol import AUDIO_TRACKS, SILENCE_DB, RequestFailed, Status, db_to_mul, mul_to_db
from studio.control.request_handlers.scenes import find_scene
from studio.engine.errors import InputError
from studio.engine.secrets import MASK
from studio.engine.show import AudioInputSpec, Show, SourceSpec

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


# -- lookups ------------------------------------------------------------------------------------------


def _input(requests: RemoteRequests, fields: Fields) -> SourceSpec | AudioInputSpec:
    """The input named by inputUuid or inputName: a video source (first) or an audio input."""
    show = requests.studio.show
    key, value, what = fields.name_or_uuid("inputName", "inputUuid")
    for spec in [*show.sources, *show.audio_inputs]:
        if getattr(spec, key) == value:
            return spec
    raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")


def _audio_input(requests: RemoteRequests, fields: Fields) -> AudioInputSpec:
    """The audio input named by inputUuid (its id) or inputName; a video source is 604."""
    show = requests.engine.show
    key, value, what = fields.name_or_uuid("inputName", "inputUuid")
    spec = next((a for a in show.audio_inputs if getattr(a, key) == value), None)
    if spec is not None:
        return spec
    if any(getattr(s, key) == value for s in show.sources):
        raise RequestFailed(Status.INVALID_RESOURCE_STATE, "The specified input does not support audio.")
    raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")


def _check_input_name_free(show: Show, name: str, what: str = "input name") -> None:
    # OBS's inputs share one namespace: the video sources and the audio inputs here.
    if any(spec.name == name for spec in [*show.sources, *show.audio_inputs]):
        raise RequestFailed(Status.RESOURCE_ALREADY_EXISTS, f"A source already exists by that {what}.")


def _gain_range() -> tuple[float, float]:
    """The mixer's gain range (dB), as the show model validates it."""
    minimum, maximum = -96.0, 24.0
    for constraint in AudioInputSpec.model_fields["gain_db"].metadata:
        minimum = float(getattr(constraint, "ge", minimum))
        maximum = float(getattr(constraint, "le", maximum))
    return minimum, maximum


# -- the list, kinds and settings ------------------------------------------------------------------


def input_list(requests: RemoteRequests, kind: str | None = None) -> list[dict[str, Any]]:
    show = requests.engine.show
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


def get_input_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"inputs": input_list(requests, fields.string("inputKind", optional=True))}


def get_input_kind_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"inputKinds": input_kinds(bool(fields.boolean("unversioned", optional=True)))}


def get_input_default_settings(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"defaultInputSettings": default_settings(fields.string("inputKind"))}


def get_input_settings(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    spec = _input(requests, fields)
    if isinstance(spec, SourceSpec):
        return {"inputSettings": shown_settings(spec.settings), "inputKind": spec.kind}
    return {"inputSettings": to_jsonable_python(audio_settings(spec)), "inputKind": spec.kind.value}


def set_input_settings(requests: RemoteRequests, fields: Fields, **_context) -> None:
    """overlay true (OBS's default): the given keys over the current settings; false: the given
    keys over the kind's defaults."""
    spec = _input(requests, fields)
    given = fields.object("inputSettings")
    overlay = fields.boolean("overlay", optional=True) is not False
    session = requests.studio.session
    if isinstance(spec, SourceSpec):
        settings = studio_settings(spec.kind, given)
        if settings.get("token") == MASK:  # the masked token a client read and sent back: keep the real one
            settings.pop("token")
        session.update_source(spec.id, settings={**spec.settings, **settings} if overlay else settings)
        return
    kind = spec.kind.value
    changes = _audio_fields(kind, given)
    if not overlay:
        changes = {**{key: AudioInputSpec.model_fields[key].get_default() for key in AUDIO_SETTINGS[kind]}, **changes}
    if changes:
        session.update_audio_input(spec.id, **changes)


# -- creating, renaming, removing ------------------------------------------------------------------


def create_input(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    scene = find_scene(requests, fields)
    name = fields.string("inputName")
    requested_kind = fields.string("inputKind")
    settings = fields.object("inputSettings", optional=True) or {}
    enabled = fields.boolean("sceneItemEnabled", optional=True)
    session, show = requests.studio.session, requests.studio.show
    _check_input_name_free(show, name)
    kind, audio = resolve_kind(requested_kind)
    if audio:  # the mixer's, not a scene's: no scene item
        return {"inputUuid": session.add_audio_input(kind, name, **_audio_fields(kind, settings)).id}
    obs_kind = requested_kind if requested_kind in OBS_KINDS else None
    source = session.add_source(kind, name, studio_settings(kind, settings, obs_kind=obs_kind))
    try:
        layer = session.add_layer(scene.id, source.id, visible=enabled is not False, **native_box(source))
    except InputError:
        session.remove_source(source.id)  # as OBS: the input and its item, or neither
        raise
    return {"inputUuid": source.id, "sceneItemId": layer.id}


def _audio_fields(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(settings) - set(AUDIO_SETTINGS[kind]))
    if unknown:
        raise RequestFailed(
            Status.INVALID_REQUEST_FIELD,
            f"A {kind} input has no setting `{unknown[0]}`; expected {', '.join(AUDIO_SETTINGS[kind])} "
            "(volume and mute: SetInputVolume, SetInputMute).",
        )
    return dict(settings)


def remove_input(requests: RemoteRequests, fields: Fields, **_context) -> None:
    spec = _input(requests, fields)
    session = requests.studio.session
    session.remove_source(spec.id) if isinstance(spec, SourceSpec) else session.remove_audio_input(spec.id)


def set_input_name(requests: RemoteRequests, fields: Fields, **_context) -> None:
    spec = _input(requests, fields)
    new_name = fields.string("newInputName")
    if new_name == spec.name:
        return
    _check_input_name_free(requests.studio.show, new_name, "new input name")
    session = requests.studio.session
    session.update_source(spec.id, name=new_name) if isinstance(spec, SourceSpec) else session.update_audio_input(spec.id, name=new_name)


# -- the mixer's: mute, volume, tracks -----------------------------------------------------------------


def get_input_audio_tracks(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    _audio_input(requests, fields)
    return {"inputAudioTracks": {str(track): track == 1 for track in range(1, AUDIO_TRACKS + 1)}}


def get_input_mute(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    spec = _audio_input(requests, fields)
    return {"inputMuted": requests.engine.audio_input(spec.id).muted}


def set_input_mute(requests: RemoteRequests, fields: Fields, **_context) -> None:
    spec = _audio_input(requests, fields)
    muted = fields.boolean("inputMuted")
    requests.engine.set_input_muted(spec.id, muted)
    if requests.events is not None:
        requests.events.poll_input_changes()


def toggle_input_mute(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    spec = _audio_input(requests, fields)
    muted = not requests.engine.audio_input(spec.id).muted
    requests.engine.set_input_muted(spec.id, muted)
    if requests.events is not None:
        requests.events.poll_input_changes()
    return {"inputMuted": muted}


def get_input_volume(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    spec = _audio_input(requests, fields)
    gain_db = requests.engine.audio_input(spec.id).gain_db
    return {"inputVolumeMul": db_to_mul(gain_db), "inputVolumeDb": max(SILENCE_DB, gain_db)}


def set_input_volume(requests: RemoteRequests, fields: Fields, **_context) -> None:
    spec = _audio_input(requests, fields)
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
    requests.engine.set_input_gain(spec.id, max(minimum, gain_db))
    if requests.events is not None:
        requests.events.poll_input_changes()
