"""The vendor "studio" requests for the other canvases (the vertical one). OBS's own requests
that take a scene item or the program scene act on the main canvas, as OBS's do; another canvas
is reached here. StopRecord stops every canvas's recording.

    get_canvases,
    start_canvas_record {canvas}, stop_canvas_record {canvas},
    get_canvas_scene_items {canvas, sceneName},
    set_canvas_scene_item {canvas, sceneName, sceneItemId, x?, y?, width?, height?, visible?, locked?},
    reset_canvas_layout {canvas, sceneName},
    get_canvas_overlays {canvas}, set_canvas_overlays {canvas, overlays: {kind: placement}}

A scene's layout on another canvas is derived from main's until it is edited (the first
set_canvas_scene_item makes it the scene's own; reset_canvas_layout derives it again); item ids
are that canvas's own. Placements by overlay kind (card, countdown, lower-third,
comment-ticker): {anchor, margin_px, scale_percent, visible}, as the show file has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status
from studio.engine.errors import InputError
from studio.show_editing import is_derived

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests

ITEM_FIELDS = ("x", "y", "width", "height")
ITEM_FLAGS = ("visible", "locked")
COORDINATE_LIMIT = 100_000


def _get_canvases(requests: RemoteRequests, fields: Fields) -> dict:
    show = requests.studio.show
    canvases = [{"canvasName": "main", "width": show.canvas.width, "height": show.canvas.height, "fps": show.canvas.fps}]
    for name in show.canvases:
        canvas = show.canvas_named(name)
        canvases.append({"canvasName": name, "width": canvas.width, "height": canvas.height, "fps": canvas.fps})
    return {"canvases": canvases}


def _other_canvas(requests: RemoteRequests, fields: Fields) -> str:
    name = fields.string("canvas")
    if name not in requests.studio.show.canvases:
        known = ", ".join(requests.studio.show.canvases) or "(none: the show has only main; StartRecord records it)"
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No canvas {name!r} beside main; expected one of {known}.")
    return name


def _scene_name(requests: RemoteRequests, fields: Fields) -> str:
    name = fields.string("sceneName")
    if requests.studio.show.scene_by_ref(name) is None:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No scene was found by the name of `{name}`.")
    return name


def _refused(error: InputError) -> RequestFailed:
    """An edit the session refused, with its reason (the field and what was expected)."""
    return RequestFailed(Status.REQUEST_PROCESSING_FAILED, str(error))


def _stop_canvas_record(requests: RemoteRequests, fields: Fields) -> dict:
    name = _other_canvas(requests, fields)
    requests.studio.stop_canvas_record(name)
    return {"canvasName": name}


def _start_canvas_record(requests: RemoteRequests, fields: Fields) -> dict:
    name = _other_canvas(requests, fields)
    try:
        path = requests.studio.start_canvas_record(name)
    except (InputError, RuntimeError, OSError) as error:
        raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"cannot record the {name} canvas: {error}") from None
    return {"canvasName": name, "outputPath": str(path)}


def _item(layer, show) -> dict:
    source = show.source_by_ref(layer.source)
    return {
        "sceneItemId": layer.id,
        "sourceName": source.name if source is not None else layer.source,
        "x": layer.x,
        "y": layer.y,
        "width": layer.width,
        "height": layer.height,
        "visible": layer.visible,
        "locked": layer.locked,
    }


def _get_canvas_scene_items(requests: RemoteRequests, fields: Fields) -> dict:
    canvas, scene = _other_canvas(requests, fields), _scene_name(requests, fields)
    session, show = requests.studio.session, requests.studio.show
    return {
        "canvasName": canvas,
        "derived": is_derived(show.scene_by_ref(scene), canvas),
        "sceneItems": [_item(layer, show) for layer in session.layers(scene, canvas=canvas)],
    }


def _set_canvas_scene_item(requests: RemoteRequests, fields: Fields) -> dict:
    canvas, scene = _other_canvas(requests, fields), _scene_name(requests, fields)
    item_id = fields.integer("sceneItemId", 1, 2**31)
    changes: dict = {}
    for key in ITEM_FIELDS:
        value = fields.integer(key, -COORDINATE_LIMIT, COORDINATE_LIMIT, optional=True)
        if value is not None:
            changes[key] = value
    for key in ITEM_FLAGS:
        flag = fields.boolean(key, optional=True)
        if flag is not None:
            changes[key] = flag
    try:
        layer = requests.studio.session.update_layer(scene, item_id, canvas=canvas, **changes)
    except InputError as error:
        if "has no layer" in str(error):
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, str(error)) from None
        raise _refused(error) from None
    return {"canvasName": canvas, "sceneItem": _item(layer, requests.studio.show)}


def _reset_canvas_layout(requests: RemoteRequests, fields: Fields) -> dict:
    canvas, scene = _other_canvas(requests, fields), _scene_name(requests, fields)
    requests.studio.session.reset_canvas_layout(scene, canvas)
    return {"canvasName": canvas, "derived": True}


def _placements_of(requests: RemoteRequests, canvas: str) -> dict:
    overlays = requests.studio.show.canvases[canvas].overlays
    return {kind.value: placement.model_dump(mode="json") for kind, placement in overlays.items()}


def _get_canvas_overlays(requests: RemoteRequests, fields: Fields) -> dict:
    canvas = _other_canvas(requests, fields)
    return {"canvasName": canvas, "overlays": _placements_of(requests, canvas)}


def _set_canvas_overlays(requests: RemoteRequests, fields: Fields) -> dict:
    canvas = _other_canvas(requests, fields)
    overlays = fields.object("overlays")
    try:
        requests.studio.session.set_canvas_overlays(canvas, overlays)
    except InputError as error:
        raise _refused(error) from None
    return {"canvasName": canvas, "overlays": _placements_of(requests, canvas)}


CANVAS_REQUESTS: dict[str, Callable[[RemoteRequests, Fields], dict]] = {
    "get_canvases": _get_canvases,
    "start_canvas_record": _start_canvas_record,
    "stop_canvas_record": _stop_canvas_record,
    "get_canvas_scene_items": _get_canvas_scene_items,
    "set_canvas_scene_item": _set_canvas_scene_item,
    "reset_canvas_layout": _reset_canvas_layout,
    "get_canvas_overlays": _get_canvas_overlays,
    "set_canvas_overlays": _set_canvas_overlays,
}
