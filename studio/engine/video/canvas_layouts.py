"""A scene's layers on another canvas (the vertical one): its own layout when the show gives one,
else one derived from the main layout, since a seller should not have to lay out every scene
twice. The derivation keeps what each arrangement means on a tall picture:

- full: the source covers the canvas (a 16:9 camera is centre-cropped to 9:16, never letterboxed
  into a strip);
- picture-in-picture: the main source covers, the inset moves to the top (the bottom of a phone
  screen is where the platform draws its comments and buttons) and is sized from the width;
- side by side: the two stack, top and bottom;
- grid: two sources stack, three or four make a 2x2 of tall cells;
- one large, two small: the large one on the top two thirds, the small ones side by side below;
- free layers (x, y in main pixels): scaled by one factor so the main picture's width fits, and
  centred vertically, so their arrangement is kept.
"""

from __future__ import annotations

from studio.engine.frames import even
from studio.engine.show import Canvas, Corner, Fit, Layer, Layout, LayoutKind, Scene
from studio.engine.video.layouts import grid, scene_layers

# The inset's width on a tall canvas, % of its width (30 % of a landscape width is about as
# large on screen as 45 % of a portrait one).
TALL_INSET_PERCENT = 45


def _cover(source: str, x: int, y: int, width: int, height: int, z: int = 0) -> Layer:
    return Layer(source=source, x=x, y=y, width=width, height=height, fit=Fit.COVER, z=z)


def _stack(sources: list[str], canvas: Canvas) -> list[Layer]:
    """Equal bands from top to bottom, each covered by its source."""
    band = even(canvas.height / len(sources))
    return [
        _cover(source, 0, index * band, canvas.width, band if index < len(sources) - 1 else canvas.height - index * band)
        for index, source in enumerate(sources)
    ]


def derived_layout_layers(layout: Layout, canvas: Canvas) -> list[Layer]:
    """The main layout's arrangement, made for `canvas` (see the module's docstring)."""
    sources = layout.sources
    match layout.kind:
        case LayoutKind.FULL:
            return [_cover(sources[0], 0, 0, canvas.width, canvas.height)]
        case LayoutKind.PIP:
            inset = sources[1] if len(sources) > 1 else sources[0]
            width = even(canvas.width * TALL_INSET_PERCENT / 100)
            height = even(width * 9 / 16)
            margin = layout.margin_px
            left = margin if layout.corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else canvas.width - margin - width
            return [
                _cover(sources[0], 0, 0, canvas.width, canvas.height),
                _cover(inset, even(left), even(margin), width, height, z=1),
            ]
        case LayoutKind.SIDE_BY_SIDE:
            return _stack([sources[0], sources[1] if len(sources) > 1 else sources[0]], canvas)
        case LayoutKind.GRID:
            if len(sources) <= 2:
                return _stack(list(sources), canvas)
            return [layer.model_copy(update={"fit": Fit.COVER}) for layer in grid(list(sources), canvas)]
        case LayoutKind.ONE_LARGE_TWO_SMALL:
            large_height = even(canvas.height * 2 / 3)
            small = sources[1:3]
            layers = [_cover(sources[0], 0, 0, canvas.width, large_height)]
            cell = even(canvas.width / max(1, len(small)))
            for index, source in enumerate(small):
                width = cell if index < len(small) - 1 else canvas.width - index * cell
                layers.append(_cover(source, index * cell, large_height, width, canvas.height - large_height))
            return layers
    raise AssertionError(layout.kind)


def scaled_layers(layers: list[Layer], main: Canvas, canvas: Canvas) -> list[Layer]:
    """Free layers placed in main pixels, scaled so the main width fits and centred vertically."""
    scale = min(canvas.width / main.width, canvas.height / main.height)
    top = (canvas.height - main.height * scale) / 2
    placed = []
    for layer in layers:
        width = layer.width if layer.width is not None else main.width
        height = layer.height if layer.height is not None else main.height
        placed.append(
            layer.model_copy(
                update={
                    "x": even(layer.x * scale),
                    "y": even(top + layer.y * scale),
                    "width": max(2, even(width * scale)),
                    "height": max(2, even(height * scale)),
                }
            )
        )
    return placed


def canvas_scene_layers(scene: Scene, canvas_name: str, main: Canvas, canvas: Canvas) -> list[Layer]:
    """All of a scene's visible layers on the named canvas, bottom first (stable for equal z)."""
    own = scene.canvases.get(canvas_name)
    if own is not None:
        return scene_layers(Scene(id=scene.id, name=scene.name, layout=own.layout, layers=own.layers), canvas)
    layers = (derived_layout_layers(scene.layout, canvas) if scene.layout else []) + scaled_layers(list(scene.layers), main, canvas)
    return sorted((layer for layer in layers if layer.visible), key=lambda layer: layer.z)
