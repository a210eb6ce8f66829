"""General requests (obs-websocket's RequestHandler_General): GetVersion, GetStats, the hotkeys
(GetHotkeyList, TriggerHotkeyByName: the catalogue's actions, studio/control/hotkey_catalogue.py),
Sleep (in a batch) and CallVendorRequest (the vendor "studio": vendor.py)."""

from __future__ import annotations

import os
import platform
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from studio.control.remote_fields import Fields
from studio.control.remote_protocol import (
    OBS_VERSION,
    OBS_WEBSOCKET_VERSION,
    RPC_VERSION,
    VENDOR_NAME,
    BatchExecution,
    RequestFailed,
    RequestResult,
    Status,
)
from studio.control.request_handlers.vendor import VENDOR_REQUESTS
from studio.engine.errors import InputError

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


class StatsSampler:
    """GetStats' cpuUsage and activeFps, each measured over the time since the last sample: at
    least CPU_INTERVAL_S / FPS_INTERVAL_S apart, so a client polling fast sees steady numbers."""

    CPU_INTERVAL_S = 0.25
    FPS_INTERVAL_S = 0.5

    def __init__(self, canvas_fps: float) -> None:
        self._cpu_sample = (time.monotonic(), time.process_time())
        self._cpu_usage = 0.0
        self._fps_sample: tuple[float, int] | None = None
        self._active_fps = float(canvas_fps)

    def cpu_usage_percent(self, now: float, cpu: float) -> float:
        """This process's CPU time per wall time (100 = one core busy)."""
        last_now, last_cpu = self._cpu_sample
        if now - last_now >= self.CPU_INTERVAL_S:
            self._cpu_usage = 100.0 * (cpu - last_cpu) / (now - last_now)
            self._cpu_sample = (now, cpu)
        return self._cpu_usage

    def active_fps(self, now: float, frames_produced: int) -> float:
        """Program frames made per second (the canvas rate until two samples are apart)."""
        if self._fps_sample is None:
            self._fps_sample = (now, frames_produced)
        elif now - self._fps_sample[0] >= self.FPS_INTERVAL_S:
            self._active_fps = (frames_produced - self._fps_sample[1]) / (now - self._fps_sample[0])
            self._fps_sample = (now, frames_produced)
        return self._active_fps


def _process_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak / 1024 if platform.system() != "Darwin" else peak / (1024 * 1024)
        except (ImportError, OSError):
            return 0.0


def get_version(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {
        "obsVersion": OBS_VERSION,
        "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
        "rpcVersion": RPC_VERSION,
        "availableRequests": requests.available_requests(),
        "supportedImageFormats": ["png", "jpg"],
        "platform": platform.system().lower() or "unknown",
        "platformDescription": platform.platform(terse=True),
    }


def get_stats(requests: RemoteRequests, fields: Fields, *, session=None, **_context) -> dict:
    now, cpu = time.monotonic(), time.process_time()
    cpu_usage = requests.stats_sampler.cpu_usage_percent(now, cpu)
    stats = requests.engine.stats()
    active_fps = requests.stats_sampler.active_fps(now, stats.frames_produced)
    folder = requests.studio.record_folder or Path.cwd()
    try:
        free_mb = shutil.disk_usage(folder if folder.exists() else folder.parent).free / (1024 * 1024)
    except OSError:
        free_mb = 0.0
    return {
        "cpuUsage": round(cpu_usage, 2),
        "memoryUsage": round(_process_rss_mb(), 2),
        "availableDiskSpace": round(free_mb, 2),
        "activeFps": round(active_fps, 2),
        "averageFrameRenderTime": round(requests.events.average_tick_cpu_ms(), 3) if requests.events is not None else 0.0,
        "renderSkippedFrames": stats.frames_dropped,
        "renderTotalFrames": stats.frames_produced + stats.frames_dropped,
        "outputSkippedFrames": stats.encoder_dropped,
        "outputTotalFrames": stats.frames_produced,
        "webSocketSessionIncomingMessages": getattr(session, "incoming", None),
        "webSocketSessionOutgoingMessages": getattr(session, "outgoing", None),
    }


def get_hotkey_list(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    return {"hotkeys": list(requests.studio.hotkey_names())}


def trigger_hotkey_by_name(requests: RemoteRequests, fields: Fields, **_context) -> None:
    name = fields.string("hotkeyName")
    fields.string("contextName", optional=True, allow_empty=True)
    if name not in requests.studio.hotkey_names():
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No hotkeys were found by that name.")
    try:
        found = requests.studio.trigger_hotkey(name)
    except (InputError, RuntimeError, OSError) as error:  # e.g. a link run with no product, going live with no destination
        raise RequestFailed(Status.REQUEST_PROCESSING_FAILED, f"the hotkey's action failed: {error}") from None
    if not found:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No hotkeys were found by that name.")
    if requests.events is not None and name.startswith("mute_input."):
        requests.events.poll_input_changes()


def sleep(requests: RemoteRequests, fields: Fields, *, execution_type: int = BatchExecution.NONE, **_context) -> RequestResult:
    if execution_type == BatchExecution.SERIAL_REALTIME:
        millis = fields.number("sleepMillis", 0, 50_000)
        return RequestResult(Status.SUCCESS, sleep_s=millis / 1000)
    if execution_type == BatchExecution.SERIAL_FRAME:
        frames = fields.integer("sleepFrames", 0, 10_000)
        return RequestResult(Status.SUCCESS, sleep_s=frames / requests.engine.show.canvas.fps)
    return RequestResult(
        Status.UNSUPPORTED_REQUEST_BATCH_EXECUTION_TYPE, comment="Sleep is only available in SerialRealtime and SerialFrame request batches."
    )


def call_vendor_request(requests: RemoteRequests, fields: Fields, **_context) -> dict:
    vendor = fields.string("vendorName")
    request_type = fields.string("requestType")
    data = Fields(fields.object("requestData", optional=True) or {})
    if vendor != VENDOR_NAME:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No vendor was found by that name.")
    handler = VENDOR_REQUESTS.get(request_type)
    if handler is None:
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, "No request was found by that name.")
    response = handler(requests, data) or {}
    return {"vendorName": vendor, "requestType": request_type, "responseData": response}
