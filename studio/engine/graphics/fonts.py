"""Text with per-cluster font fallback: Chinese, Latin, emoji and combining marks on one baseline.

The fonts ship in studio/assets/fonts (see the README and licence files there), so a bare
machine renders every overlay the same way. A string is cut into grapheme clusters (graphemes.py:
a base character with its combining marks, variation selectors, skin tones, ZWJ sequences, flags,
keycaps). Each cluster is drawn by one font, so its marks combine with their base: the first font
that has the base and every mark, else the one that has the base and most of them, whose
missing marks are dropped (a stray box is worse than a missing accent). Neighbouring clusters of
the same font form one run, which Pillow draws in one call: with raqm (HarfBuzz) the marks are
placed by the font's anchors, with Pillow's basic layout they keep their zero advance and land on
their base. Character maps are read once per font file with fontTools.

Noto Color Emoji is a bitmap font (CBDT) with one strike: its runs are drawn at 109 px in colour
and scaled down to the text size, premultiplied so the edges stay clean.

Everything here works on Pillow RGBA images with straight alpha; the overlay renderers convert
to the engine's BGRA at the end.
"""

from __future__ import annotations

import logging
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from studio.engine.graphics.graphemes import (
    breaks_paragraph,
    clusters,
    is_default_ignorable,
    lstrip_spaces,
    wants_emoji,
    wants_text,
)

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
ELLIPSIS = "…"

RGBA = tuple[int, int, int, int]
WHITE: RGBA = (255, 255, 255, 255)
BLACK: RGBA = (0, 0, 0, 255)


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file (one face of a collection) in a fallback stack."""

    path: Path
    index: int = 0
    strike_px: int | None = None  # bitmap-only fonts: the one size they render at; scaled from there
    scale: float = 1.0  # glyph size relative to the requested size (colour emoji are drawn a bit smaller)
    color: bool = False  # draw with the font's own colours (emoji), ignoring the fill colour

    @property
    def name(self) -> str:
        return f"{self.path.name}#{self.index}"


WQY_MICRO_HEI = FontFace(FONT_DIR / "wqy-microhei.ttc", 0)
NOTO_COLOR_EMOJI = FontFace(FONT_DIR / "NotoColorEmoji.ttf", 0, strike_px=109, scale=0.92, color=True)
# DejaVu Sans last: it has the combining marks (and Greek, Cyrillic, Arabic, Hebrew letters) that
# WenQuanYi lacks, so Zalgo text and accents show instead of missing-glyph boxes.
DEJAVU_SANS = FontFace(FONT_DIR / "DejaVuSans.ttf", 0)
DEFAULT_FACES: tuple[FontFace, ...] = (WQY_MICRO_HEI, NOTO_COLOR_EMOJI, DEJAVU_SANS)


# -- font files ------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _cmap(path: Path, index: int) -> frozenset[int]:
    """The code points a font has glyphs for (read once per face; empty if the file is unusable)."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(str(path), fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as error:  # a missing or broken font must not take the overlays down
        log.warning("cannot read the character map of %s: %s", path, error)
        return frozenset()


_font_lock = threading.Lock()


@lru_cache(maxsize=64)
def _pil_font(path: Path, index: int, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(path), size_px, index=index)
    except OSError as error:
        log.warning("cannot load font %s: %s; using Pillow's built-in font", path, error)
        return ImageFont.load_default(size=size_px)


def _font(face: FontFace, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    with _font_lock:  # FreeType faces are not safe to share across threads while being created
        return _pil_font(face.path, face.index, face.strike_px or max(1, size_px))


@dataclass(frozen=True, slots=True)
class Run:
    face: FontFace
    text: str


@dataclass(frozen=True, slots=True)
class PlacedCluster:
    """One grapheme cluster and the font that draws it. text is what is drawn: the cluster
    without the marks (and invisible joiners, selectors) that this font lacks; complete is False
    when something visible was dropped or no font has the base (drawn as the font's box)."""

    face: FontFace
    text: str
    complete: bool


@dataclass(frozen=True, slots=True)
class LineMetrics:
    """The line box of a size: ascent above the baseline, descent below it (both positive)."""

    ascent: int
    descent: int

    @property
    def height(self) -> int:
        return self.ascent + self.descent


_CLUSTER_CACHE_LIMIT = 4096


class FontStack:
    """An ordered list of fonts; each grapheme cluster is drawn with the first one that has it
    whole (its base and its marks)."""

    def __init__(self, faces: Sequence[FontFace] = DEFAULT_FACES) -> None:
        if not faces:
            raise ValueError("a font stack needs at least one font")
        self.faces = tuple(dict.fromkeys(faces))  # each font once, in order
        self._width_cache: dict[tuple[str, int, FontFace], float] = {}
        self._cluster_cache: dict[str, PlacedCluster] = {}
        self._lock = threading.Lock()

    # -- which font draws what --

    def covers(self, face: FontFace, cp: int) -> bool:
        return cp in _cmap(face.path, face.index)

    def _candidates(self, cluster: str) -> tuple[FontFace, ...]:
        """The fonts to try for a cluster, in order: colour emoji first for emoji, last for text."""
        if wants_emoji(cluster):
            return tuple(f for f in self.faces if f.color) + tuple(f for f in self.faces if not f.color)
        if wants_text(cluster):
            return tuple(f for f in self.faces if not f.color) + tuple(f for f in self.faces if f.color)
        return self.faces

    def place(self, cluster: str) -> PlacedCluster:
        """The font for one cluster and what of it that font draws (see PlacedCluster)."""
        placed = self._cluster_cache.get(cluster)
        if placed is None:
            placed = self._place(cluster)
            with self._lock:
                if len(self._cluster_cache) > _CLUSTER_CACHE_LIMIT:
                    self._cluster_cache.clear()
                self._cluster_cache[cluster] = placed
        return placed

    def _place(self, cluster: str) -> PlacedCluster:
        base, rest = ord(cluster[0]), cluster[1:]
        # What must have a glyph: the marks and other visible parts. Joiners, variation selectors
        # and tags are shaping hints a font may lack; it then draws the cluster without them.
        visible = [ord(char) for char in rest if not is_default_ignorable(char)]
        chosen: FontFace | None = None
        fewest_missing = len(visible) + 1
        for face in self._candidates(cluster):
            if not self.covers(face, base):
                continue
            missing = sum(1 for cp in visible if not self.covers(face, cp))
            if missing < fewest_missing:  # ties keep the earlier font (the base's own)
                chosen, fewest_missing = face, missing
            if missing == 0:
                break
        face = chosen or self.faces[0]
        drawn = cluster[0] + "".join(char for char in rest if self.covers(face, ord(char)))
        return PlacedCluster(face, drawn, chosen is not None and fewest_missing == 0)

    def face_for(self, cluster: str) -> FontFace | None:
        """The font for one cluster; None when no font has its base character (it is drawn with
        the first font, as its missing-glyph box)."""
        face = self.place(cluster).face
        return face if self.covers(face, ord(cluster[0])) else None

    def placed_clusters(self, text: str) -> list[PlacedCluster]:
        """Each cluster of text with the font that draws it. Spaces take a text font's width (an
        emoji font's space is as wide as an emoji): the one before them when it is a text font."""
        placed: list[PlacedCluster] = []
        for cluster in clusters(text):
            if cluster.isspace():
                # A line break inside one line (a caller's slip) is a space: raqm refuses it.
                drawn = " " if breaks_paragraph(cluster) else cluster
                space = ord(drawn[0])
                if placed and not placed[-1].face.color and self.covers(placed[-1].face, space):
                    face = placed[-1].face
                else:
                    face = next((f for f in self.faces if not f.color and self.covers(f, space)), self.faces[0])
                placed.append(PlacedCluster(face, drawn, True))
            else:
                placed.append(self.place(cluster))
        return placed

    def runs(self, text: str) -> list[Run]:
        """text as runs of neighbouring clusters drawn by the same font."""
        runs: list[Run] = []
        for placed in self.placed_clusters(text):
            if runs and runs[-1].face == placed.face:
                runs[-1] = Run(placed.face, runs[-1].text + placed.text)
            else:
                runs.append(Run(placed.face, placed.text))
        return runs

    def has_glyphs(self, text: str) -> bool:
        """True when every (visible) cluster of text is drawn whole by some font."""
        return all(c.isspace() or self.place(c).complete for c in clusters(text))

    # -- sizes --

    def metrics(self, size_px: int) -> LineMetrics:
        """The line box, from the first font (so every line of a size has the same height)."""
        font = _font(self.faces[0], size_px)
        if isinstance(font, ImageFont.FreeTypeFont):
            ascent, descent = font.getmetrics()
        else:
            ascent, descent = size_px, size_px // 4
        return LineMetrics(int(ascent), int(descent))

    def _run_scale(self, face: FontFace, size_px: int) -> float:
        return size_px * face.scale / face.strike_px if face.strike_px else face.scale

    def _run_font_size(self, face: FontFace, size_px: int) -> int:
        return face.strike_px or max(1, round(size_px * face.scale))

    def run_width(self, run: Run, size_px: int) -> float:
        key = (run.text, size_px, run.face)
        width = self._width_cache.get(key)
        if width is None:
            font = _font(run.face, self._run_font_size(run.face, size_px))
            length = font.getlength(run.text)
            width = length * (self._run_scale(run.face, size_px) if run.face.strike_px else 1.0)
            with self._lock:
                if len(self._width_cache) > 4096:
                    self._width_cache.clear()
                self._width_cache[key] = width
        return width

    def width(self, text: str, size_px: int) -> float:
        """Advance width of one line of text, in pixels (fractional)."""
        return sum(self.run_width(run, size_px) for run in self.runs(text))

    def measure(self, text: str, size_px: int, stroke_px: int = 0) -> tuple[int, int]:
        """(width, height) of one line: the advance width (plus the stroke on both sides) and the
        line box height of the size."""
        return math.ceil(self.width(text, size_px)) + 2 * stroke_px, self.metrics(size_px).height + 2 * stroke_px

    # -- drawing --

    def draw(
        self,
        image: Image.Image,
        xy: tuple[float, float],
        text: str,
        size_px: int,
        fill: RGBA | tuple[int, int, int] = WHITE,
        *,
        anchor: str = "la",
        stroke_px: int = 0,
        stroke_fill: RGBA | tuple[int, int, int] = BLACK,
        bold: bool = False,
    ) -> tuple[int, int, int, int]:
        """Draw one line onto an RGBA image (composited "over", straight alpha).

        anchor: horizontal l / m / r (left, middle, right of the advance width), then vertical
        a / m / s / d (top of the line box, its middle, the baseline, its bottom). bold thickens
        the glyphs with a stroke of their own colour. Returns the line box (x0, y0, x1, y1).
        """
        if image.mode != "RGBA":
            raise ValueError(f"draw onto an RGBA image, not {image.mode}")
        fill = _rgba(fill)
        stroke_fill = _rgba(stroke_fill)
        metrics = self.metrics(size_px)
        runs = self.runs(text)
        widths = [self.run_width(run, size_px) for run in runs]
        total = sum(widths)
        if len(anchor) != 2 or anchor[0] not in "lmr" or anchor[1] not in "amsd":
            raise ValueError(f"anchor must be one of l/m/r then a/m/s/d, like 'la' or 'ms'; got {anchor!r}")
        horizontal, vertical = anchor
        x = xy[0] - {"l": 0.0, "m": total / 2, "r": total}[horizontal]
        above_baseline = {"a": metrics.ascent, "m": metrics.ascent - metrics.height / 2, "s": 0, "d": -metrics.descent}
        baseline = xy[1] + above_baseline[vertical]
        bold_px = bold_stroke_px(size_px) if bold else 0
        for run, width in zip(runs, widths, strict=True):
            if run.text.strip():
                self._draw_run(image, x, baseline, run, size_px, fill, stroke_px, stroke_fill, bold_px)
            x += width
        x0 = round(x - total)
        return x0, round(baseline - metrics.ascent), x0 + math.ceil(total), round(baseline + metrics.descent)

    def _draw_run(
        self,
        image: Image.Image,
        x: float,
        baseline: float,
        run: Run,
        size_px: int,
        fill: RGBA,
        stroke_px: int,
        stroke_fill: RGBA,
        bold_px: int,
    ) -> None:
        face = run.face
        if face.color:
            layer, left, top = _colour_run(face, run.text, size_px)
            if fill[3] < 255:
                alpha = layer.getchannel("A").point(lambda a: a * fill[3] // 255)
                layer = layer.copy()
                layer.putalpha(alpha)
            paste_over(image, layer, round(x + left), round(baseline + top))
            return
        font = _font(face, self._run_font_size(face, size_px))
        layer, left, top = _outline_run(font, run.text, fill, stroke_px, stroke_fill, bold_px)
        paste_over(image, layer, round(x) + left, round(baseline) + top)

    def render(
        self,
        text: str,
        size_px: int,
        fill: RGBA | tuple[int, int, int] = WHITE,
        *,
        stroke_px: int = 0,
        stroke_fill: RGBA | tuple[int, int, int] = BLACK,
        bold: bool = False,
        padding: int = 1,
    ) -> Image.Image:
        """One line on its own transparent RGBA image: the line box plus stroke and padding."""
        width, height = self.measure(text, size_px, stroke_px)
        overhang = max(stroke_px, bold_stroke_px(size_px) if bold else 0, size_px // 8)
        image = Image.new("RGBA", (width + 2 * (padding + overhang), height + 2 * padding), (0, 0, 0, 0))
        self.draw(
            image,
            (padding + overhang, padding + stroke_px),
            text,
            size_px,
            fill,
            stroke_px=stroke_px,
            stroke_fill=stroke_fill,
            bold=bold,
        )
        return image

    # -- wrapping --

    def wrap(
        self,
        text: str,
        size_px: int,
        max_width_px: float,
        max_lines: int | None = None,
        *,
        bold: bool = False,
    ) -> list[str]:
        """Lines that fit max_width_px: Chinese/Japanese and emoji break between any two
        characters (not before closing or after opening punctuation), other scripts between words;
        a word wider than a line is cut. When the text needs more than max_lines, the last line
        ends with "…". Newlines in text start a new line."""
        if max_lines is not None and max_lines < 1:
            return []
        slack = 2 * bold_stroke_px(size_px) if bold else 0
        limit = max_width_px - slack

        def fits(line: str) -> bool:
            return self.width(line.rstrip(), size_px) <= limit

        lines: list[str] = []

        def full() -> bool:  # one line more than allowed: the text overflows
            return max_lines is not None and len(lines) > max_lines

        paragraphs = text.rstrip().replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for paragraph in paragraphs:
            line = ""
            for unit in self._units(paragraph):
                if fits(line + unit):
                    line += unit
                    continue
                if line.strip():
                    lines.append(line.rstrip())
                line = lstrip_spaces(unit)
                while line and not fits(line):  # a word wider than the line: cut it
                    head, line = self._split_to_fit(line, size_px, limit)
                    lines.append(head)
                if full():
                    break
            if full():
                break
            lines.append(line.rstrip())
            if full():
                break
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = self._ellipsize(lines[-1], size_px, limit)
        return lines

    def ellipsize(self, text: str, size_px: int, max_width_px: float) -> str:
        """text itself when it fits on one line, else its longest start that fits with "…"."""
        if self.width(text, size_px) <= max_width_px:
            return text
        return self._ellipsize(text, size_px, max_width_px)

    def _ellipsize(self, line: str, size_px: int, limit: float) -> str:
        parts = clusters(line)
        while parts:
            candidate = "".join(parts).rstrip(" \t,，、;；:：-–—·")
            if self.width(candidate + ELLIPSIS, size_px) <= limit:
                return candidate + ELLIPSIS
            parts.pop()
        return ELLIPSIS

    def _split_to_fit(self, line: str, size_px: int, limit: float) -> tuple[str, str]:
        parts = clusters(line)
        low, high = 1, len(parts)  # at least one cluster per line, or we never finish
        while low < high:
            middle = (low + high + 1) // 2
            if self.width("".join(parts[:middle]), size_px) <= limit:
                low = middle
            else:
                high = middle - 1
        return "".join(parts[:low]), lstrip_spaces("".join(parts[low:]))

    def _units(self, paragraph: str) -> list[str]:
        """Pieces of a paragraph between which a line may break (spaces stay with the piece before)."""
        units: list[str] = []
        previous: str | None = None
        for cluster in clusters(paragraph):
            if previous is not None and units and self._may_break(previous, cluster):
                units.append(cluster)
            elif units:
                units[-1] += cluster
            else:
                units.append(cluster)
            previous = cluster
        return units

    def _may_break(self, before: str, after: str) -> bool:
        if after.isspace():
            return False
        if before.isspace():
            return True
        if after[0] in NO_LINE_START or before[0] in NO_LINE_END:
            return False
        return self._is_wide(before) or self._is_wide(after)

    def _is_wide(self, cluster: str) -> bool:
        if unicodedata.east_asian_width(cluster[0]) in ("W", "F"):
            return True
        face = self.face_for(cluster)
        return face is not None and face.color


NO_LINE_START = set(
    "，。、！？：；）」』》】〕〉｝］…‥・〜ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.!?:;)]}%’”\"'"
)
NO_LINE_END = set("（「『《【〔〈｛［‘“([{¥$£€#")


def bold_stroke_px(size_px: int) -> int:
    """How much faux bold thickens glyphs (a stroke of their own colour; the fonts have no bold)."""
    return max(1, round(size_px / 36))


def _rgba(colour: RGBA | tuple[int, int, int]) -> RGBA:
    return (*colour, 255) if len(colour) == 3 else tuple(colour)  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _outline_run(
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    text: str,
    fill: RGBA,
    stroke_px: int,
    stroke_fill: RGBA,
    bold_px: int,
) -> tuple[Image.Image, int, int]:
    """A run drawn on its own transparent layer; (layer, left, top) relative to pen and baseline."""
    # Bold: a stroke of the fill colour, then (if asked) the outline stroke around that.
    outline = stroke_px + bold_px if stroke_px else 0
    widest = max(outline, bold_px)
    left, top, right, bottom = font.getbbox(text, anchor="ls", stroke_width=widest)
    layer = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    origin = (-left, -top)
    if outline:
        draw.text(origin, text, font=font, fill=stroke_fill, anchor="ls", stroke_width=outline, stroke_fill=stroke_fill)
    draw.text(origin, text, font=font, fill=fill, anchor="ls", stroke_width=bold_px, stroke_fill=fill)
    return layer, left, top


@lru_cache(maxsize=256)
def _colour_run(face: FontFace, text: str, size_px: int) -> tuple[Image.Image, float, float]:
    """A colour-emoji run drawn at the font's strike and scaled to size_px (premultiplied, so the
    scaled edges do not darken). Returns (layer, left, top) relative to pen and baseline."""
    font = _font(face, face.strike_px or size_px)
    left, top, right, bottom = font.getbbox(text, anchor="ls")
    big = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(big).text((-left, -top), text, font=font, anchor="ls", embedded_color=True)
    scale = size_px * face.scale / (face.strike_px or size_px)
    if scale == 1.0:
        return big, float(left), float(top)
    size = (max(1, round(big.width * scale)), max(1, round(big.height * scale)))
    small = big.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")
    return small, left * scale, top * scale


def paste_over(image: Image.Image, layer: Image.Image, x: int, y: int) -> None:
    """Composite an RGBA layer over an RGBA image at (x, y) ("over", straight alpha), clipped."""
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(image.width, x + layer.width), min(image.height, y + layer.height)
    if x1 <= x0 or y1 <= y0:
        return
    if (x0, y0, x1, y1) != (x, y, x + layer.width, y + layer.height):
        layer = layer.crop((x0 - x, y0 - y, x1 - x, y1 - y))
    image.alpha_composite(layer, (x0, y0))


# -- the shared default stack --------------------------------------------------------------


@lru_cache(maxsize=1)
def default_fonts() -> FontStack:
    """The shipped fonts: WenQuanYi Micro Hei (Latin + CJK), Noto Color Emoji, then DejaVu Sans."""
    return FontStack(DEFAULT_FACES)


def draw_text(
    image: Image.Image,
    xy: tuple[float, float],
    text: str,
    size_px: int,
    fill: RGBA | tuple[int, int, int] = WHITE,
    *,
    anchor: str = "la",
    stroke_px: int = 0,
    stroke_fill: RGBA | tuple[int, int, int] = BLACK,
    bold: bool = False,
) -> tuple[int, int, int, int]:
    """Draw one line with the shipped fonts; see FontStack.draw. Returns the line box."""
    return default_fonts().draw(
        image, xy, text, size_px, fill, anchor=anchor, stroke_px=stroke_px, stroke_fill=stroke_fill, bold=bold
    )


def measure_text(text: str, size_px: int, stroke_px: int = 0) -> tuple[int, int]:
    """(advance width, line height) of one line with the shipped fonts."""
    return default_fonts().measure(text, size_px, stroke_px)


def text_width(text: str, size_px: int) -> float:
    return default_fonts().width(text, size_px)


def line_metrics(size_px: int) -> LineMetrics:
    return default_fonts().metrics(size_px)


def wrap_text(
    text: str, size_px: int, max_width_px: float, max_lines: int | None = None, *, bold: bool = False
) -> list[str]:
    """Wrap with the shipped fonts; see FontStack.wrap."""
    return default_fonts().wrap(text, size_px, max_width_px, max_lines, bold=bold)


def ellipsize(text: str, size_px: int, max_width_px: float) -> str:
    return default_fonts().ellipsize(text, size_px, max_width_px)


def render_text(
    text: str,
    size_px: int,
    fill: RGBA | tuple[int, int, int] = WHITE,
    *,
    stroke_px: int = 0,
    stroke_fill: RGBA | tuple[int, int, int] = BLACK,
    bold: bool = False,
) -> Image.Image:
    """One line on its own transparent RGBA image, with the shipped fonts."""
    return default_fonts().render(text, size_px, fill, stroke_px=stroke_px, stroke_fill=stroke_fill, bold=bold)
