"""Measures how long the GUI thread's event loop goes without turning: a precise timer asks to
run every `interval_ms`; any extra delay before it runs is time the loop was busy elsewhere (a
slow paint, a blocking call). The longest stall is what a seller feels as a frozen window."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class EventLoopStallMeter(QObject):
    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last_ns: int | None = None
        self.longest_stall_ms = 0.0
        self.stalls_over_16_ms = 0
        self.stalls_over_50_ms = 0
        self.samples = 0
        self.stall_histogram_ms: dict[int, int] = {}  # bucket lower bound (ms) -> count

    def start(self) -> None:
        self._last_ns = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now_ns = time.monotonic_ns()
        if self._last_ns is not None:
            stall_ms = max(0.0, (now_ns - self._last_ns) / 1e6 - self.interval_ms)
            self.samples += 1
            self.longest_stall_ms = max(self.longest_stall_ms, stall_ms)
            self.stalls_over_16_ms += stall_ms > 16
            self.stalls_over_50_ms += stall_ms > 50
            bucket = 0 if stall_ms < 1 else 1 << int(stall_ms).bit_length() - 1  # 0, 1, 2, 4, 8, ... ms
            self.stall_histogram_ms[bucket] = self.stall_histogram_ms.get(bucket, 0) + 1
        self._last_ns = now_ns
