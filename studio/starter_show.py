"""A first show built from the cameras and microphones attached to this machine.

What a seller gets at first start or from File > New when devices are there: a scene per camera
(full frame), a 2x2 grid and a picture-in-picture when there are several cameras, and the first
microphone in the mixer. With no camera attached the app offers the demo show instead, so it
always opens on something that moves.
"""

from __future__ import annotations

from studio.engine.show import Show, parse_show
from studio.engine.sources.camera import CameraInfo, CameraMode

PREFERRED_MODE = (1920, 1080, 30)  # what a USB 2 webcam gives with MJPG


def best_mode(modes: list[CameraMode]) -> CameraMode | None:
    """1080p30 when offered (MJPG first: USB 2 cannot carry it raw), else the largest at 25-30 fps."""
    if not modes:
        return None

    def rank(mode: CameraMode) -> tuple:
        exact = (mode.width, mode.height, round(mode.fps)) == PREFERRED_MODE
        smooth = 25 <= mode.fps <= 31
        return (exact, smooth, mode.width * mode.height, mode.fourcc == "MJPG")

    return max(modes, key=rank)


def starter_show(cameras: list[CameraInfo], microphones: list[str], *, name: str = "My show") -> Show | None:
    """A show of these cameras (and the first microphone); None when there is no camera."""
    if not cameras:
        return None
    sources, scenes = [], []
    for number, camera in enumerate(cameras[:9], start=1):
        source_id = f"camera-{number}"
        settings: dict = {"device": camera.identity}
        mode = best_mode(camera.modes)
        if mode is not None:
            settings.update(width=mode.width, height=mode.height, fps=max(1, round(mode.fps)), pixel_format=mode.fourcc)
        sources.append({"id": source_id, "name": camera.name or f"Camera {number}", "kind": "camera", "settings": settings})
        scenes.append({"id": f"scene-{number}", "name": f"Camera {number}", "layout": {"kind": "full", "sources": [source_id]}})
    ids = [source["id"] for source in sources]
    if len(ids) > 1:
        scenes.append({"id": "grid", "name": "Grid", "layout": {"kind": "grid", "sources": ids[:4]}})
        scenes.append({"id": "pip", "name": "Picture in picture", "layout": {"kind": "pip", "sources": ids[:2]}})
    _unique_source_names(sources)
    audio_inputs = []
    if microphones:
        device = "default" if "default" in microphones else microphones[0]  # follows the system setting
        audio_inputs.append({"id": "microphone-1", "name": "Microphone", "kind": "microphone", "device": device})
    return parse_show({"name": name, "sources": sources, "scenes": scenes, "audio_inputs": audio_inputs}, file="<starter show>")


def _unique_source_names(sources: list[dict]) -> None:
    # Two cameras of the same model report the same name: number the repeats.
    seen: dict[str, int] = {}
    for source in sources:
        count = seen.get(source["name"], 0) + 1
        seen[source["name"]] = count
        if count > 1:
            source["name"] = f"{source['name']} {count}"


def attached_devices() -> tuple[list[CameraInfo], list[str]]:
    """The cameras and microphones there are now ([] when none or when they cannot be listed)."""
    from studio.engine.devices import sound_device_names
    from studio.engine.sources.camera import list_cameras

    try:
        cameras = list(list_cameras())
    except Exception:  # a broken device tree must never keep the app from opening
        cameras = []
    microphones = sound_device_names().inputs or []
    return cameras, microphones
