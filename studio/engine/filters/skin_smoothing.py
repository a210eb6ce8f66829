"""Skin smoothing for the host: an edge-preserving smoothing of luma, only where chroma is skin.

- Edge-preserving: a self-guided filter (He, Sun and Tang) on luma. Where a window's luma
  varies much less than `edge_contrast` (skin texture, pores, small blemishes) it is flattened
  to the window's mean; where it varies more (eyes, lips, hair, the outline of the face, the
  product held up) it is kept. cv2.ximgproc is not in opencv-python, and a guided filter is
  only box filters, so it is written here.
- Skin only: a soft mask from U/V (the YCbCr skin cluster of Chai and Ngan, widened a little
  for webcams' colour, fading out over a few code values) and from luma (not in deep shadow),
  blurred a little so the mask's own edges do not show.
- Cost: the change is worked out per 2x2 block (half size, the resolution chroma has); the
  mask and the guided filter's coefficients at quarter size (He's "fast guided filter"). Only
  the change (smoothed minus original, times mask and strength) is brought up to full size and
  added (luma_change.py; right after a LUT, the chain adds it in the LUT's own pass), so detail
  finer than two pixels stays as the camera saw it: texture a few pixels across (blemishes,
  uneven skin; about 3 px per mm on a face filling a 1080p frame) is what is smoothed.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import Field

from studio.engine.filters.base import FilterSettings
from studio.engine.filters.luma_change import CHANGE_BIAS, LumaChangeFilter

# Skin cluster in the engine's limited-range U/V: Chai & Ngan's full-range Cb 77-127, Cr 133-173,
# scaled by 224/255 about 128 (U 84-127, V 132-168), widened a little for webcams' colour; the
# mask fades out over _SKIN_FADE, and is 0 from V = 128 down, so greys and whites are never skin.
SKIN_U_RANGE = (80.0, 130.0)
SKIN_V_RANGE = (134.0, 172.0)
_SKIN_FADE = 6.0
SKIN_MIN_Y = 40.0  # deep shadow: its chroma is mostly noise, and nobody smooths shadows
_MASK_BLUR_PX = 3  # quarter-size pixels


def _window(code_values: np.ndarray, low: float, high: float, fade: float) -> np.ndarray:
    """0-1: 1 inside [low, high], falling linearly to 0 over `fade` either side."""
    return np.clip(np.minimum(code_values - (low - fade), (high + fade) - code_values) / fade, 0.0, 1.0)


class SkinSmoothingSettings(FilterSettings):
    strength: float = Field(0.6, ge=0.0, le=1.0, description="How much of the smoothed skin is used: 0 leaves the picture")
    radius_px: int = Field(8, ge=2, le=40, description="Size of the texture smoothed away, in pixels")
    edge_contrast: float = Field(
        8.0, ge=1.0, le=64.0, description="Luma detail above this (code values) is an edge and kept; raise it to smooth more"
    )


class SkinSmoothing(LumaChangeFilter):
    kind = "skin_smoothing"
    title = "Skin smoothing"
    settings_model = SkinSmoothingSettings
    settings: SkinSmoothingSettings

    def __init__(self, settings: SkinSmoothingSettings) -> None:
        super().__init__(settings)
        code_values = np.arange(256, dtype=np.float64)
        self._mask_u = np.rint(255 * _window(code_values, *SKIN_U_RANGE, _SKIN_FADE)).astype(np.uint8)
        self._mask_v = np.rint(255 * _window(code_values, *SKIN_V_RANGE, _SKIN_FADE)).astype(np.uint8)
        self._mask_y = np.rint(255 * np.clip((code_values - SKIN_MIN_Y) / 16.0 + 1.0, 0.0, 1.0)).astype(np.uint8)

    @property
    def changes_nothing(self) -> bool:
        return self.settings.strength == 0.0

    def skin_weight(self, quarter_y: np.ndarray, quarter_u: np.ndarray, quarter_v: np.ndarray) -> np.ndarray:
        """float32 0-1 per quarter-size pixel: how much smoothing it gets (skin mask x strength)."""
        # min() is a fuzzy "and" of the three conditions, and costs next to nothing.
        mask = cv2.min(cv2.LUT(quarter_u, self._mask_u), cv2.LUT(quarter_v, self._mask_v))
        mask = cv2.min(mask, cv2.LUT(quarter_y, self._mask_y))
        mask = cv2.blur(mask, (_MASK_BLUR_PX, _MASK_BLUR_PX))
        return mask.astype(np.float32) * np.float32(self.settings.strength / 255.0)

    def luma_change(self, half_y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        s = self.settings
        half_size = (half_y.shape[1], half_y.shape[0])
        quarter_size = (half_size[0] // 2, half_size[1] // 2)
        if min(quarter_size) < 1:  # a picture a few pixels across has no skin texture to speak of
            return np.full_like(half_y, int(CHANGE_BIAS))
        quarter_y = cv2.resize(half_y, quarter_size, interpolation=cv2.INTER_AREA)
        weight = self.skin_weight(
            quarter_y,
            cv2.resize(u, quarter_size, interpolation=cv2.INTER_AREA),
            cv2.resize(v, quarter_size, interpolation=cv2.INTER_AREA),
        )

        # Guided filter coefficients at quarter size: q = mean(a) * I + mean(b), with
        # a = var / (var + eps) and b = (1 - a) * mean. radius_px is in full-size pixels.
        box = (2 * max(1, round(s.radius_px / 4)) + 1,) * 2
        mean = cv2.boxFilter(quarter_y, cv2.CV_32F, box)
        variance = cv2.sqrBoxFilter(quarter_y, cv2.CV_32F, box) - mean * mean
        gain = variance / (variance + np.float32(s.edge_contrast**2))
        offset = mean - gain * mean
        # The weighted change W (q - I) = W mean(b) - W (1 - mean(a)) I. Both factors are smooth,
        # so they are formed at quarter size and brought to half size as uint8 (flatten: 0-255
        # for 0-1), where one multiply and one weighted add make the change, offset by 128.
        flatten = cv2.convertScaleAbs((1.0 - cv2.blur(gain, box)) * weight, alpha=255.0)
        target = cv2.convertScaleAbs(cv2.blur(offset, box) * weight)
        flattened = cv2.multiply(cv2.pyrUp(flatten, dstsize=half_size), half_y, scale=1.0 / 255.0)
        return cv2.addWeighted(cv2.pyrUp(target, dstsize=half_size), 1.0, flattened, -1.0, CHANGE_BIAS)


PLUGINS = (SkinSmoothing,)
