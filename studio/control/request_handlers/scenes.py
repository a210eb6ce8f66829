"""Scene requests (obs-websocket's RequestHandler_Scenes): the scene list, program and preview,
and creating, renaming and removing scenes. sceneName is the scene's name, sceneUuid its id;
lists are in OBS order (the show's last scene first, sceneIndex 0). Studio mode is always on,
so the preview scene is always there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


def find_scene(requests: RemoteRequests, fields: Fields, name_key: str = "sceneName", uuid_key: str = "sceneUuid"):
    """The scene a request names by its UUID (tried first) or its name; 600 when none is."""
    key, value, what = fields.name_or_uuid(name_key, uuid_key)
    scene = next((s for s in requests.studio.show.scenes if getattr(s, key) == value), None)
    if scene is None:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No source was found by the {what} of `{value}`.")
    return scene


def scene_list(requests: RemoteRequests) -> list[dict[str, Any]]:
    """OBS order: the show's last scene first, with sceneIndex 0."""
    scenes = requests.engine.show.scenes
    return [{"sceneName": scene.name, "sceneUuid": scene.id, "sceneIndex": index} for index, scene in enumerate(reversed(scenes))]


def _scene_ref(requests: RemoteRequests, name: str) -> dict[str, Any]:
    scene = requests.engine.show.scene_by_ref(name)
    return {"sceneName": name, "sceneUuid": scene.id if scene else None}


def get_scene_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    program, preview = requests.engine.program_scene, requests.engine.preview_scene
    return {
        "currentProgramSceneName": program,
        "currentProgramSceneUuid": _scene_ref(requests, program)["sceneUuid"],
        "currentPreviewSceneName": preview,
        "currentPreviewSceneUuid": _scene_ref(requests, preview)["sceneUuid"],
        "scenes": scene_list(requests),
    }


def get_current_program_scene(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    ref = _scene_ref(requests, requests.engine.program_scene)
    return {**ref, "currentProgramSceneName": ref["sceneName"], "currentProgramSceneUuid": ref["sceneUuid"]}


def set_current_program_scene(requests: RemoteRequests, fields: Fields, **_context) -> None:
    requests.engine.cut(find_scene(requests, fields).id)


def get_current_preview_scene(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    ref = _scene_ref(requests, requests.engine.preview_scene)
    return {**ref, "currentPreviewSceneName": ref["sceneName"], "currentPreviewSceneUuid": ref["sceneUuid"]}


def set_current_preview_scene(requests: RemoteRequests, fields: Fields, **_context) -> None:
    requests.engine.set_preview(find_scene(requests, fields).id)


def create_scene(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    name = fields.string("sceneName")
    if any(scene.name == name for scene in requests.studio.show.scenes):
        raise RequestFailed(Status.RESOURCE_ALREADY_EXISTS, "A source already exists by that scene name.")
    return {"sceneUuid": requests.studio.session.add_scene(name)}


def remove_scene(requests: RemoteRequests, fields: Fields, **_context) -> None:
    scene = find_scene(requests, fields)
    if len(requests.studio.show.scenes) < 2:
        raise RequestFailed(Status.NOT_ENOUGH_RESOURCES, "You cannot remove the last scene in the collection.")
    requests.studio.session.remove_scene(scene.id)


def set_scene_name(requests: RemoteRequests, fields: Fields, **_context) -> None:
    scene = find_scene(requests, fields)
    new_name = fields.string("newSceneName")
    if new_name == scene.name:
        return
    if any(s.name == new_name for s in requests.studio.show.scenes):
        raise RequestFailed(Status.RESOURCE_ALREADY_EXISTS, "A source already exists by that new scene name.")
    requests.studio.session.rename_scene(scene.id, new_name)
