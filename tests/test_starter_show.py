"""The first show from the seller's own devices: a scene per camera, a grid, a PiP, the microphone."""

from __future__ import annotations

from studio.engine.sources.camera import CameraInfo, CameraMode
from studio.starter_show import best_mode, starter_show

FRONT = CameraInfo("/dev/v4l/by-id/usb-Logi_C920-video-index0", "C920", "/dev/video0", [
    CameraMode(640, 480, 30.0, "YUYV"), CameraMode(1920, 1080, 5.0, "YUYV"), CameraMode(1920, 1080, 30.0, "MJPG"),
])
SIDE = CameraInfo("/dev/v4l/by-id/usb-Logi_C920-video-index1", "C920", "/dev/video2", [])


def test_no_camera_no_starter_show():
    assert starter_show([], ["default"]) is None


def test_two_cameras_and_a_microphone():
    show = starter_show([FRONT, SIDE], ["USB Mic", "default"])
    assert [s.name for s in show.sources] == ["C920", "C920 2"]  # same model twice: numbered
    assert [s.name for s in show.scenes] == ["Camera 1", "Camera 2", "Grid", "Picture in picture"]
    assert show.sources[0].settings == {"device": FRONT.identity, "width": 1920, "height": 1080, "fps": 30, "pixel_format": "MJPG"}
    assert show.sources[1].settings == {"device": SIDE.identity}  # modes unknown: the plugin's defaults
    (microphone,) = show.audio_inputs
    assert (microphone.kind.value, microphone.device) == ("microphone", "default")


def test_one_camera_gets_one_scene_and_the_best_mode():
    show = starter_show([FRONT], [])
    assert [s.name for s in show.scenes] == ["Camera 1"] and show.audio_inputs == []
    assert best_mode(FRONT.modes) == CameraMode(1920, 1080, 30.0, "MJPG")
    assert best_mode([CameraMode(1280, 720, 30.0, "YUYV"), CameraMode(1920, 1080, 5.0, "YUYV")]) == CameraMode(1280, 720, 30.0, "YUYV")
