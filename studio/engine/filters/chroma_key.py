"""Chroma key: makes the key colour (a green or blue screen) transparent, and removes the key
colour's spill from what is kept.

Both depend on a pixel's chroma only, so they are one 256 x 256 table over (U, V), computed
exactly in float64 when the settings are made; a frame costs one table read per 2x2 block.
- alpha: d = distance in the U/V plane from the key colour; fully transparent within
  `similarity`, ramping to opaque over `smoothness` (with OBS's 1.5 power, which keeps the ramp
  soft at the opaque end). It is computed per 2x2 block (the resolution chroma has) and smoothed
  up to full size.
- spill: chroma pointing toward the key colour (a green cast: G above R and B) is removed along
  the key's chroma axis, by `spill_reduction`; luma is left alone, so the edge keeps its
  brightness and loses only its green.
Alpha multiplies any alpha the frame already has.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import Field

from studio.engine.filters.base import FilterSettings, VideoFilter
from studio.engine.frames import Frame, i420_planes, new_i420, rgb_to_yuv
from studio.engine.sources.colour import RGBColour

NEUTRAL_UV = 128.0


class ChromaKeySettings(FilterSettings):
    key_colour: RGBColour = Field(
        (0, 255, 0), description="The screen's colour ('#00ff00' or [r, g, b]); pick it from the preview"
    )
    similarity: float = Field(
        80.0, ge=1.0, le=250.0, description="Colours this close to the key colour (U/V code values) become fully transparent"
    )
    smoothness: float = Field(20.0, ge=1.0, le=250.0, description="Width of the soft edge beyond that, in U/V code values")
    spill_reduction: float = Field(
        1.0, ge=0.0, le=1.0, description="How much of the key colour's cast is removed from what is kept (0 keeps it)"
    )


def key_tables(settings: ChromaKeySettings) -> np.ndarray:
    """(256 * 256,) uint32: for index U * 256 + V, alpha | U' << 8 | V' << 16 (little-endian bytes
    alpha, U', V', 0)."""
    _, key_u, key_v = rgb_to_yuv(tuple(settings.key_colour))
    u, v = np.meshgrid(np.arange(256, dtype=np.float64), np.arange(256, dtype=np.float64), indexing="ij")
    distance = np.hypot(u - key_u, v - key_v)
    ramp = np.clip((distance - settings.similarity) / settings.smoothness, 0.0, 1.0)
    alpha = 255.0 * ramp**1.5

    axis = np.array([key_u - NEUTRAL_UV, key_v - NEUTRAL_UV])
    length = float(np.hypot(*axis))
    if length > 1e-6:  # a grey key colour has no chroma direction to despill along
        axis /= length
        toward_key = np.maximum((u - NEUTRAL_UV) * axis[0] + (v - NEUTRAL_UV) * axis[1], 0.0)
        u = u - settings.spill_reduction * toward_key * axis[0]
        v = v - settings.spill_reduction * toward_key * axis[1]
    entries = np.stack([alpha, u, v, np.zeros_like(u)], axis=-1)
    return np.clip(np.rint(entries), 0, 255).astype(np.uint8).reshape(-1, 4).view(np.uint32).reshape(-1)


class ChromaKey(VideoFilter):
    kind = "chroma_key"
    title = "Chroma key"
    settings_model = ChromaKeySettings
    settings: ChromaKeySettings

    def __init__(self, settings: ChromaKeySettings) -> None:
        super().__init__(settings)
        self._table = key_tables(settings)

    def apply(self, frame: Frame) -> Frame:
        width, height = frame.width, frame.height
        y, u, v = i420_planes(frame.i420, width, height)
        out = new_i420(width, height)
        out_y, out_u, out_v = i420_planes(out, width, height)
        out_y[:] = y

        index = u.astype(np.uint32)
        index <<= 8
        index |= v
        sites = np.take(self._table, index).view(np.uint8).reshape(height // 2, width // 2, 4)
        block_alpha, new_u, new_v, _ = cv2.split(sites)
        out_u[:] = new_u
        out_v[:] = new_v

        alpha = cv2.pyrUp(block_alpha, dstsize=(width, height))
        if frame.alpha is not None:
            cv2.multiply(alpha, frame.alpha, dst=alpha, scale=1.0 / 255.0)
        return Frame(out, width, height, frame.captured_ns, frame.sequence, alpha)


PLUGINS = (ChromaKey,)
