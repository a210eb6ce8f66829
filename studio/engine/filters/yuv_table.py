"""Any colour map (a LUT, white balance, colour correction, or several of them composed), tabulated
once so that applying it to an I420 frame costs a few OpenCV calls and no RGB round trip.

An I420 frame has one (U, V) per 2x2 block of Y values. The table therefore has two parts:
- a luma curve: the map's Y output along the grey axis (U = V = 128), one uint8 entry per Y code
  value, applied to every pixel with cv2.LUT, so fine luma detail keeps the map's tone curve;
- a chroma-site table, indexed by the block's mean Y (every code value) and by U and V (lattice
  nodes every CHROMA_STEP code values, read bilinearly by cv2.remap): the map's U and V outputs,
  and the block's luma residual (the map's Y output minus what the luma curve already gave),
  which is smoothed up to full size (cv2.pyrUp) and added to every pixel of the block.
On flat colour the result is the map's exact output rounded once (the residual is taken against
the rounded curve, so rounding it adds no second rounding); across a colour edge the residual is
interpolated like chroma itself. Building costs 256 * 65 * 65 evaluations of the map (tens of ms
for arithmetic maps, about a second for a tetrahedral LUT on this machine): do it when settings
change, off the program thread, not per frame.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from studio.engine.filters.luma_change import CHANGE_BIAS, add_block_change
from studio.engine.frames import Frame, i420_planes, new_i420

#: (..., 3) float64 engine YUV code values in, the same shape out (unclipped: the table clips).
ColourMap = Callable[[np.ndarray], np.ndarray]
#: LumaChangeFilter.luma_change: (half-size Y, U, V) -> half-size change + 128, uint8.
LumaChange = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

# U/V lattice spacing, in code values. A .cube LUT's own lattice cells are about 8 U/V code
# values wide, and reading a resampled LUT bilinearly misses its kinks by a fraction of the step:
# with 4, a flat colour is within about 0.3 code values of the float64 composition (1 for a LUT
# that clips hard), twice as good as 8, for the same cost per frame (the table, 256 x 65 x 65 x 4
# float32 = 17 MB, is read at few places per frame). 2 would take seconds to build.
# U and V are integers and the step divides 32, so remap's 1/32-pixel weights are exact.
CHROMA_STEP = 4
_RESIDUAL_BIAS = CHANGE_BIAS  # the luma residual is stored + 128 so it fits uint8, like a luma change


class YuvTable:
    """A tabulated ColourMap for I420 frames. Immutable once built; safe to share across threads."""

    def __init__(self, colour_map: ColourMap, *, chroma_step: int = CHROMA_STEP) -> None:
        self.chroma_step = chroma_step
        code_values = np.arange(256, dtype=np.float64)
        grey = np.stack([code_values, np.full(256, 128.0), np.full(256, 128.0)], axis=-1)
        self.luma_curve = np.clip(np.rint(colour_map(grey)[:, 0]), 0, 255).astype(np.uint8)

        nodes = np.arange(0, 256 + chroma_step, chroma_step, dtype=np.float64)  # 0 ... 256
        node_count = len(nodes)
        y_grid, u_grid, v_grid = np.meshgrid(code_values, nodes, nodes, indexing="ij")
        mapped = colour_map(np.stack([y_grid, u_grid, v_grid], axis=-1))  # (256, U, V, 3)
        residual = mapped[..., 0] - self.luma_curve.astype(np.float64)[:, None, None] + _RESIDUAL_BIAS
        sites = np.zeros((256, node_count, node_count, 4), dtype=np.float32)
        # Clipped to 0-255 here so every bilinear read is in range too and converts to uint8
        # without a sign check.
        sites[..., 0] = np.clip(residual, 0, 255)
        sites[..., 1] = np.clip(mapped[..., 1], 0, 255)
        sites[..., 2] = np.clip(mapped[..., 2], 0, 255)
        # Atlas for cv2.remap: rows are V nodes, columns run through the U nodes of each mean-Y
        # slice in turn. A read never mixes two slices: the U coordinate stays below the slice's
        # last node (U <= 255 < 256).
        self._atlas = np.ascontiguousarray(sites.transpose(2, 0, 1, 3).reshape(node_count, 256 * node_count, 4))
        # remap coordinates are linear in the code values: x = mean_y * node_count + u / step,
        # y = v / step, each one cv2.addWeighted straight to float32.
        self._node_count = node_count

    def apply(self, frame: Frame, luma_change: LumaChange | None = None) -> Frame:
        """The mapped frame. `luma_change`, if given, is a LumaChangeFilter's luma_change() for the
        mapped picture (see luma_change.py); its change is added in the same full-size pass."""
        width, height = frame.width, frame.height
        y, u, v = i420_planes(frame.i420, width, height)
        out = new_i420(width, height)
        out_y, out_u, out_v = i420_planes(out, width, height)

        mean_y = cv2.resize(y, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        step = 1.0 / self.chroma_step
        map_x = cv2.addWeighted(mean_y, float(self._node_count), u, step, 0.0, dtype=cv2.CV_32F)
        map_y = cv2.addWeighted(v, step, v, 0.0, 0.0, dtype=cv2.CV_32F)
        sites = cv2.remap(self._atlas, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        # Rounds and saturates to uint8 (the values are already within 0-255, so "abs" is moot).
        residual, new_u, new_v, _ = cv2.split(cv2.convertScaleAbs(sites))
        out_u[:] = new_u
        out_v[:] = new_v
        if luma_change is not None:
            # The mapped picture's mean luma per block is the curve at the block's mean plus the
            # block's residual: exactly the map's output for the block's mean colour.
            mapped_half_y = cv2.addWeighted(cv2.LUT(mean_y, self.luma_curve), 1.0, residual, 1.0, -_RESIDUAL_BIAS)
            residual = cv2.addWeighted(residual, 1.0, luma_change(mapped_half_y, out_u, out_v), 1.0, -CHANGE_BIAS)

        cv2.LUT(y, self.luma_curve, dst=out_y)
        add_block_change(out_y, residual, out_y)
        return Frame(out, width, height, frame.captured_ns, frame.sequence, frame.alpha)
