"""The geometry of editing a layer on the preview, Qt-free and in canvas pixels: a layer's box,
its source's size, snapping, and what a move, a resize or a crop changes. `LayerEditor`
(studio.gui.layer_editor) turns the mouse into these; tests check them on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.engine.show import Canvas, Crop, Fit, Layer, Show

MINIMUM_SIZE_PX = 2  # canvas pixels

@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.right and self.y <= y < self.bottom


def layer_box(layer: Layer, canvas: Canvas) -> Box:
    """The layer's box on the canvas (no size: the whole canvas)."""
    width = layer.width if layer.width is not None else canvas.width
    height = layer.height if layer.height is not None else canvas.height
    return Box(layer.x, layer.y, width, height)


def source_size(show: Show, layer: Layer) -> tuple[int, int] | None:
    """The source's picture size from its settings (width and height), or None when the
    settings do not say (a camera at its native mode, an image, a file)."""
    spec = show.source_by_ref(layer.source)
    if spec is None:
        return None
    settings: Any = spec.settings
    try:
        from studio.engine.sources.registry import default_registry

        settings = default_registry().validate_settings(spec.kind, dict(spec.settings))
        width, height = getattr(settings, "width", None), getattr(settings, "height", None)
    except Exception:  # an unknown kind or odd settings: fall back to what the dict says
        width, height = (settings.get("width"), settings.get("height")) if isinstance(settings, dict) else (None, None)
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return None


@dataclass(frozen=True)
class PictureGeometry:
    """Where the cropped source lands in the layer's box: `content` (canvas pixels) and the
    scale along the screen's x and y axes (canvas pixels per source pixel)."""

    content: Box
    scale_x: float
    scale_y: float


def picture_geometry(layer: Layer, canvas: Canvas, size: tuple[int, int] | None) -> PictureGeometry:
    box = layer_box(layer, canvas)
    crop = layer.crop
    if size is None:  # unknown source size: the source is as big as the box (1:1)
        return PictureGeometry(box, 1.0, 1.0)
    cropped_width = max(2.0, size[0] - crop.left - crop.right)
    cropped_height = max(2.0, size[1] - crop.top - crop.bottom)
    oriented_width, oriented_height = (cropped_height, cropped_width) if layer.rotation in (90, 270) else (cropped_width, cropped_height)
    if layer.fit is Fit.STRETCH:
        return PictureGeometry(box, box.width / oriented_width, box.height / oriented_height)
    if layer.fit is Fit.COVER:
        scale = max(box.width / oriented_width, box.height / oriented_height)
        return PictureGeometry(box, scale, scale)
    scale = min(box.width / oriented_width, box.height / oriented_height)
    width, height = oriented_width * scale, oriented_height * scale
    content = Box(box.x + (box.width - width) / 2, box.y + (box.height - height) / 2, width, height)
    return PictureGeometry(content, scale, scale)


def source_side(screen_side: str, rotation: int, mirror: bool) -> str:
    """Which side of the source ("left", "top", ...) shows at a side of the box on screen
    ("l", "t", "r", "b"): the engine rotates the cropped source, then mirrors it."""
    if mirror and screen_side in ("l", "r"):
        screen_side = "r" if screen_side == "l" else "l"
    by_rotation = {
        0: {"l": "left", "t": "top", "r": "right", "b": "bottom"},
        90: {"t": "left", "r": "top", "b": "right", "l": "bottom"},  # clockwise
        180: {"l": "right", "t": "bottom", "r": "left", "b": "top"},
        270: {"t": "right", "l": "top", "b": "left", "r": "bottom"},
    }
    return by_rotation[rotation][screen_side]


def snap_offset(values: list[float], targets: list[float], threshold: float) -> tuple[float, float | None]:
    """The smallest shift (within threshold) that puts one of `values` on one of `targets`,
    and the target line it snapped to (None: no snap)."""
    best, line = None, None
    for value in values:
        for target in targets:
            distance = target - value
            if abs(distance) <= threshold and (best is None or abs(distance) < abs(best)):
                best, line = distance, target
    return (best or 0.0), line


@dataclass
class Snapper:
    """Snap lines for one drag: the canvas edges and centre lines, the other layers' edges."""

    x_lines: list[float]
    y_lines: list[float]
    threshold: float  # canvas pixels
    enabled: bool = True
    used: list[tuple[str, float]] = field(default_factory=list)  # ("x" or "y", line) drawn as guides

    def shift_x(self, values: list[float]) -> float:
        return self._shift("x", values, self.x_lines)

    def shift_y(self, values: list[float]) -> float:
        return self._shift("y", values, self.y_lines)

    def _shift(self, axis: str, values: list[float], lines: list[float]) -> float:
        if not self.enabled:
            return 0.0
        offset, line = snap_offset(values, lines, self.threshold)
        if line is not None:
            self.used.append((axis, line))
        return offset


def on_canvas(x: float, y: float, width: float, height: float, canvas: Canvas) -> bool:
    """The session's rule: some of the box must be on the canvas."""
    return x < canvas.width and y < canvas.height and x + width > 0 and y + height > 0


def moved(box: Box, dx: float, dy: float, snapper: Snapper, canvas: Canvas | None = None) -> dict[str, int]:
    """The box's new position; with a canvas, it stops with MINIMUM_SIZE_PX still on it."""
    x, y = box.x + dx, box.y + dy
    x += snapper.shift_x([x, x + box.width / 2, x + box.width])
    y += snapper.shift_y([y, y + box.height / 2, y + box.height])
    x, y = round(x), round(y)
    if canvas is not None:
        x = min(canvas.width - MINIMUM_SIZE_PX, max(MINIMUM_SIZE_PX - round(box.width), x))
        y = min(canvas.height - MINIMUM_SIZE_PX, max(MINIMUM_SIZE_PX - round(box.height), y))
    return {"x": x, "y": y}


def resized(box: Box, handle: str, dx: float, dy: float, *, keep_aspect: bool, snapper: Snapper) -> dict[str, int]:
    """The box after dragging `handle` by (dx, dy): the opposite side stays put; with the aspect
    kept a corner scales both sides and an edge scales the other side about its centre."""
    left, top, right, bottom = box.x, box.y, box.right, box.bottom
    if "l" in handle:
        left += dx
        left += snapper.shift_x([left])
        left = min(left, right - MINIMUM_SIZE_PX)
    if "r" in handle:
        right += dx
        right += snapper.shift_x([right])
        right = max(right, left + MINIMUM_SIZE_PX)
    if "t" in handle:
        top += dy
        top += snapper.shift_y([top])
        top = min(top, bottom - MINIMUM_SIZE_PX)
    if "b" in handle:
        bottom += dy
        bottom += snapper.shift_y([bottom])
        bottom = max(bottom, top + MINIMUM_SIZE_PX)
    if not keep_aspect or box.width <= 0 or box.height <= 0:
        x, y = round(left), round(top)
        return {"x": x, "y": y, "width": max(MINIMUM_SIZE_PX, round(right) - x), "height": max(MINIMUM_SIZE_PX, round(bottom) - y)}
    scale_x, scale_y = (right - left) / box.width, (bottom - top) / box.height
    horizontal, vertical = ("l" in handle or "r" in handle), ("t" in handle or "b" in handle)
    if horizontal and vertical:
        scale = scale_x if abs(scale_x - 1) >= abs(scale_y - 1) else scale_y
    else:
        scale = scale_x if horizontal else scale_y
    scale = max(scale, MINIMUM_SIZE_PX / box.width, MINIMUM_SIZE_PX / box.height)
    width, height = max(MINIMUM_SIZE_PX, round(box.width * scale)), max(MINIMUM_SIZE_PX, round(box.height * scale))
    if "l" in handle:
        x = round(box.right) - width
    elif "r" in handle:
        x = round(box.x)
    else:
        x = round(box.x + box.width / 2 - width / 2)
    if "t" in handle:
        y = round(box.bottom) - height
    elif "b" in handle:
        y = round(box.y)
    else:
        y = round(box.y + box.height / 2 - height / 2)
    return {"x": x, "y": y, "width": width, "height": height}


def cropped(layer: Layer, canvas: Canvas, size: tuple[int, int] | None, handle: str, dx: float, dy: float, snapper: Snapper) -> dict[str, Any]:
    """Crop the sides of `handle` by the dragged canvas distance, converted to source pixels
    through the layer's scale (even values: the engine crops on even pixels). The box shrinks
    (or grows, when uncropping) with the picture, so what stays visible does not move or scale."""
    geometry = picture_geometry(layer, canvas, size)
    content = geometry.content
    full = size or (round(content.width) + layer.crop.left + layer.crop.right, round(content.height) + layer.crop.top + layer.crop.bottom)
    crop = layer.crop.model_dump()
    edges = {"l": content.x, "t": content.y, "r": content.right, "b": content.bottom}
    for side in ("l", "r", "t", "b"):
        if side not in handle:
            continue
        horizontal = side in ("l", "r")
        edge = edges[side] + (dx if horizontal else dy)
        edge += snapper.shift_x([edge]) if horizontal else snapper.shift_y([edge])
        inward = (edge - edges[side]) * (1 if side in ("l", "t") else -1)
        scale = geometry.scale_x if horizontal else geometry.scale_y
        name = source_side(side, layer.rotation, layer.mirror)
        opposite = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[name]
        length = full[0] if name in ("left", "right") else full[1]
        largest = max(0, length - crop[opposite] - MINIMUM_SIZE_PX)
        value = min(largest, max(0, 2 * round((crop[name] + inward / scale) / 2)))
        applied = (value - crop[name]) * scale
        crop[name] = value
        edges[side] += applied if side in ("l", "t") else -applied
    x, y = round(edges["l"]), round(edges["t"])
    return {
        "crop": crop,
        "x": x,
        "y": y,
        "width": max(MINIMUM_SIZE_PX, round(edges["r"]) - x),
        "height": max(MINIMUM_SIZE_PX, round(edges["b"]) - y),
    }


def with_changes(layer: Layer, changes: dict[str, Any]) -> Layer:
    update = dict(changes)
    if isinstance(update.get("crop"), dict):
        update["crop"] = Crop(**update["crop"])
    return layer.model_copy(update=update)
