"""Crop and pad: cut pixels off the edges, then add a border (transparent or a colour).

All amounts are in the source's own pixels and even, because I420 keeps one chroma sample per
2x2 block: an odd crop would shift chroma against luma by half a block. A crop larger than the
picture (a camera that switched to a smaller mode) leaves at least a 2x2 picture rather than
failing, so the source stays on screen while the user fixes the numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from studio.engine.filters.base import FilterSettings, VideoFilter
from studio.engine.frames import Frame, fill_i420, i420_planes, new_i420
from studio.engine.sources.colour import RGBColour

_MAX_PX = 8192


def _edge(description: str) -> Any:
    return Field(0, ge=0, le=_MAX_PX, multiple_of=2, description=description)


class CropPadSettings(FilterSettings):
    crop_left_px: int = _edge("Pixels cut off the left edge (even)")
    crop_top_px: int = _edge("Pixels cut off the top edge (even)")
    crop_right_px: int = _edge("Pixels cut off the right edge (even)")
    crop_bottom_px: int = _edge("Pixels cut off the bottom edge (even)")
    pad_left_px: int = _edge("Pixels of border added on the left (even)")
    pad_top_px: int = _edge("Pixels of border added at the top (even)")
    pad_right_px: int = _edge("Pixels of border added on the right (even)")
    pad_bottom_px: int = _edge("Pixels of border added at the bottom (even)")
    pad_transparent: bool = Field(True, description="The border is transparent (else it is pad_colour)")
    pad_colour: RGBColour = Field((0, 0, 0), description="Colour of an opaque border")


class CropPad(VideoFilter):
    kind = "crop_pad"
    title = "Crop / pad"
    settings_model = CropPadSettings
    changes_size = True
    settings: CropPadSettings

    @property
    def changes_nothing(self) -> bool:
        return all(value == 0 for name, value in self.settings if name.endswith("_px"))

    def crop_window(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of what is kept, clamped so that at least 2x2 pixels remain."""
        s = self.settings
        x0 = min(s.crop_left_px, width - 2)
        y0 = min(s.crop_top_px, height - 2)
        x1 = max(width - s.crop_right_px, x0 + 2)
        y1 = max(height - s.crop_bottom_px, y0 + 2)
        return x0, y0, x1, y1

    def apply(self, frame: Frame) -> Frame:
        if self.changes_nothing:
            return frame
        s = self.settings
        x0, y0, x1, y1 = self.crop_window(frame.width, frame.height)
        kept_width, kept_height = x1 - x0, y1 - y0
        width = s.pad_left_px + kept_width + s.pad_right_px
        height = s.pad_top_px + kept_height + s.pad_bottom_px
        padded = (width, height) != (kept_width, kept_height)

        out = new_i420(width, height)
        if padded:
            fill_i420(out, width, height, tuple(s.pad_colour))
        left, top = s.pad_left_px, s.pad_top_px
        for source_plane, out_plane, scale in zip(
            i420_planes(frame.i420, frame.width, frame.height), i420_planes(out, width, height), (1, 2, 2), strict=True
        ):
            out_plane[top // scale : (top + kept_height) // scale, left // scale : (left + kept_width) // scale] = source_plane[
                y0 // scale : y1 // scale, x0 // scale : x1 // scale
            ]

        alpha = None
        if frame.alpha is not None or (padded and s.pad_transparent):
            alpha = np.full((height, width), 0 if s.pad_transparent else 255, dtype=np.uint8)
            kept = alpha[top : top + kept_height, left : left + kept_width]
            kept[:] = 255 if frame.alpha is None else frame.alpha[y0:y1, x0:x1]
        return Frame(out, width, height, frame.captured_ns, frame.sequence, alpha)


PLUGINS = (CropPad,)
