"""Scene item requests (obs-websocket's RequestHandler_SceneItems). A scene's items are its
layers (session.layers), bottom first: sceneItemId is the layer's stable id, sceneItemIndex its
position, sceneItemEnabled its visibility. Only video sources are scene items (scenes are not
nested here). The transform's mapping and its limits are in remote_editing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio.control.remote_editing import MAX_SCENE_ITEM_INDEX, item_transform, native_box, source_size, transform_changes
from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status
from studio.control.request_handlers.scenes import find_scene
from studio.engine.show import Layer, Scene, SourceSpec

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


# -- lookups ----------------------------------------------------------------------------------------------


def _video_source(requests: RemoteRequests, fields: Fields) -> SourceSpec:
    """CreateSceneItem's sourceName/sourceUuid: a video source (scenes cannot be nested here)."""
    show = requests.studio.show
    key, value, what = fields.name_or_uuid("sourceName", "sourceUuid")
    spec = next((s for s in show.sources if getattr(s, key) == value), None)
    if spec is not None:
        return spec
    if any(getattr(a, key) == value for a in show.audio_inputs):
        raise RequestFailed(Status.INVALID_RESOURCE_TYPE, f"`{value}` is an audio input: only video sources are scene items in the studio.")
    if any(getattr(s, key) == value for s in show.scenes):
        raise RequestFailed(Status.INVALID_RESOURCE_TYPE, f"`{value}` is a scene: the studio does not put scenes in scenes.")
    raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")


def _scene_item(requests: RemoteRequests, fields: Fields) -> tuple[Scene, Layer, list[Layer]]:
    scene = find_scene(requests, fields)
    item_id = fields.integer("sceneItemId", 0, 2**31)
    layers = requests.studio.session.layers(scene.id)
    layer = next((layer for layer in layers if layer.id == item_id), None)
    if layer is None:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No scene items were found in scene `{scene.name}` with the ID `{item_id}`.")
    return scene, layer, layers


def _layer_size(requests: RemoteRequests, layer: Layer) -> tuple[int, int] | None:
    return source_size(requests.studio.show.source_by_ref(layer.source))


def scene_items(requests: RemoteRequests, scene: Scene) -> list[dict[str, Any]]:
    show = requests.studio.show
    items = []
    for index, layer in enumerate(requests.studio.session.layers(scene.id)):
        spec = show.source_by_ref(layer.source)
        items.append(
            {
                "sceneItemId": layer.id,
                "sceneItemIndex": index,
                "sceneItemEnabled": layer.visible,
                "sceneItemLocked": layer.locked,
                "sceneItemBlendMode": "OBS_BLEND_NORMAL",
                "sceneItemTransform": item_transform(layer, source_size(spec), show.canvas),
                "sourceName": spec.name if spec else layer.source,
                "sourceUuid": spec.id if spec else layer.source,
                "sourceType": "OBS_SOURCE_TYPE_INPUT",
                "inputKind": spec.kind if spec else None,
                "isGroup": None,
            }
        )
    return items


# -- requests ----------------------------------------------------------------------------------------------


def get_scene_item_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"sceneItems": scene_items(requests, find_scene(requests, fields))}


def get_scene_item_id(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    scene = find_scene(requests, fields)
    source_name = fields.string("sourceName")
    offset = fields.integer("searchOffset", -1, 2**31, optional=True) or 0
    matches = [item for item in scene_items(requests, scene) if item["sourceName"] == source_name]
    if offset == -1 and matches:
        return {"sceneItemId": matches[-1]["sceneItemId"]}
    if 0 <= offset < len(matches):
        return {"sceneItemId": matches[offset]["sceneItemId"]}
    raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No scene items were found in the specified scene by that name or offset.")


def create_scene_item(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    scene = find_scene(requests, fields)
    source = _video_source(requests, fields)
    enabled = fields.boolean("sceneItemEnabled", optional=True)
    layer = requests.studio.session.add_layer(scene.id, source.id, visible=enabled is not False, **native_box(source))
    return {"sceneItemId": layer.id}


def remove_scene_item(requests: RemoteRequests, fields: Fields, **_context) -> None:
    scene, layer, _layers = _scene_item(requests, fields)
    requests.studio.session.remove_layer(scene.id, layer.id)


def duplicate_scene_item(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    scene, layer, _layers = _scene_item(requests, fields)
    destination = scene
    if fields.contains("destinationSceneName") or fields.contains("destinationSceneUuid"):
        destination = find_scene(requests, fields, "destinationSceneName", "destinationSceneUuid")
    return {"sceneItemId": requests.studio.session.duplicate_layer(scene.id, layer.id, to_scene=destination.id).id}


def get_scene_item_transform(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    _scene, layer, _layers = _scene_item(requests, fields)
    return {"sceneItemTransform": item_transform(layer, _layer_size(requests, layer), requests.studio.show.canvas)}


def set_scene_item_transform(requests: RemoteRequests, fields: Fields, **_context) -> None:
    scene, layer, _layers = _scene_item(requests, fields)
    requested = fields.object("sceneItemTransform")
    changes = transform_changes(layer, requested, _layer_size(requests, layer), requests.studio.show.canvas)
    if _changes_anything(layer, changes):
        requests.studio.session.update_layer(scene.id, layer.id, **changes)


def _changes_anything(layer: Layer, changes: dict[str, Any]) -> bool:
    """False when every change is the layer's value already: no edit (and no tick's work)."""
    for key, value in changes.items():
        current = getattr(layer, key)
        if key == "crop":
            if any(getattr(current, side) != amount for side, amount in value.items()):
                return True
        elif current != value:
            return True
    return False


def _set_layer_flag(requests: RemoteRequests, fields: Fields, key: str, field: str) -> None:
    scene, layer, _layers = _scene_item(requests, fields)
    value = fields.boolean(key)
    if getattr(layer, field) != value:
        requests.studio.session.update_layer(scene.id, layer.id, **{field: value})


def get_scene_item_enabled(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"sceneItemEnabled": _scene_item(requests, fields)[1].visible}


def set_scene_item_enabled(requests: RemoteRequests, fields: Fields, **_context) -> None:
    _set_layer_flag(requests, fields, "sceneItemEnabled", "visible")


def get_scene_item_locked(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"sceneItemLocked": _scene_item(requests, fields)[1].locked}


def set_scene_item_locked(requests: RemoteRequests, fields: Fields, **_context) -> None:
    _set_layer_flag(requests, fields, "sceneItemLocked", "locked")


def get_scene_item_index(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    _scene, layer, layers = _scene_item(requests, fields)
    return {"sceneItemIndex": layers.index(layer)}


def set_scene_item_index(requests: RemoteRequests, fields: Fields, **_context) -> None:
    scene, layer, layers = _scene_item(requests, fields)
    index = min(fields.integer("sceneItemIndex", 0, MAX_SCENE_ITEM_INDEX), len(layers) - 1)  # OBS clamps to the list
    if layers.index(layer) != index:
        requests.studio.session.move_layer(scene.id, layer.id, index)
