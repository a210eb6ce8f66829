"""Grapheme clusters in the overlay text: segmentation, the font for each cluster, Pillow drawing a
cluster's marks on its base, and wrapping / cutting that never splits a cluster. No Qt."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont, features

from studio.engine.graphics import fonts, graphemes
from studio.engine.graphics.bidi_line import visual_segments
from studio.engine.graphics.comment_card import clean_text, comment_fonts

FAMILY = "👨\u200d👩\u200d👧"
FLAG = "🇨🇳"
KEYCAP = "1\ufe0f\u20e3"
SKIN_TONE_CODER = "👩🏽\u200d💻"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
ZALGO_Z = "Z\u0334\u0351"
E_ACUTE = "e\u0301"
HANGUL_JAMO = "\u1100\u1161\u11a8"  # 각 from conjoining jamo
DEVANAGARI = "\u0915\u094d\u0937\u093f"  # क्षि: a conjunct with its vowel sign
SHIN_WITH_POINTS = "\u05e9\u05c1\u05b8"  # שָׁ

TRICKY = [FAMILY, FLAG, KEYCAP, SKIN_TONE_CODER, SCOTLAND, ZALGO_Z, E_ACUTE, HANGUL_JAMO, DEVANAGARI, SHIN_WITH_POINTS]


# -- segmentation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cluster", TRICKY)
def test_each_user_perceived_character_is_one_cluster(cluster):
    assert graphemes.clusters("a" + cluster + "b") == ["a", cluster, "b"]
    assert graphemes.first_cluster(cluster + "b") == cluster


def test_two_flags_are_two_clusters_and_crlf_is_one():
    assert graphemes.clusters(FLAG + "🇺🇸") == [FLAG, "🇺🇸"]
    assert graphemes.clusters("a\r\nb") == ["a", "\r\n", "b"]
    assert graphemes.clusters("") == []


@given(st.lists(st.sampled_from([*TRICKY, "a", " ", "买", "\u0301", "\u200d", "\U0001f1e8"]), max_size=30).map("".join))
def test_clusters_put_together_give_the_text_back(text):
    parts = graphemes.clusters(text)
    assert "".join(parts) == text and all(parts)


def test_emoji_presentation_comes_from_the_unicode_properties():
    assert graphemes.wants_emoji("⌚") and graphemes.wants_emoji("😀") and graphemes.wants_emoji(FLAG)
    assert not graphemes.wants_emoji("⌚\ufe0e")  # text presentation asked for
    assert not graphemes.wants_emoji("❤") and graphemes.wants_emoji("❤\ufe0f")  # text by default, VS16 makes it emoji
    assert graphemes.wants_emoji(KEYCAP) and graphemes.wants_emoji(SCOTLAND) and graphemes.wants_emoji("👍🏽")
    assert not graphemes.wants_emoji("1") and not graphemes.wants_emoji(E_ACUTE) and not graphemes.wants_emoji("")


def test_cluster_aware_helpers():
    assert graphemes.take_clusters(["ab", "c", "de"], 3) == ["ab", "c"]
    assert graphemes.take_clusters(["ab", "c"], 1) == []
    assert graphemes.continues_cluster("e", "\u0301") and not graphemes.continues_cluster("e", "f")
    assert graphemes.continues_cluster("\U0001f1e8", "\U0001f1f3") and not graphemes.continues_cluster(FLAG, "\U0001f1fa")
    assert graphemes.lstrip_spaces("  a") == "a"
    assert graphemes.lstrip_spaces("  \u0301a") == " \u0301a"  # the space carries the accent
    assert graphemes.lstrip_spaces("   ") == ""


# -- the font for each cluster ----------------------------------------------------------------------


def test_a_cluster_goes_to_one_font_that_has_its_base_and_marks():
    stack = fonts.default_fonts()
    plain = stack.place(E_ACUTE)
    assert plain.face == fonts.WQY_MICRO_HEI and plain.text == E_ACUTE and plain.complete  # WenQuanYi has U+0301
    zalgo = stack.place(ZALGO_Z)
    assert zalgo.face == fonts.DEJAVU_SANS and zalgo.text == ZALGO_Z and zalgo.complete  # it does not have U+0334
    for emoji in (FAMILY, FLAG, KEYCAP, SKIN_TONE_CODER, SCOTLAND):
        placed = stack.place(emoji)
        assert placed.face.color and placed.complete, emoji
    # The emoji font has no VS16 glyph: the selector chose the font and is not drawn.
    assert stack.place("❤\ufe0f").text == "❤"
    assert stack.place("☺\ufe0e").face == fonts.DEJAVU_SANS  # text presentation: a text font


def test_no_font_for_the_base_is_a_box_in_the_first_font():
    stack = fonts.default_fonts()
    unassigned = "\U000e0fff"
    placed = stack.place(unassigned)
    assert placed.face == stack.faces[0] and not placed.complete
    assert stack.face_for(unassigned) is None and not stack.has_glyphs("a" + unassigned)


def test_a_line_break_inside_one_line_is_measured_and_drawn_as_a_space():
    stack = fonts.default_fonts()
    assert stack.width("a\nb", 30) == stack.width("a\r\nb", 30) == stack.width("a b", 30)
    assert stack.render("a\u2029b", 30).width == stack.render("a b", 30).width


def test_runs_join_neighbouring_clusters_of_one_font():
    stack = fonts.default_fonts()
    runs = stack.runs("ab" + ZALGO_Z + "c 买" + FAMILY)
    assert [(run.face, run.text) for run in runs] == [
        (fonts.WQY_MICRO_HEI, "ab"),
        (fonts.DEJAVU_SANS, ZALGO_Z),
        (fonts.WQY_MICRO_HEI, "c 买"),
        (fonts.NOTO_COLOR_EMOJI, FAMILY),
    ]


# -- Pillow draws a cluster given in one call with its marks on the base ----------------------------

LAYOUTS = [ImageFont.Layout.BASIC] + ([ImageFont.Layout.RAQM] if features.check_feature("raqm") else [])


def ink(font: ImageFont.FreeTypeFont, text: str) -> np.ndarray:
    image = Image.new("L", (200, 160), 0)
    ImageDraw.Draw(image).text((40, 20), text, font=font, fill=255)
    return np.asarray(image) > 128


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_pillow_puts_marks_drawn_with_their_base_on_the_base(layout):
    font = ImageFont.truetype(str(fonts.DEJAVU_SANS.path), 60, layout_engine=layout)
    assert font.getlength(ZALGO_Z + "a") == font.getlength("Za")  # the marks take no room
    marked, base = ink(font, ZALGO_Z), ink(font, "Z")
    assert (marked & base).sum() >= 0.9 * base.sum()  # the Z is still there
    extra = marked & ~base
    assert extra.sum() > 50  # the marks are inked...
    base_columns = np.nonzero(base.any(axis=0))[0]
    extra_columns = np.nonzero(extra.any(axis=0))[0]
    # ...over the Z, not beside it where a box with an advance of its own would be.
    assert base_columns.min() - 6 <= extra_columns.min() and extra_columns.max() <= base_columns.max() + 6
    marks_top = np.nonzero(extra.any(axis=1))[0].min()
    assert marks_top < np.nonzero(base.any(axis=1))[0].min()  # U+0351 sits above the letter


# -- wrapping and cutting keep clusters whole --------------------------------------------------------

cluster_texts = st.lists(st.sampled_from([*TRICKY, "a", "bc", " ", "买", "，", "\n"]), max_size=40).map("".join)


def assert_whole_clusters(pieces: list[str], original: str) -> None:
    whole = set(graphemes.clusters(original)) | {fonts.ELLIPSIS}
    for piece in pieces:
        split = set(graphemes.clusters(piece)) - whole
        assert not split, f"{piece!r} holds pieces of clusters: {split!r}"


@settings(max_examples=60, deadline=None)
@given(text=cluster_texts, width_px=st.integers(20, 400), max_lines=st.none() | st.integers(1, 4))
def test_wrap_never_splits_a_cluster(text, width_px, max_lines):
    lines = fonts.default_fonts().wrap(text, 30, width_px, max_lines)
    assert_whole_clusters(lines, text)


@settings(max_examples=60, deadline=None)
@given(text=cluster_texts, width_px=st.integers(0, 400))
def test_ellipsize_never_splits_a_cluster(text, width_px):
    cut = comment_fonts().ellipsize(text, 30, width_px)
    assert_whole_clusters([cut], text)
    assert cut == text or cut.endswith(fonts.ELLIPSIS)


@settings(max_examples=80, deadline=None)
@given(text=cluster_texts, limit=st.integers(1, 60), single_line=st.booleans())
def test_clean_text_caps_in_whole_clusters(text, limit, single_line):
    cleaned = clean_text(text, limit, single_line=single_line)
    assert len(cleaned) <= limit
    assert_whole_clusters([cleaned], text.replace("\n", " ") + "\n")


def test_an_ellipsis_after_emoji_sequences_and_flags_keeps_them_whole():
    stack = comment_fonts()
    text = (FAMILY + FLAG + SKIN_TONE_CODER) * 10
    widths = {len(stack.ellipsize(text, 34, width)) for width in range(30, 600, 5)}
    assert len(widths) > 5  # the cut moves with the width...
    for width in range(30, 600, 5):
        assert_whole_clusters([stack.ellipsize(text, 34, width)], text)  # ...and always between clusters


# -- right to left with marks and Chinese ------------------------------------------------------------


def test_hebrew_with_points_between_chinese_is_one_right_to_left_run_with_its_marks():
    stack = comment_fonts()
    word = SHIN_WITH_POINTS + "\u05dc\u05d5\u05b9\u05dd"  # שָׁלוֹם
    segments = [s for s in visual_segments("尺码 " + word + " 多少", stack) if s.text.strip()]
    assert [(s.text.strip(), s.rtl) for s in segments] == [("尺码", False), (word, True), ("多少", False)]
    # A right-to-left paragraph: the Chinese goes to the left of the Arabic.
    segments = [s for s in visual_segments("مرحبا 尺码", stack) if s.text.strip()]
    assert [(s.text.strip(), s.rtl) for s in segments] == [("尺码", False), ("مرحبا", True)]
