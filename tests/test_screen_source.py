"""The screen capture source on a real X server (a private Xvfb the tests paint with xsetroot)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from studio.engine.clock import NS_PER_SECOND, MonotonicClock, VirtualClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import rgb_to_yuv
from studio.engine.sources.base import SourceStatus
from studio.engine.sources.capture import SourceRunner
from studio.engine.sources.registry import default_registry
from studio.engine.sources.screen import ScreenSettings, ScreenSource, list_displays

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def screen_source(display_name: str, clock=None, **settings) -> ScreenSource:
    return ScreenSource("SCREEN", ScreenSettings(**settings), clock or MonotonicClock(), x_display=display_name)


def assert_solid(frame, rgb) -> None:
    expected_y, expected_u, expected_v = rgb_to_yuv(rgb)
    for plane, expected, name in ((frame.y, expected_y, "Y"), (frame.u, expected_u, "U"), (frame.v, expected_v, "V")):
        spread = int(np.abs(plane.astype(int) - expected).max())
        assert spread <= 2, f"{name} plane differs from {expected} by up to {spread}"
    median_bgr = np.median(frame.to_bgr().reshape(-1, 3), axis=0)
    assert np.abs(median_bgr - np.array(rgb[::-1])).max() <= 3, f"picture is {median_bgr[::-1]}, not {rgb}"
    assert frame.alpha is None, "a screen grab is opaque"


def unused_x_display() -> str:
    """A display number no X server listens on (no socket for it)."""
    number = next(n for n in range(900, 1000) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{number}"


def test_whole_display_is_captured_in_its_colour_and_size(private_x_display):
    private_x_display.paint("#ff0000")
    clock = MonotonicClock()
    source = screen_source(private_x_display.name, clock)
    source.open()
    try:
        before_ns = clock.now_ns()
        frame = source.read_next()
        after_ns = clock.now_ns()
        assert (frame.width, frame.height) == (private_x_display.width, private_x_display.height) == (640, 480)
        assert before_ns <= frame.captured_ns <= after_ns
        assert frame.sequence == 1
        assert_solid(frame, RED)
        # Every read is a fresh grab: a new colour shows in the next frame.
        private_x_display.paint("#0000ff")
        frame = source.read_next()
        assert frame.sequence == 2
        assert_solid(frame, BLUE)
    finally:
        source.close()
        source.close()  # safe twice


def test_a_region_gives_the_region_size(private_x_display):
    private_x_display.paint("#ff0000")
    source = screen_source(private_x_display.name, x=100, y=50, width=200, height=120)
    source.open()
    try:
        frame = source.read_next()
    finally:
        source.close()
    assert (frame.width, frame.height) == (200, 120)
    assert_solid(frame, RED)
    # Width and height left empty: to the display's right and bottom edges.
    source = screen_source(private_x_display.name, x=40, y=80)
    source.open()
    try:
        frame = source.read_next()
    finally:
        source.close()
    assert (frame.width, frame.height) == (600, 400)


def test_display_zero_is_all_monitors(private_x_display):
    source = screen_source(private_x_display.name, display=0)
    source.open()
    try:
        frame = source.read_next()
    finally:
        source.close()
    assert (frame.width, frame.height) == (640, 480)


def test_a_display_that_does_not_exist_is_named(private_x_display):
    source = screen_source(private_x_display.name, display=3)
    with pytest.raises(SourceUnavailable, match=r"^display 3 not found; this machine has 1$"):
        source.open()


def test_a_region_outside_the_display_is_refused(private_x_display):
    source = screen_source(private_x_display.name, x=600, width=100, height=100)
    with pytest.raises(SourceUnavailable, match=r"100x100 at 600,0 does not fit display 1 \(640x480\)"):
        source.open()


def test_no_x_server_gives_a_reason(monkeypatch):
    missing = unused_x_display()
    source = screen_source(missing)
    with pytest.raises(SourceUnavailable, match=rf"cannot connect to the X display '{missing}'"):
        source.open()
    monkeypatch.delenv("DISPLAY", raising=False)
    source = ScreenSource("SCREEN", ScreenSettings(), MonotonicClock())
    with pytest.raises(SourceUnavailable, match="DISPLAY is not set"):
        source.open()
    assert list_displays() == []
    assert list_displays(x_display=missing) == []


def test_list_displays(private_x_display):
    assert list_displays(x_display=private_x_display.name) == [
        {"index": 1, "width": 640, "height": 480, "left": 0, "top": 0}
    ]


class SelfAdvancingClock(VirtualClock):
    """A virtual clock that jumps to each deadline waited for, and records the deadlines: time
    passes exactly as the source asks, so its pacing can be read off."""

    def __init__(self, start_ns: int) -> None:
        super().__init__(start_ns)
        self.deadlines_ns: list[int] = []

    def wait_until(self, deadline_ns: int, stop: threading.Event) -> bool:
        self.deadlines_ns.append(deadline_ns)
        if deadline_ns > self.now_ns():
            self.advance_to(deadline_ns)
        return True


def test_reads_are_paced_to_fps_on_the_clock(private_x_display):
    start_ns = 5 * NS_PER_SECOND
    clock = SelfAdvancingClock(start_ns)
    source = screen_source(private_x_display.name, clock, fps=20)
    source.open()
    try:
        stamps = [source.read_next().captured_ns for _ in range(4)]
    finally:
        source.close()
    interval_ns = NS_PER_SECOND // 20
    expected = [start_ns + index * interval_ns for index in range(4)]
    assert clock.deadlines_ns == expected
    assert stamps == expected


def test_close_ends_a_read_waiting_for_its_grab_time(private_x_display):
    clock = VirtualClock(0)  # never advanced: the second read would wait for ever
    source = screen_source(private_x_display.name, clock, fps=1)
    source.open()
    outcome: list[object] = []

    def read_twice() -> None:
        try:
            source.read_next()
            source.read_next()
            outcome.append("returned")
        except SourceUnavailable as error:
            outcome.append(error)

    reader = threading.Thread(target=read_twice)
    reader.start()
    source.close()
    reader.join(timeout=10)
    assert not reader.is_alive(), "close() did not end the waiting read"
    assert len(outcome) == 1 and isinstance(outcome[0], SourceUnavailable)


def test_runs_in_the_engine_from_the_registry(private_x_display, monkeypatch):
    private_x_display.paint("#ff0000")
    # The registry builds sources as a show file names them: the X server comes from DISPLAY.
    monkeypatch.setenv("DISPLAY", private_x_display.name)
    registry = default_registry()
    assert "screen" in registry.kinds
    clock = MonotonicClock()
    source = registry.create("screen", "SCREEN", {"display": 1, "fps": 30}, clock)
    assert isinstance(source, ScreenSource)
    assert ScreenSource.check_resources(source.settings) is None
    live = threading.Event()
    runner = SourceRunner(
        "screen", source, clock, lambda _id, status, _reason: status is SourceStatus.LIVE and live.set()
    )
    runner.start(show_start_ns=0)
    try:
        assert live.wait(timeout=10), f"the screen source never went live (status {runner.status})"
        frame = runner.latest_frame()
        assert frame is not None and (frame.width, frame.height) == (640, 480)
        assert_solid(frame, RED)
    finally:
        runner.stop()
    assert runner.status is SourceStatus.CLOSED
