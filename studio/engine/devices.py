"""The devices this machine offers a show: the text of `studio devices`, and the choices a
settings form's device pickers offer (cameras, displays, microphones).

Every failure to look (no cameras, no PortAudio, no sound card, no X display) becomes one plain
line or an empty list, so the command always answers and a form always opens.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, NamedTuple

from studio.engine.sources.camera import (
    LINUX_DEVICE_ROOTS,
    CameraInfo,
    CameraMode,
    VideoDeviceRoots,
    camera_listing_note,
    list_cameras,
)


DEVICE_PICKER_KINDS = ("camera", "screen", "microphone")


class DeviceChoice(NamedTuple):
    """One entry of a device picker: `value` is what the show file stores, `label` what a person reads."""

    value: str | int
    label: str


class SoundDeviceNames(NamedTuple):
    """Input and output device names as PortAudio lists them (each once, in PortAudio's order).
    Both are None when PortAudio cannot be asked; `problem` then says why."""

    inputs: list[str] | None
    outputs: list[str] | None
    problem: str


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


# -- device pickers ----------------------------------------------------------------------------------


def sound_device_names() -> SoundDeviceNames:
    # import_sounddevice is looked up at call time, so a test can replace it on this module.
    try:
        sounddevice = import_sounddevice()
        devices = list(sounddevice.query_devices())
    except Exception as error:  # OSError without PortAudio, PortAudioError without a sound system
        return SoundDeviceNames(None, None, str(error) or type(error).__name__)
    inputs: list[str] = []
    outputs: list[str] = []
    for device in devices:
        name = str(device.get("name", "")).strip()
        if not name:
            continue
        if device.get("max_input_channels", 0) > 0 and name not in inputs:
            inputs.append(name)
        if device.get("max_output_channels", 0) > 0 and name not in outputs:
            outputs.append(name)
    return SoundDeviceNames(inputs, outputs, "")


def camera_choices(cameras: Iterable[CameraInfo]) -> list[DeviceChoice]:
    return [
        DeviceChoice(camera.identity, camera.name if camera.path in ("", camera.name) else f"{camera.name} ({camera.path})")
        for camera in cameras
    ]


def screen_choices(displays: list[dict[str, int]]) -> list[DeviceChoice]:
    """A choice per monitor, and 0 (all together) when there are several."""
    choices = [
        DeviceChoice(display["index"], f"{display['index']}: {display['width']}x{display['height']} at {display['left']},{display['top']}")
        for display in displays
    ]
    if len(displays) > 1:
        right = max(display["left"] + display["width"] for display in displays)
        bottom = max(display["top"] + display["height"] for display in displays)
        left = min(display["left"] for display in displays)
        top = min(display["top"] for display in displays)
        choices.insert(0, DeviceChoice(0, f"0: all monitors ({right - left}x{bottom - top})"))
    return choices


def device_choices(kind: str) -> list[DeviceChoice]:
    """What a device picker of this kind offers ("camera", "screen", "microphone"). Never raises:
    an empty list when nothing is found or the library to look with is missing."""
    try:
        if kind == "camera":
            return camera_choices(list_cameras())
        if kind == "screen":
            from studio.engine.sources.screen import list_displays

            return screen_choices(list_displays())
        if kind == "microphone":
            return [DeviceChoice(name, name) for name in sound_device_names().inputs or []]
    except Exception:  # a broken device tree or driver must not keep a settings form from opening
        return []
    return []
