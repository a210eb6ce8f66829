"""The comment card: one viewer's comment on program, pinned by the host.

    ┌───────────────────────────────────────────┐
    │ ( A )  user name (bold, accent)  platform │
    │        the comment, wrapped onto at most  │
    │        four lines and cut with "…"        │
    └───────────────────────────────────────────┘

The same rounded, semi-opaque dark panel as the product card and the lower third. By default it
sits on the left, lifted above the lower third (landscape), or above the product card's corner
(portrait); it is as wide as its text needs, up to about half the canvas's shorter side.

Comments are untrusted text from the internet, so the card draws plain text only: markup such as
`<b>` or `<img src=…>` is drawn as the characters it is made of. Control characters, invisible
bidi overrides and floods of combining marks are removed, and the text is capped (CHAR_LIMIT)
before it is wrapped, so a 1 MB comment costs no more than a long one.

Text is handled a grapheme cluster at a time (graphemes.py): the cap, the wrapping and the "…"
never split a base from its marks, an emoji ZWJ sequence or a flag's pair, and each cluster is
drawn by one font that has its marks (fonts.py), so Zalgo text shows its marks, not boxes.

Right-to-left text (Arabic, Hebrew): each line is laid out with the Unicode bidirectional
algorithm from python-bidi (bidi_line.py), its right-to-left runs shaped by raqm in
right-to-left direction. WenQuanYi has no Arabic or Hebrew, so a font that has them is looked
for in studio/assets/fonts (DejaVu Sans is shipped) and then among the system's fonts (Noto Sans
Arabic/Hebrew, FreeSans); without one those characters are drawn as missing-glyph boxes, never an
error. `draw_line` is shared with the comment ticker.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from studio.engine.graphics import bidi_line, fonts
from studio.engine.graphics.bidi_line import base_direction
from studio.engine.graphics.fonts import FontFace, FontStack
from studio.engine.graphics.graphemes import clusters, continues_cluster, lstrip_spaces, take_clusters
from studio.engine.graphics.overlays import (
    RenderedOverlayCache,
    STYLE,
    Anchor,
    CanvasUnits,
    OverlayPlacement,
    OverlayStyle,
    RenderedOverlay,
    even_floor,
    even_round,
    place,
    rounded_panel,
)

log = logging.getLogger(__name__)

CHAR_LIMIT = 500  # characters of a comment considered at all (four lines hold far fewer)
USER_CHAR_LIMIT = 64
PLATFORM_CHAR_LIMIT = 24
MAX_MARKS_PER_CHARACTER = 3  # combining marks kept on one character ("Zalgo" text stays in its line)


@dataclass(frozen=True, slots=True)
class CommentCardLayout:
    """Design sizes in pixels for a canvas whose shorter side is 1080."""

    max_width: int = 620
    min_width: int = 320
    padding_x: int = 22
    padding_y: int = 18
    radius: int = 22
    avatar: int = 60
    gap: int = 16
    name_px: int = 28
    platform_px: int = 20
    text_px: int = 34
    text_lines: int = 4
    line_gap: int = 2


LAYOUT = CommentCardLayout()


# -- placement ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiftedPlacement(OverlayPlacement):
    """An OverlayPlacement moved up by `lift` (a fraction of the canvas's shorter side): a bottom
    card that clears what sits at the bottom edge (the lower third, a product card)."""

    lift: float = 0.0

    def box_for(self, canvas_width: int, canvas_height: int, image_width: int, image_height: int) -> tuple[int, int]:
        x, y = OverlayPlacement.box_for(self, canvas_width, canvas_height, image_width, image_height)
        y -= even_round(self.lift * min(canvas_width, canvas_height))
        return x, min(max(0, y), even_floor(max(0, canvas_height - image_height)))


# Landscape: left, its bottom above a two-line lower third (whose top is ~0.18 of the shorter
# side above the bottom edge). Portrait: the product card takes the bottom right corner and is
# ~0.5 of the width tall, so the comment goes above it.
LANDSCAPE_PLACEMENT = LiftedPlacement(Anchor.BOTTOM_LEFT, margin=0.045, width=LAYOUT.max_width / 1080, lift=0.17)
PORTRAIT_PLACEMENT = LiftedPlacement(Anchor.BOTTOM_LEFT, margin=0.045, width=LAYOUT.max_width / 1080, lift=0.52)


def default_placement(canvas_width: int, canvas_height: int) -> OverlayPlacement:
    return PORTRAIT_PLACEMENT if canvas_height > canvas_width else LANDSCAPE_PLACEMENT


# -- fonts: the shipped stack plus a right-to-left script font --------------------------------------

RTL_FONT_CANDIDATES: tuple[Path, ...] = (
    fonts.FONT_DIR / "NotoSansArabic-Regular.ttf",
    fonts.FONT_DIR / "NotoSansHebrew-Regular.ttf",
    fonts.FONT_DIR / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
)


@lru_cache(maxsize=1)
def rtl_faces() -> tuple[FontFace, ...]:
    """Fonts with Arabic and/or Hebrew letters found on this machine (shipped ones first)."""
    found: list[FontFace] = []
    covered: set[str] = set()
    for path in RTL_FONT_CANDIDATES:
        try:
            if not path.is_file():
                continue
        except OSError:
            continue
        cmap = fonts._cmap(path, 0)
        scripts = {name for name, cp in (("arabic", 0x0628), ("hebrew", 0x05D0)) if cp in cmap}
        if scripts - covered:
            found.append(FontFace(path, 0))
            covered |= scripts
        if covered == {"arabic", "hebrew"}:
            break
    if not found:
        log.info("no font with Arabic or Hebrew letters found: such comments show missing-glyph boxes")
    return tuple(found)


@lru_cache(maxsize=1)
def comment_fonts() -> FontStack:
    """The shipped fonts (same look as the other overlays), with the fonts for right-to-left
    scripts before DejaVu Sans, the last resort for combining marks."""
    return FontStack((fonts.WQY_MICRO_HEI, fonts.NOTO_COLOR_EMOJI, *rtl_faces(), fonts.DEJAVU_SANS))


# -- cleaning untrusted text ----------------------------------------------------------------------

_KEEP_FORMAT = {0x200C, 0x200D}  # ZWNJ (Persian, Indic), ZWJ (emoji sequences)
_SPACES = re.compile(r"\s+")


def _keep_format(cp: int) -> bool:
    return cp in _KEEP_FORMAT or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)


def _is_counted_mark(char: str, category: str) -> bool:
    """A combining mark counted against MAX_MARKS_PER_CHARACTER (variation selectors are not)."""
    cp = ord(char)
    return category in ("Mn", "Me") and not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)


def _tidy_spaces(line: str) -> str:
    """Runs of white space as one space, none at the ends, except a space that carries marks."""
    return lstrip_spaces(_SPACES.sub(" ", line).rstrip())


def clean_text(text: str, limit: int = CHAR_LIMIT, *, single_line: bool = False) -> str:
    """Comment text made safe to draw: at most `limit` characters, in whole grapheme clusters
    (never half an emoji sequence or a letter without its accent), control and invisible
    formatting characters (bidi overrides, zero-width spaces) removed, tabs as spaces, at most
    MAX_MARKS_PER_CHARACTER combining marks per character, blank lines dropped (or every line
    break a space when single_line)."""
    if not isinstance(text, str):
        text = str(text)
    window = text[: limit * 2]  # marks and controls removed below may shorten it
    out: list[str] = []
    marks = 0
    for char in window:
        category = unicodedata.category(char)
        if char in "\r\n\u2028\u2029\x85":
            out.append(" " if single_line else "\n")
            marks = 0
            continue
        if char == "\t":
            char, category = " ", "Zs"
        elif category == "Cc" or category == "Cs" or (category == "Cf" and not _keep_format(ord(char))):
            continue
        if _is_counted_mark(char, category):
            marks += 1
            if marks > MAX_MARKS_PER_CHARACTER:
                continue
        else:
            marks = 0
        out.append(char)
        if len(out) > limit:  # one past the limit: enough to know where the last cluster ends
            break
    parts = clusters("".join(out))
    if parts and _last_cluster_cut(parts[-1], text, len(out) > limit, len(window), marks):
        parts.pop()
    joined = "".join(parts)
    if single_line:
        joined = _tidy_spaces(joined)
    else:
        joined = "\n".join(line for line in map(_tidy_spaces, joined.split("\n")) if line)
    return "".join(take_clusters(clusters(joined), limit))


def _last_cluster_cut(last: str, text: str, stopped_early: bool, window_chars: int, trailing_marks: int) -> bool:
    """Whether the last cluster read may go on in the text not read (then it is left out)."""
    if stopped_early:
        return True  # it holds the character past the limit
    if len(text) <= window_chars:
        return False
    following = text[window_chars]
    if _is_counted_mark(following, unicodedata.category(following)) and trailing_marks >= MAX_MARKS_PER_CHARACTER:
        return False  # only more marks, which the cap drops anyway
    return continues_cluster(last, following)


# -- lines ------------------------------------------------------------------------------------------


def line_width(text: str, size_px: int, stack: FontStack | None = None) -> float:
    return (stack or comment_fonts()).width(text, size_px)


def draw_line(
    image: Image.Image,
    xy: tuple[float, float],
    text: str,
    size_px: int,
    fill: tuple[int, int, int, int] = fonts.WHITE,
    *,
    anchor: str = "la",
    bold: bool = False,
    rtl: bool | None = None,
    stack: FontStack | None = None,
) -> tuple[int, int, int, int]:
    """One line with bidirectional layout (bidi_line.draw_line), in the comment fonts unless a
    stack is given. Returns the line box (x0, y0, x1, y1)."""
    return bidi_line.draw_line(image, xy, text, size_px, fill, stack=stack or comment_fonts(), anchor=anchor, bold=bold, rtl=rtl)


def fit_line(text: str, size_px: int, max_width_px: float, stack: FontStack | None = None) -> str:
    """One line: the text itself when it fits, else its longest start that fits with "…"."""
    return (stack or comment_fonts()).ellipsize(text, size_px, max_width_px)


# -- the card ---------------------------------------------------------------------------------------

AVATAR_COLOURS: tuple[tuple[int, int, int, int], ...] = (
    (239, 83, 80, 255),
    (236, 64, 122, 255),
    (171, 71, 188, 255),
    (92, 107, 192, 255),
    (41, 182, 246, 255),
    (38, 166, 154, 255),
    (102, 187, 106, 255),
    (255, 167, 38, 255),
    (141, 110, 99, 255),
)


def avatar_colour(platform: str, user: str) -> tuple[int, int, int, int]:
    """A stable colour per viewer (the same on every card of theirs)."""
    return AVATAR_COLOURS[zlib.crc32(f"{platform}:{user}".encode("utf-8", "replace")) % len(AVATAR_COLOURS)]


def _initial(user: str, stack: FontStack) -> str:
    for part in clusters(user):
        if part.isspace() or not stack.has_glyphs(part):
            continue
        return part.upper() if len(part.upper()) == len(part) else part
    return "?"


def _avatar(user: str, platform: str, size: int, stack: FontStack) -> Image.Image:
    supersample = 4
    big = Image.new("RGBA", (size * supersample, size * supersample), (0, 0, 0, 0))
    ImageDraw.Draw(big).ellipse((0, 0, size * supersample - 1, size * supersample - 1), fill=avatar_colour(platform, user))
    disc = big.convert("RGBa").resize((size, size), Image.Resampling.BOX).convert("RGBA")
    letter_px = max(2, round(size * 0.5))
    draw_line(disc, (size / 2, size / 2), _initial(user, stack), letter_px, fonts.WHITE, anchor="mm", bold=True, stack=stack)
    return disc


def comment_lines_for(text: str, canvas_width: int, canvas_height: int) -> list[str]:
    """The comment text as the card draws it: cleaned, wrapped onto at most four lines, cut with "…"."""
    u = CanvasUnits(canvas_width, canvas_height)
    stack = comment_fonts()
    width = _text_column_max(u, default_placement(canvas_width, canvas_height))
    return stack.wrap(clean_text(text), u(LAYOUT.text_px), width, LAYOUT.text_lines)


def _text_column_max(u: CanvasUnits, placement: OverlayPlacement) -> int:
    card_width = placement.width_px(u.canvas_width, u.canvas_height, LAYOUT.max_width / 1080)
    return max(u(40), card_width - 2 * u(LAYOUT.padding_x) - u(LAYOUT.avatar) - u(LAYOUT.gap))


def render_comment_card(
    user: str,
    text: str,
    platform: str,
    canvas_width: int,
    canvas_height: int,
    *,
    placement: OverlayPlacement | None = None,
    style: OverlayStyle = STYLE,
) -> RenderedOverlay:
    """A viewer's comment as a card (see the module docstring). Never raises on odd text."""
    placement = placement or default_placement(canvas_width, canvas_height)
    u = CanvasUnits(canvas_width, canvas_height)
    L = LAYOUT
    stack = comment_fonts()
    pad_x, pad_y, gap, avatar_px = u(L.padding_x), u(L.padding_y), u(L.gap), u(L.avatar)
    column_max = _text_column_max(u, placement)
    name_px, platform_px, text_px = u(L.name_px), u(L.platform_px), u(L.text_px)

    user = clean_text(user, USER_CHAR_LIMIT, single_line=True) or "?"
    platform = clean_text(platform, PLATFORM_CHAR_LIMIT, single_line=True)
    body = clean_text(text)
    rtl_body = base_direction(body) == "rtl"

    # The name row: name (bold accent) then the platform, small and muted, right after it.
    platform_width = math.ceil(stack.width(platform, platform_px)) if platform else 0
    platform_gap = u(12) if platform else 0
    name_room = max(u(40), column_max - platform_width - platform_gap)
    name_slack = 2 * fonts.bold_stroke_px(name_px)
    name = stack.ellipsize(user, name_px, name_room - name_slack)
    name_width = math.ceil(stack.width(name, name_px)) + name_slack
    if platform and name_width + platform_gap + platform_width > column_max:
        platform = stack.ellipsize(platform, platform_px, max(0, column_max - name_width - platform_gap))
        platform_width = math.ceil(stack.width(platform, platform_px))

    lines = stack.wrap(body, text_px, column_max, L.text_lines) if body else []
    line_widths = [math.ceil(stack.width(line, text_px)) for line in lines]

    name_height = stack.metrics(name_px).height
    text_line_height = stack.metrics(text_px).height + u(L.line_gap)
    content_width = max([name_width + platform_gap + platform_width, *line_widths])
    text_height = name_height + (u(4) + text_line_height * len(lines) if lines else 0)
    width = pad_x + avatar_px + gap + min(column_max, content_width) + pad_x
    width = max(u(L.min_width) if lines else 0, width)
    width = min(width, placement.width_px(canvas_width, canvas_height, L.max_width / 1080))
    width += width & 1
    height = pad_y + max(avatar_px, text_height) + pad_y
    height += height & 1

    card = rounded_panel(width, height, u(L.radius), style.panel, style.panel_border, max(1, u(1.5)))
    card.alpha_composite(_avatar(user, platform, avatar_px, stack), (pad_x, pad_y))
    column_x = pad_x + avatar_px + gap
    column_right = width - pad_x
    y = pad_y - u(2)
    draw_line(card, (column_x, y), name, name_px, style.accent, bold=True, stack=stack)
    if platform:
        baseline = y + stack.metrics(name_px).ascent
        draw_line(card, (column_x + name_width + platform_gap, baseline), platform, platform_px, style.muted, anchor="ls", stack=stack)
    y += name_height + u(4)
    for line in lines:
        if rtl_body:  # right-to-left text reads from the right edge of the column
            draw_line(card, (column_right, y), line, text_px, style.text, anchor="ra", rtl=True, stack=stack)
        else:
            draw_line(card, (column_x, y), line, text_px, style.text, rtl=False, stack=stack)
        y += text_line_height
    return place(card, placement, canvas_width, canvas_height)


# -- the cache --------------------------------------------------------------------------------------


def card_key(
    user: str,
    text: str,
    platform: str,
    canvas_width: int,
    canvas_height: int,
    placement: OverlayPlacement | None = None,
    style: OverlayStyle = STYLE,
) -> tuple:
    """Everything a card's pixels depend on (text beyond what the card can consider is left out)."""
    return (
        str(user)[: USER_CHAR_LIMIT * 4],
        str(text)[: CHAR_LIMIT * 4],
        str(platform)[: PLATFORM_CHAR_LIMIT * 4],
        canvas_width,
        canvas_height,
        placement,
        style,
    )


class CommentCardCache(RenderedOverlayCache):
    """Rendered comment cards by content and canvas: get() returns the same RenderedOverlay object
    for the same comment on the same canvas. Thread-safe; keeps the `capacity` most recently used."""

    def __init__(self, capacity: int = 32) -> None:
        super().__init__(capacity)

    def get(
        self,
        user: str,
        text: str,
        platform: str,
        canvas_width: int,
        canvas_height: int,
        *,
        placement: OverlayPlacement | None = None,
        style: OverlayStyle = STYLE,
    ) -> RenderedOverlay:
        key = card_key(user, text, platform, canvas_width, canvas_height, placement, style)
        return self.get_or_render(key, lambda: render_comment_card(user, text, platform, canvas_width, canvas_height, placement=placement, style=style))

