"""Monitors (gui tier): a monitor asks for pictures at the size it shows them, reopens its tap
when resized, closes it while hidden, and paints a picture of its size pixel for pixel."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from studio.engine.outputs.video_tap import TapImage, TapPicture, fitted_size
from studio.gui.monitors import MonitorView

CANVAS = (1920, 1080)


class FakeTap:
    """Pictures as the engine makes them: the canvas fitted in the box the monitor asked for."""

    def __init__(self, max_width: int, max_height: int, rgb: np.ndarray | None = None) -> None:
        self.max_width, self.max_height = max_width, max_height
        self.width, self.height = fitted_size(*CANVAS, max_width, max_height)
        self.rgb = rgb if rgb is not None else checkerboard(self.width, self.height)
        self.sequence = 0

    def latest(self) -> TapPicture:
        self.sequence += 1
        return TapPicture(self.sequence, self.sequence, TapImage.from_rgb(self.rgb))


def checkerboard(width: int, height: int) -> np.ndarray:
    """One-pixel black and white squares, plus a red column: any scaling would blur them."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[(np.add.outer(np.arange(height), np.arange(width)) % 2) == 0] = 255
    rgb[:, width // 2] = (255, 0, 0)
    return rgb


class TapLog:
    def __init__(self) -> None:
        self.opened: list[FakeTap] = []
        self.closed: list[FakeTap] = []

    def open(self, width: int, height: int) -> FakeTap:
        tap = FakeTap(width, height)
        self.opened.append(tap)
        return tap

    def close(self, tap: FakeTap) -> None:
        self.closed.append(tap)


def shown_monitor(qtbot, size=(651, 373)) -> tuple[MonitorView, TapLog]:
    """651x373: the picture's place is 645 x 362.8 px, so drawing the 644x362 picture scaled
    into it would blur the checkerboard."""
    monitor = MonitorView("Program")
    qtbot.addWidget(monitor)
    monitor.resize(*size)
    monitor.show()
    qtbot.waitExposed(monitor)
    log = TapLog()
    monitor.attach(log.open, log.close)
    return monitor, log


def test_a_monitor_opens_its_tap_at_the_size_it_shows_and_reopens_after_a_resize(qtbot):
    monitor, log = shown_monitor(qtbot)
    ratio = monitor.devicePixelRatioF()
    assert len(log.opened) == 1
    tap = log.opened[0]
    assert abs(tap.width - monitor.picture_rect().width() * ratio) <= 2  # device pixels, width-limited
    assert abs(tap.height - monitor.picture_rect().height() * ratio) <= 2
    monitor.resize(966, 546)
    qtbot.waitUntil(lambda: len(log.opened) == 2, timeout=5000)  # once the resize has settled
    assert log.closed == [tap]
    assert abs(log.opened[1].width - monitor.picture_rect().width() * ratio) <= 2


def test_a_hidden_monitor_closes_its_tap_and_opens_one_when_shown_again(qtbot):
    monitor, log = shown_monitor(qtbot)
    monitor.hide()
    assert log.closed == log.opened and monitor.tap is None
    assert monitor.refresh() is False
    monitor.show()
    assert len(log.opened) == 2 and monitor.tap is log.opened[1]


def test_a_picture_of_the_shown_size_is_painted_pixel_for_pixel(qtbot):
    monitor, log = shown_monitor(qtbot)
    assert monitor.devicePixelRatioF() == 1.0  # offscreen: widget pixels are device pixels
    tap = log.opened[0]
    assert monitor.refresh() is True
    assert monitor.refresh() is True and len(log.opened) == 1
    grabbed = monitor.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = grabbed.width(), grabbed.height()
    pixels = np.frombuffer(grabbed.constBits(), np.uint8).reshape(height, grabbed.bytesPerLine())[:, : 3 * width].reshape(height, width, 3)
    target = monitor.picture_rect()
    left = round(target.center().x() - tap.width / 2)
    top = round(target.center().y() - tap.height / 2)
    # Away from the border and the name bar, the monitor shows the picture's own pixels.
    inner = (slice(10, tap.height // 2), slice(10, tap.width - 10))
    shown = pixels[top : top + tap.height, left : left + tap.width][inner]
    assert np.array_equal(shown, tap.rgb[inner])
