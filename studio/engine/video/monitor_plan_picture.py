"""A canvas's program picture composed straight at a monitor's size, for a canvas that only a
monitor watches (the app's vertical program monitor while nothing records or streams it).

Composing the full 1080x1920 picture only to shrink it for a monitor a few hundred pixels tall
would cost the program thread a full-size composition every tick (about 5 ms here). Instead the
plan (a scene, or a transition's two scenes) and the overlays are painted with their placements
scaled to the monitor's size (video/monitor_scene.py), each source scaled once, straight there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from studio.engine.frames import Frame, new_i420
from studio.engine.show import Canvas
from studio.engine.video.compositor import LayerPainter, SceneCompositor
from studio.engine.video.monitor_scene import ScaledLayerPainter, monitor_sized_compositor
from studio.engine.video.plan_picture import PlanPicture
from studio.engine.video.switcher import RenderPlan

OVERLAYS_KEPT = 32  # scaled overlay painters kept (a card is replaced by a new one at each run)


class MonitorPlanPicture:
    """One buffer at the monitor's size, the scaled compositors of the scenes it was asked for
    (made again when a show edit replaces the canvas's compositors) and the scaled overlays."""

    def __init__(self, fps: int, dip_colour: tuple[int, int, int]) -> None:
        self._fps = fps
        self._dip_colour = dip_colour
        self._size = (0, 0)
        self._canvas: Canvas | None = None
        self._picture: PlanPicture | None = None
        self._buffer: np.ndarray | None = None
        self._source: Mapping[str, SceneCompositor] | None = None
        self._scenes: dict[str, SceneCompositor] = {}
        self._overlays: dict[int, tuple[LayerPainter, ScaledLayerPainter]] = {}
        self.rebuilds = 0  # small canvases made (tests)

    def compose(
        self,
        plan: RenderPlan,
        compositors: Mapping[str, SceneCompositor],
        frames: Mapping[str, Frame | None],
        overlays: Iterable[tuple[LayerPainter, Frame]],
        width: int,
        height: int,
    ) -> np.ndarray:
        """The plan's picture at width x height (I420, valid until the next call)."""
        if (width, height) != self._size:
            # model_construct: a monitor can be smaller than the smallest canvas a show may ask for.
            self._canvas = Canvas.model_construct(width=width, height=height, fps=self._fps)
            self._picture = PlanPicture(self._canvas, self._dip_colour)
            self._buffer = new_i420(width, height)
            self._size, self._source = (width, height), None
            self._overlays.clear()
            self.rebuilds += 1
        if compositors is not self._source:
            self._source, self._scenes = compositors, {}
        assert self._canvas is not None and self._picture is not None and self._buffer is not None
        for scene_id in (plan.scene, plan.incoming):
            if scene_id is not None and scene_id not in self._scenes:
                self._scenes[scene_id] = monitor_sized_compositor(compositors[scene_id], width, height)
        self._picture.compose(plan, self._scenes, frames, self._scaled_overlays(overlays), self._buffer)
        return self._buffer

    def _scaled_overlays(self, overlays: Iterable[tuple[LayerPainter, Frame]]) -> list[tuple[LayerPainter, Frame]]:
        assert self._canvas is not None
        scaled = []
        for painter, frame in overlays:
            known = self._overlays.get(id(painter))
            if known is None or known[0] is not painter:
                if len(self._overlays) >= OVERLAYS_KEPT:
                    self._overlays.clear()
                known = self._overlays[id(painter)] = (painter, ScaledLayerPainter(painter, self._canvas))
            scaled.append((known[1], frame))
        return scaled
