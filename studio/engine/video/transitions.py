"""Transition renderers: combine the outgoing (A) and incoming (B) canvases at progress 0..1.

All work on whole I420 buffers (one contiguous array), so each is one or two vectorized calls.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.engine.frames import i420_planes
from studio.engine.show import Canvas, TransitionKind


def mix(a: np.ndarray, b: np.ndarray, progress: float, out: np.ndarray) -> None:
    cv2.addWeighted(a, 1.0 - progress, b, progress, 0.0, dst=out)


def wipe(a: np.ndarray, b: np.ndarray, progress: float, out: np.ndarray, canvas: Canvas) -> None:
    """B is revealed from the left edge; the edge sits on an even column so chroma lines up."""
    edge = int(canvas.width * progress) & ~1
    if out is not a:
        np.copyto(out, a)
    for plane_b, plane_out, column in zip(
        i420_planes(b, canvas.width, canvas.height),
        i420_planes(out, canvas.width, canvas.height),
        (edge, edge // 2, edge // 2),
        strict=True,
    ):
        plane_out[:, :column] = plane_b[:, :column]


def dip(a: np.ndarray, b: np.ndarray, progress: float, colour_i420: np.ndarray, out: np.ndarray) -> None:
    """Fade A to the colour over the first half, the colour to B over the second."""
    if progress < 0.5:
        mix(a, colour_i420, progress * 2.0, out)
    else:
        mix(colour_i420, b, (progress - 0.5) * 2.0, out)


def render_transition(
    kind: TransitionKind,
    a: np.ndarray,
    b: np.ndarray,
    progress: float,
    out: np.ndarray,
    canvas: Canvas,
    colour_i420: np.ndarray,
) -> None:
    if kind is TransitionKind.CUT or progress >= 1.0:
        np.copyto(out, b)
    elif kind is TransitionKind.MIX:
        mix(a, b, progress, out)
    elif kind is TransitionKind.WIPE:
        wipe(a, b, progress, out, canvas)
    elif kind is TransitionKind.DIP:
        dip(a, b, progress, colour_i420, out)
    else:
        raise AssertionError(kind)
