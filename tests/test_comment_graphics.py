"""The comment overlays, engine side: the pinned comment card and the comment ticker. No Qt.

Snapshots over a mid-grey canvas are written to tests/snapshots/ on every run (look at them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.engine.graphics import fonts
from studio.engine.graphics.bidi_line import cluster_levels, levels_readable, visual_order, visual_segments
from studio.engine.graphics.comment_card import (
    CHAR_LIMIT,
    LAYOUT,
    CommentCardCache,
    base_direction,
    clean_text,
    comment_fonts,
    comment_lines_for,
    draw_line,
    render_comment_card,
    rtl_faces,
)
from studio.engine.graphics.lower_third import render_lower_third
from studio.engine.graphics.overlays import (
    Anchor,
    OverlayPlacement,
    RenderedOverlay,
    composite_onto_bgr,
)
from studio.engine.graphics.ticker import render_ticker

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
CANVASES = [(1920, 1080), (1080, 1920)]
GREY = 128
CHINESE = "想要3号!!🔥🔥 这个颜色太好看了 what sizes do you have? 还有M码吗😍 主播可以试穿一下吗"
ARABIC = "مرحبا بالعالم"
HEBREW = "שלום עולם"
def needs_rtl_font(test):
    """The RTL tests need a font with Arabic and Hebrew letters: one is shipped (DejaVu Sans)."""
    return test


def test_a_right_to_left_font_is_shipped():
    assert rtl_faces(), "studio/assets/fonts must hold a font with Arabic and Hebrew letters"


def on_grey(overlay: RenderedOverlay, width: int, height: int) -> np.ndarray:
    return composite_onto_bgr(np.full((height, width, 3), GREY, np.uint8), overlay)


def assert_inside(overlay: RenderedOverlay, width: int, height: int) -> None:
    x0, y0, x1, y1 = overlay.box
    assert 0 <= x0 and 0 <= y0 and x1 <= width and y1 <= height, (overlay.box, width, height)
    assert x0 % 2 == 0 and y0 % 2 == 0 and overlay.width % 2 == 0 and overlay.height % 2 == 0
    assert overlay.bgra.dtype == np.uint8 and overlay.bgra.shape[2] == 4


def card_size_limits(width: int, height: int) -> tuple[int, int]:
    """The largest a card may be: the layout's width and four lines plus the name row."""
    scale = min(width, height) / 1080
    return round((LAYOUT.max_width + 2) * scale), round(300 * scale)


# -- the card --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), CANVASES)
def test_card_sits_on_the_left_above_the_lower_third_inside_the_canvas(width, height):
    card = render_comment_card("小红薯🍠Lily", CHINESE, "douyin", width, height)
    assert_inside(card, width, height)
    max_w, max_h = card_size_limits(width, height)
    assert card.width <= max_w and card.height <= max_h
    assert card.x < width / 4  # the left side
    lower = render_lower_third("纯棉白T恤 · 直播间专享价 ¥79\n第二行", width, height)
    assert card.box[3] <= lower.y, "the comment card covers the lower third"
    # The same size in pixels on landscape and portrait (sizes follow the shorter side).
    other = render_comment_card("小红薯🍠Lily", CHINESE, "douyin", height, width)
    assert (other.width, other.height) == (card.width, card.height)


def test_card_is_as_wide_as_its_text_needs_and_grows_with_lines():
    short = render_comment_card("Ann", "hi", "api", 1920, 1080)
    long = render_comment_card("Ann", "hi " * 200, "api", 1920, 1080)
    assert short.width < long.width
    assert short.height < long.height
    assert len(comment_lines_for("hi " * 200, 1920, 1080)) == LAYOUT.text_lines
    assert comment_lines_for("hi " * 200, 1920, 1080)[-1].endswith("…")


def test_a_placement_moves_the_card():
    placement = OverlayPlacement(Anchor.TOP_RIGHT, margin=0.05)
    card = render_comment_card("Ann", "hello", "api", 1920, 1080, placement=placement)
    assert_inside(card, 1920, 1080)
    assert card.x + card.width == 1920 - 54 and card.y == 54


def test_markup_is_drawn_as_the_characters_it_is_made_of():
    markup = render_comment_card("<b>admin</b>", "<b>FREE</b> <img src=x onerror=alert(1)> &amp; <i>", "api", 1920, 1080)
    stripped = render_comment_card("admin", "FREE  &amp; ", "api", 1920, 1080)
    assert markup.width > stripped.width or not np.array_equal(markup.bgra, stripped.bgra)
    assert clean_text("<b>FREE</b> <img src=x>") == "<b>FREE</b> <img src=x>"
    # The angle brackets are really inked: the text drawn has them.
    assert fonts.default_fonts().width("<b>FREE</b>", 34) > fonts.default_fonts().width("FREE", 34)


@pytest.mark.parametrize(("width", "height"), CANVASES)
@pytest.mark.parametrize(
    "text",
    [
        "x" * 1_000_000,  # 1 MB, one word
        "买" * 1_000_000,
        "😀" * 10_000,
        "👩🏽‍💻" * 3_000,  # ZWJ sequences with skin tones
        "🇨🇳🇺🇸" * 2_000,
        "\x00\x01\x07\x1b[31mred\x1b[0m\x7f\u0085\u202e evil \u202d\u2066\u200b\ufeff\r\n\r\n\t tab",
        "Z" + "\u0301\u0300\u0302\u0303\u0308" * 2_000,  # a flood of combining marks
        "\ud800 lone surrogate",
        "\U0010ffff\ue000\u0378 unassigned and private",
        "",
        "   \n\n   ",
        "a\n" * 10_000,
    ],
    ids=["1MB", "1MB-cjk", "10k-emoji", "zwj", "flags", "controls", "zalgo", "surrogate", "unassigned", "empty", "blank", "newlines"],
)
def test_hostile_text_renders_within_the_size_limits(width, height, text, monkeypatch):
    laid_out = LaidOutCharacters(monkeypatch)
    card = render_comment_card(text[:200] or "user", text, text[:100], width, height)
    ticker = render_ticker([(text[:100], text)] * 8, width, height)
    hostile_cost = laid_out.take()
    assert_inside(card, width, height)
    max_w, max_h = card_size_limits(width, height)
    assert card.width <= max_w and card.height <= max_h
    assert_inside(ticker, width, height)
    # The text is capped before layout, so a 1 MB comment costs no more than a long one: the
    # same renders of the text cut to twice CHAR_LIMIT lay out at least as many characters.
    capped = text[: 2 * CHAR_LIMIT]
    render_comment_card(capped[:200] or "user", capped, capped[:100], width, height)
    render_ticker([(capped[:100], capped)] * 8, width, height)
    capped_cost = laid_out.take()
    assert capped_cost > 0, "the spy saw no layout at all"
    assert hostile_cost <= capped_cost, f"{hostile_cost} characters laid out, {capped_cost} for the capped text"


class LaidOutCharacters:
    """Counts the characters handed to layout (every line is cut into grapheme clusters first)."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        real_clusters = fonts.clusters

        def counting_clusters(text: str) -> list[str]:
            self.count += len(text)
            return real_clusters(text)

        monkeypatch.setattr(fonts, "clusters", counting_clusters)

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def test_clean_text_removes_controls_and_invisible_overrides_but_keeps_emoji_sequences():
    assert clean_text("a\x00b\x1b[0mc") == "ab[0mc"
    assert clean_text("\u202eevil\u202c \u200bzero\ufeff") == "evil zero"
    assert clean_text("👩🏽‍💻 🏴󠁧󠁢󠁳󠁣󠁴󠁿") == "👩🏽‍💻 🏴󠁧󠁢󠁳󠁣󠁴󠁿"
    assert clean_text("one\r\n\r\n\ttwo  three") == "one\ntwo three"
    assert clean_text("one\ntwo", single_line=True) == "one two"
    assert len(clean_text("x" * 10_000)) == CHAR_LIMIT
    assert clean_text("e" + "\u0301" * 50) == "e" + "\u0301" * 3


def test_chinese_and_emoji_are_drawn_with_real_glyphs():
    stack = comment_fonts()
    assert stack.has_glyphs(CHINESE)
    image = Image.new("RGBA", (800, 60), (0, 0, 0, 0))
    draw_line(image, (0, 0), "想要😍", 40)
    rgba = np.asarray(image)
    coloured = (rgba[:, :, 3] > 200) & (np.ptp(rgba[:, :, :3].astype(int), axis=2) > 60)
    assert coloured.sum() > 100  # the emoji is in colour; the Chinese is white


def test_the_cache_renders_once_per_content_and_canvas():
    cache = CommentCardCache(capacity=4)
    first = cache.get("Ann", "hello", "api", 1920, 1080)
    assert cache.get("Ann", "hello", "api", 1920, 1080) is first
    assert cache.get("Ann", "hello!", "api", 1920, 1080) is not first
    assert cache.get("Ann", "hello", "api", 1080, 1920) is not first
    assert cache.renders == 3
    for n in range(10):
        cache.get("Ann", f"hello {n}", "api", 1920, 1080)
    assert len(cache) == 4


# -- grapheme clusters: combining marks, emoji sequences, flags ------------------------------------

# The comment, its accent on the l decomposed (as some keyboards send it): Zalgo marks
# that WenQuanYi lacks (U+0334, U+0351, U+0315, U+0358), then Chinese.
ZALGO = "Z\u0334\u0351a\u0315l\u0301g\u0358o 尺码多少"
MARK_FREE = "Zalgo 尺码多少"


def body_ink_top(card: RenderedOverlay, name_px: int) -> int:
    """The topmost row of the comment text's ink, below the name row's baseline (the name "Ann"
    has no descenders, so everything inked lower belongs to the comment)."""
    stack = comment_fonts()
    name_baseline = LAYOUT.padding_y - 2 + stack.metrics(name_px).ascent
    white = (card.bgra[:, :, :3].min(axis=2) > 200) & (card.bgra[:, :, 3] > 200)
    white[: name_baseline + 1] = False
    white[:, : LAYOUT.padding_x + LAYOUT.avatar + LAYOUT.gap] = False  # the avatar's letter
    return int(np.nonzero(white.any(axis=1))[0].min())


def test_zalgo_comment_draws_its_marks_not_missing_glyph_boxes():
    stack = comment_fonts()
    assert comment_lines_for(ZALGO, 1920, 1080) == [ZALGO]  # one line, every mark kept
    for placed in stack.placed_clusters(ZALGO):
        missing = [f"U+{ord(char):04X}" for char in placed.text if not stack.covers(placed.face, ord(char))]
        assert not missing, f"{placed.text!r} is drawn with {placed.face.name}, which has no glyph for {missing}"
        assert placed.complete
    assert "".join(placed.text for placed in stack.placed_clusters(ZALGO)) == ZALGO
    # A missing-glyph box takes room of its own (half an em or more in these fonts); marks take none.
    text_px = LAYOUT.text_px
    assert abs(stack.width(ZALGO, text_px) - stack.width(MARK_FREE, text_px)) < text_px / 2
    zalgo = render_comment_card("Ann", ZALGO, "api", 1920, 1080)
    plain = render_comment_card("Ann", MARK_FREE, "api", 1920, 1080)
    assert abs(zalgo.width - plain.width) < text_px / 2 and zalgo.height == plain.height
    # And the marks are inked, above the letters (the card keeps them, three at most per letter).
    assert body_ink_top(zalgo, LAYOUT.name_px) < body_ink_top(plain, LAYOUT.name_px) - 2


def test_marks_no_shipped_font_has_are_dropped_not_drawn_as_boxes():
    stack = comment_fonts()
    lonely_mark = "\U0001e4ec"  # a Nag Mundari mark: in none of the shipped fonts
    assert not any(stack.covers(face, ord(lonely_mark)) for face in stack.faces)
    placed = stack.place("a" + lonely_mark)
    assert placed.text == "a" and not placed.complete and not stack.has_glyphs("a" + lonely_mark)
    assert stack.width("a" + lonely_mark + "b", 34) == stack.width("ab", 34)
    image = Image.new("RGBA", (200, 60), (0, 0, 0, 0))
    reference = image.copy()
    draw_line(image, (0, 0), "a" + lonely_mark + "b", 34)
    draw_line(reference, (0, 0), "ab", 34)
    assert np.array_equal(np.asarray(image), np.asarray(reference))


@pytest.mark.parametrize(
    ("cluster", "why"),
    [
        ("👨\u200d👩\u200d👧", "a ZWJ family"),
        ("🇨🇳", "a flag's pair of regional indicators"),
        ("e\u0301", "a letter and its accent"),
        ("Z\u0334\u0351\u0352", "a letter and three marks"),
        ("👩🏽\u200d💻", "a skin tone in a ZWJ sequence"),
    ],
)
def test_the_character_cap_never_splits_a_cluster(cluster, why):
    for filler in range(CHAR_LIMIT - len(cluster) - 2, CHAR_LIMIT + 1):
        cleaned = clean_text("a" * filler + cluster + "b" * 10)
        assert len(cleaned) <= CHAR_LIMIT
        tail = cleaned[filler:]
        assert tail in ("", cluster) or tail.startswith(cluster), f"{why} cut to {tail!r}"
    # The window cleaned at all (twice the cap) can end inside the cluster too, after dropped characters.
    for before in range(2 * CHAR_LIMIT - len(cluster), 2 * CHAR_LIMIT + 1):
        cleaned = clean_text("\x00" * before + cluster + "b")
        assert cleaned in ("", cluster, cluster + "b"), f"{why} cut to {cleaned!r}"
    # A flood of marks running past the window keeps its base and the first three marks.
    assert clean_text("\x00" * (2 * CHAR_LIMIT - 10) + "e" + "\u0301" * 4000) == "e" + "\u0301" * 3


def test_wrapped_and_cut_comment_lines_hold_whole_clusters():
    text = "买" + "👨\u200d👩\u200d👧🇨🇳Z\u0334\u0351e\u0301 " * 40
    whole = set(fonts.clusters(text)) | {"…"}
    lines = comment_lines_for(text, 1920, 1080)
    assert len(lines) == LAYOUT.text_lines and lines[-1].endswith("…")
    for line in lines:
        assert set(fonts.clusters(line)) <= whole, line
    stack = comment_fonts()
    for width_px in range(40, 400, 7):
        cut = stack.ellipsize(text, LAYOUT.text_px, width_px)
        assert set(fonts.clusters(cut)) <= whole and cut.endswith("…"), (width_px, cut)


# -- right to left --------------------------------------------------------------------------------


def test_bidi_levels_follow_uax9():
    assert levels_readable(), "python-bidi's embedding levels are no longer read: see bidi_line.py"
    assert base_direction(ARABIC + " abc") == "rtl" and base_direction("123 abc " + HEBREW) == "ltr"
    assert base_direction("123 !") == "ltr" and base_direction("") == "ltr"
    assert base_direction("123\n" + HEBREW) == "rtl"  # the comment's first letter, on any line
    # "abc שלום 123 def" in a left-to-right paragraph: the number after Hebrew goes with it.
    assert cluster_levels(list("abc " + HEBREW[:4] + " 123 def"), rtl=False) == [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0]
    assert cluster_levels(["ب", " ", "1", "2"], rtl=True) == [1, 1, 2, 2]  # W2: AN, still a number run
    # N0: a bracket pair around left-to-right text in a right-to-left paragraph, after Latin,
    # takes the Latin direction (the rule the old hand-written code had and python-bidi keeps).
    assert cluster_levels(list("א a(b)"), rtl=True) == [1, 1, 2, 2, 2, 2]
    # A base and its marks, a ZWJ emoji sequence: one level each, as one cluster.
    assert cluster_levels(["שָׁ", "👨‍👩‍👧", "x"], rtl=False) == [1, 0, 0]
    assert cluster_levels(["a", " ", " "], rtl=True) == [2, 1, 1]  # L1: trailing spaces at the paragraph level
    assert visual_order([0, 1, 1, 2, 2, 0]) == [0, 3, 4, 2, 1, 5]  # the number inside keeps its order
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert visual_order([1, 2, 2, 1]) == [3, 1, 2, 0]


@needs_rtl_font
def test_arabic_and_hebrew_have_glyphs_and_read_right_to_left():
    stack = comment_fonts()
    assert stack.has_glyphs(ARABIC) and stack.has_glyphs(HEBREW)
    segments = visual_segments("abc " + HEBREW + " def", stack)
    texts = [segment.text.strip() for segment in segments if segment.text.strip()]
    # The Hebrew words come in right-to-left order between the Latin ones.
    assert texts[0] == "abc" and texts[-1] == "def"
    assert [(segment.text.strip(), segment.rtl) for segment in segments if segment.face.path.name != "wqy-microhei.ttc" and segment.text.strip()] == [
        (HEBREW, True)
    ]
    segments = visual_segments(HEBREW + " 123 abc", stack)
    assert segments[0].text.strip() == "abc" and segments[-1].text.strip() == HEBREW  # rtl paragraph


@needs_rtl_font
@pytest.mark.parametrize(
    "text",
    [
        ARABIC + "! كم السعر؟ 3 قطع",
        HEBREW + " (abc) 42!",
        "abc " + HEBREW + " 123 def",
        "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd [a(b) c] 7%",  # pointed Hebrew (marks), nested brackets
        "x (\u05d0\u05d1 [\u05d2 1.5]) y",
    ],
)
def test_rtl_lines_match_raqms_own_bidi_layout_and_not_left_to_right_order(text):
    """With one font for everything, Pillow+raqm lays out the whole line with the bidi algorithm
    itself: our per-run layout must give the same picture, and a picture unlike the characters
    drawn one by one left to right."""
    face = rtl_faces()[0]
    stack = fonts.FontStack((face,))
    size = 40
    font = fonts._font(face, size)
    baseline = 10 + stack.metrics(size).ascent

    def blank() -> Image.Image:
        return Image.new("RGBA", (1000, 70), (0, 0, 0, 0))

    ours = blank()
    draw_line(ours, (10, 10), text, size, stack=stack)
    reference = blank()
    ImageDraw.Draw(reference).text((10, baseline), text, font=font, anchor="ls", fill=(255, 255, 255, 255))
    one_by_one = blank()
    x = 10.0
    for char in text:
        ImageDraw.Draw(one_by_one).text((x, baseline), char, font=font, anchor="ls", fill=(255, 255, 255, 255))
        x += font.getlength(char)
    a, b, c = (np.asarray(image.getchannel("A")).astype(float) for image in (ours, reference, one_by_one))
    assert a.mean() > 3
    same = np.abs(a - b).mean()
    different = np.abs(a - c).mean()
    assert same < 2.0, same
    assert different > 3 * same + 2, (same, different)


@needs_rtl_font
def test_rtl_card_text_reads_from_the_right_edge():
    """A short comment under a long name: left-to-right text starts at the left of the text
    column, right-to-left text at its right."""

    def text_ink_columns(text: str) -> np.ndarray:
        card = render_comment_card("a rather long user name here", text, "tiktok", 1920, 1080)
        assert_inside(card, 1920, 1080)
        white = (card.bgra[:, :, :3].min(axis=2) > 200) & (card.bgra[:, :, 3] > 200)  # the text is white
        white[:, : LAYOUT.padding_x + LAYOUT.avatar + LAYOUT.gap] = False  # the avatar's letter
        return np.nonzero(white.any(axis=0))[0], card.width

    ltr, width = text_ink_columns("hello")
    rtl, rtl_width = text_ink_columns(HEBREW[:4])
    assert width == rtl_width
    column = LAYOUT.padding_x + LAYOUT.avatar + LAYOUT.gap
    assert ltr.min() < column + 10 and ltr.max() < width / 2
    assert rtl.max() > width - 60 and rtl.min() > width / 2


# -- the ticker ------------------------------------------------------------------------------------

ITEMS = [
    ("Lily🍠", "想要3号!!🔥"),
    ("tom_b", "how much is the mug?"),
    ("أحمد", "كم السعر؟"),
    ("小明", "链接在哪里 <b>bold</b>"),
    ("Sara", "Love it 😍😍 ordering two right now, the colour is perfect for summer " * 5),
    ("王阿姨", "2号还有货吗"),
]


@pytest.mark.parametrize(("width", "height"), CANVASES)
def test_ticker_is_a_thin_bar_along_the_bottom(width, height):
    ticker = render_ticker(ITEMS, width, height)
    assert_inside(ticker, width, height)
    assert ticker.width == width and ticker.box[3] == height
    assert ticker.height <= round(48 * min(width, height) / 1080)  # under the lower third's margin
    lower = render_lower_third("纯棉白T恤", width, height)
    assert ticker.y >= lower.box[3]


def test_ticker_shows_the_newest_first_and_changes_with_the_items():
    first = render_ticker(ITEMS, 1920, 1080)
    more = render_ticker([*ITEMS, ("new", "brand new comment")], 1920, 1080)
    assert not np.array_equal(first.bgra, more.bgra)
    # The newest item's text starts right after the badge: same pixels as a ticker with it alone.
    alone = render_ticker([("new", "brand new comment")], 1920, 1080)
    badge_and_item = slice(0, 300)
    assert np.array_equal(more.bgra[:, badge_and_item], alone.bgra[:, badge_and_item])
    empty = render_ticker([], 1920, 1080)
    assert_inside(empty, 1920, 1080)


def test_comment_modules_do_not_import_qt():
    code = (
        "import sys, studio.engine.graphics.comment_card, studio.engine.graphics.ticker;"
        "sys.exit(any(m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, timeout=60, check=False).returncode == 0


# -- snapshots --------------------------------------------------------------------------------------


def snapshot(name: str, picture: np.ndarray) -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    cv2.imwrite(str(SNAPSHOTS / name), picture)


def test_snapshots_of_comment_cards_over_grey():
    for width, height in CANVASES:
        canvas = f"{width}x{height}"
        card = render_comment_card("小红薯🍠Lily", CHINESE, "douyin", width, height)
        picture = composite_onto_bgr(on_grey(card, width, height), render_lower_third("纯棉白T恤 · 直播间专享价 ¥79", width, height))
        picture = composite_onto_bgr(picture, render_ticker(ITEMS, width, height))
        snapshot(f"comment-card-chinese-{canvas}.png", picture)
        if rtl_faces():
            card = render_comment_card("أحمد 🌙", ARABIC + "! كم السعر؟ أريد 3 قطع من فضلك (شكرا) 😍", "tiktok", width, height)
            snapshot(f"comment-card-rtl-{canvas}.png", on_grey(card, width, height))
    assert (SNAPSHOTS / "comment-card-chinese-1920x1080.png").stat().st_size > 10_000
