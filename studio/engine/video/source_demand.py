"""Which sources are seen, and how large: the demand the program thread hands to the sources.

What is visible is known on the program thread at each tick: the scene on program (and the
incoming one during a transition), the preview scene while a preview monitor is open, and each
source's own monitor (the multiview); on another canvas (the vertical one) the same scenes as
laid out there, while that canvas is composed (it records, streams or is watched) and while its
preview monitor is open. A source's demand is the largest box any of those shows it
in, (width_px, height_px), or None when none does: a camera then keeps reading its device but
decodes nothing, and one shown in a grid cell decodes at the cell's size (sources/mjpeg_decode.py).

A layer's box is its width x height on the canvas: what the picture is scaled to for STRETCH and
COVER, and what it fits inside for CONTAIN (a safe upper bound there), with the sides swapped
for a quarter turn. Preview is composed at canvas size and shown in its monitor's box, so its
layers count at that scale; a source's monitor fits the picture in its own box. A cropped layer
demands the source's full size: the crop is in the source's own pixels.

The demand is worked out again only when what decides it changes (scenes shown, monitors, a
show edit that brings new compositors or runners); each runner hears only of a change of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from studio.engine.outputs.video_tap import CANVAS_PREVIEW_TAP_PREFIX, CANVAS_TAP_PREFIX, PREVIEW, PROGRAM, VideoTap
from studio.engine.show import Canvas, Layer
from studio.engine.sources.base import FULL_SIZE, ShownSize
from studio.engine.video.compositor import SceneCompositor


class DemandListener(Protocol):
    """The part of a SourceRunner the tracker talks to."""

    @property
    def demand(self) -> ShownSize | None: ...

    def set_demand(self, shown_size: ShownSize | None) -> None: ...


def layer_box(layer: Layer, canvas: Canvas, scale: float = 1.0) -> ShownSize | None:
    """The box the layer shows its source in, at `scale` of the canvas; None if nothing of it
    is seen (fully transparent, or entirely off the canvas)."""
    width = layer.width if layer.width is not None else canvas.width
    height = layer.height if layer.height is not None else canvas.height
    off_canvas = layer.x >= canvas.width or layer.y >= canvas.height or layer.x + width <= 0 or layer.y + height <= 0
    if layer.opacity <= 0.0 or off_canvas:
        return None
    crop = layer.crop
    if crop.left or crop.top or crop.right or crop.bottom:
        return FULL_SIZE
    if layer.rotation in (90, 270):
        width, height = height, width
    return max(1, round(width * scale)), max(1, round(height * scale))


def _widen(demand: dict[str, ShownSize], source_id: str, box: ShownSize) -> None:
    known = demand.get(source_id)
    demand[source_id] = box if known is None else (max(known[0], box[0]), max(known[1], box[1]))


def scene_demand(compositor: SceneCompositor, canvas: Canvas, demand: dict[str, ShownSize], scale: float = 1.0) -> None:
    """Widen `demand` by every layer of one scene."""
    for source_id, painter in compositor.painters:
        box = layer_box(painter.layer, canvas, scale)
        if box is not None:
            _widen(demand, source_id, box)


@dataclass(frozen=True)
class OtherCanvas:
    """Another canvas as the demand sees it: its size, its scenes' compositors, and whether it
    is composed at its own size this tick."""

    name: str
    canvas: Canvas
    compositors: Mapping[str, SceneCompositor]
    composing: bool
    scale: float = 1.0  # composed at a monitor's size while only a monitor watches it

    @property
    def key(self) -> tuple:
        return (self.name, id(self.compositors), self.composing, self.scale)


def _scenes_demand(
    canvas: Canvas,
    compositors: Mapping[str, SceneCompositor],
    shown_scene_ids: Iterable[str | None],
    preview_scene_id: str | None,
    preview_taps: list[VideoTap],
    demand: dict[str, ShownSize],
    scale: float = 1.0,
) -> None:
    for scene_id in shown_scene_ids:
        if scene_id is not None and scene_id in compositors:
            scene_demand(compositors[scene_id], canvas, demand, scale)
    preview_scales = [min(tap.max_width / canvas.width, tap.max_height / canvas.height, 1.0) for tap in preview_taps]
    if preview_scene_id is not None and preview_scene_id in compositors and preview_scales:
        scene_demand(compositors[preview_scene_id], canvas, demand, max(preview_scales))


def source_demand(
    canvas: Canvas,
    compositors: Mapping[str, SceneCompositor],
    shown_scene_ids: Iterable[str | None],
    preview_scene_id: str | None,
    taps: Iterable[VideoTap],
    other_canvases: Iterable[OtherCanvas] = (),
) -> dict[str, ShownSize]:
    """source id -> the largest box it is shown in; sources shown nowhere are absent."""
    taps = list(taps)
    shown_scene_ids = tuple(shown_scene_ids)
    demand: dict[str, ShownSize] = {}
    preview_taps = [tap for tap in taps if tap.target == PREVIEW]
    _scenes_demand(canvas, compositors, shown_scene_ids, preview_scene_id, preview_taps, demand)
    for other in other_canvases:
        other_previews = [tap for tap in taps if tap.target == CANVAS_PREVIEW_TAP_PREFIX + other.name]
        shown_there = shown_scene_ids if other.composing else ()
        previewed = preview_scene_id if other_previews else None
        _scenes_demand(other.canvas, other.compositors, shown_there, previewed, other_previews, demand, other.scale)
    for tap in taps:
        # A source's own monitor; program's adds nothing (program is composed at canvas size).
        if tap.target not in (PREVIEW, PROGRAM) and not tap.target.startswith((CANVAS_TAP_PREFIX, CANVAS_PREVIEW_TAP_PREFIX)):
            _widen(demand, tap.target, (tap.max_width, tap.max_height))
    return demand


class SourceDemandTracker:
    """Works out the demand when its inputs change and tells the runners whose demand moved."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._key: tuple | None = None
        self._compositors: Mapping[str, SceneCompositor] | None = None
        self._runners: Mapping[str, DemandListener] | None = None
        self.recomputed = 0  # how often the demand was worked out (tests: only on change)

    def publish(
        self,
        *,
        shown_scene_ids: tuple[str | None, ...],
        preview_scene_id: str | None,
        taps: list[VideoTap],
        compositors: Mapping[str, SceneCompositor],
        runners: Mapping[str, DemandListener],
        other_canvases: tuple[OtherCanvas, ...] = (),
    ) -> None:
        """Program thread, once a tick: cheap when nothing changed (a tuple comparison)."""
        previewed = preview_scene_id if any(tap.target == PREVIEW or tap.target.startswith(CANVAS_PREVIEW_TAP_PREFIX) for tap in taps) else None
        key = (
            shown_scene_ids,
            previewed,
            tuple((tap.target, tap.max_width, tap.max_height) for tap in taps),
            tuple(other.key for other in other_canvases),
        )
        if key == self._key and compositors is self._compositors and runners is self._runners:
            return
        self._key, self._compositors, self._runners = key, compositors, runners
        self.recomputed += 1
        demand = source_demand(self.canvas, compositors, shown_scene_ids, previewed, taps, other_canvases)
        for source_id, runner in runners.items():
            wanted = demand.get(source_id)
            if runner.demand != wanted:
                runner.set_demand(wanted)
