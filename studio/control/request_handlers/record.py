"""Record requests (obs-websocket's RequestHandler_Record): start and stop through the session
(`<show>-<date>-<time>.mkv` in the recording folder), the recording's status and chapters. The
recording is never paused here (outputPaused is always false)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status, timecode
from studio.engine.errors import InputError

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


def get_record_status(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    active = bool(requests.studio.is_recording())
    tracker = requests.events.outputs if requests.events is not None else None
    duration_ms = tracker.record_duration_ms() if tracker is not None and active else 0
    return {
        "outputActive": active,
        "outputPaused": False,
        "outputTimecode": timecode(duration_ms),
        "outputDuration": duration_ms,
        "outputBytes": int(requests.engine.recording_stats.bytes_recorded) if active else 0,
    }


def _start_record(requests: RemoteRequests) -> Path:
    try:
        path = requests.studio.start_record()
    except (InputError, RuntimeError, OSError) as error:
        raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"cannot record: {error}") from None
    if requests.events is not None:
        requests.events.outputs.record_requested(path)
    return path


def _stop_record(requests: RemoteRequests) -> str | None:
    tracker = requests.events.outputs if requests.events is not None else None
    path = (tracker.record_path() if tracker is not None else None) or requests.engine.recording_stats.recording_path
    requests.studio.stop_record()
    return str(path) if path else None


def start_record(requests: RemoteRequests, fields: Fields, **_context) -> None:
    if requests.studio.is_recording():
        raise RequestFailed(Status.OUTPUT_RUNNING)
    _start_record(requests)


def stop_record(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    if not requests.studio.is_recording():
        raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
    return {"outputPath": _stop_record(requests)}


def toggle_record(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    if requests.studio.is_recording():
        _stop_record(requests)
        return {"outputActive": False}
    _start_record(requests)
    return {"outputActive": True}


def create_record_chapter(requests: RemoteRequests, fields: Fields, **_context) -> None:
    name = fields.string("chapterName", optional=True)
    if not requests.studio.is_recording():
        raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
    tracker = requests.events.outputs if requests.events is not None else None
    title = (name or "").strip() or f"Chapter {tracker.next_chapter_number() if tracker else 1}"
    requests.engine.add_chapter(title)
