"""Pictures as they travel through the engine, and the slot a capture thread leaves them in.

The engine composes in I420 (planar YUV 4:2:0, BT.601 limited range: what OpenCV's
COLOR_BGR2YUV_I420 produces and what the H.264 encoder wants). Converting once at the source
and composing in YUV means the program never converts the whole canvas colour space per frame.
An I420 picture is one C-contiguous uint8 array of shape (height * 3 // 2, width): the Y plane,
then U, then V, so a whole picture can be blended or copied with one call.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np


def even(value: float) -> int:
    """Round down to an even integer: I420 chroma is subsampled 2x2, so geometry snaps to 2 px."""
    return int(value) & ~1


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture, immutable once published. `alpha` (height, width) is present only for sources
    with transparency (255 = opaque)."""

    i420: np.ndarray
    width: int
    height: int
    captured_ns: int
    sequence: int = 0
    alpha: np.ndarray | None = None

    @property
    def y(self) -> np.ndarray:
        return self.i420[: self.height]

    @property
    def u(self) -> np.ndarray:
        quarter = self.width * self.height // 4
        return self.i420[self.height :].reshape(-1)[:quarter].reshape(self.height // 2, self.width // 2)

    @property
    def v(self) -> np.ndarray:
        quarter = self.width * self.height // 4
        return self.i420[self.height :].reshape(-1)[quarter:].reshape(self.height // 2, self.width // 2)

    def to_bgr(self) -> np.ndarray:
        return cv2.cvtColor(self.i420, cv2.COLOR_YUV2BGR_I420)


def i420_planes(buffer: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of an I420 buffer (writes go into the buffer)."""
    quarter = width * height // 4
    chroma = buffer[height:].reshape(-1)
    return (
        buffer[:height],
        chroma[:quarter].reshape(height // 2, width // 2),
        chroma[quarter:].reshape(height // 2, width // 2),
    )


def new_i420(width: int, height: int) -> np.ndarray:
    return np.empty((height * 3 // 2, width), dtype=np.uint8)


def rgb_to_yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """One colour from sRGB 0-255 to the engine's YUV (BT.601 limited range, as OpenCV does)."""
    pixel = np.array([[list(rgb[::-1])] * 2] * 2, dtype=np.uint8)  # 2x2 BGR block
    yuv = cv2.cvtColor(pixel, cv2.COLOR_BGR2YUV_I420).reshape(-1)
    return int(yuv[0]), int(yuv[4]), int(yuv[5])


def fill_i420(buffer: np.ndarray, width: int, height: int, rgb: tuple[int, int, int]) -> None:
    y_value, u_value, v_value = rgb_to_yuv(rgb)
    y, u, v = i420_planes(buffer, width, height)
    y[:] = y_value
    u[:] = u_value
    v[:] = v_value


def frame_from_bgr(bgr: np.ndarray, captured_ns: int, sequence: int = 0) -> Frame:
    height, width = bgr.shape[:2]
    if width % 2 or height % 2:
        bgr = bgr[: even(height), : even(width)]
        height, width = bgr.shape[:2]
    return Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420), width, height, captured_ns, sequence)


def frame_from_bgra(bgra: np.ndarray, captured_ns: int, sequence: int = 0) -> Frame:
    """A picture with transparency; alpha is kept unless the picture is fully opaque."""
    height, width = even(bgra.shape[0]), even(bgra.shape[1])
    bgra = bgra[:height, :width]
    i420 = cv2.cvtColor(np.ascontiguousarray(bgra[:, :, :3]), cv2.COLOR_BGR2YUV_I420)
    alpha = np.ascontiguousarray(bgra[:, :, 3])
    return Frame(i420, width, height, captured_ns, sequence, None if alpha.min() == 255 else alpha)


def solid_frame(width: int, height: int, rgb: tuple[int, int, int], captured_ns: int = 0) -> Frame:
    buffer = new_i420(width, height)
    fill_i420(buffer, width, height, rgb)
    return Frame(buffer, width, height, captured_ns)


class LatestFrameSlot:
    """Where a capture thread leaves its newest frames for the program thread.

    Holds the last few frames (bounded) so the program can take the newest one stamped at or
    before its tick; the capture side never waits for the reader.
    """

    def __init__(self, depth: int = 4) -> None:
        self._frames: deque[Frame] = deque(maxlen=depth)
        self._lock = threading.Lock()
        self._published = 0

    def publish(self, frame: Frame) -> None:
        with self._lock:
            self._frames.append(frame)
            self._published += 1

    @property
    def published_count(self) -> int:
        return self._published

    def latest(self) -> Frame | None:
        with self._lock:
            return self._frames[-1] if self._frames else None

    def latest_at_or_before(self, media_time_ns: int) -> Frame | None:
        """Newest frame stamped at or before media_time_ns; the oldest held one if all are newer
        (a frame a little in the future is better than none)."""
        with self._lock:
            for frame in reversed(self._frames):
                if frame.captured_ns <= media_time_ns:
                    return frame
            return self._frames[0] if self._frames else None

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
