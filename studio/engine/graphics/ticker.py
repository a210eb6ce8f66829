"""The comment ticker: a bar along the bottom of program with the latest comments.

    ┌────┬──────────────────────────────────────────────────────────────────────┐
    │ 💬 │ newest_user: text · user: text · user: older text · user: much ol…   │
    └────┴──────────────────────────────────────────────────────────────────────┘

The newest comment is on the left, so it is always on screen; older ones follow, separated by
" · ", and what does not fit is cut with "…". No animation: the caller redraws the bar when
comments arrive (at most about once a second, so a burst stays readable). One comment takes at
most ITEM_MAX_FRACTION of the bar, so a long one cannot push the others off. The bar is thin
enough to sit under the lower third's and the product card's bottom margins. Plain text only,
cleaned like the comment card's (comment_card.clean_text), right-to-left text laid out
right to left within its item.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from studio.engine.graphics.comment_card import clean_text, comment_fonts, draw_line
from studio.engine.graphics.fonts import bold_stroke_px
from studio.engine.graphics.overlays import (
    STYLE,
    CanvasUnits,
    OverlayStyle,
    RenderedOverlay,
    even_floor,
    even_round,
    rgba_to_bgra,
)

BAR_HEIGHT = 38  # design px (shorter side 1080): under the lower third's 48 px bottom margin
TEXT_PX = 24
ITEM_CHAR_LIMIT = 160
ITEM_MAX_FRACTION = 0.6  # of the text room
MAX_ITEMS = 12
SEPARATOR = " · "


def _bubble(size: int, colour: tuple[int, int, int, int]) -> Image.Image:
    """A speech bubble with three dots (drawn, so no font is needed), size x size."""
    ss = 4
    big = Image.new("RGBA", (size * ss, size * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    s = size * ss
    draw.rounded_rectangle((0, s * 0.08, s - 1, s * 0.74), radius=s * 0.2, fill=colour)
    draw.polygon([(s * 0.22, s * 0.7), (s * 0.5, s * 0.7), (s * 0.18, s * 0.95)], fill=colour)
    for cx in (0.28, 0.5, 0.72):
        r = s * 0.07
        draw.ellipse((s * cx - r, s * 0.41 - r, s * cx + r, s * 0.41 + r), fill=(16, 16, 20, 255))
    return big.convert("RGBa").resize((size, size), Image.Resampling.BOX).convert("RGBA")


def render_ticker(
    items: Sequence[tuple[str, str]],
    canvas_width: int,
    canvas_height: int,
    *,
    style: OverlayStyle = STYLE,
) -> RenderedOverlay:
    """The bar with the latest comments; items are (user, text), oldest first (as they arrived):
    the last one is drawn first, on the left. Never raises on odd text."""
    u = CanvasUnits(canvas_width, canvas_height)
    stack = comment_fonts()
    width = max(2, even_floor(canvas_width))
    height = max(2, even_round(u(BAR_HEIGHT)))
    text_px = u(TEXT_PX)
    metrics = stack.metrics(text_px)

    bar = Image.new("RGBA", (width, height), style.panel)
    draw = ImageDraw.Draw(bar)
    draw.line((0, 0, width, 0), fill=style.panel_border, width=max(1, u(1.5)))
    # The badge on the left: an accent block with a speech bubble.
    badge = height + u(10)
    draw.rectangle((0, 0, badge - 1, height), fill=style.accent)
    icon = _bubble(max(2, round(height * 0.62)), (255, 255, 255, 255))
    bar.alpha_composite(icon, ((badge - icon.width) // 2, (height - icon.height) // 2 + u(1)))

    left = badge + u(14)
    right = width - u(14)
    baseline = round(height / 2 + (metrics.ascent - metrics.descent) / 2)
    x = float(left)
    room = right - left
    item_max = room * ITEM_MAX_FRACTION
    separator_width = stack.width(SEPARATOR, text_px)
    bold_slack = 2 * bold_stroke_px(text_px)
    ellipsis_width = stack.width("…", text_px)
    drawn = 0
    for user, text in reversed(list(items)[-MAX_ITEMS:]):
        user = clean_text(user, 40, single_line=True) or "?"
        text = clean_text(text, ITEM_CHAR_LIMIT, single_line=True)
        if drawn:
            if x + separator_width + ellipsis_width > right:
                break
            draw_line(bar, (x, baseline), SEPARATOR, text_px, style.muted, anchor="ls", stack=stack)
            x += separator_width
        available = min(item_max, right - x)
        name = stack.ellipsize(f"{user}:", text_px, max(ellipsis_width, available - bold_slack))
        name_box = draw_line(bar, (x, baseline), name, text_px, style.accent, anchor="ls", bold=True, stack=stack)
        x = name_box[2] + bold_slack
        drawn += 1
        if not text:
            continue
        x += stack.width(" ", text_px)
        available = min(item_max - (name_box[2] - name_box[0]), right - x)
        if available <= ellipsis_width:
            if x + ellipsis_width <= right:
                draw_line(bar, (x, baseline), "…", text_px, style.text, anchor="ls", stack=stack)
            break
        shown = stack.ellipsize(text, text_px, available)
        x1 = draw_line(bar, (x, baseline), shown, text_px, style.text, anchor="ls", stack=stack)[2]
        x = float(max(x1, x + math.ceil(stack.width(shown, text_px))))
        if x >= right:
            break
    bgra = rgba_to_bgra(bar)
    y = even_floor(max(0, canvas_height - bgra.shape[0]))
    return RenderedOverlay(bgra, 0, y)
