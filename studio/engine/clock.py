"""The one media clock. Every timestamp in the engine is integer nanoseconds on it.

Two implementations share one interface:
- MonotonicClock follows time.monotonic_ns(): live shows, cameras, microphones.
- VirtualClock only moves when the program thread advances it: file and synthetic sources,
  tests and benchmarks render as fast as the machine can, with exact, repeatable pts.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod

NS_PER_SECOND = 1_000_000_000
NS_PER_MS = 1_000_000


class MediaClock(ABC):
    """A monotonic source of integer-nanosecond media time."""

    @property
    @abstractmethod
    def is_virtual(self) -> bool:
        """True when time only moves when the program thread advances it."""

    @abstractmethod
    def now_ns(self) -> int:
        """Current media time."""

    @abstractmethod
    def wait_until(self, deadline_ns: int, stop: threading.Event) -> bool:
        """Block until the clock reaches deadline_ns or stop is set; True if the deadline was reached."""

    def release(self) -> None:
        """Let go of anything holding the program thread back (the engine is stopping)."""


class MonotonicClock(MediaClock):
    """Wall-clock media time from the OS monotonic clock."""

    is_virtual = False

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def wait_until(self, deadline_ns: int, stop: threading.Event) -> bool:
        while True:
            remaining_ns = deadline_ns - time.monotonic_ns()
            if remaining_ns <= 0:
                return True
            # Event.wait gives a bounded, interruptible sleep; a stop wakes us at once.
            if stop.wait(remaining_ns / NS_PER_SECOND):
                return False


class VirtualClock(MediaClock):
    """Media time that moves only when advance_to() is called (by the program thread)."""

    is_virtual = True

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns = start_ns
        self._changed = threading.Condition()

    def now_ns(self) -> int:
        return self._now_ns

    def advance_to(self, media_time_ns: int) -> None:
        with self._changed:
            if media_time_ns < self._now_ns:
                raise ValueError(f"virtual clock cannot go back from {self._now_ns} to {media_time_ns} ns")
            self._now_ns = media_time_ns
            self._changed.notify_all()

    def wait_until(self, deadline_ns: int, stop: threading.Event) -> bool:
        with self._changed:
            while self._now_ns < deadline_ns:
                if stop.is_set():
                    return False
                # Bounded wait so that a stop request is seen even if nobody advances the clock.
                self._changed.wait(0.05)
            return True


class SteppedClock(VirtualClock):
    """A virtual clock that the program may only advance as far as its owner allows: a test (or
    a frame-by-frame review) lets the show run one tick at a time and looks between ticks."""

    def __init__(self, start_ns: int = 0) -> None:
        super().__init__(start_ns)
        self._allowed_ns = start_ns
        self.waiting_for_ns: int | None = None  # the time the program thread waits to reach, if it waits

    def allow_until(self, media_time_ns: int) -> None:
        with self._changed:
            self._allowed_ns = max(self._allowed_ns, media_time_ns)
            self._changed.notify_all()

    def release(self) -> None:
        """Lift the limit: the engine is stopping and its program thread must not be held."""
        self.allow_until(2**62)

    def advance_to(self, media_time_ns: int) -> None:
        with self._changed:
            while media_time_ns > self._allowed_ns:
                self.waiting_for_ns = media_time_ns
                self._changed.wait(0.05)
            self.waiting_for_ns = None
        super().advance_to(media_time_ns)
