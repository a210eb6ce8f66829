"""Colour correction: brightness, contrast, gamma on luma; saturation and hue on chroma.

Done in the engine's YUV without an RGB round trip: luma goes through one 256-entry curve
(cv2.LUT) and chroma through one 2x2 matrix (a scale and a rotation of (U - 128, V - 128)),
which is two cv2.addWeighted calls on the quarter-size U and V planes. Saturation and hue are
therefore YUV saturation and hue (as in ffmpeg's `hue` filter), not HSL ones: a cheap and smooth
approximation that keeps luma exactly where the luma settings put it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from pydantic import Field

from studio.engine.filters.base import ColourMapFilter, FilterSettings
from studio.engine.frames import Frame, i420_planes, new_i420

BLACK_Y = 16.0
WHITE_Y = 235.0
NEUTRAL_UV = 128.0


class ColourCorrectionSettings(FilterSettings):
    brightness: float = Field(0.0, ge=-1.0, le=1.0, description="Added to luma, as a fraction of black to white (0 leaves it)")
    contrast: float = Field(1.0, ge=0.0, le=4.0, description="Luma contrast around mid grey (1 leaves it, 0 is flat grey)")
    gamma: float = Field(1.0, ge=0.1, le=10.0, description="Luma gamma: above 1 lifts the mid-tones, below 1 darkens them")
    saturation: float = Field(1.0, ge=0.0, le=4.0, description="Colour intensity (1 leaves it, 0 is black and white)")
    hue_degrees: float = Field(0.0, ge=-180.0, le=180.0, description="Rotates every hue by this angle")


def luma_curve(settings: ColourCorrectionSettings, y: np.ndarray) -> np.ndarray:
    """The luma settings applied to float Y code values (unrounded, unclipped)."""
    level = (np.asarray(y, dtype=np.float64) - BLACK_Y) / (WHITE_Y - BLACK_Y)
    inside = np.clip(level, 0.0, 1.0)
    # Gamma acts on black-to-white only; super-black and super-white excursions stay linear
    # (a power of a negative level is undefined).
    level = inside ** (1.0 / settings.gamma) + (level - inside)
    level = (level - 0.5) * settings.contrast + 0.5 + settings.brightness
    return BLACK_Y + level * (WHITE_Y - BLACK_Y)


def chroma_matrix(settings: ColourCorrectionSettings) -> np.ndarray:
    """(2, 2): (U - 128, V - 128) -> the same after saturation and hue."""
    angle = math.radians(settings.hue_degrees)
    cosine, sine = math.cos(angle), math.sin(angle)
    return settings.saturation * np.array([[cosine, -sine], [sine, cosine]])


class ColourCorrection(ColourMapFilter):
    kind = "colour_correction"
    title = "Colour correction"
    settings_model = ColourCorrectionSettings
    settings: ColourCorrectionSettings

    def __init__(self, settings: ColourCorrectionSettings) -> None:
        super().__init__(settings)
        s = settings
        self._changes_luma = (s.brightness, s.contrast, s.gamma) != (0.0, 1.0, 1.0)
        self._changes_chroma = (s.saturation, s.hue_degrees) != (1.0, 0.0)
        curve = luma_curve(s, np.arange(256))
        self._luma_lut = np.clip(np.rint(curve), 0, 255).astype(np.uint8)
        self._chroma = chroma_matrix(s)

    @property
    def changes_nothing(self) -> bool:
        return not (self._changes_luma or self._changes_chroma)

    def colour_map(self, yuv: np.ndarray) -> np.ndarray:
        out = np.empty(np.shape(yuv), dtype=np.float64)
        out[..., 0] = luma_curve(self.settings, yuv[..., 0])
        out[..., 1:] = (np.asarray(yuv[..., 1:], dtype=np.float64) - NEUTRAL_UV) @ self._chroma.T + NEUTRAL_UV
        return out

    def apply(self, frame: Frame) -> Frame:
        if self.changes_nothing:
            return frame
        width, height = frame.width, frame.height
        y, u, v = i420_planes(frame.i420, width, height)
        out = new_i420(width, height)
        out_y, out_u, out_v = i420_planes(out, width, height)
        if self._changes_luma:
            cv2.LUT(y, self._luma_lut, dst=out_y)
        else:
            out_y[:] = y
        if self._changes_chroma:
            # U' - 128 = a (U - 128) + b (V - 128)  <=>  U' = a U + b V + 128 (1 - a - b); addWeighted
            # rounds and saturates to uint8 in the same pass.
            (uu, uv), (vu, vv) = self._chroma
            cv2.addWeighted(u, uu, v, uv, NEUTRAL_UV * (1.0 - uu - uv), dst=out_u)
            cv2.addWeighted(u, vu, v, vv, NEUTRAL_UV * (1.0 - vu - vv), dst=out_v)
        else:
            out[height:] = frame.i420[height:]
        return Frame(out, width, height, frame.captured_ns, frame.sequence, frame.alpha)


PLUGINS = (ColourCorrection,)
