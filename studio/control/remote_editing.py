"""The show's editable parts as obs-websocket v5 sees them: input kinds and their settings keys,
a scene item's transform, and the events an edit makes. The editing requests themselves
(request_handlers/inputs.py, scenes.py, scene_items.py) call the session's editing API
(validated, applied at the engine's next tick); the events are found by comparing each edited
show with the one before (`show_view` + `show_changes`), so an edit made in the desktop app or
by a script is told to clients just as one made through the remote control.

Inputs. inputKind is this studio's source kind (`default_registry().kinds`) or audio input kind
(tone, beep, source_audio, microphone; "network" is the video network feed). OBS's own kinds
are aliases, with OBS's settings keys:

    image_source {file}                       -> image {path}
    color_source_v3 {color (ABGR), width, height} -> colour {colour [r, g, b], width, height}
    ffmpeg_source {local_file, looping}       -> file {path, loop}
    v4l2_input {device_id}, dshow_input {video_device_id}, av_capture_input {device} -> camera {device}

Other OBS keys of an alias are ignored (OBS ignores settings it does not know); this studio's
own kinds refuse an unknown key, naming it. The input keeps this studio's kind, so GetInputList,
GetInputSettings and InputCreated say `image` with {path}; SetInputSettings takes either key.
A video input created by CreateInput or CreateSceneItem is placed as OBS places it: at 0,0 at
its picture's own size (when known; otherwise it fills the canvas). An audio input belongs to
the mixer, not to a scene: CreateInput makes one with no scene item (no sceneItemId).

Scene items are the scene's layers (session.layers), bottom first: sceneItemId is the layer's
stable id, sceneItemIndex its position. The transform, as OBS's with alignment 5 (top-left):

    positionX/Y = x/y; width/height = the layer's box; sourceWidth/Height = the picture's size
    (else the box); scaleX/Y = box / picture; boundsType from the fit (contain = SCALE_INNER,
    cover = SCALE_OUTER, stretch = STRETCH), boundsWidth/Height = the box, boundsAlignment 0
    (centre); cropLeft/Top/Right/Bottom = crop; rotation 0/90/180/270.

SetSceneItemTransform changes only the fields given. scaleX/Y resize the box (in OBS they do
nothing while bounds are on; here every layer has a box); boundsWidth/Height set it; boundsType
OBS_BOUNDS_NONE is a stretched box of picture x scale. Only alignment 5, boundsAlignment 0 and
quarter turns are drawn by the studio: other values are refused (400), naming the field.
width, height, sourceWidth and sourceHeight are read-only, as in OBS.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status, Subscription
from studio.engine.errors import InputError
from studio.engine.secrets import MASK
from studio.engine.show import AudioInputKind, AudioInputSpec, Fit, Layer, Scene, Show, SourceSpec
from studio.engine.sources.registry import default_registry

VIDEO_CAPS, AUDIO_CAPS = 1, 2  # OBS_SOURCE_VIDEO, OBS_SOURCE_AUDIO (inputKindCaps)
ALIGN_TOP_LEFT = 5  # OBS_ALIGN_TOP | OBS_ALIGN_LEFT: OBS's default, where x/y are
ALIGN_CENTRE = 0
BOUNDS_NONE = "OBS_BOUNDS_NONE"
BOUNDS_BY_FIT = {Fit.CONTAIN: "OBS_BOUNDS_SCALE_INNER", Fit.COVER: "OBS_BOUNDS_SCALE_OUTER", Fit.STRETCH: "OBS_BOUNDS_STRETCH"}
FIT_BY_BOUNDS = {bounds: fit for fit, bounds in BOUNDS_BY_FIT.items()}
OBS_BOUNDS_TYPES = {BOUNDS_NONE, *FIT_BY_BOUNDS, "OBS_BOUNDS_SCALE_TO_WIDTH", "OBS_BOUNDS_SCALE_TO_HEIGHT", "OBS_BOUNDS_MAX_ONLY"}
CROP_SIDES = {"cropLeft": "left", "cropTop": "top", "cropRight": "right", "cropBottom": "bottom"}
MAX_POSITION = 90_001.0  # OBS's limits for positions and sizes
MAX_CROP = 100_000.0
MAX_SCENE_ITEM_INDEX = 8192

# OBS kind -> (this studio's kind, {OBS settings key: this studio's key}). The first name of each
# kind is its versioned name (GetInputKindList); colour also answers to OBS's older versions.
OBS_KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "image_source": ("image", {"file": "path"}),
    "color_source_v3": ("colour", {"color": "colour", "width": "width", "height": "height"}),
    "color_source_v2": ("colour", {"color": "colour", "width": "width", "height": "height"}),
    "color_source": ("colour", {"color": "colour", "width": "width", "height": "height"}),
    "ffmpeg_source": ("file", {"local_file": "path", "looping": "loop"}),
    "v4l2_input": ("camera", {"device_id": "device"}),
    "dshow_input": ("camera", {"video_device_id": "device"}),
    "av_capture_input": ("camera", {"device": "device"}),
}
LISTED_OBS_KINDS = ("image_source", "color_source_v3", "ffmpeg_source", "v4l2_input", "dshow_input", "av_capture_input")

# What an audio input's "settings" are, per kind (gain, mute, filters... are the mixer's: SetInputVolume...).
AUDIO_SETTINGS: dict[str, tuple[str, ...]] = {
    AudioInputKind.TONE.value: ("frequency_hz", "level_dbfs"),
    AudioInputKind.BEEP.value: ("frequency_hz", "level_dbfs", "beep_duration_ms"),
    AudioInputKind.SOURCE_AUDIO.value: ("source",),
    AudioInputKind.MICROPHONE.value: ("device",),
    AudioInputKind.NETWORK.value: ("url",),
}


# -- kinds and settings ------------------------------------------------------------------------------


def video_kinds() -> list[str]:
    return default_registry().kinds


def input_kinds(unversioned: bool = False) -> list[str]:
    """GetInputKindList: this studio's kinds, then OBS's aliases (unversioned: without `_v3`)."""
    kinds = list(video_kinds())
    kinds += [kind for kind in AUDIO_SETTINGS if kind not in kinds]
    for alias in LISTED_OBS_KINDS:
        name = alias.rsplit("_v", 1)[0] if unversioned and alias[-1].isdigit() else alias
        kinds.append(name)
    return kinds


def resolve_kind(kind: str) -> tuple[str, bool]:
    """(this studio's kind, is it an audio input) for a requested inputKind; 605 if unknown."""
    if kind in video_kinds():
        return kind, False
    if kind in AUDIO_SETTINGS:
        return kind, True
    if kind in OBS_KINDS:
        return OBS_KINDS[kind][0], False
    raise RequestFailed(
        Status.INVALID_INPUT_KIND,
        f"Your specified input kind `{kind}` is not supported; expected one of {', '.join(input_kinds())}.",
    )


def abgr_to_rgb(value: object) -> object:
    """OBS colours are 0xAABBGGRR integers; anything else is left for validation to refuse."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    return [value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF]


def studio_settings(kind: str, settings: dict[str, Any], *, obs_kind: str | None = None) -> dict[str, Any]:
    """A video source's settings in this studio's keys. Keys of an OBS kind are translated (for
    every input of that studio kind, so SetInputSettings {file} works on an image too); made as
    an OBS kind, keys neither side knows are dropped, as OBS ignores them."""
    keys: dict[str, str] = {}
    for alias, (studio_kind, alias_keys) in OBS_KINDS.items():
        if studio_kind == kind and (obs_kind is None or alias == obs_kind):
            keys.update(alias_keys)
    known = set(default_registry().plugin(kind).settings_model.model_fields)
    translated: dict[str, Any] = {}
    for key, value in settings.items():
        target = keys.get(key, key)
        if obs_kind is not None and target not in known:
            continue
        translated[target] = abgr_to_rgb(value) if key == "color" else value
    return translated


def default_settings(kind: str, *, audio: bool | None = None) -> dict[str, Any]:
    """GetInputDefaultSettings: the kind's settings with a default, in this studio's keys.
    `audio` says which "network" is meant (the video feed unless told)."""
    studio_kind, resolved_audio = resolve_kind(kind)
    audio = resolved_audio if audio is None else audio
    if audio:
        fields = AudioInputSpec.model_fields
        return {key: to_jsonable_python(fields[key].get_default()) for key in AUDIO_SETTINGS[studio_kind]}
    model = default_registry().plugin(studio_kind).settings_model
    return {
        key: to_jsonable_python(field.get_default(call_default_factory=True))
        for key, field in model.model_fields.items()
        if not field.is_required()
    }


def audio_settings(spec: AudioInputSpec) -> dict[str, Any]:
    return {key: getattr(spec, key) for key in AUDIO_SETTINGS[spec.kind.value] if getattr(spec, key) is not None}


def source_size(spec: SourceSpec | None) -> tuple[int, int] | None:
    """The picture's own size when the settings say it (or the image file does); else None."""
    if spec is None:
        return None
    if spec.kind == "image":
        return _image_size(spec.settings.get("path"))
    try:
        model = default_registry().validate_settings(spec.kind, spec.settings)
    except InputError:
        return None
    width, height = getattr(model, "width", None), getattr(model, "height", None)
    return (width, height) if isinstance(width, int) and isinstance(height, int) else None


def _image_size(path: object) -> tuple[int, int] | None:
    from PIL import Image  # reads the header only

    try:
        with Image.open(Path(str(path))) as image:
            width, height = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF orientation: a quarter turn
    except (OSError, ValueError):
        return None
    return (height, width) if turned else (width, height)


# -- the transform -------------------------------------------------------------------------------------


def item_transform(layer: Layer, size: tuple[int, int] | None, canvas) -> dict[str, Any]:
    """A layer as OBS's sceneItemTransform (alignment top-left, bounds from the fit)."""
    width = layer.width or canvas.width
    height = layer.height or canvas.height
    source_width, source_height = size or (width, height)
    return {
        "positionX": float(layer.x),
        "positionY": float(layer.y),
        "rotation": float(layer.rotation),
        "scaleX": width / source_width,
        "scaleY": height / source_height,
        "width": float(width),
        "height": float(height),
        "sourceWidth": float(source_width),
        "sourceHeight": float(source_height),
        "alignment": ALIGN_TOP_LEFT,
        "boundsType": BOUNDS_BY_FIT[layer.fit],
        "boundsAlignment": ALIGN_CENTRE,
        "boundsWidth": float(width),
        "boundsHeight": float(height),
        "cropLeft": layer.crop.left,
        "cropTop": layer.crop.top,
        "cropRight": layer.crop.right,
        "cropBottom": layer.crop.bottom,
        "cropToBounds": False,
    }


def transform_changes(layer: Layer, requested: dict[str, Any], size: tuple[int, int] | None, canvas) -> dict[str, Any]:
    """The update_layer changes a partial sceneItemTransform asks for. RequestFailed names a
    field of the wrong type or range, or a value the studio cannot draw."""
    given = Fields(requested)
    changes: dict[str, Any] = {}
    for key, field in (("positionX", "x"), ("positionY", "y")):
        value = given.number(key, -MAX_POSITION, MAX_POSITION, optional=True)
        if value is not None:
            changes[field] = round(value)
    rotation = given.number("rotation", -360.0, 360.0, optional=True)
    if rotation is not None:
        changes["rotation"] = quarter_turn(rotation)
    _only(given, "alignment", ALIGN_TOP_LEFT, "the studio places a layer by its top-left corner")
    _only(given, "boundsAlignment", ALIGN_CENTRE, "the studio centres a picture in its box")
    given.boolean("cropToBounds", optional=True)  # accepted, ignored: the cover fit is what crops to the box
    crop = {side: round(value) for key, side in CROP_SIDES.items() if (value := given.number(key, 0.0, MAX_CROP, optional=True)) is not None}
    if crop:
        changes["crop"] = crop
    bounds = _bounds_type(given)
    if bounds is not None:
        changes["fit"] = FIT_BY_BOUNDS.get(bounds, Fit.STRETCH)  # no bounds: the box is the picture x scale
    changes.update(_box(layer, given, bounds, size, canvas))
    if not changes and not given.contains("cropToBounds"):
        raise RequestFailed(Status.CANNOT_ACT, "You have not provided any valid transform changes.")
    return changes


def quarter_turn(rotation: float) -> int:
    turned = rotation % 360.0
    if not math.isclose(turned, round(turned), abs_tol=1e-6) or round(turned) % 360 not in (0, 90, 180, 270):
        raise RequestFailed(
            Status.INVALID_REQUEST_FIELD,
            f"The field value of `rotation` is {rotation:g}; the studio turns a layer by quarter turns only: "
            "expected 0, 90, 180 or 270 (or -90, -180, -270).",
        )
    return round(turned) % 360


def _only(given: Fields, key: str, supported: int, why: str) -> None:
    value = given.integer(key, 0, 2**32 - 1, optional=True)
    if value is not None and value != supported:
        raise RequestFailed(Status.INVALID_REQUEST_FIELD, f"The field value of `{key}` must be {supported}: {why}.")


def _bounds_type(given: Fields) -> str | None:
    bounds = given.string("boundsType", optional=True)
    if bounds is None:
        return None
    if bounds not in OBS_BOUNDS_TYPES:
        raise RequestFailed(Status.INVALID_REQUEST_FIELD, "The field `boundsType` has an invalid value.")
    if bounds != BOUNDS_NONE and bounds not in FIT_BY_BOUNDS:
        raise RequestFailed(
            Status.INVALID_REQUEST_FIELD,
            f"The field value of `boundsType` is {bounds}; the studio fits a picture in its box only as "
            f"{BOUNDS_NONE}, {', '.join(FIT_BY_BOUNDS)}.",
        )
    return bounds


def _box(layer: Layer, given: Fields, bounds: str | None, size: tuple[int, int] | None, canvas) -> dict[str, int]:
    """The box's new width/height: from boundsWidth/Height while bounds are on, else from scale."""
    current = (layer.width or canvas.width, layer.height or canvas.height)
    picture = size or current
    bounded = bounds != BOUNDS_NONE  # every studio layer has a box: bounds are on unless turned off
    box: dict[str, int] = {}
    for index, (axis, bounds_key, scale_key) in enumerate((("width", "boundsWidth", "scaleX"), ("height", "boundsHeight", "scaleY"))):
        extent = given.number(bounds_key, 1.0, MAX_POSITION, optional=True)
        scale = given.number(scale_key, -MAX_POSITION, MAX_POSITION, optional=True)
        if scale is not None and scale <= 0:
            raise RequestFailed(
                Status.INVALID_REQUEST_FIELD, f"The field value of `{scale_key}` must be above 0 (the studio does not flip a layer by its scale)."
            )
        if extent is None or not bounded:
            extent = None if scale is None else scale * picture[index]
        if extent is None:
            continue
        if extent >= MAX_POSITION:
            raise RequestFailed(
                Status.REQUEST_FIELD_OUT_OF_RANGE, f"The field `{scale_key}` is too small or large for the current source resolution."
            )
        box[axis] = max(1, round(extent))
    return box


def native_box(spec: SourceSpec) -> dict[str, int]:
    """Where OBS puts a new item: at 0,0 at the picture's own size (else: the whole canvas)."""
    size = source_size(spec)
    return {"width": size[0], "height": size[1]} if size else {}


# -- what changed: views of a show and their difference -------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    item_id: int
    source_id: str
    source_name: str
    enabled: bool
    locked: bool
    transform: dict[str, Any]


@dataclass(frozen=True)
class SceneView:
    scene_id: str
    name: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class InputView:
    input_id: str
    name: str
    kind: str
    caps: int
    settings: dict[str, Any]


@dataclass(frozen=True)
class ShowView:
    """What clients know of a show: its inputs, its scenes in order, each scene's items in order."""

    inputs: tuple[InputView, ...]
    scenes: tuple[SceneView, ...]


def show_view(show: Show, layers_of: Callable[[str], list[Layer]]) -> ShowView:
    """`layers_of(scene id)` is session.layers: the layers with their stable ids."""
    inputs = tuple(InputView(a.id, a.name, a.kind.value, AUDIO_CAPS, audio_settings(a)) for a in show.audio_inputs)
    inputs += tuple(InputView(s.id, s.name, s.kind, VIDEO_CAPS, shown_settings(s.settings)) for s in show.sources)
    return ShowView(inputs, tuple(SceneView(s.id, s.name, _item_views(show, s, layers_of)) for s in show.scenes))


def shown_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A source's settings as a client may see them: a guest's token (their link) masked. A
    client that sends the mask back is refused by the token's own validation."""
    shown = to_jsonable_python(settings)
    if shown.get("token"):
        shown["token"] = MASK
    return shown


def _item_views(show: Show, scene: Scene, layers_of: Callable[[str], list[Layer]]) -> tuple[ItemView, ...]:
    try:
        layers = layers_of(scene.id)
    except InputError:  # removed by a later edit already: that edit's own diff tells it
        return ()
    items = []
    for layer in layers:
        spec = show.source_by_ref(layer.source)
        transform = item_transform(layer, source_size(spec), show.canvas)
        source_id, source_name = (spec.id, spec.name) if spec else (layer.source, layer.source)
        items.append(ItemView(layer.id, source_id, source_name, layer.visible, layer.locked, transform))
    return tuple(items)


Change = tuple[int, str, dict[str, Any]]  # (subscription intent, eventType, eventData)


def show_changes(before: ShowView | None, after: ShowView) -> list[Change]:
    """The obs-websocket events that take a client from `before` to `after`, in OBS's order:
    what is new first, then changes, then what is gone (items before the inputs they show)."""
    if before is None:
        return []
    changes = _inputs_added_or_changed(before, after) + _scenes_added_or_renamed(before, after)
    old_scenes = {scene.scene_id: scene for scene in before.scenes}
    for scene in after.scenes:
        if scene.scene_id in old_scenes:
            changes += _item_changes(old_scenes[scene.scene_id], scene)
    new_scenes = {scene.scene_id for scene in after.scenes}
    changes += [
        (Subscription.SCENES, "SceneRemoved", {"sceneName": s.name, "sceneUuid": s.scene_id, "isGroup": False})
        for s in before.scenes
        if s.scene_id not in new_scenes
    ]
    new_inputs = {item.input_id for item in after.inputs}
    changes += [
        (Subscription.INPUTS, "InputRemoved", {"inputName": i.name, "inputUuid": i.input_id}) for i in before.inputs if i.input_id not in new_inputs
    ]
    if [(s.scene_id, s.name) for s in before.scenes] != [(s.scene_id, s.name) for s in after.scenes]:
        scenes = [{"sceneName": s.name, "sceneUuid": s.scene_id, "sceneIndex": i} for i, s in enumerate(reversed(after.scenes))]
        changes.append((Subscription.SCENES, "SceneListChanged", {"scenes": scenes}))
    return changes


def _inputs_added_or_changed(before: ShowView, after: ShowView) -> list[Change]:
    old = {item.input_id: item for item in before.inputs}
    changes: list[Change] = []
    for item in after.inputs:
        previous = old.get(item.input_id)
        ref = {"inputName": item.name, "inputUuid": item.input_id}
        if previous is None or previous.kind != item.kind:
            data = {**ref, "inputKind": item.kind, "unversionedInputKind": item.kind, "inputKindCaps": item.caps,
                    "inputSettings": item.settings, "defaultInputSettings": default_settings(item.kind, audio=item.caps == AUDIO_CAPS)}
            changes.append((Subscription.INPUTS, "InputCreated", data))
            continue
        if previous.name != item.name:
            renamed = {"inputUuid": item.input_id, "oldInputName": previous.name, "inputName": item.name}
            changes.append((Subscription.INPUTS, "InputNameChanged", renamed))
        if previous.settings != item.settings:
            changes.append((Subscription.INPUTS, "InputSettingsChanged", {**ref, "inputSettings": item.settings}))
    return changes


def _scenes_added_or_renamed(before: ShowView, after: ShowView) -> list[Change]:
    old = {scene.scene_id: scene for scene in before.scenes}
    changes: list[Change] = []
    for scene in after.scenes:
        previous = old.get(scene.scene_id)
        if previous is None:
            changes.append((Subscription.SCENES, "SceneCreated", {"sceneName": scene.name, "sceneUuid": scene.scene_id, "isGroup": False}))
        elif previous.name != scene.name:
            renamed = {"sceneUuid": scene.scene_id, "oldSceneName": previous.name, "sceneName": scene.name}
            changes.append((Subscription.SCENES, "SceneNameChanged", renamed))
    return changes


def _item_changes(before: SceneView, after: SceneView) -> list[Change]:
    """One scene's items: created, removed, shown or hidden, locked, moved, reordered."""
    where = {"sceneName": after.name, "sceneUuid": after.scene_id}
    old = {item.item_id: item for item in before.items}
    new = {item.item_id: item for item in after.items}
    # An item now showing another source is, to a client, that item removed and a new one made.
    kept = {i for i in old.keys() & new.keys() if old[i].source_id == new[i].source_id}
    changes: list[Change] = []
    for index, item in enumerate(after.items):
        if item.item_id not in kept:
            data = {**where, "sourceName": item.source_name, "sourceUuid": item.source_id, "sceneItemId": item.item_id, "sceneItemIndex": index}
            changes.append((Subscription.SCENE_ITEMS, "SceneItemCreated", data))
            continue
        changes += _item_state_changes(where, old[item.item_id], item)
    for item in before.items:
        if item.item_id not in kept:
            data = {**where, "sourceName": item.source_name, "sourceUuid": item.source_id, "sceneItemId": item.item_id}
            changes.append((Subscription.SCENE_ITEMS, "SceneItemRemoved", data))
    if [i.item_id for i in before.items if i.item_id in kept] != [i.item_id for i in after.items if i.item_id in kept]:
        listed = [{"sceneItemId": item.item_id, "sceneItemIndex": index} for index, item in enumerate(after.items)]
        changes.append((Subscription.SCENE_ITEMS, "SceneItemListReindexed", {**where, "sceneItems": listed}))
    return changes


def _item_state_changes(where: dict[str, Any], before: ItemView, after: ItemView) -> list[Change]:
    ref = {**where, "sceneItemId": after.item_id}
    changes: list[Change] = []
    if before.enabled != after.enabled:
        changes.append((Subscription.SCENE_ITEMS, "SceneItemEnableStateChanged", {**ref, "sceneItemEnabled": after.enabled}))
    if before.locked != after.locked:
        changes.append((Subscription.SCENE_ITEMS, "SceneItemLockStateChanged", {**ref, "sceneItemLocked": after.locked}))
    if before.transform != after.transform:
        changes.append((Subscription.SCENE_ITEM_TRANSFORM_CHANGED, "SceneItemTransformChanged", {**ref, "sceneItemTransform": after.transform}))
    return changes
