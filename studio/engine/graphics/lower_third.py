"""The lower third: a banner at the bottom left with one or two lines of text.

"Headline\\nsecond line" draws a large first line and a smaller, muted second one; text without a
newline wraps onto at most two lines of the large size and is cut with "…" after that. The
banner is as wide as its text needs (within the canvas), with an accent bar on its left edge.
"""

from __future__ import annotations

import math

from PIL import Image

from studio.engine.graphics import fonts
from studio.engine.graphics.overlays import (
    STYLE,
    Anchor,
    CanvasUnits,
    OverlayPlacement,
    OverlayStyle,
    RenderedOverlay,
    place,
    rounded_panel,
)

LOWER_THIRD = OverlayPlacement(Anchor.BOTTOM_LEFT, margin=0.045)
HEADLINE_PX = 42
SUBLINE_PX = 30
MAX_WIDTH_OF_CANVAS = 0.62  # leaves room for a product card in the other bottom corner (landscape)


def render_lower_third(
    text: str,
    canvas_width: int,
    canvas_height: int,
    *,
    placement: OverlayPlacement = LOWER_THIRD,
    style: OverlayStyle = STYLE,
) -> RenderedOverlay:
    u = CanvasUnits(canvas_width, canvas_height)
    stack = fonts.default_fonts()
    pad_x, pad_y, bar = u(26), u(14), u(10)
    margin = placement.margin_px(canvas_width, canvas_height)
    max_width = max(u(200), min(canvas_width - 2 * margin, round(canvas_width * MAX_WIDTH_OF_CANVAS)))
    # On a portrait canvas 62 % of the width is too narrow for a banner: use the width between margins.
    if canvas_width < canvas_height:
        max_width = canvas_width - 2 * margin
    text_room = max_width - bar - 2 * pad_x

    headline_px, subline_px = u(HEADLINE_PX), u(SUBLINE_PX)
    first, _, second = text.strip().partition("\n")
    lines: list[tuple[str, int, tuple[int, int, int, int]]]
    if second.strip():
        lines = [
            (stack.ellipsize(first.strip(), headline_px, text_room - 2), headline_px, style.text),
            (stack.ellipsize(" ".join(second.split()), subline_px, text_room), subline_px, style.muted),
        ]
    else:
        wrapped = stack.wrap(first.strip(), headline_px, text_room, 2, bold=True) or [""]
        lines = [(line, headline_px, style.text) for line in wrapped]

    gap = u(4)
    heights = [stack.metrics(size).height for _, size, _ in lines]
    text_width = max(math.ceil(stack.width(line, size)) + 2 for line, size, _ in lines)
    width = bar + 2 * pad_x + max(text_width, u(120))
    height = 2 * pad_y + sum(heights) + gap * (len(lines) - 1)

    banner = rounded_panel(width, height, u(12), style.panel, style.panel_border, max(1, u(1.5)))
    accent = rounded_panel(bar + u(12), height, u(12), style.accent)
    accent = accent.crop((0, 0, bar, height))
    banner.alpha_composite(accent, (0, 0))
    y = pad_y
    for (line, size, colour), line_height in zip(lines, heights, strict=True):
        stack.draw(banner, (bar + pad_x, y), line, size, colour, bold=size == headline_px)
        y += line_height + gap
    return place(banner, placement, canvas_width, canvas_height)


def lower_third_image(text: str, canvas_width: int, canvas_height: int) -> Image.Image:
    """The banner as a Pillow RGBA image (previews)."""
    return render_lower_third(text, canvas_width, canvas_height).to_rgba_image()
