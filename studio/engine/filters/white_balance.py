"""White balance: the light's colour temperature (K) and a green-magenta tint, and picking them
from a patch that should be white or grey.

The filter multiplies R, G and B by gains that turn the light's white (a black body at
`temperature_k`, then the tint) into the white of 6500 K, keeping that white's luma. Gains on
gamma-encoded RGB are what a camera's white balance does to within its curve, and they are a
3x3 matrix in YUV: the filter applies that matrix to the I420 planes directly (U and V at their
own resolution from the block's mean Y; luma plus a chroma term computed per 2x2 block),
without an RGB round trip.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from pydantic import Field

from studio.engine.errors import InputError
from studio.engine.filters import bt601
from studio.engine.filters.base import ColourMapFilter, FilterSettings
from studio.engine.frames import Frame, i420_planes, new_i420

NEUTRAL_TEMPERATURE_K = 6500.0
MIN_TEMPERATURE_K = 1700.0  # the range of Kim et al.'s Planckian locus approximation
MAX_TEMPERATURE_K = 25000.0
TINT_RANGE = 100.0  # tint +-100 halves / doubles the green gain
_OFFSET = np.array([16.0, 128.0, 128.0])
# sRGB primaries, XYZ -> linear RGB (IEC 61966-2-1).
_XYZ_TO_LINEAR_SRGB = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])


class WhiteBalanceSettings(FilterSettings):
    temperature_k: float = Field(
        NEUTRAL_TEMPERATURE_K,
        ge=MIN_TEMPERATURE_K,
        le=MAX_TEMPERATURE_K,
        description="Colour temperature of the light, in kelvin: 6500 leaves the picture, lower values cool down"
        " warm (tungsten) light",
    )
    tint: float = Field(0.0, ge=-TINT_RANGE, le=TINT_RANGE, description="Green-magenta: positive values remove a green cast")


def planckian_white(temperature_k: float) -> np.ndarray:
    """The sRGB-encoded colour (max channel 1) of a black body at this temperature."""
    t = float(np.clip(temperature_k, MIN_TEMPERATURE_K, MAX_TEMPERATURE_K))
    # Kim et al. (2002), cubic spline fit of the Planckian locus in CIE 1931 xy.
    if t <= 4000.0:
        x = -0.2661239e9 / t**3 - 0.2343589e6 / t**2 + 0.8776956e3 / t + 0.179910
    else:
        x = -3.0258469e9 / t**3 + 2.1070379e6 / t**2 + 0.2226347e3 / t + 0.240390
    if t <= 2222.0:
        y = -1.1063814 * x**3 - 1.34811020 * x**2 + 2.18555832 * x - 0.20219683
    elif t <= 4000.0:
        y = -0.9549476 * x**3 - 1.37418593 * x**2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x**3 - 5.87338670 * x**2 + 3.75112997 * x - 0.37001483
    linear = _XYZ_TO_LINEAR_SRGB @ np.array([x / y, 1.0, (1.0 - x - y) / y])
    # Below about 1900 K a black body is outside sRGB (no blue at all); a floor keeps gains finite.
    linear = np.maximum(linear / linear.max(), 1e-3)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def rgb_gains(settings: WhiteBalanceSettings) -> np.ndarray:
    """Per-channel gains on encoded RGB; the light's white keeps its luma."""
    light = planckian_white(settings.temperature_k)
    gains = planckian_white(NEUTRAL_TEMPERATURE_K) / light
    gains[1] *= 2.0 ** (-settings.tint / TINT_RANGE)
    return gains * (bt601.LUMA_WEIGHTS @ light) / (bt601.LUMA_WEIGHTS @ (gains * light))


def yuv_matrix(settings: WhiteBalanceSettings) -> np.ndarray:
    """(3, 3) acting on (Y - 16, U - 128, V - 128): the RGB gains seen from YUV."""
    return bt601.encode_matrix() @ np.diag(rgb_gains(settings)) @ bt601.decode_matrix()


class WhiteBalance(ColourMapFilter):
    kind = "white_balance"
    title = "White balance"
    settings_model = WhiteBalanceSettings
    settings: WhiteBalanceSettings

    def __init__(self, settings: WhiteBalanceSettings) -> None:
        super().__init__(settings)
        matrix = yuv_matrix(settings)
        self._matrix = matrix
        # Per 2x2 block, cv2.transform computes U', V' and the chroma part of Y' (row 0, scaled
        # by `_luma_scale` and offset by 128 so it fits uint8 with sub-code precision).
        chroma_part_max = 112.0 * (abs(matrix[0, 1]) + abs(matrix[0, 2]))
        self._luma_scale = min(4.0, 120.0 / chroma_part_max) if chroma_part_max > 1e-9 else 4.0
        site = np.zeros((3, 4))
        site[0, 1:3] = self._luma_scale * matrix[0, 1:]
        site[1:, :3] = matrix[1:]
        site[:, 3] = -site[:, :3] @ _OFFSET + np.array([128.0, 128.0, 128.0])
        self._site_matrix = site.astype(np.float32)

    @property
    def changes_nothing(self) -> bool:
        return self.settings.temperature_k == NEUTRAL_TEMPERATURE_K and self.settings.tint == 0.0

    def colour_map(self, yuv: np.ndarray) -> np.ndarray:
        return (np.asarray(yuv, dtype=np.float64) - _OFFSET) @ self._matrix.T + _OFFSET

    def apply(self, frame: Frame) -> Frame:
        if self.changes_nothing:
            return frame
        width, height = frame.width, frame.height
        y, u, v = i420_planes(frame.i420, width, height)
        out = new_i420(width, height)
        out_y, out_u, out_v = i420_planes(out, width, height)
        mean_y = cv2.resize(y, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        sites = cv2.transform(cv2.merge([mean_y, u, v]), self._site_matrix)
        luma_part, new_u, new_v = cv2.split(sites)
        out_u[:] = new_u
        out_v[:] = new_v
        # Y' = 16 + m00 (Y - 16) + chroma part, the chroma part smoothed up to full size.
        m00 = float(self._matrix[0, 0])
        offset = 16.0 - 16.0 * m00 - 128.0 / self._luma_scale
        cv2.addWeighted(y, m00, cv2.pyrUp(luma_part, dstsize=(width, height)), 1.0 / self._luma_scale, offset, dst=out_y)
        return Frame(out, width, height, frame.captured_ns, frame.sequence, frame.alpha)


def white_point_settings(frame: Frame, x: int, y: int, radius: int = 8) -> WhiteBalanceSettings:
    """Settings that make the square patch around (x, y) (frame pixels, half-side `radius` px)
    neutral: what "pick a white point" on the preview sets. InputError if the patch is too
    dark to tell its colour."""
    x0, x1 = max(0, x - radius) & ~1, min(frame.width, x + radius + 1)
    y0, y1 = max(0, y - radius) & ~1, min(frame.height, y + radius + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise InputError(f"({x}, {y}) is outside the {frame.width}x{frame.height} picture", field="white point")
    luma = float(frame.y[y0:y1, x0:x1].mean())
    u = float(frame.u[y0 // 2 : (y1 + 1) // 2, x0 // 2 : (x1 + 1) // 2].mean())
    v = float(frame.v[y0 // 2 : (y1 + 1) // 2, x0 // 2 : (x1 + 1) // 2].mean())
    patch = bt601.yuv_to_rgb(np.array([luma, u, v]))
    if patch.min() < 8.0:
        raise InputError("the picked patch is too dark or too colourful to be white; pick white or grey", field="white point")

    neutral = planckian_white(NEUTRAL_TEMPERATURE_K)

    def red_over_blue_corrected(temperature_k: float) -> float:
        light = planckian_white(temperature_k)
        return (patch[0] * neutral[0] / light[0]) / (patch[2] * neutral[2] / light[2])

    # Corrected red/blue falls as the assumed light gets warmer (lower K); find where it is 1.
    low, high = math.log(MIN_TEMPERATURE_K), math.log(MAX_TEMPERATURE_K)
    for _ in range(60):
        middle = 0.5 * (low + high)
        if red_over_blue_corrected(math.exp(middle)) > 1.0:
            high = middle  # still too red: the light is warmer than this
        else:
            low = middle
    temperature_k = round(math.exp(0.5 * (low + high)), 1)
    gains = rgb_gains(WhiteBalanceSettings(temperature_k=temperature_k))
    green_factor = (gains[0] * patch[0]) / (gains[1] * patch[1])
    tint = float(np.clip(-TINT_RANGE * math.log2(green_factor), -TINT_RANGE, TINT_RANGE))
    return WhiteBalanceSettings(temperature_k=temperature_k, tint=round(tint, 3))


PLUGINS = (WhiteBalance,)
