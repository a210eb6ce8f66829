"""Sharpen: an unsharp mask on luma only.

Y' = Y + amount * (Y - gaussian_blur(Y, radius)), in one cv2.addWeighted (rounded, saturated).
Chroma is left alone: sharpening U/V only makes colour fringes, and the eye reads detail from
luma. An optional threshold leaves detail smaller than that many code values untouched, so a
cheap webcam's noise is not sharpened along with the fabric.
"""

from __future__ import annotations

import cv2
from pydantic import Field

from studio.engine.filters.base import FilterSettings, VideoFilter
from studio.engine.frames import Frame, i420_planes, new_i420


class SharpenSettings(FilterSettings):
    amount: float = Field(
        0.5, ge=0.0, le=5.0, description="How much detail is added back: 0 leaves the picture, 1 doubles fine contrast"
    )
    radius_px: float = Field(1.0, ge=0.3, le=10.0, description="Size of the detail sharpened, in pixels (the blur's sigma)")
    threshold: int = Field(
        0, ge=0, le=64, description="Detail smaller than this (luma code values) is left as it is, so noise is not sharpened"
    )


class Sharpen(VideoFilter):
    kind = "sharpen"
    title = "Sharpen"
    settings_model = SharpenSettings
    settings: SharpenSettings

    @property
    def changes_nothing(self) -> bool:
        return self.settings.amount == 0.0

    def apply(self, frame: Frame) -> Frame:
        if self.changes_nothing:
            return frame
        s = self.settings
        width, height = frame.width, frame.height
        y = i420_planes(frame.i420, width, height)[0]
        out = new_i420(width, height)
        out_y = out[:height]
        out[height:] = frame.i420[height:]
        blurred = cv2.GaussianBlur(y, (0, 0), sigmaX=s.radius_px, borderType=cv2.BORDER_REPLICATE)
        if s.threshold == 0:
            cv2.addWeighted(y, 1.0 + s.amount, blurred, -s.amount, 0.0, dst=out_y)
        else:
            sharpened = cv2.addWeighted(y, 1.0 + s.amount, blurred, -s.amount, 0.0)
            out_y[:] = y
            above = cv2.compare(cv2.absdiff(y, blurred), s.threshold, cv2.CMP_GT)
            cv2.copyTo(sharpened, above, out_y)
        return Frame(out, width, height, frame.captured_ns, frame.sequence, frame.alpha)


PLUGINS = (Sharpen,)
