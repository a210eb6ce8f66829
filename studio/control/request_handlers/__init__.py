"""The remote control's request handlers, one module per category as obs-websocket splits its
RequestHandler_*.cpp files, and the one registry that maps a request type to its handler.

A handler is `handler(requests, fields, *, session, execution_type)`: `requests` is the
RemoteRequests answering (its studio, engine, events and the remote control's own state),
`fields` the request's requestData (remote_fields.Fields), `session` the client's connection
(for GetStats' message counts) and `execution_type` the batch's (for Sleep). It returns the
responseData (a dict or None) or a RequestResult, and raises RequestFailed for a refusal.
Each handler is named after its request type (GetSceneList -> get_scene_list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.control.request_handlers import general, inputs, record, scene_items, scenes, stream, transitions, ui

RequestHandler = Callable[..., Any]

REQUEST_HANDLERS: dict[str, RequestHandler] = {
    # General
    "GetVersion": general.get_version,
    "GetStats": general.get_stats,
    "GetHotkeyList": general.get_hotkey_list,
    "TriggerHotkeyByName": general.trigger_hotkey_by_name,
    "Sleep": general.sleep,
    "CallVendorRequest": general.call_vendor_request,
    # Scenes
    "GetSceneList": scenes.get_scene_list,
    "GetCurrentProgramScene": scenes.get_current_program_scene,
    "SetCurrentProgramScene": scenes.set_current_program_scene,
    "GetCurrentPreviewScene": scenes.get_current_preview_scene,
    "SetCurrentPreviewScene": scenes.set_current_preview_scene,
    "CreateScene": scenes.create_scene,
    "RemoveScene": scenes.remove_scene,
    "SetSceneName": scenes.set_scene_name,
    # Inputs
    "GetInputList": inputs.get_input_list,
    "GetInputKindList": inputs.get_input_kind_list,
    "GetInputDefaultSettings": inputs.get_input_default_settings,
    "CreateInput": inputs.create_input,
    "RemoveInput": inputs.remove_input,
    "SetInputName": inputs.set_input_name,
    "GetInputSettings": inputs.get_input_settings,
    "SetInputSettings": inputs.set_input_settings,
    "GetInputMute": inputs.get_input_mute,
    "SetInputMute": inputs.set_input_mute,
    "ToggleInputMute": inputs.toggle_input_mute,
    "GetInputVolume": inputs.get_input_volume,
    "SetInputVolume": inputs.set_input_volume,
    "GetInputAudioTracks": inputs.get_input_audio_tracks,
    # Transitions
    "GetTransitionKindList": transitions.get_transition_kind_list,
    "GetSceneTransitionList": transitions.get_scene_transition_list,
    "GetCurrentSceneTransition": transitions.get_current_scene_transition,
    "SetCurrentSceneTransition": transitions.set_current_scene_transition,
    "SetCurrentSceneTransitionDuration": transitions.set_current_scene_transition_duration,
    "TriggerStudioModeTransition": transitions.trigger_studio_mode_transition,
    "SetTBarPosition": transitions.set_tbar_position,
    # Scene items
    "GetSceneItemList": scene_items.get_scene_item_list,
    "GetSceneItemId": scene_items.get_scene_item_id,
    "CreateSceneItem": scene_items.create_scene_item,
    "RemoveSceneItem": scene_items.remove_scene_item,
    "DuplicateSceneItem": scene_items.duplicate_scene_item,
    "GetSceneItemTransform": scene_items.get_scene_item_transform,
    "SetSceneItemTransform": scene_items.set_scene_item_transform,
    "GetSceneItemEnabled": scene_items.get_scene_item_enabled,
    "SetSceneItemEnabled": scene_items.set_scene_item_enabled,
    "GetSceneItemLocked": scene_items.get_scene_item_locked,
    "SetSceneItemLocked": scene_items.set_scene_item_locked,
    "GetSceneItemIndex": scene_items.get_scene_item_index,
    "SetSceneItemIndex": scene_items.set_scene_item_index,
    # Stream
    "GetStreamStatus": stream.get_stream_status,
    "ToggleStream": stream.toggle_stream,
    "StartStream": stream.start_stream,
    "StopStream": stream.stop_stream,
    # Record
    "GetRecordStatus": record.get_record_status,
    "ToggleRecord": record.toggle_record,
    "StartRecord": record.start_record,
    "StopRecord": record.stop_record,
    "CreateRecordChapter": record.create_record_chapter,
    # Ui
    "GetStudioModeEnabled": ui.get_studio_mode_enabled,
    "SetStudioModeEnabled": ui.set_studio_mode_enabled,
}
