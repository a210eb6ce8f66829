"""The camera plugin without a camera: missing devices, NO SIGNAL, identity resolution on a fake
sysfs tree, and a fake OpenCV capture for what happens once a device opens."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from studio.engine.clock import NS_PER_MS, MediaClock, MonotonicClock, VirtualClock
from studio.engine.devices import describe_devices, describe_microphones
from studio.engine.errors import SourceUnavailable
from studio.engine.sources.base import SourceStatus
from studio.engine.sources.camera import (
    CameraMode,
    CameraSettings,
    CameraSource,
    VideoDeviceRoots,
    choose_capture_timestamp_ns,
    list_cameras,
    parse_v4l2_formats,
    resolve_camera,
)
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.slate import no_signal_slate

STATUS_WAIT_S = 2.0
SLATE_SIZE = (320, 180)
REAL_SYSFS = Path("/sys/class/video4linux")


def machine_has_cameras() -> bool:
    return REAL_SYSFS.is_dir() and any(REAL_SYSFS.iterdir())


@pytest.fixture
def empty_roots(tmp_path: Path) -> VideoDeviceRoots:
    return VideoDeviceRoots(sysfs=tmp_path / "sys", by_id=tmp_path / "by-id", dev=tmp_path / "dev")


@pytest.fixture
def fake_roots(tmp_path: Path) -> VideoDeviceRoots:
    """A Logitech C920 as Linux shows it: capture node video0, metadata node video1, a by-id link."""
    sysfs, by_id, dev = tmp_path / "sys", tmp_path / "by-id", tmp_path / "dev"
    for number, node_index in ((0, 0), (1, 1)):
        node = sysfs / f"video{number}"
        node.mkdir(parents=True)
        (node / "name").write_text("Logitech C920\n")
        (node / "index").write_text(f"{node_index}\n")
    dev.mkdir()
    (dev / "video0").touch()
    (dev / "video1").touch()
    by_id.mkdir()
    (by_id / "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0").symlink_to(dev / "video0")
    (by_id / "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index1").symlink_to(dev / "video1")
    return VideoDeviceRoots(sysfs=sysfs, by_id=by_id, dev=dev)


class StatusRecorder:
    """Collects a runner's status reports; lets a test wait for one with a bounded timeout."""

    def __init__(self) -> None:
        self.reports: list[tuple[SourceStatus, str]] = []
        self._changed = threading.Condition()

    def __call__(self, source_id: str, status: SourceStatus, reason: str) -> None:
        with self._changed:
            self.reports.append((status, reason))
            self._changed.notify_all()

    def wait_for(self, status: SourceStatus, timeout_s: float = STATUS_WAIT_S) -> str:
        with self._changed:
            found = self._changed.wait_for(lambda: any(s is status for s, _ in self.reports), timeout_s)
        assert found, f"no {status} report within {timeout_s} s; got {self.reports}"
        return next(reason for s, reason in self.reports if s is status)


class FakeCapture:
    """Stands in for cv2.VideoCapture: opens or not, records settings, serves frames on demand."""

    def __init__(self, opened: bool = True, frame_size: tuple[int, int] = (64, 48)) -> None:
        self.opened = opened
        self.properties: dict[int, float] = {}
        self.frame_size = frame_size
        self.driver_ms = 0.0
        self.released = False
        self.frame_ready = threading.Event()
        self.frame_ready.set()
        self.read_started = threading.Event()
        self.deliver = True

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        self.properties[prop] = value
        return True

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self.driver_ms
        return self.properties.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.read_started.set()
        # A stalled camera: wait (boundedly) until the test lets a frame through.
        if not self.frame_ready.wait(STATUS_WAIT_S) or not self.deliver:
            return False, None
        width, height = self.frame_size
        return True, np.full((height, width, 3), 128, np.uint8)

    def release(self) -> None:
        self.released = True


def camera(device: str, clock: MediaClock, **kwargs) -> CameraSource:
    return CameraSource("Cam A", CameraSettings(device=device), clock, **kwargs)


# -- a device that is not there -------------------------------------------------------------------


def test_open_of_unknown_camera_name_raises_naming_it(empty_roots: VideoDeviceRoots) -> None:
    source = camera("Logitech C920", MonotonicClock(), roots=empty_roots, platform="linux")
    with pytest.raises(SourceUnavailable, match="camera 'Logitech C920' was not found"):
        source.open()
    source.close()  # safe after a failed open


def test_open_of_missing_device_path_raises_naming_it() -> None:
    missing = "/dev/video-studio-test-does-not-exist"
    with pytest.raises(SourceUnavailable, match=missing):
        camera(missing, MonotonicClock(), platform="linux").open()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="V4L2 only on Linux")
def test_real_opencv_refusal_names_device_and_path(tmp_path: Path) -> None:
    # A /dev entry that exists in the fake tree but is no camera to OpenCV: the real cv2 path fails.
    roots = VideoDeviceRoots(sysfs=tmp_path / "sys", by_id=tmp_path / "by-id", dev=tmp_path / "dev")
    roots.dev.mkdir()
    (roots.dev / "video99").touch()
    with pytest.raises(SourceUnavailable, match=r"camera '.*video99' could not be opened: "):
        camera("99", MonotonicClock(), roots=roots, platform="linux").open()


def test_refused_device_message_names_camera_and_node(fake_roots: VideoDeviceRoots) -> None:
    source = camera("Logitech C920", MonotonicClock(), roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: FakeCapture(opened=False))
    with pytest.raises(SourceUnavailable) as raised:
        source.open()
    assert str(raised.value).startswith(f"camera 'Logitech C920' ({fake_roots.dev / 'video0'}) could not be opened: ")


def test_runner_reports_no_signal_and_returns_slate_at_once(empty_roots: VideoDeviceRoots) -> None:
    clock = MonotonicClock()
    recorder = StatusRecorder()
    source = camera("Logitech C920", clock, roots=empty_roots, platform="linux")
    runner = SourceRunner("cam-a", source, clock, recorder, slate_size=SLATE_SIZE)
    runner.start(show_start_ns=clock.now_ns())
    try:
        reason = recorder.wait_for(SourceStatus.NO_SIGNAL)
        assert "Logitech C920" in reason
        frame = runner.frame_for(clock.now_ns())  # (that it never waits: test_program_runtime)
        assert frame is no_signal_slate("Cam A", *SLATE_SIZE)
        assert runner.status is SourceStatus.NO_SIGNAL
    finally:
        runner.stop()
    assert runner.status is SourceStatus.CLOSED


def test_stalled_camera_goes_no_signal_after_500_ms_of_media_time(fake_roots: VideoDeviceRoots) -> None:
    clock = VirtualClock(start_ns=0)
    recorder = StatusRecorder()
    stalled = FakeCapture()
    stalled.frame_ready.clear()
    source = camera("Logitech C920", clock, roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: stalled)
    runner = SourceRunner("cam-a", source, clock, recorder, slate_size=SLATE_SIZE)
    runner.start(show_start_ns=0)
    try:
        assert runner.frame_for(0) is no_signal_slate("Cam A", *SLATE_SIZE)
        assert runner.status is SourceStatus.STARTING
        clock.advance_to(600 * NS_PER_MS)
        assert runner.frame_for(600 * NS_PER_MS) is no_signal_slate("Cam A", *SLATE_SIZE)
        assert recorder.wait_for(SourceStatus.NO_SIGNAL) == "no frame for 500 ms"
    finally:
        stalled.deliver = False
        stalled.frame_ready.set()  # unblock the read so the capture thread can stop
        runner.stop()
    assert stalled.released


def test_runner_goes_live_with_frames_from_a_working_capture(fake_roots: VideoDeviceRoots) -> None:
    clock = MonotonicClock()
    recorder = StatusRecorder()
    source = camera("Logitech C920", clock, roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: FakeCapture())
    runner = SourceRunner("cam-a", source, clock, recorder, slate_size=SLATE_SIZE)
    runner.start(show_start_ns=clock.now_ns())
    try:
        recorder.wait_for(SourceStatus.LIVE)
        frame = runner.frame_for(clock.now_ns())
        assert (frame.width, frame.height) == (64, 48)
    finally:
        runner.stop()


# -- a device that opens (fake OpenCV) ------------------------------------------------------------


def test_open_configures_format_size_rate_and_one_buffer(fake_roots: VideoDeviceRoots) -> None:
    opened: list[tuple[int | str, int]] = []
    capture = FakeCapture()

    def open_capture(target: int | str, backend: int) -> FakeCapture:
        opened.append((target, backend))
        return capture

    source = CameraSource("Cam A", CameraSettings(device="Logitech C920", width=1280, height=720, fps=60),
                          MonotonicClock(), roots=fake_roots, platform="linux", open_capture=open_capture)
    source.open()
    assert opened == [(0, cv2.CAP_V4L2)]
    assert capture.properties[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert capture.properties[cv2.CAP_PROP_FRAME_WIDTH] == 1280
    assert capture.properties[cv2.CAP_PROP_FRAME_HEIGHT] == 720
    assert capture.properties[cv2.CAP_PROP_FPS] == 60
    assert capture.properties[cv2.CAP_PROP_BUFFERSIZE] == 1
    source.close()
    source.close()  # twice is safe
    assert capture.released


@pytest.mark.parametrize(
    ("platform", "pixel_format", "raw"),
    [("linux", "MJPG", True), ("linux", "YUYV", False), ("win32", "MJPG", False), ("darwin", "MJPG", False)],
)
def test_only_mjpg_on_v4l2_is_read_raw(fake_roots: VideoDeviceRoots, platform: str, pixel_format: str, raw: bool) -> None:
    # V4L2 hands an MJPG buffer over as 1 x N bytes with CONVERT_RGB off; other backends' raw
    # modes differ (and YUYV gains nothing), so they keep decoding inside OpenCV's read().
    capture = FakeCapture()
    device = "Logitech C920" if platform == "linux" else "0"
    source = CameraSource("Cam A", CameraSettings(device=device, pixel_format=pixel_format), MonotonicClock(),
                          roots=fake_roots, platform=platform, open_capture=lambda target, backend: capture)
    source.open()
    assert (capture.properties.get(cv2.CAP_PROP_CONVERT_RGB) == 0) is raw
    frame = source.read_next()  # this fake returns decoded BGR whatever it was asked: a frame, as before
    assert (frame.width, frame.height) == (64, 48)
    source.close()


def test_windows_falls_back_from_media_foundation_to_directshow() -> None:
    tried: list[int] = []

    def open_capture(target: int | str, backend: int) -> FakeCapture:
        tried.append(backend)
        return FakeCapture(opened=backend == cv2.CAP_DSHOW)

    source = camera("1", MonotonicClock(), platform="win32", open_capture=open_capture)
    source.open()
    assert tried == [cv2.CAP_MSMF, cv2.CAP_DSHOW]
    source.close()


def test_read_next_uses_a_plausible_driver_timestamp_else_the_clock(fake_roots: VideoDeviceRoots) -> None:
    clock = MonotonicClock()
    capture = FakeCapture()
    source = camera("Logitech C920", clock, roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: capture)
    source.open()
    driver_ns = clock.now_ns() - 20 * NS_PER_MS
    capture.driver_ms = driver_ns / NS_PER_MS
    first = source.read_next()
    assert abs(first.captured_ns - driver_ns) < 1000  # microsecond rounding of the ms double
    capture.driver_ms = 1234.0  # another clock domain (a file position, a device clock)
    before_ns = clock.now_ns()
    second = source.read_next()
    assert second.captured_ns >= before_ns
    assert (second.sequence, second.width, second.height) == (2, 64, 48)
    source.close()


def test_read_after_camera_stops_delivering_raises(fake_roots: VideoDeviceRoots) -> None:
    capture = FakeCapture()
    capture.deliver = False
    source = camera("Logitech C920", MonotonicClock(), roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: capture)
    source.open()
    with pytest.raises(SourceUnavailable, match="Logitech C920"):
        source.read_next()
    source.close()


def test_close_during_a_read_leaves_the_release_to_the_reader(fake_roots: VideoDeviceRoots) -> None:
    capture = FakeCapture()
    capture.frame_ready.clear()
    source = camera("Logitech C920", MonotonicClock(), roots=fake_roots, platform="linux",
                    open_capture=lambda target, backend: capture)
    source.open()
    reader = threading.Thread(target=source.read_next)
    reader.start()
    assert capture.read_started.wait(STATUS_WAIT_S)
    source.close()
    assert not capture.released  # not under the running read
    capture.frame_ready.set()
    reader.join(STATUS_WAIT_S)
    assert capture.released


def test_driver_timestamp_choice() -> None:
    now_ns = 5_000 * 1_000_000_000
    assert choose_capture_timestamp_ns((now_ns - 30 * NS_PER_MS) / NS_PER_MS, now_ns) == now_ns - 30 * NS_PER_MS
    assert choose_capture_timestamp_ns(0.0, now_ns) == now_ns  # no timestamp before the first frame
    assert choose_capture_timestamp_ns(-1.0, now_ns) == now_ns  # property not supported
    assert choose_capture_timestamp_ns((now_ns - 5 * 10**9) / NS_PER_MS, now_ns) == now_ns  # too old
    assert choose_capture_timestamp_ns((now_ns + 10 * NS_PER_MS) / NS_PER_MS, now_ns) == now_ns  # future


# -- identity resolution on a fake sysfs tree -----------------------------------------------------


def test_name_resolves_to_its_capture_node(fake_roots: VideoDeviceRoots) -> None:
    resolved = resolve_camera("Logitech C920", roots=fake_roots, platform="linux")
    assert resolved.target == 0
    assert resolved.path == str(fake_roots.dev / "video0")
    assert resolved.label == f"camera 'Logitech C920' ({fake_roots.dev / 'video0'})"


def test_name_resolves_to_dev_video0_with_default_dev_root(fake_roots: VideoDeviceRoots) -> None:
    roots = VideoDeviceRoots(sysfs=fake_roots.sysfs, by_id=fake_roots.by_id)
    resolved = resolve_camera("Logitech C920", roots=roots, platform="linux")
    assert (resolved.target, resolved.path) == (0, "/dev/video0")


def test_name_match_falls_back_to_ignoring_case(fake_roots: VideoDeviceRoots) -> None:
    assert resolve_camera("logitech c920", roots=fake_roots, platform="linux").target == 0


def test_by_id_link_resolves_through_the_symlink(fake_roots: VideoDeviceRoots) -> None:
    link = fake_roots.by_id / "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0"
    for identity in (str(link), link.name):  # full path or just the by-id name
        resolved = resolve_camera(identity, roots=fake_roots, platform="linux")
        assert (resolved.target, resolved.name) == (0, "Logitech C920")


def test_dangling_by_id_link_is_not_found(fake_roots: VideoDeviceRoots) -> None:
    (fake_roots.by_id / "usb-unplugged-video-index0").symlink_to(fake_roots.dev / "video7")
    with pytest.raises(SourceUnavailable, match="usb-unplugged-video-index0' was not found"):
        resolve_camera("usb-unplugged-video-index0", roots=fake_roots, platform="linux")


def test_index_and_dev_path_resolve(fake_roots: VideoDeviceRoots) -> None:
    assert resolve_camera("0", roots=fake_roots, platform="linux").name == "Logitech C920"
    assert resolve_camera(str(fake_roots.dev / "video0"), roots=fake_roots, platform="linux").target == 0
    with pytest.raises(SourceUnavailable, match="'3' was not found"):
        resolve_camera("3", roots=fake_roots, platform="linux")


def test_other_systems_take_an_index_only() -> None:
    assert resolve_camera("2", platform="darwin").target == 2
    with pytest.raises(SourceUnavailable, match="'Logitech C920'.*number"):
        resolve_camera("Logitech C920", platform="darwin")


def test_settings_accept_a_number_and_refuse_unknown_fields() -> None:
    assert CameraSettings.model_validate({"device": 0}).device == "0"
    settings = CameraSettings(device="x")
    assert (settings.width, settings.height, settings.fps, settings.pixel_format) == (1920, 1080, 30, "MJPG")
    with pytest.raises(ValueError):
        CameraSettings.model_validate({"device": "0", "resolution": "1080p"})


# -- listing --------------------------------------------------------------------------------------


def test_list_cameras_on_fake_tree_skips_metadata_node(fake_roots: VideoDeviceRoots) -> None:
    (camera_info,) = list_cameras(roots=fake_roots, platform="linux")
    assert camera_info.name == "Logitech C920"
    assert camera_info.identity == str(fake_roots.by_id / "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0")
    assert camera_info.path == str(fake_roots.dev / "video0")
    assert camera_info.modes or camera_info.modes_note  # either modes or why there are none


def test_list_cameras_without_video_devices_is_empty(empty_roots: VideoDeviceRoots) -> None:
    assert list_cameras(roots=empty_roots, platform="linux") == []
    assert list_cameras(platform="win32") == []


@pytest.mark.skipif(machine_has_cameras(), reason="this machine has video devices")
def test_list_cameras_here_is_empty() -> None:
    assert list_cameras() == []


def test_parse_v4l2_formats() -> None:
    text = """ioctl: VIDIOC_ENUM_FMT
	Type: Video Capture

	[0]: 'YUYV' (YUYV 4:2:2)
		Size: Discrete 640x480
			Interval: Discrete 0.033s (30.000 fps)
			Interval: Discrete 0.067s (15.000 fps)
	[1]: 'MJPG' (Motion-JPEG, compressed)
		Size: Discrete 1920x1080
			Interval: Discrete 0.033s (30.000 fps)
		Size: Stepwise 16x16 - 4096x2160 with step 1/1
			Interval: Stepwise 0.033s - 1.000s with step 0.000s (1.000-30.000 fps)
"""
    assert parse_v4l2_formats(text) == [
        CameraMode(640, 480, 30.0, "YUYV"),
        CameraMode(640, 480, 15.0, "YUYV"),
        CameraMode(1920, 1080, 30.0, "MJPG"),
    ]


# -- studio devices ---------------------------------------------------------------------------------


def no_microphones() -> SimpleNamespace:
    return SimpleNamespace(query_devices=lambda: [], query_hostapis=lambda: [{"name": "ALSA"}])


def test_describe_devices_says_no_cameras(empty_roots: VideoDeviceRoots) -> None:
    text = describe_devices(roots=empty_roots, platform="linux", load_sounddevice=no_microphones)
    assert f"No cameras found (looked in {empty_roots.sysfs})" in text
    assert "No microphones found" in text


@pytest.mark.skipif(machine_has_cameras(), reason="this machine has video devices")
def test_describe_devices_here_says_no_cameras() -> None:
    assert "No cameras found (looked in /sys/class/video4linux)" in describe_devices()


def test_describe_devices_lists_a_camera(fake_roots: VideoDeviceRoots) -> None:
    text = describe_devices(roots=fake_roots, platform="linux", load_sounddevice=no_microphones)
    assert "Logitech C920" in text
    assert "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0" in text


def test_microphones_without_portaudio() -> None:
    def missing_portaudio() -> SimpleNamespace:
        raise OSError("PortAudio library not found")

    assert describe_microphones(missing_portaudio) == [
        "Microphones unavailable: PortAudio library not found (install libportaudio2)"
    ]


def test_microphones_are_listed_with_channels_rate_and_host_api() -> None:
    def one_microphone() -> SimpleNamespace:
        return SimpleNamespace(
            query_devices=lambda: [
                {"name": "Speakers", "max_input_channels": 0, "default_samplerate": 48000.0, "hostapi": 0},
                {"name": "USB Mic", "max_input_channels": 2, "default_samplerate": 48000.0, "hostapi": 0},
            ],
            query_hostapis=lambda: [{"name": "ALSA"}],
        )

    assert describe_microphones(one_microphone) == ["Microphones:", "  USB Mic: 2 channels, 48000 Hz, ALSA"]
