"""Layout helpers: the common multi-camera arrangements, expanded to plain layers."""

from __future__ import annotations

from studio.engine.frames import even
from studio.engine.show import Canvas, Corner, Fit, Layer, Layout, LayoutKind, Scene


def full(source: str, canvas: Canvas) -> list[Layer]:
    return [Layer(source=source, x=0, y=0, width=canvas.width, height=canvas.height, fit=Fit.CONTAIN)]


def picture_in_picture(
    main: str, inset: str, canvas: Canvas, corner: Corner = Corner.BOTTOM_RIGHT, inset_percent: int = 30, margin_px: int = 40
) -> list[Layer]:
    width = even(canvas.width * inset_percent / 100)
    height = even(width * canvas.height / canvas.width)
    left = margin_px if corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else canvas.width - margin_px - width
    top = margin_px if corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT) else canvas.height - margin_px - height
    return full(main, canvas) + [
        Layer(source=inset, x=even(left), y=even(top), width=width, height=height, fit=Fit.COVER, z=1)
    ]


def side_by_side(left: str, right: str, canvas: Canvas) -> list[Layer]:
    half = even(canvas.width / 2)
    return [
        Layer(source=left, x=0, y=0, width=half, height=canvas.height, fit=Fit.CONTAIN),
        Layer(source=right, x=half, y=0, width=canvas.width - half, height=canvas.height, fit=Fit.CONTAIN),
    ]


def grid(sources: list[str], canvas: Canvas) -> list[Layer]:
    """2x2 grid, filled left to right, top to bottom (up to four sources)."""
    cell_width, cell_height = even(canvas.width / 2), even(canvas.height / 2)
    return [
        Layer(
            source=source,
            x=(index % 2) * cell_width,
            y=(index // 2) * cell_height,
            width=cell_width,
            height=cell_height,
            fit=Fit.CONTAIN,
        )
        for index, source in enumerate(sources[:4])
    ]


def one_large_two_small(large: str, small: list[str], canvas: Canvas) -> list[Layer]:
    """The large source on the left two thirds, two small ones stacked on the right third."""
    large_width = even(canvas.width * 2 / 3)
    small_width, small_height = canvas.width - large_width, even(canvas.height / 2)
    layers = [Layer(source=large, x=0, y=0, width=large_width, height=canvas.height, fit=Fit.COVER)]
    for index, source in enumerate(small[:2]):
        layers.append(
            Layer(source=source, x=large_width, y=index * small_height, width=small_width, height=small_height, fit=Fit.COVER)
        )
    return layers


def expand_layout(layout: Layout, canvas: Canvas) -> list[Layer]:
    sources = layout.sources
    match layout.kind:
        case LayoutKind.FULL:
            return full(sources[0], canvas)
        case LayoutKind.PIP:
            inset = sources[1] if len(sources) > 1 else sources[0]
            return picture_in_picture(sources[0], inset, canvas, layout.corner, layout.inset_percent, layout.margin_px)
        case LayoutKind.SIDE_BY_SIDE:
            return side_by_side(sources[0], sources[1] if len(sources) > 1 else sources[0], canvas)
        case LayoutKind.GRID:
            return grid(sources, canvas)
        case LayoutKind.ONE_LARGE_TWO_SMALL:
            return one_large_two_small(sources[0], sources[1:], canvas)
    raise AssertionError(layout.kind)


def scene_layers(scene: Scene, canvas: Canvas) -> list[Layer]:
    """All of a scene's visible layers, bottom first (stable for equal z)."""
    layers = (expand_layout(scene.layout, canvas) if scene.layout else []) + list(scene.layers)
    return sorted((layer for layer in layers if layer.visible), key=lambda layer: layer.z)
