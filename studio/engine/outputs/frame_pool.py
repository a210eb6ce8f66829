"""Program pictures shared between the program thread and the encode thread, without copies.

The program composes each tick into a buffer taken from this pool; the buffer travels through
the encode queue and comes back when the encoder has read it. The pool grows on demand up to a
bound (in frames, from seconds of video and MB of memory), so a slow encoder is absorbed by a
deeper queue instead of dropped frames, and memory can never grow past the bound.
"""

from __future__ import annotations

import threading

import numpy as np

from studio.engine.frames import new_i420


def pool_limit_frames(width: int, height: int, fps: int, max_seconds: float, max_mb: int) -> int:
    """How many program pictures fit in both bounds (never fewer than two)."""
    by_time = int(max_seconds * fps)
    by_memory = max_mb * 1_000_000 // (width * height * 3 // 2)
    return max(2, min(by_time, by_memory))


class PooledFrame:
    """One I420 program picture with a count of who still reads it."""

    __slots__ = ("i420", "_pool", "_holders")

    def __init__(self, i420: np.ndarray, pool: FramePool) -> None:
        self.i420 = i420
        self._pool = pool
        self._holders = 0

    def hold(self) -> PooledFrame:
        with self._pool._lock:
            self._holders += 1
        return self

    def release(self) -> None:
        self._pool._release(self)


class FramePool:
    def __init__(self, width: int, height: int, limit_frames: int) -> None:
        self.width, self.height = width, height
        self.limit_frames = limit_frames
        self._lock = threading.Condition()
        self._free: list[PooledFrame] = []
        self.allocated = 0

    @property
    def in_use(self) -> int:
        with self._lock:
            return self.allocated - len(self._free)

    def take(self) -> PooledFrame | None:
        """A picture held once by the caller, or None when every picture the bound allows is in
        use (the encoder is that far behind)."""
        with self._lock:
            if self._free:
                frame = self._free.pop()
            elif self.allocated < self.limit_frames:
                self.allocated += 1
                frame = PooledFrame(new_i420(self.width, self.height), self)
            else:
                return None
            frame._holders = 1
            return frame

    def wait_for_free(self, timeout_s: float) -> None:
        """Block until a picture comes back (the virtual clock's way of never dropping)."""
        with self._lock:
            if not self._free and self.allocated >= self.limit_frames:
                self._lock.wait(timeout_s)

    def _release(self, frame: PooledFrame) -> None:
        with self._lock:
            frame._holders -= 1
            if frame._holders == 0:
                self._free.append(frame)
                self._lock.notify()
            elif frame._holders < 0:
                raise RuntimeError("a pooled frame was released more often than it was held")
