"""Composes a scene's layers into a preallocated I420 canvas.

Each layer is painted by a LayerPainter, which maps the visible part of its source through
crop, rotation, mirror and fit to a rectangle on the canvas, and scales that part straight
into the canvas buffer (one resize per plane; no intermediate full-size copies). Layers with
transparency or opacity are scaled into the painter's scratch buffers and blended over their
bounding box only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from studio.engine.frames import Frame, i420_planes
from studio.engine.show import Canvas, Fit, Layer

BLACK_YUV = (16, 128, 128)


@dataclass(frozen=True, slots=True)
class Rect:
    """Half-open rectangle [x0, x1) x [y0, y1) in luma pixels, all even."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def half(self) -> Rect:
        return Rect(self.x0 // 2, self.y0 // 2, self.x1 // 2, self.y1 // 2)


def _even_round(value: float) -> int:
    return int(round(value / 2.0)) * 2


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the visible part of a source frame goes: source_rect (in source pixels, before
    rotation and mirror) is scaled onto canvas_rect."""

    source_rect: Rect
    canvas_rect: Rect
    covers_canvas: bool


def place_layer(layer: Layer, frame_width: int, frame_height: int, canvas: Canvas) -> Placement | None:
    """Geometry of one layer for a given source size; None when nothing of it is visible."""
    crop = layer.crop
    # Crop edges snap to even pixels: chroma planes are half size.
    cx0, cy0 = min(crop.left & ~1, frame_width), min(crop.top & ~1, frame_height)
    cx1, cy1 = max(cx0, (frame_width - crop.right) & ~1), max(cy0, (frame_height - crop.bottom) & ~1)
    cropped_width, cropped_height = cx1 - cx0, cy1 - cy0
    if cropped_width < 2 or cropped_height < 2:
        return None
    quarter_turn = layer.rotation in (90, 270)
    oriented_width, oriented_height = (cropped_height, cropped_width) if quarter_turn else (cropped_width, cropped_height)

    box_x, box_y = layer.x, layer.y
    box_width = layer.width if layer.width is not None else canvas.width
    box_height = layer.height if layer.height is not None else canvas.height

    # Visible part of the oriented picture (ox*) and where it lands (d*), in float first.
    ox0, oy0, ox1, oy1 = 0.0, 0.0, float(oriented_width), float(oriented_height)
    if layer.fit is Fit.STRETCH:
        dx0, dy0, dx1, dy1 = box_x, box_y, box_x + box_width, box_y + box_height
    elif layer.fit is Fit.CONTAIN:
        scale = min(box_width / oriented_width, box_height / oriented_height)
        width, height = oriented_width * scale, oriented_height * scale
        dx0, dy0 = box_x + (box_width - width) / 2, box_y + (box_height - height) / 2
        dx1, dy1 = dx0 + width, dy0 + height
    else:  # COVER: fill the box, cut the overflow equally on both sides
        scale = max(box_width / oriented_width, box_height / oriented_height)
        visible_width, visible_height = box_width / scale, box_height / scale
        ox0, oy0 = (oriented_width - visible_width) / 2, (oriented_height - visible_height) / 2
        ox1, oy1 = ox0 + visible_width, oy0 + visible_height
        dx0, dy0, dx1, dy1 = box_x, box_y, box_x + box_width, box_y + box_height

    # Clip to the canvas, shrinking the visible part by the same proportion.
    scale_x = (ox1 - ox0) / max(1e-9, dx1 - dx0)
    scale_y = (oy1 - oy0) / max(1e-9, dy1 - dy0)
    clipped = (max(dx0, 0), max(dy0, 0), min(dx1, canvas.width), min(dy1, canvas.height))
    ox0, ox1 = ox0 + (clipped[0] - dx0) * scale_x, ox1 - (dx1 - clipped[2]) * scale_x
    oy0, oy1 = oy0 + (clipped[1] - dy0) * scale_y, oy1 - (dy1 - clipped[3]) * scale_y
    canvas_rect = Rect(*(_even_round(v) for v in clipped))
    if canvas_rect.width < 2 or canvas_rect.height < 2 or ox1 - ox0 < 1 or oy1 - oy0 < 1:
        return None

    # Back from oriented coordinates to the cropped source: undo the mirror, then the rotation.
    if layer.mirror:
        ox0, ox1 = oriented_width - ox1, oriented_width - ox0
    if layer.rotation == 90:  # clockwise: oriented x runs against source y
        sx0, sx1, sy0, sy1 = oy0, oy1, cropped_height - ox1, cropped_height - ox0
    elif layer.rotation == 180:
        sx0, sx1, sy0, sy1 = cropped_width - ox1, cropped_width - ox0, cropped_height - oy1, cropped_height - oy0
    elif layer.rotation == 270:
        sx0, sx1, sy0, sy1 = cropped_width - oy1, cropped_width - oy0, ox0, ox1
    else:
        sx0, sx1, sy0, sy1 = ox0, ox1, oy0, oy1
    source_rect = Rect(
        max(0, min(frame_width, cx0 + _even_round(sx0))),
        max(0, min(frame_height, cy0 + _even_round(sy0))),
        max(0, min(frame_width, cx0 + _even_round(sx1))),
        max(0, min(frame_height, cy0 + _even_round(sy1))),
    )
    if source_rect.width < 2 or source_rect.height < 2:
        return None
    covers = canvas_rect == Rect(0, 0, canvas.width, canvas.height)
    return Placement(source_rect, canvas_rect, covers)


def _orient(plane: np.ndarray, rotation: int, mirror: bool) -> np.ndarray:
    if rotation == 90:
        plane = cv2.rotate(plane, cv2.ROTATE_90_CLOCKWISE)
    elif rotation == 180:
        plane = cv2.rotate(plane, cv2.ROTATE_180)
    elif rotation == 270:
        plane = cv2.rotate(plane, cv2.ROTATE_90_COUNTERCLOCKWISE)
    if mirror:
        plane = cv2.flip(plane, 1)
    return plane


def _scale_into(source: np.ndarray, target: np.ndarray) -> None:
    """Scale source to exactly fill target (a view into a bigger buffer), in place."""
    target_height, target_width = target.shape
    if source.shape == target.shape:
        np.copyto(target, source)
        return
    if source.shape[1] > 2 * target_width and source.shape[0] > 2 * target_height:
        # A big shrink: INTER_AREA at an odd ratio is OpenCV's slow path, and plain bilinear
        # aliases. Halving with INTER_AREA (its fast path) first keeps quality at a tenth of the cost.
        source = cv2.resize(source, (source.shape[1] // 2, source.shape[0] // 2), interpolation=cv2.INTER_AREA)
        if source.shape == target.shape:
            np.copyto(target, source)
            return
    result = cv2.resize(source, (target_width, target_height), dst=target, interpolation=cv2.INTER_LINEAR)
    if result is not target and not np.shares_memory(result, target):  # OpenCV reallocated: copy back
        np.copyto(target, result)


def blend_with_alpha(target: np.ndarray, source: np.ndarray, alpha: np.ndarray) -> None:
    """target = source*a + target*(1-a), a = alpha/255; integer math over the given region only."""
    weight = alpha.astype(np.uint16)
    mixed = source * weight + target * (255 - weight) + 127
    np.floor_divide(mixed, 255, out=mixed)
    target[:] = mixed


class LayerPainter:
    """Paints one layer; keeps its geometry and scratch buffers between ticks."""

    def __init__(self, layer: Layer, canvas: Canvas) -> None:
        self.layer = layer
        self.canvas = canvas
        self._placement_for_size: dict[tuple[int, int], Placement | None] = {}
        self._scratch: dict[tuple[str, int, int], np.ndarray] = {}

    def placement(self, frame: Frame) -> Placement | None:
        size = (frame.width, frame.height)
        if size not in self._placement_for_size:
            if len(self._placement_for_size) > 8:  # sources rarely change size; keep this bounded
                self._placement_for_size.clear()
            self._placement_for_size[size] = place_layer(self.layer, frame.width, frame.height, self.canvas)
        return self._placement_for_size[size]

    def is_opaque_over_canvas(self, frame: Frame) -> bool:
        placement = self.placement(frame)
        return bool(placement and placement.covers_canvas and frame.alpha is None and self.layer.opacity >= 1.0)

    def paint(self, frame: Frame, target_i420: np.ndarray) -> None:
        placement = self.placement(frame)
        if placement is None or self.layer.opacity <= 0.0:
            return
        layer = self.layer
        src, dst = placement.source_rect, placement.canvas_rect
        source_planes = (frame.y, frame.u, frame.v)
        target_planes = i420_planes(target_i420, self.canvas.width, self.canvas.height)
        translucent = frame.alpha is not None or layer.opacity < 1.0
        alpha_planes: tuple[np.ndarray, np.ndarray] | None = None
        if translucent:
            alpha_planes = self._alpha_planes(frame, placement)
        for index, (source_plane, target_plane) in enumerate(zip(source_planes, target_planes, strict=True)):
            s, d = (src, dst) if index == 0 else (src.half(), dst.half())
            if d.empty or s.empty:
                continue
            part = _orient(source_plane[s.y0 : s.y1, s.x0 : s.x1], layer.rotation, layer.mirror)
            region = target_plane[d.y0 : d.y1, d.x0 : d.x1]
            if not translucent:
                _scale_into(part, region)
                continue
            scaled = self._scratch_plane("plane", d.width, d.height)
            _scale_into(part, scaled)
            assert alpha_planes is not None
            blend_with_alpha(region, scaled, alpha_planes[0 if index == 0 else 1])

    def _alpha_planes(self, frame: Frame, placement: Placement) -> tuple[np.ndarray, np.ndarray]:
        src, dst = placement.source_rect, placement.canvas_rect
        luma_alpha = self._scratch_plane("alpha", dst.width, dst.height)
        if frame.alpha is None:
            luma_alpha[:] = 255
        else:
            part = _orient(frame.alpha[src.y0 : src.y1, src.x0 : src.x1], self.layer.rotation, self.layer.mirror)
            _scale_into(part, luma_alpha)
        if self.layer.opacity < 1.0:
            np.multiply(luma_alpha, self.layer.opacity, out=luma_alpha, casting="unsafe")
        chroma_alpha = self._scratch_plane("chroma_alpha", dst.width // 2, dst.height // 2)
        cv2.resize(luma_alpha, (dst.width // 2, dst.height // 2), dst=chroma_alpha, interpolation=cv2.INTER_AREA)
        return luma_alpha, chroma_alpha

    def _scratch_plane(self, role: str, width: int, height: int) -> np.ndarray:
        key = (role, width, height)
        buffer = self._scratch.get(key)
        if buffer is None:
            if len(self._scratch) > 12:
                self._scratch.clear()
            buffer = self._scratch[key] = np.empty((height, width), np.uint8)
        return buffer


def fill_black(target_i420: np.ndarray, canvas: Canvas) -> None:
    y, u, v = i420_planes(target_i420, canvas.width, canvas.height)
    y[:] = BLACK_YUV[0]
    u[:] = BLACK_YUV[1]
    v[:] = BLACK_YUV[2]


class SceneCompositor:
    """Paints a scene's layers, bottom first, into a canvas buffer."""

    def __init__(self, layers: list[Layer], canvas: Canvas, source_id_of: Callable[[str], str]) -> None:
        self.canvas = canvas
        self.painters = [(source_id_of(layer.source), LayerPainter(layer, canvas)) for layer in layers]

    @property
    def source_ids(self) -> list[str]:
        return [source_id for source_id, _ in self.painters]

    def compose(self, frames: Mapping[str, Frame | None], target_i420: np.ndarray) -> None:
        """A source without a frame (one still joining the show) is left out this tick."""
        first = frames[self.painters[0][0]] if self.painters else None
        if first is None or not self.painters[0][1].is_opaque_over_canvas(first):
            fill_black(target_i420, self.canvas)
        for source_id, painter in self.painters:
            frame = frames[source_id]
            if frame is not None:
                painter.paint(frame, target_i420)
