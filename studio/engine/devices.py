"""The text of `studio devices`: the cameras and microphones this machine offers a show.

Every failure to look (no cameras, no PortAudio, no sound card) becomes one plain line, so the
command always answers instead of printing a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from studio.engine.sources.camera import (
    LINUX_DEVICE_ROOTS,
    CameraInfo,
    CameraMode,
    VideoDeviceRoots,
    camera_listing_note,
    list_cameras,
)


def import_sounddevice() -> ModuleType:
    # Imported here, not at the top: sounddevice raises OSError at import when PortAudio is
    # missing, and nothing else in the engine should fail because of that.
    import sounddevice

    return sounddevice


def describe_devices(
    *,
    roots: VideoDeviceRoots = LINUX_DEVICE_ROOTS,
    platform: str = sys.platform,
    load_sounddevice: Callable[[], ModuleType] = import_sounddevice,
) -> str:
    lines = describe_cameras(list_cameras(roots=roots, platform=platform), camera_listing_note(roots=roots, platform=platform))
    lines.append("")
    lines.extend(describe_microphones(load_sounddevice))
    return "\n".join(lines)


def describe_cameras(cameras: list[CameraInfo], listing_note: str) -> list[str]:
    if not cameras:
        return [f"No cameras found ({listing_note})"]
    lines = ["Cameras:"]
    for camera in cameras:
        lines.append(f"  {camera.name}")
        lines.append(f"    device: {camera.identity}" + (f"  ({camera.path})" if camera.path != camera.identity else ""))
        if camera.modes:
            lines.append("    modes:")
            lines.extend(f"      {mode_line}" for mode_line in _mode_lines(camera.modes))
        else:
            lines.append(f"    {camera.modes_note or 'modes unknown'}")
    return lines


def _mode_lines(modes: Iterable[CameraMode]) -> list[str]:
    """One line per format and size, its frame rates together: "MJPG 1920x1080 @ 30, 24, 15 fps"."""
    rates: dict[tuple[str, int, int], list[float]] = {}
    for mode in modes:
        rates.setdefault((mode.fourcc, mode.width, mode.height), []).append(mode.fps)
    return [
        f"{fourcc} {width}x{height} @ {', '.join(f'{fps:g}' for fps in sorted(set(fps_list), reverse=True))} fps"
        for (fourcc, width, height), fps_list in rates.items()
    ]


def describe_microphones(load_sounddevice: Callable[[], ModuleType] = import_sounddevice) -> list[str]:
    try:
        sounddevice = load_sounddevice()
    except OSError:
        return ["Microphones unavailable: PortAudio library not found (install libportaudio2)"]
    except ImportError:
        return ["Microphones unavailable: the sounddevice package is not installed"]
    try:
        devices: list[dict[str, Any]] = list(sounddevice.query_devices())
        host_api_names = [host_api["name"] for host_api in sounddevice.query_hostapis()]
    except Exception as error:  # PortAudioError when the audio system cannot start
        return [f"Microphones unavailable: {error}"]
    inputs = [device for device in devices if device.get("max_input_channels", 0) > 0]
    if not inputs:
        return ["No microphones found"]
    lines = ["Microphones:"]
    for device in inputs:
        host_api_index = device.get("hostapi", -1)
        host_api = host_api_names[host_api_index] if 0 <= host_api_index < len(host_api_names) else "unknown host API"
        lines.append(
            f"  {device['name']}: {device['max_input_channels']} channels, "
            f"{device['default_samplerate']:g} Hz, {host_api}"
        )
    return lines
