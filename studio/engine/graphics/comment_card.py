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

Right-to-left text (Arabic, Hebrew): each line is laid out with the Unicode bidirectional
algorithm (a compact implementation of UAX #9 for one paragraph without explicit embeddings),
its right-to-left runs shaped by raqm in right-to-left direction. The shipped fonts have no
Arabic or Hebrew, so a font that has them is looked for in studio/assets/fonts and then among
the system's fonts (DejaVu Sans, Noto Sans Arabic/Hebrew, FreeSans); without one those
characters are drawn as missing-glyph boxes, never an error. `draw_line` is shared with the
comment ticker.
"""

from __future__ import annotations

import logging
import math
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, features

from studio.engine.graphics import fonts
from studio.engine.graphics.fonts import FontFace, FontStack, Run
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
    """The shipped fonts (same look as the other overlays), then fonts for right-to-left scripts."""
    return FontStack((*fonts.DEFAULT_FACES, *rtl_faces()))


# -- cleaning untrusted text ----------------------------------------------------------------------

_KEEP_FORMAT = {0x200C, 0x200D}  # ZWNJ (Persian, Indic), ZWJ (emoji sequences)


def _keep_format(cp: int) -> bool:
    return cp in _KEEP_FORMAT or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)


def clean_text(text: str, limit: int = CHAR_LIMIT, *, single_line: bool = False) -> str:
    """Comment text made safe to draw: at most `limit` characters considered, control and
    invisible formatting characters (bidi overrides, zero-width spaces) removed, tabs as spaces,
    at most MAX_MARKS_PER_CHARACTER combining marks per character, blank lines dropped (or every
    line break a space when single_line)."""
    if not isinstance(text, str):
        text = str(text)
    out: list[str] = []
    marks = 0
    for char in text[: limit * 2]:  # marks and controls removed below may shorten it
        cp = ord(char)
        category = unicodedata.category(char)
        if char in "\r\n\u2028\u2029\x85":
            out.append(" " if single_line else "\n")
            marks = 0
            continue
        if char == "\t":
            char, category = " ", "Zs"
        elif category == "Cc" or category == "Cs" or (category == "Cf" and not _keep_format(cp)):
            continue
        if category in ("Mn", "Me") and not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF):
            marks += 1
            if marks > MAX_MARKS_PER_CHARACTER:
                continue
        else:
            marks = 0
        out.append(char)
        if len(out) >= limit:
            break
    joined = "".join(out)
    if single_line:
        return " ".join(joined.split())
    lines = [" ".join(line.split()) for line in joined.split("\n")]
    return "\n".join(line for line in lines if line)


# -- bidirectional text (UAX #9, one paragraph, no explicit embeddings) ---------------------------

_NEUTRAL = {"ON", "WS", "B", "S"}


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def base_direction(text: str) -> str:
    """"rtl" when the first strong character is Arabic/Hebrew (rule P2), else "ltr"."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


_BRACKET_PAIRS = "()[]{}⁅⁆⁽⁾₍₎⌈⌉⌊⌋〈〉❨❩❪❫❬❭❮❯❰❱❲❳❴❵⟅⟆⟦⟧⟨⟩⟪⟫⟬⟭⟮⟯⦃⦄⦅⦆⦇⦈⦉⦊⦋⦌⦍⦎⦏⦐⦑⦒⦓⦔⦕⦖⦗⦘⧘⧙⧚⧛⧼⧽⸢⸣⸤⸥⸦⸧⸨⸩〈〉《》「」『』【】〔〕〖〗〘〙〚〛﹙﹚﹛﹜﹝﹞（）［］｛｝｟｠｢｣"
_OPENING = {_BRACKET_PAIRS[i]: _BRACKET_PAIRS[i + 1] for i in range(0, len(_BRACKET_PAIRS), 2)}
_CLOSING = set(_OPENING.values())
_MAX_BRACKET_DEPTH = 63  # BD16


def _bracket_pairs(chars: list[str], types: list[str]) -> list[tuple[int, int]]:
    """Paired brackets (BD16): (opening index, closing index), ordered by the opening one."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, char in enumerate(chars):
        if types[i] != "ON":
            continue
        if char in _OPENING:
            if len(stack) == _MAX_BRACKET_DEPTH:
                break
            stack.append((_OPENING[char], i))
        elif char in _CLOSING:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def bidi_levels(types: list[str], rtl: bool, chars: list[str] | None = None) -> list[int]:
    """Embedding levels of a line's characters (their bidi classes) in a paragraph of the given
    direction: rules W1-W7, N0 (paired brackets, when the characters are given), N1-N2 and
    I1-I2 of UAX #9."""
    n = len(types)
    sos = "R" if rtl else "L"
    t = [kind or "ON" for kind in types]
    for i, kind in enumerate(t):
        if kind == "NSM":  # W1 (clusters normally carry their marks already)
            t[i] = t[i - 1] if i else sos
        elif kind in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"):
            t[i] = "ON"
    last = sos
    for i, kind in enumerate(t):  # W2
        if kind in ("L", "R", "AL"):
            last = kind
        elif kind == "EN" and last == "AL":
            t[i] = "AN"
    t = ["R" if kind == "AL" else kind for kind in t]  # W3
    for i in range(1, n - 1):  # W4
        if t[i] == "ES" and t[i - 1] == "EN" == t[i + 1]:
            t[i] = "EN"
        elif t[i] == "CS" and t[i - 1] == t[i + 1] and t[i - 1] in ("EN", "AN"):
            t[i] = t[i - 1]
    i = 0
    while i < n:  # W5
        if t[i] != "ET":
            i += 1
            continue
        j = i
        while j < n and t[j] == "ET":
            j += 1
        if (i > 0 and t[i - 1] == "EN") or (j < n and t[j] == "EN"):
            t[i:j] = ["EN"] * (j - i)
        i = j
    t = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in t]  # W6
    last = sos
    for i, kind in enumerate(t):  # W7
        if kind in ("L", "R"):
            last = kind
        elif kind == "EN" and last == "L":
            t[i] = "L"

    def strong(kind: str) -> str:
        return "L" if kind == "L" else "R"

    if chars is not None:  # N0: a bracket pair takes one direction, from inside or its context
        embedding = sos
        for opening, closing in _bracket_pairs(chars, t):
            inside = {strong(kind) for kind in t[opening + 1 : closing] if kind in ("L", "R", "EN", "AN")}
            if not inside:
                continue
            if embedding in inside:
                direction = embedding
            else:
                # The opposite direction only when the context before the pair has it too.
                direction = next((strong(k) for k in reversed(t[:opening]) if k in ("L", "R", "EN", "AN")), sos)
            t[opening] = t[closing] = direction

    i = 0
    while i < n:  # N1, N2
        if t[i] not in _NEUTRAL:
            i += 1
            continue
        j = i
        while j < n and t[j] in _NEUTRAL:
            j += 1
        before = sos if i == 0 else strong(t[i - 1])
        after = sos if j == n else strong(t[j])
        t[i:j] = [before if before == after else sos] * (j - i)
        i = j
    if rtl:  # I1, I2
        return [1 if kind == "R" else 2 for kind in t]
    return [0 if kind == "L" else 1 if kind == "R" else 2 for kind in t]


def visual_order(levels: list[int]) -> list[int]:
    """Indexes of items in the order they are drawn, left to right (rule L2)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min(levels) | 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
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
    parts = fonts.clusters(text)
    if not parts:
        return []
    levels = bidi_levels([unicodedata.bidirectional(part[0]) for part in parts], rtl, [part[0] for part in parts])
    # Which font draws each cluster: as FontStack.runs does (spaces take the text font before them).
    faces: list[FontFace] = []
    for part in parts:
        face = None
        if part.isspace():
            if faces and not faces[-1].color and stack.covers(faces[-1], ord(part[0])):
                face = faces[-1]
            else:
                face = next((f for f in stack.faces if not f.color and stack.covers(f, ord(part[0]))), None)
        else:
            face = stack.face_for(part)
        faces.append(face or stack.faces[0])
    pieces: list[tuple[FontFace, int, str]] = []
    for part, face, level in zip(parts, faces, levels, strict=True):
        if pieces and pieces[-1][0] == face and pieces[-1][1] == level:
            pieces[-1] = (face, level, pieces[-1][2] + part)
        else:
            pieces.append((face, level, part))
    order = visual_order([level for _, level, _ in pieces])
    return [Segment(pieces[k][0], pieces[k][2], bool(pieces[k][1] & 1)) for k in order]


RAQM = features.check_feature("raqm")


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
    """FontStack.draw with bidirectional layout: right-to-left runs are shaped right to left and
    the runs are put in visual order. rtl: the paragraph direction (None: from the text's first
    strong character). Text without Arabic/Hebrew in a left-to-right paragraph is drawn by
    FontStack.draw itself. Returns the line box (x0, y0, x1, y1)."""
    stack = stack or comment_fonts()
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
    if not RAQM:  # no shaping engine: at least the letters go right to left
        reversed_run = Run(segment.face, "".join(reversed(fonts.clusters(segment.text))))
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
    for part in fonts.clusters(user):
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

