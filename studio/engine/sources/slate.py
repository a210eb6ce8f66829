"""The NO SIGNAL slate shown in place of a source that has stopped delivering."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from studio.engine.frames import Frame
from studio.engine.graphics.text import blend_bgra_onto_bgr, render_text_bgra

SLATE_RGB = (24, 24, 28)


@lru_cache(maxsize=64)
def no_signal_slate(source_name: str, width: int, height: int) -> Frame:
    """A dark picture reading NO SIGNAL and the source's name; cached, since it never changes."""
    bgr = np.empty((height, width, 3), np.uint8)
    bgr[:] = SLATE_RGB[::-1]
    title = render_text_bgra("NO SIGNAL", max(12, height // 8), rgb=(235, 60, 60))
    name = render_text_bgra(source_name, max(10, height // 16), rgb=(220, 220, 220))
    blend_bgra_onto_bgr(bgr, title, (width - title.shape[1]) // 2, height // 2 - title.shape[0])
    blend_bgra_onto_bgr(bgr, name, (width - name.shape[1]) // 2, height // 2 + name.shape[0] // 2)
    return Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420), width, height, 0)
