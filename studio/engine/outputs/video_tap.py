"""VideoTap: a small live picture of program, preview or one source, for a monitor on another
thread (the GUI's monitors and multiview). Latest picture only: a consumer that looks less often
than pictures arrive just sees the newest one, and the program thread never waits for it.

The program thread's share is kept small, because every millisecond it spends here is taken
from the show (see benchmarks/gui.py):
- it only halves: a picture is shrunk by exact halvings (OpenCV's INTER_AREA fast path, every
  pixel averaged) towards the size the monitor shows it at (the GUI opens its taps in device
  pixels), into a new I420 copy, the program's buffers being reused next tick;
- taps that watch the same frame at the same size in one tick share one picture (TickScaler);
- the rest (the last resize, below a factor of two, and the colour conversion) happens at the
  small size on first use, on the consumer's thread (TapImage.rgb / TapImage.bgrx).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from studio.engine.frames import i420_planes

PROGRAM = "program"
PREVIEW = "preview"
CANVAS_TAP_PREFIX = "canvas:"  # "canvas:vertical": another canvas's program
CANVAS_PREVIEW_TAP_PREFIX = "canvas-preview:"  # "canvas-preview:vertical": the preview scene there


class TapImage:
    """One small picture, shared by every tap that shows the same frame at the same size.

    Holds an I420 copy at most twice its size, made by the program thread; the reader finishes
    it on first use: the last
    resize to width x height, then the RGB (numpy consumers, tests) or BGRX (the bytes of a Qt
    RGB32 image on a little-endian machine, which Qt draws with a plain copy) conversion, each
    kept. Nothing is written again once made: two readers finishing it at once would each make
    the same arrays, so no lock is needed."""

    __slots__ = ("width", "height", "_i420", "_i420_size", "_finished", "_rgb", "_bgrx")

    def __init__(
        self, width: int, height: int, i420: np.ndarray | None = None, *, i420_size: tuple[int, int] | None = None, rgb: np.ndarray | None = None
    ) -> None:
        """`i420` is width x height, or `i420_size` when it still needs its last resize."""
        if i420 is None and rgb is None:
            raise ValueError("a TapImage needs its I420 or its RGB pixels")
        self.width, self.height = width, height
        self._i420, self._rgb = i420, rgb
        self._i420_size = i420_size or (width, height)
        # Made on first use and only ever set once, from fields that never change: two readers
        # racing each make the same array, never a mix.
        self._finished: np.ndarray | None = i420 if self._i420_size == (width, height) else None
        self._bgrx: np.ndarray | None = None

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> TapImage:
        """A picture that already is RGB (height, width, 3) uint8: for fakes and stills."""
        height, width, _ = rgb.shape
        return cls(width, height, rgb=rgb)

    def _finished_i420(self) -> np.ndarray:
        finished = self._finished
        if finished is None:
            assert self._i420 is not None
            finished = self._finished = downscale_i420(self._i420, *self._i420_size, self.width, self.height)
        return finished

    @property
    def rgb(self) -> np.ndarray:
        """(height, width, 3) uint8, made on first use."""
        if self._rgb is None:
            self._rgb = cv2.cvtColor(self._finished_i420(), cv2.COLOR_YUV2RGB_I420)
        return self._rgb

    @property
    def bgrx(self) -> np.ndarray:
        """(height, width, 4) uint8 in B, G, R, 255 order, made on first use."""
        if self._bgrx is None:
            if self._i420 is not None:
                self._bgrx = cv2.cvtColor(self._finished_i420(), cv2.COLOR_YUV2BGRA_I420)
            else:
                self._bgrx = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2BGRA)
        return self._bgrx


@dataclass(frozen=True, slots=True)
class TapPicture:
    sequence: int  # counts up with each new picture: a consumer redraws only when it changes
    tick: int  # the program tick it shows
    image: TapImage  # possibly shared with other taps' pictures of the same tick

    @property
    def rgb(self) -> np.ndarray:
        return self.image.rgb


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

    def picture_size(self, width: int, height: int) -> tuple[int, int]:
        """The size this tap's pictures of a width x height frame have."""
        return fitted_size(width, height, self.max_width, self.max_height)

    def publish(self, image: TapImage, tick: int) -> None:
        """Program thread: make `image` this tap's newest picture."""
        with self._lock:
            self._sequence += 1
            self._latest = TapPicture(self._sequence, tick, image)


class TickScaler:
    """One tick's tap pictures, each made once: taps that watch the same frame (the same array)
    at the same size get the same TapImage, and taps of one frame at different sizes share its
    halvings. Make a new one for each tick; it holds the frames only until then."""

    def __init__(self) -> None:
        # Keyed by the frame array's id: the scaler holds the array, so the id is not reused meanwhile.
        self._images: dict[tuple[int, int, int], tuple[np.ndarray, TapImage]] = {}
        self._halved: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.scalings = 0  # pictures actually made (for tests and benchmarks)

    def image_for(self, tap: VideoTap, i420: np.ndarray, width: int, height: int) -> TapImage:
        """The tap's picture of an I420 frame of width x height: new, or the one already made
        this tick at the same size. (Even a source's frame, never written once published, is
        halved here: a reader shrinking it at full size would pay more, from a cold cache.)"""
        out_width, out_height = tap.picture_size(width, height)
        made = self._images.get((id(i420), out_width, out_height))
        if made is not None:
            return made[1]
        half_width, half_height = halved_size(width, height, out_width, out_height)
        halved = self._halved.get((id(i420), half_width, half_height))
        if halved is None:
            halved = (i420, halve_i420(i420, width, height, half_width, half_height))
            self._halved[(id(i420), half_width, half_height)] = halved
        image = TapImage(out_width, out_height, halved[1], i420_size=(half_width, half_height))
        self._images[(id(i420), out_width, out_height)] = (i420, image)
        self.scalings += 1
        return image


def fitted_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The even size nearest to width x height's aspect ratio inside the box, never larger than
    the picture itself (nearest, not rounded down: 1280x720 in 284x160 is 284x160, not 284x158)."""
    scale = min(max_width / width, max_height / height, 1.0)

    def side(length: int, limit: int) -> int:
        return max(2, min(min(limit, length) & ~1, round(length * scale / 2) * 2))

    return side(width, max_width), side(height, max_height)


def halved_size(width: int, height: int, out_width: int, out_height: int) -> tuple[int, int]:
    """The size exact halvings of width x height reach while still at least twice out_width x
    out_height; every step stays a multiple of two, as I420 needs (else the halving stops)."""
    while width >= 2 * out_width and height >= 2 * out_height and width % 4 == 0 and height % 4 == 0:
        width, height = width // 2, height // 2
    return width, height


def halve_i420(i420: np.ndarray, width: int, height: int, out_width: int, out_height: int) -> np.ndarray:
    """A new I420 picture of out_width x out_height, a power-of-two fraction of width x height
    (see halved_size), each plane averaged with INTER_AREA's exact-halving fast path; a copy
    even at the same size, as the frame's buffer may be reused once the tick is over."""
    y, u, v = i420_planes(i420, width, height)
    halved = np.empty((out_height * 3 // 2, out_width), np.uint8)
    for plane, out in zip((y, u, v), i420_planes(halved, out_width, out_height), strict=True):
        while plane.shape[1] > 2 * out.shape[1]:
            plane = cv2.resize(plane, (plane.shape[1] // 2, plane.shape[0] // 2), interpolation=cv2.INTER_AREA)
        if plane.shape == out.shape:
            out[:] = plane  # no halving: a plain copy
        else:  # the last halving, straight into the copy
            cv2.resize(plane, (out.shape[1], out.shape[0]), dst=out, interpolation=cv2.INTER_AREA)
    return halved


def downscale_i420(i420: np.ndarray, width: int, height: int, out_width: int, out_height: int) -> np.ndarray:
    """A new I420 picture of out_width x out_height (a copy even at the same size)."""
    y, u, v = i420_planes(i420, width, height)
    small = np.empty((out_height * 3 // 2, out_width), np.uint8)
    small_y, small_u, small_v = i420_planes(small, out_width, out_height)
    shrink(y, small_y)
    shrink(u, small_u)
    shrink(v, small_v)
    return small


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
