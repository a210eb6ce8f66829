"""UI requests (obs-websocket's RequestHandler_Ui): studio mode. The studio always works with a
preview and a program, so studio mode is always on and cannot be turned off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


def get_studio_mode_enabled(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"studioModeEnabled": True}


def set_studio_mode_enabled(requests: RemoteRequests, fields: Fields, **_context) -> None:
    if not fields.boolean("studioModeEnabled"):
        raise RequestFailed(
            Status.REQUEST_PROCESSING_FAILED, "The studio always works in studio mode (preview and program); it cannot be turned off."
        )
