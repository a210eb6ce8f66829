"""Test-pattern video: a fake camera that is a real source plugin.

Each instance has its own background colour and shows its name in large letters, a running
clock and frame counter, and a bar that moves, so a frozen, swapped or late source is obvious
on screen and in a decoded recording.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
from pydantic import Field

from studio.engine.clock import NS_PER_SECOND
from studio.engine.frames import Frame, i420_planes
from studio.engine.graphics.text import blend_bgra_onto_bgr, render_text_bgra
from studio.engine.sources.base import SourceSettings, SourceTiming, VideoSource
from studio.engine.sources.colour import RGBColour


class TestPatternSettings(SourceSettings):
    colour: RGBColour = Field((40, 90, 200), description="Background colour")
    width: int = Field(1280, ge=64, le=7680, multiple_of=2)
    height: int = Field(720, ge=64, le=4320, multiple_of=2)
    fps: int = Field(30, ge=1, le=120)
    label: str | None = Field(None, description="Text shown in large letters; the source name if empty")
    noise: bool = Field(
        False, description="A band of fresh noise every frame: keeps an encoder at its full bitrate (bandwidth tests)"
    )
    sync_flash: bool = Field(
        False, description="Whole frame white for the first frame of each whole second: the picture half of the sync pair"
    )
    open_delay_ms: int = Field(
        0, ge=0, le=10_000, description="Wait this long in open(), like a camera that takes time to start (tests)"
    )


class TestPatternSource(VideoSource):
    kind = "test_pattern"
    settings_model = TestPatternSettings
    timing = SourceTiming.RENDERED
    settings: TestPatternSettings
    __test__ = False  # not a pytest test class despite its name

    def __init__(self, name, settings, clock) -> None:
        super().__init__(name, settings, clock)
        self._template: np.ndarray | None = None

    @property
    def frame_interval_ns(self) -> int:
        return NS_PER_SECOND // self.settings.fps

    def open(self) -> None:
        if self.settings.open_delay_ms:
            # A slow device, simulated: open() runs on the source's own capture thread (or where
            # the engine opens sources), never inside render_at on the program thread.
            time.sleep(self.settings.open_delay_ms / 1000)
        if self._template is None:
            self._template = self._render_template()

    def _render_template(self) -> np.ndarray:
        """Everything that never changes, drawn once in BGR and converted to I420 once."""
        s = self.settings
        bgr = np.empty((s.height, s.width, 3), np.uint8)
        bgr[:] = s.colour[::-1]
        label = render_text_bgra(s.label or self.name, max(16, s.height // 5), outline_px=max(1, s.height // 180))
        blend_bgra_onto_bgr(bgr, label, (s.width - label.shape[1]) // 2, s.height // 2 - label.shape[0])
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)

    def render_at(self, media_time_ns: int) -> Frame:
        s = self.settings
        if self._template is None:
            # Not self.open(): a render must never take the simulated open delay.
            self._template = self._render_template()
        elapsed_ns = max(0, media_time_ns - self.show_start_ns)
        frame_number = elapsed_ns * s.fps // NS_PER_SECOND
        if s.sync_flash and elapsed_ns % NS_PER_SECOND < self.frame_interval_ns:
            return self._white_frame(media_time_ns, int(frame_number))
        i420 = self._template.copy()
        y, u, v = i420_planes(i420, s.width, s.height)
        unit = max(2, s.height // 90)
        # Clock and counter on a black box (Y=16, neutral chroma): drawn on luma only, which is cheap.
        box_top, box_height = s.height * 2 // 3, unit * 8
        box_left, box_right = s.width // 8, s.width * 7 // 8
        y[box_top : box_top + box_height, box_left:box_right] = 16
        u[box_top // 2 : (box_top + box_height) // 2, box_left // 2 : box_right // 2] = 128
        v[box_top // 2 : (box_top + box_height) // 2, box_left // 2 : box_right // 2] = 128
        total_ms = elapsed_ns // 1_000_000
        clock_text = "%02d:%02d:%02d.%03d  #%d" % (
            total_ms // 3_600_000, total_ms // 60_000 % 60, total_ms // 1000 % 60, total_ms % 1000, frame_number,
        )
        cv2.putText(
            y, clock_text, (box_left + unit * 2, box_top + unit * 6), cv2.FONT_HERSHEY_SIMPLEX,
            unit / 9, 235, max(1, unit // 3), cv2.LINE_AA,
        )
        # A white block sweeping left to right once every 2 s: motion shows a frozen source at once.
        block = even_at_least(unit * 6)
        travel = s.width - block
        x = even_at_least(travel * (elapsed_ns % (2 * NS_PER_SECOND)) // (2 * NS_PER_SECOND)) if travel > 0 else 0
        top = even_at_least(s.height * 5 // 6)
        y[top : top + block, x : x + block] = 235
        if s.noise:
            # Seeded by the frame number: the same frame is the same noise on any clock.
            band_top = even_at_least(s.height // 12)
            band = y[band_top : band_top + even_at_least(s.height // 6)]
            band[:] = np.random.default_rng(int(frame_number)).integers(16, 236, band.shape, dtype=np.uint8)
        u[top // 2 : (top + block) // 2, x // 2 : (x + block) // 2] = 128
        v[top // 2 : (top + block) // 2, x // 2 : (x + block) // 2] = 128
        return Frame(i420, s.width, s.height, media_time_ns, int(frame_number))


    def _white_frame(self, media_time_ns: int, frame_number: int) -> Frame:
        s = self.settings
        i420 = np.empty((s.height * 3 // 2, s.width), np.uint8)
        i420[: s.height] = 235  # limited-range white
        i420[s.height :] = 128
        return Frame(i420, s.width, s.height, media_time_ns, frame_number)


def even_at_least(value: int) -> int:
    return int(value) & ~1


PLUGINS = (TestPatternSource,)
