"""VideoTap: a small live picture of program, preview or one source, for a monitor on another
thread (the GUI's monitors and multiview). Latest picture only: a consumer that looks less often
than pictures arrive just sees the newest one, and the program thread never waits for it.

Pictures are downscaled plane by plane before the colour conversion, so a tap costs a fraction
of a full-size conversion (see benchmarks/gui_taps.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from studio.engine.frames import even, i420_planes

PROGRAM = "program"
PREVIEW = "preview"


@dataclass(frozen=True, slots=True)
class TapPicture:
    sequence: int  # counts up with each new picture: a consumer redraws only when it changes
    tick: int  # the program tick it shows
    rgb: np.ndarray  # (height, width, 3) uint8, never written again once published


class VideoTap:
    """`target` is "program", "preview" or a source id. Pictures fit in max_width x max_height
    with the target's aspect ratio kept; they are produced at most max_fps times a second."""

    def __init__(self, target: str, max_width: int, max_height: int, max_fps: int) -> None:
        self.target = target
        self.max_width = max(16, max_width)
        self.max_height = max(16, max_height)
        self.max_fps = max(1, max_fps)
        self._latest: TapPicture | None = None
        self._lock = threading.Lock()
        self._sequence = 0
        self.closed = False

    def latest(self) -> TapPicture | None:
        with self._lock:
            return self._latest

    def due(self, tick: int, program_fps: int) -> bool:
        """Program thread: is a picture wanted at this tick?"""
        return tick % max(1, round(program_fps / self.max_fps)) == 0

    def publish_i420(self, i420: np.ndarray, width: int, height: int, tick: int) -> None:
        """Program thread: downscale an I420 picture into a new RGB picture and publish it."""
        out_width, out_height = fitted_size(width, height, self.max_width, self.max_height)
        rgb = downscale_i420_to_rgb(i420, width, height, out_width, out_height)
        with self._lock:
            self._sequence += 1
            self._latest = TapPicture(self._sequence, tick, rgb)


def fitted_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The largest even size with the aspect ratio of width x height inside the box, never larger
    than the picture itself."""
    scale = min(max_width / width, max_height / height, 1.0)
    return max(2, even(width * scale)), max(2, even(height * scale))


def downscale_i420_to_rgb(i420: np.ndarray, width: int, height: int, out_width: int, out_height: int) -> np.ndarray:
    y, u, v = i420_planes(i420, width, height)
    small = np.empty((out_height * 3 // 2, out_width), np.uint8)
    small_y, small_u, small_v = i420_planes(small, out_width, out_height)
    shrink(y, small_y)
    shrink(u, small_u)
    shrink(v, small_v)
    return cv2.cvtColor(small, cv2.COLOR_YUV2RGB_I420)


def shrink(plane: np.ndarray, out: np.ndarray) -> None:
    """Halve with INTER_AREA while the picture is at least twice the target (every pixel
    averaged, so fine lines do not shimmer; OpenCV's fast path for exact halves), then finish
    with INTER_LINEAR, which is exact enough below a factor of two. About 5x cheaper than one
    INTER_AREA resize by an odd factor."""
    height, width = out.shape
    while plane.shape[1] >= 2 * width and plane.shape[0] >= 2 * height:
        plane = cv2.resize(plane, (plane.shape[1] // 2, plane.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if plane.shape == out.shape:
        out[:] = plane
    else:
        cv2.resize(plane, (width, height), dst=out, interpolation=cv2.INTER_LINEAR)
