"""One line of mixed-direction text (Arabic, Hebrew beside Chinese, Latin, emoji), laid out and drawn.

The Unicode bidirectional algorithm (UAX #9) comes from python-bidi, whose `get_display` wraps
the Rust crate unicode-bidi (a current UAX #9: paired brackets, isolates, numbers after Arabic).
get_display returns reordered characters, which is not enough here: Pillow+raqm shapes Arabic
only from text in logical order with its direction, and the fonts change from cluster to cluster.
So the resolved embedding level of each character is read from get_display(..., debug=True),
which the library documents as showing the levels the algorithm resolved (it prints the crate's
BidiInfo). The levels are then applied per grapheme cluster, so a base and its marks, or a ZWJ
emoji sequence, always move as one: trailing white space goes to the paragraph level (rule L1)
and runs are reversed by level (rule L2). If a later python-bidi prints the levels differently,
`levels_readable()` turns False (a test checks it) and lines are laid out in paragraph order
until this module is adjusted, with a warning in the log; nothing raises.

Right-to-left runs are shaped by raqm in right-to-left direction (it mirrors brackets itself);
without raqm their clusters are drawn in reverse order, mark still after base.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import bidi
import regex
from PIL import Image, ImageDraw, features

from studio.engine.graphics import fonts
from studio.engine.graphics.fonts import FontFace, FontStack, Run
from studio.engine.graphics.graphemes import clusters

log = logging.getLogger(__name__)

RAQM = features.check_feature("raqm")

_RIGHT_TO_LEFT = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The `levels` field of the printed BidiInfo: one Level(n) per UTF-8 byte of the text. Anchored at
# the start of a line with its indentation: the text field before it is printed escaped (no raw
# newlines), so a comment cannot fake it.
_LEVELS_FIELD = re.compile(r"^    levels: \[(.*?)\],?$", re.MULTILINE | re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+)")


def has_rtl(text: str) -> bool:
    """True when text has a right-to-left letter (Arabic, Hebrew, Syriac, Thaana, N'Ko...)."""
    return _RIGHT_TO_LEFT.search(text) is not None


def _for_bidi(text: str) -> str:
    """The text as the Rust library accepts it: lone surrogates (not valid UTF-8) as U+FFFD,
    which keeps every character's index."""
    return _SURROGATE.sub("\ufffd", text)


def base_direction(text: str) -> str:
    """"rtl" when the first strong character of the text is right-to-left (rules P2, P3,
    isolates skipped), else "ltr" (also for text without strong characters)."""
    if not has_rtl(text):
        return "ltr"
    # All paragraphs as one: a comment's lines are one paragraph, its direction from its first
    # letter wherever it is (get_base_level looks at the first paragraph only).
    one_paragraph = " ".join(_for_bidi(text).splitlines())
    return "rtl" if bidi.get_base_level(one_paragraph) == 1 else "ltr"


def _character_levels(text: str, rtl: bool) -> list[int] | None:
    """The resolved embedding level of each character of text (rules P-X-W-N-I of UAX #9) in a
    paragraph of the given direction; None when python-bidi's output is not understood."""
    printed = bidi.get_display(text, base_dir="R" if rtl else "L", debug=True)
    field = _LEVELS_FIELD.search(printed) if isinstance(printed, str) else None
    if field is None:
        return None
    byte_levels = [int(level) for level in _LEVEL.findall(field.group(1))]
    encoded_lengths = [len(char.encode("utf-8")) for char in text]
    if len(byte_levels) != sum(encoded_lengths):
        return None
    levels: list[int] = []
    offset = 0
    for length in encoded_lengths:
        levels.append(byte_levels[offset])
        offset += length
    return levels


@lru_cache(maxsize=1)
def _warn_levels_unreadable() -> None:
    log.warning(
        "python-bidi %s prints its embedding levels in a form this version of the studio does not "
        "read: right-to-left text is laid out in paragraph order (see studio/engine/graphics/bidi_line.py)",
        getattr(bidi, "VERSION", "?"),
    )


def levels_readable() -> bool:
    """True when the installed python-bidi's levels are read as expected (checked on a known line)."""
    return _character_levels("ab \u05d0\u05d1 12", rtl=False) == [0, 0, 0, 1, 1, 1, 2, 2]


def cluster_levels(parts: list[str], rtl: bool) -> list[int]:
    """The embedding level of each cluster of one line (its first character's level; a cluster's
    marks and joiners resolve to their base's), trailing white space at the paragraph level (L1)."""
    paragraph_level = 1 if rtl else 0
    if not parts:
        return []
    text = _for_bidi("".join(parts))
    levels = _character_levels(text, rtl)
    if levels is None:
        _warn_levels_unreadable()
        return [paragraph_level] * len(parts)
    result: list[int] = []
    offset = 0
    for part in parts:
        result.append(levels[offset])
        offset += len(part)
    for index in range(len(parts) - 1, -1, -1):  # L1: white space at the end of the line
        if not parts[index].isspace():
            break
        result[index] = paragraph_level
    return result


def visual_order(levels: list[int]) -> list[int]:
    """Indexes of items in the order they are drawn, left to right (rule L2: from the highest
    level down to the lowest odd one, reverse every run at that level or above)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    for level in range(max(levels), (min(levels) | 1) - 1, -1):
        start = 0
        while start < len(order):
            if levels[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[start:end] = order[start:end][::-1]
            start = end
    return order


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a line in one font and one direction, text in logical order."""

    face: FontFace
    text: str
    rtl: bool


def visual_segments(text: str, stack: FontStack, rtl: bool | None = None) -> list[Segment]:
    """One line cut into font runs and direction runs, in visual (left to right) order."""
    if rtl is None:
        rtl = base_direction(text) == "rtl"
    placed = stack.placed_clusters(text)
    if not placed:
        return []
    levels = cluster_levels(clusters(text), rtl)
    pieces: list[tuple[FontFace, int, str]] = []
    for cluster, level in zip(placed, levels, strict=True):
        if pieces and pieces[-1][0] == cluster.face and pieces[-1][1] == level:
            pieces[-1] = (cluster.face, level, pieces[-1][2] + cluster.text)
        else:
            pieces.append((cluster.face, level, cluster.text))
    order = visual_order([level for _, level, _ in pieces])
    return [Segment(pieces[k][0], pieces[k][2], bool(pieces[k][1] & 1)) for k in order]


# -- drawing ---------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _rtl_outline_run(face: FontFace, size_px: int, text: str, fill: tuple, bold_px: int) -> tuple[Image.Image, int, int]:
    font = fonts._font(face, size_px)
    left, top, right, bottom = font.getbbox(text, anchor="ls", direction="rtl", stroke_width=bold_px)
    layer = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        (-left, -top), text, font=font, fill=fill, anchor="ls", direction="rtl", stroke_width=bold_px, stroke_fill=fill
    )
    return layer, left, top


@lru_cache(maxsize=128)
def _rtl_colour_run(face: FontFace, size_px: int, text: str) -> tuple[Image.Image, float, float]:
    font = fonts._font(face, face.strike_px or size_px)
    left, top, right, bottom = font.getbbox(text, anchor="ls", direction="rtl")
    big = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(big).text((-left, -top), text, font=font, anchor="ls", direction="rtl", embedded_color=True)
    scale = size_px * face.scale / (face.strike_px or size_px)
    if scale == 1.0:
        return big, float(left), float(top)
    size = (max(1, round(big.width * scale)), max(1, round(big.height * scale)))
    return big.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA"), left * scale, top * scale


def draw_line(
    image: Image.Image,
    xy: tuple[float, float],
    text: str,
    size_px: int,
    fill: tuple[int, int, int, int] = fonts.WHITE,
    *,
    stack: FontStack,
    anchor: str = "la",
    bold: bool = False,
    rtl: bool | None = None,
) -> tuple[int, int, int, int]:
    """FontStack.draw with bidirectional layout: right-to-left runs are shaped right to left and
    the runs are put in visual order. rtl: the paragraph direction (None: from the text's first
    strong character). Text without right-to-left letters in a left-to-right paragraph is drawn
    by FontStack.draw itself. Returns the line box (x0, y0, x1, y1)."""
    if rtl is None:
        rtl = base_direction(text) == "rtl"
    if not rtl and not has_rtl(text):
        return stack.draw(image, xy, text, size_px, fill, anchor=anchor, bold=bold)
    if len(anchor) != 2 or anchor[0] not in "lmr" or anchor[1] not in "amsd":
        raise ValueError(f"anchor must be one of l/m/r then a/m/s/d, like 'la' or 'ms'; got {anchor!r}")
    fill = fonts._rgba(fill)
    metrics = stack.metrics(size_px)
    segments = visual_segments(text, stack, rtl)
    widths = [stack.run_width(Run(seg.face, seg.text), size_px) for seg in segments]
    total = sum(widths)
    x = xy[0] - {"l": 0.0, "m": total / 2, "r": total}[anchor[0]]
    above = {"a": metrics.ascent, "m": metrics.ascent - metrics.height / 2, "s": 0, "d": -metrics.descent}
    baseline = xy[1] + above[anchor[1]]
    bold_px = fonts.bold_stroke_px(size_px) if bold else 0
    for segment, width in zip(segments, widths, strict=True):
        if segment.text.strip():
            _draw_segment(image, x, baseline, segment, size_px, fill, bold_px, stack)
        x += width
    x0 = round(x - total)
    return x0, round(baseline - metrics.ascent), x0 + math.ceil(total), round(baseline + metrics.descent)


def _draw_segment(
    image: Image.Image, x: float, baseline: float, segment: Segment, size_px: int, fill, bold_px: int, stack: FontStack
) -> None:
    run = Run(segment.face, segment.text)
    if not segment.rtl:
        stack._draw_run(image, x, baseline, run, size_px, fill, 0, fonts.BLACK, bold_px)
        return
    if not RAQM:  # no shaping engine: at least the characters go right to left, marks on their base
        reversed_run = Run(segment.face, "".join(reversed(clusters(segment.text))))
        stack._draw_run(image, x, baseline, reversed_run, size_px, fill, 0, fonts.BLACK, bold_px)
        return
    face = segment.face
    if face.color:
        layer, left, top = _rtl_colour_run(face, size_px, segment.text)
        if fill[3] < 255:
            layer = layer.copy()
            layer.putalpha(layer.getchannel("A").point(lambda a: a * fill[3] // 255))
        fonts.paste_over(image, layer, round(x + left), round(baseline + top))
        return
    font_size = stack._run_font_size(face, size_px)
    layer, left, top = _rtl_outline_run(face, font_size, segment.text, fill, bold_px)
    fonts.paste_over(image, layer, round(x) + left, round(baseline) + top)
