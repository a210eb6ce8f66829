"""Screen capture: a display (or a region of it) as a CAPTURED source, through mss.

mss grabs with XGetImage/XShm on Linux (X11, or XWayland under Wayland, which sees only X
windows), GDI on Windows and CoreGraphics on macOS. Nothing delivers frames by itself, so
read_next() paces the grabs to the `fps` setting on the media clock and stamps each picture
with the clock when the grab returns.

mss is imported when a capture opens, not at module import, so the `screen` kind always exists
and a missing library is a NO SIGNAL reason instead of an unknown kind in the show file.
"""

from __future__ import annotations

import os
import sys
import threading
from types import ModuleType
from typing import Any

import cv2
import numpy as np
from pydantic import Field

from studio.engine.clock import NS_PER_SECOND, MediaClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame, even
from studio.engine.sources.base import SourceSettings, SourceTiming, VideoSource

MSS_MISSING = "the mss package is not installed (pip install mss)"


class ScreenSettings(SourceSettings):
    display: int = Field(
        1,
        ge=0,
        le=64,
        description="Which display: 1 = the first monitor, 2 = the second, ...; 0 = all monitors together",
        json_schema_extra={"device_picker": "screen"},
    )
    x: int = Field(0, ge=0, le=65_535, description="Left edge of the captured region, in pixels from the display's left")
    y: int = Field(0, ge=0, le=65_535, description="Top edge of the captured region, in pixels from the display's top")
    width: int | None = Field(
        None, ge=16, le=7680, multiple_of=2, description="Width of the region in pixels; empty = to the display's right edge"
    )
    height: int | None = Field(
        None, ge=16, le=4320, multiple_of=2, description="Height of the region in pixels; empty = to the display's bottom"
    )
    fps: int = Field(15, ge=1, le=60, description="Grabs per second; each grab of a large display costs CPU")


def import_mss() -> ModuleType:
    import mss

    return mss


def _new_screen_grabber(mss_module: ModuleType, x_display: str | None) -> Any:
    # mss 10.2 renamed the factory mss.mss() to the class mss.MSS (the old name warns).
    factory = getattr(mss_module, "MSS", None) or mss_module.mss
    if x_display is not None and sys.platform.startswith("linux"):
        return factory(display=x_display)
    return factory()


def _no_display_reason(error: Exception, x_display: str | None) -> str:
    if sys.platform.startswith("linux"):
        name = x_display if x_display is not None else os.environ.get("DISPLAY")
        if not name:
            return "no X display: DISPLAY is not set (screen capture needs an X11 or XWayland session)"
        return f"cannot connect to the X display {name!r} ({error})"
    return f"the screen cannot be captured ({error})"


def _open_grabber(x_display: str | None) -> tuple[Any, list[dict[str, int]]]:
    """(grabber, its monitors: [all together, first, second, ...]) or SourceUnavailable."""
    try:
        mss_module = import_mss()
    except ImportError:
        raise SourceUnavailable(f"screen capture unavailable: {MSS_MISSING}") from None
    grabber = None
    try:
        grabber = _new_screen_grabber(mss_module, x_display)
        monitors = [dict(monitor) for monitor in grabber.monitors]
    except (mss_module.ScreenShotError, OSError) as error:
        if grabber is not None:
            grabber.close()
        raise SourceUnavailable(f"screen capture unavailable: {_no_display_reason(error, x_display)}") from None
    return grabber, monitors


def list_displays(*, x_display: str | None = None) -> list[dict[str, int]]:
    """The monitors for a display picker, first monitor = index 1 (as `display` counts them);
    each {"index", "width", "height", "left", "top"}. [] when there is no display or no mss."""
    try:
        grabber, monitors = _open_grabber(x_display)
    except SourceUnavailable:
        return []
    grabber.close()
    return [
        {"index": index, "width": m["width"], "height": m["height"], "left": m["left"], "top": m["top"]}
        for index, m in enumerate(monitors)
        if index > 0
    ]


def capture_area(settings: ScreenSettings, monitors: list[dict[str, int]]) -> dict[str, int]:
    """The rectangle to grab, in the virtual screen's coordinates, or SourceUnavailable."""
    display_count = len(monitors) - 1
    if settings.display > display_count:
        raise SourceUnavailable(
            f"display {settings.display} not found; this machine has {display_count}"
            + (" (0 = all monitors together)" if display_count > 1 else "")
        )
    monitor = monitors[settings.display]
    display_width, display_height = monitor["width"], monitor["height"]
    width = settings.width if settings.width is not None else display_width - settings.x
    height = settings.height if settings.height is not None else display_height - settings.y
    if width < 2 or height < 2 or settings.x + width > display_width or settings.y + height > display_height:
        raise SourceUnavailable(
            f"the region {width}x{height} at {settings.x},{settings.y} does not fit display {settings.display} "
            f"({display_width}x{display_height})"
        )
    # I420 subsamples chroma 2x2: an odd whole-display size loses its last row or column.
    return {"left": monitor["left"] + settings.x, "top": monitor["top"] + settings.y, "width": even(width), "height": even(height)}


def frame_from_bgrx(bgrx: np.ndarray, captured_ns: int, sequence: int) -> Frame:
    """A screen grab (B, G, R, padding) as an opaque I420 frame. The fourth byte is padding, not
    alpha: X11 leaves it 0, which as alpha would make the whole screen transparent."""
    height, width = even(bgrx.shape[0]), even(bgrx.shape[1])
    i420 = cv2.cvtColor(bgrx[:height, :width], cv2.COLOR_BGRA2YUV_I420)
    return Frame(i420, width, height, captured_ns, sequence)


class ScreenSource(VideoSource):
    """A display or a region of it, grabbed `fps` times a second by the capture thread."""

    kind = "screen"
    settings_model = ScreenSettings
    timing = SourceTiming.CAPTURED
    settings: ScreenSettings

    def __init__(self, name: str, settings: ScreenSettings, clock: MediaClock, *, x_display: str | None = None) -> None:
        super().__init__(name, settings, clock)
        # None: $DISPLAY. Tests name their own X server instead of changing the environment.
        self._x_display = x_display
        self._label = f"display {settings.display}"
        self._sequence = 0
        self._next_grab_ns: int | None = None
        # Set by close() so a read waiting for its next grab time returns at once.
        self._closing = threading.Event()
        # close() may come from another thread while a grab runs; the reader closes the grabber
        # after the grab returns (mss before 10.2 has no lock of its own).
        self._state_lock = threading.Lock()
        self._grabber: Any = None
        self._area: dict[str, int] = {}
        self._reading = False
        self._close_after_read: Any = None

    @property
    def frame_interval_ns(self) -> int:
        return NS_PER_SECOND // self.settings.fps

    @classmethod
    def check_resources(cls, settings: ScreenSettings) -> tuple[str, str] | None:
        # A screen is not a device that is plugged in before the run; open() says what is wrong.
        return None

    def open(self) -> None:
        grabber, monitors = _open_grabber(self._x_display)
        try:
            area = capture_area(self.settings, monitors)
        except SourceUnavailable:
            grabber.close()
            raise
        with self._state_lock:
            self._grabber, self._area = grabber, area
        self._closing.clear()
        self._sequence = 0
        self._next_grab_ns = None

    def read_next(self) -> Frame:
        self._wait_for_grab_time()
        with self._state_lock:
            grabber, area = self._grabber, self._area
            if grabber is None:
                raise SourceUnavailable(f"{self._label} is not being captured")
            self._reading = True
        try:
            shot = grabber.grab(area)
            captured_ns = self.clock.now_ns()
            bgrx = np.asarray(shot)
        except Exception as error:  # mss's ScreenShotError: the X server went away, the display shrank
            raise SourceUnavailable(f"{self._label} could not be captured ({error})") from None
        finally:
            with self._state_lock:
                self._reading = False
                close_now, self._close_after_read = self._close_after_read, None
            if close_now is not None:
                close_now.close()
        self._sequence += 1
        return frame_from_bgrx(bgrx, captured_ns, self._sequence)

    def _wait_for_grab_time(self) -> None:
        interval_ns = self.frame_interval_ns
        now_ns = self.clock.now_ns()
        if self._next_grab_ns is None or now_ns - self._next_grab_ns > interval_ns:
            # First grab, or fell behind (machine busy): grab now rather than burst to catch up.
            self._next_grab_ns = now_ns
        # At most one frame interval on the monotonic clock; close() ends it at once.
        if not self.clock.wait_until(self._next_grab_ns, self._closing):
            raise SourceUnavailable(f"{self._label}: capture stopped")
        self._next_grab_ns += interval_ns

    def close(self) -> None:
        self._closing.set()
        with self._state_lock:
            grabber, self._grabber = self._grabber, None
            if grabber is None:
                return
            if self._reading:
                self._close_after_read = grabber
                return
        grabber.close()


PLUGINS = (ScreenSource,)
