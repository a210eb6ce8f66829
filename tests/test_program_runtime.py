"""The program at run time: NO SIGNAL and recovery, real-time pacing, overlays, MP4 remux."""

from __future__ import annotations

import threading
import time

import numpy as np

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_MS, MonotonicClock, VirtualClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import solid_frame
from studio.engine.show import parse_show
from studio.engine.sources.base import SourceSettings, SourceStatus, SourceTiming, VideoSource
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.slate import no_signal_slate
from tests.bounded import GENEROUS_LIMIT_S, call_bounded
from tests.conftest import assert_colour_near, decode_rgb_frames, ffprobe, median_rgb, run_studio, run_summary


class PluggableDevice(VideoSource):
    """A captured source whose 'device' the test can unplug and plug back in: a real plugin
    behind the same interface as a camera, delivering frames on its own thread's schedule."""

    kind = "pluggable"
    settings_model = SourceSettings
    timing = SourceTiming.CAPTURED

    def __init__(self, name, settings, clock) -> None:
        super().__init__(name, settings, clock)
        self.plugged = threading.Event()
        self.plugged.set()
        self.open_attempts = 0

    def open(self) -> None:
        self.open_attempts += 1
        if not self.plugged.is_set():
            raise SourceUnavailable("device unplugged")

    def read_next(self):
        time.sleep(0.01)  # a device delivers at its own pace (100 fps here)
        if not self.plugged.is_set():
            raise SourceUnavailable("device unplugged")
        return solid_frame(64, 36, (0, 200, 0), self.clock.now_ns())


def wait_for(condition, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_lost_device_shows_no_signal_then_recovers_by_itself():
    clock = MonotonicClock()
    statuses: list[str] = []
    device = PluggableDevice("CAM", SourceSettings(), clock)
    runner = SourceRunner("cam", device, clock, lambda _id, status, _reason: statuses.append(status.value), (64, 36))
    runner.start(clock.now_ns())
    try:
        assert wait_for(lambda: runner.status is SourceStatus.LIVE)
        assert runner.frame_for(clock.now_ns()).width == 64
        device.plugged.clear()
        assert wait_for(lambda: runner.frame_for(clock.now_ns()) is no_signal_slate("CAM", 64, 36))
        assert runner.status is SourceStatus.NO_SIGNAL
        device.plugged.set()
        assert wait_for(lambda: runner.status is SourceStatus.LIVE)
        assert runner.frame_for(clock.now_ns()).width == 64
        assert device.open_attempts >= 2
    finally:
        runner.stop()
    assert statuses[:3] == ["live", "no signal", "live"]


class HangingDevice(VideoSource):
    """A captured source whose driver hangs inside open() until the test lets it go."""

    kind = "hanging"
    settings_model = SourceSettings
    timing = SourceTiming.CAPTURED

    def __init__(self, name, settings, clock) -> None:
        super().__init__(name, settings, clock)
        self.inside_open = threading.Event()
        self.let_go = threading.Event()

    def open(self) -> None:
        self.inside_open.set()
        self.let_go.wait(GENEROUS_LIMIT_S)  # bounded, so a failed test cannot leave it hanging
        raise SourceUnavailable("the driver gave up")

    def read_next(self):
        raise SourceUnavailable("never opened")


def test_frame_for_never_waits_for_a_silent_device():
    clock = VirtualClock()
    device = HangingDevice("CAM", SourceSettings(), clock)
    runner = SourceRunner("cam", device, clock, lambda *_: None, (64, 36))
    runner.start(0)
    try:
        assert device.inside_open.wait(GENEROUS_LIMIT_S), "the capture thread never opened the device"
        clock.advance_to(600 * NS_PER_MS)
        # The device is stuck in open() until the test lets it go: frame_for() returning at all,
        # with the slate, is the promise (it never waits for a device).
        frame = call_bounded(lambda: runner.frame_for(clock.now_ns()), "frame_for() while the device hangs")
        assert frame is no_signal_slate("CAM", 64, 36)
        assert runner.status is SourceStatus.NO_SIGNAL
    finally:
        device.let_go.set()
        runner.stop()


def test_real_time_grid_run_records_every_frame_it_produced(tmp_path):
    script = tmp_path / "grid.json"
    script.write_text('[{"at": 0, "do": "cut", "scene": "GRID"}]')
    output = tmp_path / "grid.mkv"
    result = run_studio("run", "--duration", "3", "--record", str(output), "--script", str(script))
    assert result.returncode == 0, result.stderr
    summary = run_summary(result.stderr)
    assert summary.produced + summary.dropped == 90  # every tick of 3 s is accounted for
    assert summary.repeated >= summary.dropped  # a skipped tick is a repeated picture in the file
    assert summary.recorded == 90 and summary.encoder_dropped == 0
    probe = ffprobe(output)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == summary.recorded


def test_overlay_appears_from_its_tick_and_only_in_its_box(tmp_path):
    show = builtin_show("demo")
    engine = build_engine(show, virtual_clock=True, tick_limit=20)
    banner = np.zeros((100, 200, 4), np.uint8)
    banner[:] = (255, 255, 255, 255)
    engine.start_recording(tmp_path / "overlay.mkv")
    engine.show_overlay("banner", banner, 100, 900, at_ns=10 * 1_000_000_000 // 30)
    engine.start()
    assert engine.wait(60)
    engine.stop()
    for index, rgb in decode_rgb_frames(tmp_path / "overlay.mkv"):
        box = median_rgb(rgb[910:990, 110:290])
        assert_colour_near(box, (255, 255, 255) if index >= 10 else (200, 40, 40), what=f"frame {index} banner box")
        assert_colour_near(median_rgb(rgb[:800]), (200, 40, 40), what=f"frame {index} rest")


def test_mp4_target_records_mkv_and_remuxes_on_stop(tmp_path):
    output = tmp_path / "show.mp4"
    result = run_studio("run", "--virtual-clock", "--duration", "2", "--record", str(output))
    assert result.returncode == 0, result.stderr
    for path in (output, output.with_suffix(".mkv")):
        video = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
        assert int(video["nb_read_frames"]) == 60


def record_virtual(show_data: dict, ticks: int, path) -> dict:
    """Record `ticks` frames of a show on the virtual clock; return ffprobe's streams by type."""
    engine = build_engine(parse_show(show_data), virtual_clock=True, tick_limit=ticks)
    engine.start_recording(path)
    engine.start()
    assert engine.wait(60)
    engine.stop()
    return {stream["codec_type"]: stream for stream in ffprobe(path)["streams"]}


def test_vertical_canvas_for_phone_platforms(tmp_path, demo_show_data):
    demo_show_data["canvas"] = {"width": 1080, "height": 1920, "fps": 30}
    video = record_virtual(demo_show_data, 3, tmp_path / "vertical.mkv")["video"]
    assert (video["width"], video["height"], int(video["nb_read_frames"])) == (1080, 1920, 3)
    _, rgb = next(decode_rgb_frames(tmp_path / "vertical.mkv"))
    # FRONT (16:9) is letterboxed into the middle of the tall canvas.
    assert_colour_near(median_rgb(rgb[900:1000]), (200, 40, 40), what="middle")
    assert_colour_near(median_rgb(rgb[:200]), (0, 0, 0), what="top bar")


def test_recording_at_25_fps_keeps_exact_audio_blocks(tmp_path, demo_show_data):
    demo_show_data["canvas"] = {"width": 1280, "height": 720, "fps": 25}
    video = record_virtual(demo_show_data, 50, tmp_path / "pal.mkv")["video"]
    assert video["avg_frame_rate"] == "25/1" and int(video["nb_read_frames"]) == 50
    import av

    with av.open(str(tmp_path / "pal.mkv")) as container:
        audio_samples = sum(frame.samples for frame in container.decode(audio=0))
    assert abs(audio_samples / 48_000 - 2.0) <= 1 / 25  # 50 blocks of 1920 samples, within a frame


def test_recording_survives_kill_9_up_to_within_a_second(tmp_path):
    import os
    import re
    import signal
    import subprocess
    import sys

    output = tmp_path / "killed.mkv"
    process = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--duration", "30", "--record", str(output)],
        stderr=subprocess.PIPE,
        text=True,
    )
    frames_at_kill = 0
    try:
        for line in process.stderr:  # one status line a second: wait until 4 s are encoded
            if line.startswith("frame="):
                frames_at_kill = int(re.search(r"encoded=(\d+)", line).group(1))
                if frames_at_kill >= 120:
                    os.kill(process.pid, signal.SIGKILL)
                    break
    finally:
        process.kill()
        process.wait(10)
    assert frames_at_kill >= 120
    decoded = sum(1 for _ in decode_rgb_frames(output))
    # Everything the encoder had written, up to within one second (30 frames), is playable. (How
    # far the encoder is behind the program is the machine's business: its queue holds up to 2 s.)
    assert decoded >= frames_at_kill - 30, (decoded, frames_at_kill)
