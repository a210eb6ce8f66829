"""Filters whose whole effect is a smooth change of luma worked out per 2x2 block (at the size
chroma has), smoothed up to full size and added to every pixel: skin smoothing.

Adding the change is a full-size pass (cv2.pyrUp, then cv2.addWeighted), the larger part of such a
filter's cost. A colour-map table's output has the same shape (its luma residual per block,
yuv_table.py), so when such a filter directly follows a composed run of colour maps, the chain
hands it to the run, which adds the two changes together before its one full-size pass.
"""

from __future__ import annotations

from abc import abstractmethod

import cv2
import numpy as np

from studio.engine.filters.base import VideoFilter
from studio.engine.frames import Frame, i420_planes, new_i420

#: A change is stored as change + 128 in uint8 (so -128 ... +127 code values).
CHANGE_BIAS = 128.0


def add_block_change(y: np.ndarray, biased_change: np.ndarray, out_y: np.ndarray) -> None:
    """out_y = y + the per-block change (biased by 128), smoothed up to full size; rounded and
    saturated in the same pass."""
    height, width = y.shape
    cv2.addWeighted(y, 1.0, cv2.pyrUp(biased_change, dstsize=(width, height)), 1.0, -CHANGE_BIAS, dst=out_y)


class LumaChangeFilter(VideoFilter):
    @abstractmethod
    def luma_change(self, half_y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """uint8 (height/2, width/2): the change for each 2x2 block's luma, + 128, from the
        blocks' mean luma and the U and V planes (all uint8, height/2 by width/2)."""

    def apply(self, frame: Frame) -> Frame:
        if self.changes_nothing:
            return frame
        width, height = frame.width, frame.height
        y, u, v = i420_planes(frame.i420, width, height)
        half_y = cv2.resize(y, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        change = self.luma_change(half_y, u, v)
        smallest, largest, _, _ = cv2.minMaxLoc(change)
        if smallest == largest == CHANGE_BIAS:
            return frame  # nothing to change (no skin in the picture): skip the full-size pass
        out = new_i420(width, height)
        out[height:] = frame.i420[height:]
        add_block_change(y, change, out[:height])
        return Frame(out, width, height, frame.captured_ns, frame.sequence, frame.alpha)
