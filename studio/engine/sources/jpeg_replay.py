"""A camera without a camera: JPEG pictures replayed at a camera's pace, behind the part of
cv2.VideoCapture that the camera plugin uses.

It stands where OpenCV's V4L2 capture of an MJPG camera stands, and behaves as that one does:
`read()` waits for the next picture at the frame rate on the media clock; it returns the JPEG
as the camera sent it (a 1 x N uint8 array) once CAP_PROP_CONVERT_RGB has been set to 0, or
else the picture decoded at full size to BGR (what OpenCV does inside read() by default);
CAP_PROP_POS_MSEC is the picture's arrival time, on the clock's own time line as a driver's
timestamp is on CLOCK_MONOTONIC. So CameraSource runs its real code on it: benchmarks and
tests open it through CameraSource's `open_capture` hook, like a real device.

`make_camera_pictures()` makes the pictures once: the test pattern at 1080p with a little
sensor noise, JPEG-compressed the way UVC cameras send MJPG (4:2:2 chroma, quality 80: about
300 KB a picture, roughly what a 1080p30 webcam sends).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import cv2
import numpy as np

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock

JPEG_QUALITY = 80
SENSOR_NOISE_SIGMA = 2.0  # grey levels: what keeps a real camera's JPEGs from compressing to nothing
# The longest a read() waits for its picture: a stopped clock (virtual, not advanced) must not
# hold the capture thread forever; a real camera driver gives up after a timeout too.
READ_TIMEOUT_S = 2.0


class JpegReplayCapture:
    """Replays `pictures` (each one JPEG as a 1-D uint8 array) in a loop at `fps`. With
    `raw_mode=False` it ignores CONVERT_RGB, like a backend without a raw mode: every picture is
    then decoded at full size inside read() (the camera path before decode-on-demand)."""

    def __init__(self, pictures: Sequence[np.ndarray], fps: int, clock: MediaClock, *, raw_mode: bool = True) -> None:
        if not pictures:
            raise ValueError("JpegReplayCapture needs at least one JPEG picture")
        self._pictures = [np.ascontiguousarray(picture, dtype=np.uint8).reshape(1, -1) for picture in pictures]
        full = cv2.imdecode(self._pictures[0], cv2.IMREAD_GRAYSCALE)
        if full is None:
            raise ValueError("JpegReplayCapture: the first picture is not a JPEG")
        self.width, self.height = int(full.shape[1]), int(full.shape[0])
        self.fps = fps
        self.raw_mode = raw_mode
        self._clock = clock
        self._interval_ns = NS_PER_SECOND // fps
        self._properties: dict[int, float] = {cv2.CAP_PROP_CONVERT_RGB: 1.0}
        self._next_ns: int | None = None
        self._arrival_ns = 0
        self._index = 0
        self._released = threading.Event()
        self.pictures_delivered = 0

    # -- what CameraSource calls -------------------------------------------------------------

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return not self._released.is_set()

    def set(self, prop: int, value: float) -> bool:
        if prop == cv2.CAP_PROP_CONVERT_RGB and not self.raw_mode:
            return False
        self._properties[prop] = value
        return True

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            return float(self.width)
        if prop == cv2.CAP_PROP_FRAME_HEIGHT:
            return float(self.height)
        if prop == cv2.CAP_PROP_FPS:
            return float(self.fps)
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self._arrival_ns / NS_PER_MS
        return self._properties.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        now_ns = self._clock.now_ns()
        if self._next_ns is None or now_ns - self._next_ns > self._interval_ns:
            # First read, or the reader fell behind: a camera with one buffer hands over its
            # newest picture, it does not queue old ones.
            self._next_ns = max(now_ns, self._next_ns or 0)
        if not self._wait_until(self._next_ns):
            return False, None
        self._arrival_ns = self._next_ns
        self._next_ns += self._interval_ns
        picture = self._pictures[self._index]
        self._index = (self._index + 1) % len(self._pictures)
        self.pictures_delivered += 1
        if self._properties.get(cv2.CAP_PROP_CONVERT_RGB, 1.0):
            return True, cv2.imdecode(picture, cv2.IMREAD_COLOR)
        return True, picture

    def release(self) -> None:
        self._released.set()

    def _wait_until(self, deadline_ns: int) -> bool:
        if self._clock.is_virtual:
            # Nobody may advance a virtual clock while we wait: give up after a bounded wait.
            return self._clock.wait_until(deadline_ns, _ReleasedOrTimedOut(self._released, READ_TIMEOUT_S))
        return self._clock.wait_until(deadline_ns, self._released)


class _ReleasedOrTimedOut:
    """The part of threading.Event that MediaClock.wait_until reads: set once the capture is
    released or `timeout_s` of wall time have passed."""

    def __init__(self, released: threading.Event, timeout_s: float) -> None:
        self._released = released
        self._deadline_s = time.monotonic() + timeout_s

    def is_set(self) -> bool:
        return self._released.is_set() or time.monotonic() >= self._deadline_s

    def wait(self, timeout_s: float | None = None) -> bool:
        remaining_s = max(0.0, self._deadline_s - time.monotonic())
        return self._released.wait(remaining_s if timeout_s is None else min(timeout_s, remaining_s)) or self.is_set()


def make_camera_pictures(
    name: str, rgb: tuple[int, int, int], *, count: int = 30, width: int = 1920, height: int = 1080, fps: int = 30
) -> list[np.ndarray]:
    """`count` different JPEG pictures of the test pattern (moving bar, running clock, noise band)
    with sensor noise, compressed like a UVC camera's MJPG."""
    from studio.engine.clock import VirtualClock
    from studio.engine.sources.test_pattern import TestPatternSettings, TestPatternSource

    pattern = TestPatternSource(name, TestPatternSettings(colour=rgb, width=width, height=height, fps=fps, noise=True), VirtualClock())
    pattern.open()
    # One field of sensor noise per camera, shifted for each picture: as grainy as fresh noise
    # for the JPEG encoder, at a fraction of the cost of drawing it anew.
    grain = np.random.default_rng(sum(map(ord, name))).normal(0.0, SENSOR_NOISE_SIGMA, (height, width, 3))
    # Saturating uint8 adds (OpenCV) are far cheaper than int16 arithmetic on 6 MB pictures.
    brighter = np.clip(grain, 0, 255).round().astype(np.uint8)
    darker = np.clip(-grain, 0, 255).round().astype(np.uint8)
    options = [
        cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
    ]
    pictures = []
    for index in range(count):
        bgr = pattern.render_at(index * NS_PER_SECOND // fps).to_bgr()
        shift = (index * 7, index * 13)
        noisy = cv2.subtract(cv2.add(bgr, np.roll(brighter, shift, axis=(0, 1))), np.roll(darker, shift, axis=(0, 1)))
        ok, encoded = cv2.imencode(".jpg", noisy, options)
        if not ok:
            raise RuntimeError("OpenCV could not encode a JPEG picture")
        pictures.append(encoded.reshape(-1))
    return pictures


def replay_camera_registry(pictures_per_device, roots, on_open, *, raw_mode: bool = True):
    """The default source registry with the camera plugin, unchanged, opening a JpegReplayCapture
    for device N with `pictures_per_device[N]`; `on_open(N, capture)` hears of each device opened
    (to count what it delivered). For benchmarks and tests of the real camera path."""
    from studio.engine.sources.camera import CameraSource
    from studio.engine.sources.registry import SourceRegistry, default_registry

    class ReplayCamera(CameraSource):
        def __init__(self, name, settings, clock) -> None:
            def open_capture(target, backend):
                capture = JpegReplayCapture(pictures_per_device[int(target)], settings.fps, clock, raw_mode=raw_mode)
                on_open(int(target), capture)
                return capture

            super().__init__(name, settings, clock, roots=roots, platform="linux", open_capture=open_capture)

    built_in = default_registry()
    registry = SourceRegistry()
    for kind in built_in.kinds:
        registry.register(ReplayCamera if kind == "camera" else built_in.plugin(kind))
    return registry
