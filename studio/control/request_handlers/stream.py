"""Stream requests (obs-websocket's RequestHandler_Stream): Go Live and End through the
session (one on-air state; the show's enabled destinations), and the stream's status. The
stream is one output to a client and several destinations here: it is active while any is,
reconnecting while any reconnects; its duration is the longest uptime, its congestion the
fullest queue (1 s full = 1.0)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import RequestFailed, Status, timecode
from studio.engine.errors import InputError
from studio.engine.outputs.stream import OutputState

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


def _stream_status(requests: RemoteRequests) -> dict[str, Any]:
    destinations = requests.engine.destination_stats()
    active = bool(requests.studio.is_streaming())
    tracker = requests.events.outputs if requests.events is not None else None
    duration_ms = int(max((d.uptime_s for d in destinations), default=0.0) * 1000) if active else 0
    return {
        "outputActive": active,
        "outputReconnecting": active and any(d.state is OutputState.RECONNECTING for d in destinations),
        "outputTimecode": timecode(duration_ms),
        "outputDuration": duration_ms,
        "outputCongestion": min(1.0, max((d.queue_ms for d in destinations), default=0) / 1000.0) if active else 0.0,
        "outputBytes": tracker.stream_bytes() if tracker is not None else 0,
        "outputSkippedFrames": sum(sum(d.dropped_frames.values()) for d in destinations) if active else 0,
        "outputTotalFrames": tracker.stream_frames(requests.engine) if tracker is not None and active else 0,
    }


def get_stream_status(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return _stream_status(requests)


def _start_stream(requests: RemoteRequests) -> None:
    try:
        requests.studio.start_stream()
    except (InputError, RuntimeError, OSError) as error:
        raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"cannot go live: {error}") from None
    if requests.events is not None:
        requests.events.stream_requested(True)


def _stop_stream(requests: RemoteRequests) -> None:
    requests.studio.stop_stream()
    if requests.events is not None:
        requests.events.stream_requested(False)


def start_stream(requests: RemoteRequests, fields: Fields, **_context) -> None:
    if requests.studio.is_streaming():
        raise RequestFailed(Status.OUTPUT_RUNNING)
    _start_stream(requests)


def stop_stream(requests: RemoteRequests, fields: Fields, **_context) -> None:
    if not requests.studio.is_streaming():
        raise RequestFailed(Status.OUTPUT_NOT_RUNNING)
    _stop_stream(requests)


def toggle_stream(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    if requests.studio.is_streaming():
        _stop_stream(requests)
        return {"outputActive": False}
    _start_stream(requests)
    return {"outputActive": True}
