"""One tick's picture on one canvas from the switcher's plan: the program scene, or both scenes
of a transition combined, then the overlays on top. The main program and each extra canvas (the
vertical one) compose through this, each with its own buffers and compositors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from studio.engine.frames import Frame, fill_i420, new_i420
from studio.engine.show import Canvas
from studio.engine.video.compositor import LayerPainter, SceneCompositor
from studio.engine.video.switcher import RenderPlan
from studio.engine.video.transitions import render_transition


class PlanPicture:
    """Preallocated buffers for a transition's two scenes and its dip colour, on one canvas."""

    def __init__(self, canvas: Canvas, dip_colour: tuple[int, int, int]) -> None:
        self.canvas = canvas
        self._scene_a = new_i420(canvas.width, canvas.height)
        self._scene_b = new_i420(canvas.width, canvas.height)
        self._dip_colour = new_i420(canvas.width, canvas.height)
        fill_i420(self._dip_colour, canvas.width, canvas.height, dip_colour)

    @property
    def scratch(self) -> np.ndarray:
        """A canvas-sized buffer free between ticks (warm-up composes into it)."""
        return self._scene_a

    def compose(
        self,
        plan: RenderPlan,
        compositors: Mapping[str, SceneCompositor],
        frames: Mapping[str, Frame | None],
        overlays: Iterable[tuple[LayerPainter, Frame]],
        output: np.ndarray,
    ) -> None:
        outgoing = compositors[plan.scene]
        incoming = compositors[plan.incoming] if plan.incoming is not None else None
        if incoming is None:
            outgoing.compose(frames, output)
        else:
            outgoing.compose(frames, self._scene_a)
            incoming.compose(frames, self._scene_b)
            render_transition(plan.kind, self._scene_a, self._scene_b, plan.progress, output, self.canvas, self._dip_colour)
        for painter, frame in overlays:
            painter.paint(frame, output)
