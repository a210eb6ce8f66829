"""A scene composed straight at a monitor's size (the preview monitor's picture).

The preview monitor shows a scene that is not on air. Composing it on the full canvas and then
shrinking the result would cost the program thread a second full-size composition every tick
(each source scaled up to 1080p only to be scaled down again). Instead each layer keeps the
placement it has on the canvas (the same part of its source) with the canvas rectangle scaled
to the monitor's size, and the scene is composed there: each source is scaled once, straight
into its small rectangle, for a fraction of the cost. A layer that covers the canvas covers
the monitor exactly, so the picture is the program's to within a pixel of rounding.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from studio.engine.frames import Frame, new_i420
from studio.engine.show import Canvas
from studio.engine.video.compositor import LayerPainter, Placement, Rect, SceneCompositor


class ScaledLayerPainter(LayerPainter):
    """Paints a layer onto a smaller canvas: the canvas painter's placement, its rectangle on
    the canvas scaled (edges on even pixels, as I420 needs)."""

    def __init__(self, canvas_painter: LayerPainter, canvas: Canvas) -> None:
        super().__init__(canvas_painter.layer, canvas)
        self._canvas_painter = canvas_painter
        self._scale_x = canvas.width / canvas_painter.canvas.width
        self._scale_y = canvas.height / canvas_painter.canvas.height
        self._scaled: dict[tuple[int, int], Placement | None] = {}

    def placement(self, frame: Frame) -> Placement | None:
        size = (frame.width, frame.height)
        if size not in self._scaled:
            if len(self._scaled) > 8:  # sources rarely change size; keep this bounded
                self._scaled.clear()
            self._scaled[size] = self._scale(self._canvas_painter.placement(frame))
        return self._scaled[size]

    def _scale(self, placement: Placement | None) -> Placement | None:
        if placement is None:
            return None
        whole = Rect(0, 0, self.canvas.width, self.canvas.height)
        if placement.covers_canvas:
            return Placement(placement.source_rect, whole, True)
        rect = placement.canvas_rect
        scaled = Rect(
            min(whole.x1, _even_round(rect.x0 * self._scale_x)),
            min(whole.y1, _even_round(rect.y0 * self._scale_y)),
            min(whole.x1, _even_round(rect.x1 * self._scale_x)),
            min(whole.y1, _even_round(rect.y1 * self._scale_y)),
        )
        if scaled.width < 2 or scaled.height < 2:
            return None  # too small to see at this size
        return Placement(placement.source_rect, scaled, scaled == whole)


def monitor_sized_compositor(compositor: SceneCompositor, width: int, height: int) -> SceneCompositor:
    """A compositor painting the same layers from the same sources onto a width x height canvas."""
    # model_construct: a monitor can be smaller than the smallest canvas a show may ask for.
    small = Canvas.model_construct(width=width, height=height, fps=compositor.canvas.fps)
    reduced = SceneCompositor([], small, str)
    reduced.painters = [(source_id, ScaledLayerPainter(painter, small)) for source_id, painter in compositor.painters]
    return reduced


def _even_round(value: float) -> int:
    return int(round(value / 2.0)) * 2


class MonitorSizedScene:
    """Composes a scene at a monitor's size, tick after tick, into one reused buffer. The small
    compositor is rebuilt only when the scene's compositor is replaced (a show edit makes new
    ones) or the size changes; at the canvas's own size the scene's compositor is used as is."""

    def __init__(self) -> None:
        self._source: SceneCompositor | None = None
        self._compositor: SceneCompositor | None = None
        self._buffer: np.ndarray | None = None
        self._size = (0, 0)
        self.rebuilds = 0  # small compositors made (for tests)

    def compose(self, compositor: SceneCompositor, frames: Mapping[str, Frame | None], width: int, height: int) -> np.ndarray:
        """The scene at width x height (I420, valid until the next call)."""
        if compositor is not self._source or (width, height) != self._size:
            at_canvas_size = (width, height) == (compositor.canvas.width, compositor.canvas.height)
            self._compositor = compositor if at_canvas_size else monitor_sized_compositor(compositor, width, height)
            self._source, self._size = compositor, (width, height)
            self.rebuilds += 1
            if self._buffer is None or self._buffer.shape != (height * 3 // 2, width):
                self._buffer = new_i420(width, height)
        assert self._compositor is not None and self._buffer is not None
        self._compositor.compose(frames, self._buffer)
        return self._buffer
