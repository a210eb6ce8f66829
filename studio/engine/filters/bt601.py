"""The engine's YUV <-> RGB in floating point, with the coefficients OpenCV's cvtColor uses.

Frames are I420 made and shown by OpenCV (COLOR_BGR2YUV_I420 / COLOR_YUV2BGR_I420): BT.601,
limited range (Y 16-235, U/V 16-240 for sRGB colours). Filters that think in RGB (a .cube LUT,
white balance gains) use these float versions to build their tables, so what they compute agrees
with what OpenCV will show to within rounding. OpenCV's decoder also treats Y below 16 as 16
(it clamps Y - 16 at 0), and so does `yuv_to_rgb`.

Arrays are (..., 3) float64 in 8-bit code values: (Y, U, V) or (R, G, B), 0-255, not clipped
unless said.
"""

from __future__ import annotations

import numpy as np

_SCALE = float(1 << 20)

# OpenCV's fixed-point BT.601 coefficients (imgproc color_yuv.simd.hpp, ITUR_BT_601_*), / 2**20.
# Decode: columns are (Y - 16, U - 128, V - 128), rows R, G, B.
_DECODE = np.array(
    [
        [1220542, 0, 1673527],
        [1220542, -409993, -852492],
        [1220542, 2116026, 0],
    ],
    dtype=np.float64,
) / _SCALE
# Encode: columns R, G, B; rows Y, U, V (then + 16, 128, 128).
_ENCODE = np.array(
    [
        [269484, 528482, 102760],
        [-155188, -305135, 460324],
        [460324, -385875, -74448],
    ],
    dtype=np.float64,
) / _SCALE
_YUV_OFFSET = np.array([16.0, 128.0, 128.0])

#: Luma weights of R, G, B as the encoder applies them (Y - 16 = weights . RGB).
LUMA_WEIGHTS = _ENCODE[0].copy()


def yuv_to_rgb(yuv: np.ndarray) -> np.ndarray:
    """Engine YUV -> RGB code values, unclipped (clip to 0-255 for what OpenCV would show)."""
    shifted = np.asarray(yuv, dtype=np.float64) - _YUV_OFFSET
    shifted[..., 0] = np.maximum(shifted[..., 0], 0.0)
    return shifted @ _DECODE.T


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """RGB code values -> engine YUV, unrounded and unclipped."""
    return np.asarray(rgb, dtype=np.float64) @ _ENCODE.T + _YUV_OFFSET


def decode_matrix() -> np.ndarray:
    """(3, 3) RGB = M @ (Y - 16, U - 128, V - 128), for filters that fold it into their own matrix."""
    return _DECODE.copy()


def encode_matrix() -> np.ndarray:
    """(3, 3) (Y - 16, U - 128, V - 128) = M @ RGB."""
    return _ENCODE.copy()
