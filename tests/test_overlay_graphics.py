"""The selling overlays, engine side: fonts with fallback, placement, product card, countdown,
lower third. No Qt.

Snapshots of the card over a mid-grey canvas are written to tests/snapshots/ on every run (look
at them); STUDIO_UPDATE_DOC_SNAPSHOTS=1 also refreshes the two in docs/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from studio.engine.graphics import fonts
from studio.engine.graphics.countdown import (
    pop_frame_count,
    render_countdown_digit,
    render_countdown_frames,
    render_countdown_set,
)
from studio.engine.graphics.lower_third import render_lower_third
from studio.engine.graphics.overlays import (
    Anchor,
    OverlayPlacement,
    RenderedOverlay,
    composite_onto_bgr,
)
from studio.engine.graphics.product_card import (
    QR_QUIET_MODULES,
    ProductCardCache,
    price_label,
    render_product_card,
    title_lines_for,
)
from studio.engine.graphics.text import render_text_bgra
from studio.engine.products import CardCorner, Product

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
DOCS = REPO_ROOT / "docs"
PRODUCT_IMAGES = REPO_ROOT / "studio" / "assets"
CANVASES = [(1920, 1080), (1080, 1920)]
GREY = 128
UNASSIGNED = "\u0378\u0379\u0380"  # unassigned in Unicode (Greek block gaps): no font has them
LONG_TITLE = (
    "【直播间专享】🔥爆款🔥 夏季冰丝阔腿裤女高腰垂感宽松直筒拖地裤 Ultra-light breathable summer trousers "
    "with an extraordinarily long title that goes on and on 👖👖👖 买二送一 限时秒杀"
)


def product(**changes) -> Product:
    fields = {
        "id": "tee",
        "title": "纯棉白T恤 👕 Organic cotton tee",
        "price": Decimal("79.00"),
        "compare_at_price": Decimal("129.00"),
        "currency": "CNY",
        "stock": 50,
        "image": "products/tee-white.png",
        "link_url": "https://shop.example.com/p/tee-white?ref=live",
        "coupon": "LIVE20",
    }
    fields.update(changes)
    return Product(**fields)


def on_grey(overlay: RenderedOverlay, width: int, height: int) -> np.ndarray:
    return composite_onto_bgr(np.full((height, width, 3), GREY, np.uint8), overlay)


def card_on_grey(item: Product, width: int, height: int, corner=CardCorner.BOTTOM_RIGHT):
    card = render_product_card(item, width, height, corner, PRODUCT_IMAGES)
    return card, on_grey(card, width, height)


def qr_symbol_box(card: RenderedOverlay) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the QR's dark modules in the card: the only opaque pure-black pixels
    (no emoji or outlines on the cards these tests measure)."""
    black = np.all(card.bgra == (0, 0, 0, 255), axis=2)
    rows, columns = np.nonzero(black)
    return int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1


# -- fonts ------------------------------------------------------------------------------------


def ink(text: str, size_px: int = 48) -> np.ndarray:
    return np.asarray(fonts.render_text(text, size_px).getchannel("A"))


def test_shipped_fonts_are_there_with_their_licences():
    folder = REPO_ROOT / "studio" / "assets" / "fonts"
    for font_file, licence in (("wqy-microhei.ttc", "Apache License"), ("NotoColorEmoji.ttf", "SIL OPEN FONT LICENSE")):
        assert (folder / font_file).stat().st_size > 1_000_000
        licence_text = (folder / (Path(font_file).stem + ".LICENSE.txt")).read_text(encoding="utf-8")
        assert licence in licence_text


def test_chinese_is_drawn_with_real_glyphs_not_missing_glyph_boxes():
    stack = fonts.default_fonts()
    assert stack.has_glyphs("上链接") and stack.has_glyphs("Hello 😀")
    assert not stack.has_glyphs(UNASSIGNED)
    chinese, missing = ink("上链接"), ink(UNASSIGNED)
    assert chinese.max() == 255
    height = max(chinese.shape[0], missing.shape[0])
    width = max(chinese.shape[1], missing.shape[1])
    a = np.zeros((height, width), np.int16)
    b = np.zeros((height, width), np.int16)
    a[: chinese.shape[0], : chinese.shape[1]] = chinese
    b[: missing.shape[0], : missing.shape[1]] = missing
    assert np.abs(a - b).mean() > 10
    # Missing-glyph boxes all look alike; three real characters do not.
    glyphs = [ink(c) for c in "上链接"]
    assert all(g.shape == glyphs[0].shape for g in glyphs)
    assert min(np.abs(glyphs[i].astype(int) - glyphs[j]).mean() for i, j in ((0, 1), (0, 2), (1, 2))) > 10


def test_emoji_are_drawn_in_colour_at_the_text_size_on_the_same_line():
    image = fonts.render_text("上😀A", 48)
    rgba = np.asarray(image).astype(int)
    visible = rgba[:, :, 3] > 200
    saturation = rgba[:, :, :3].max(axis=2) - rgba[:, :, :3].min(axis=2)
    assert (saturation[visible] > 100).sum() > 200  # a yellow face, not white text
    width, height = fonts.measure_text("上😀A", 48)
    assert image.height <= height + 4 and 2 * 48 < width < 4 * 48
    assert [run.face.color for run in fonts.default_fonts().runs("上😀A")] == [False, True, False]
    # A ZWJ family and a flag stay one emoji each.
    assert fonts.clusters("👨‍👩‍👧🇨🇳1️⃣") == ["👨‍👩‍👧", "🇨🇳", "1️⃣"]


def test_wrap_breaks_chinese_anywhere_latin_between_words_and_cuts_with_an_ellipsis():
    lines = fonts.wrap_text("夏季冰丝阔腿裤女高腰垂感宽松直筒拖地裤", 30, 200)
    assert len(lines) > 1 and "".join(lines) == "夏季冰丝阔腿裤女高腰垂感宽松直筒拖地裤"
    assert all(fonts.text_width(line, 30) <= 200 for line in lines)
    latin = fonts.wrap_text("Organic cotton tee with a relaxed fit", 30, 240)
    assert " ".join(latin) == "Organic cotton tee with a relaxed fit"  # whole words only
    cut = fonts.wrap_text("Organic cotton tee with a relaxed fit and more words", 30, 240, max_lines=2)
    assert len(cut) == 2 and cut[-1].endswith("…") and fonts.text_width(cut[-1], 30) <= 240
    # Closing punctuation never starts a line.
    for line in fonts.wrap_text("上链接，上链接，上链接，上链接，上链接，上链接，", 30, 100):
        assert not line.startswith("，")
    assert fonts.wrap_text("short", 30, 240, max_lines=2) == ["short"]


def test_render_text_bgra_keeps_ascii_and_draws_chinese():
    latin = render_text_bgra("NO SIGNAL", 40)
    assert latin.dtype == np.uint8 and latin.shape[2] == 4 and latin[:, :, 3].max() == 255
    chinese = render_text_bgra("主机位", 40, outline_px=2)
    assert chinese.shape[2] == 4 and chinese[:, :, 3].max() == 255 and chinese.shape[1] > 80


# -- placement --------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), CANVASES)
@pytest.mark.parametrize("anchor", list(Anchor))
def test_placement_keeps_overlays_inside_the_canvas_on_even_pixels(width, height, anchor):
    placement = OverlayPlacement(anchor, margin=0.035, width=0.48)
    for image_width, image_height in ((520, 500), (901, 221), (width, height), (width + 100, 40)):
        x, y = placement.box_for(width, height, image_width, image_height)
        assert x % 2 == 0 and y % 2 == 0 and x >= 0 and y >= 0
        if image_width <= width:
            assert x + image_width <= width
        if image_height <= height:
            assert y + image_height <= height
    assert placement.width_px(width, height) == placement.width_px(1920, 1080)  # same size either way


@pytest.mark.parametrize(("width", "height"), CANVASES)
@pytest.mark.parametrize("corner", list(CardCorner))
def test_card_sits_in_its_corner_inside_the_canvas(width, height, corner):
    card = render_product_card(product(), width, height, corner, PRODUCT_IMAGES)
    assert card.bgra.dtype == np.uint8 and card.bgra.shape == (card.height, card.width, 4)
    assert card.x % 2 == 0 and card.y % 2 == 0 and card.width % 2 == 0 and card.height % 2 == 0
    assert 0 < card.x and card.x + card.width < width and 0 < card.y and card.y + card.height < height
    left = corner in (CardCorner.TOP_LEFT, CardCorner.BOTTOM_LEFT)
    top = corner in (CardCorner.TOP_LEFT, CardCorner.TOP_RIGHT)
    assert (card.x + card.width / 2 < width / 2) == left
    assert (card.y + card.height / 2 < height / 2) == top
    assert card.bgra[card.height // 2, card.width // 2, 3] > 200  # a solid panel, not see-through


def test_card_is_the_same_size_on_landscape_and_portrait():
    landscape = render_product_card(product(), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    portrait = render_product_card(product(), 1080, 1920, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    assert (landscape.width, landscape.height) == (portrait.width, portrait.height)
    assert np.array_equal(landscape.bgra, portrait.bgra)


# -- the product card -------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), CANVASES)
def test_card_qr_code_scans_to_the_link(width, height):
    item = product(title="Organic cotton tee")
    _, picture = card_on_grey(item, width, height)
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    assert decoded == item.link_url


@pytest.mark.parametrize(("width", "height"), CANVASES)
@pytest.mark.parametrize("link", ["https://shop.example.com/p/1", "https://shop.example.com/products/" + "x" * 120])
def test_card_qr_code_is_big_with_whole_pixel_modules_and_its_quiet_zone(width, height, link):
    card = render_product_card(product(title="Tee", link_url=link), width, height, CardCorner.TOP_LEFT, None)
    x0, y0, x1, y1 = qr_symbol_box(card)
    size = x1 - x0
    assert size == y1 - y0 and size >= 160
    # The top-left finder pattern's top edge is 7 modules of black: the module size in pixels.
    row = card.bgra[y0, x0:x1, :3].max(axis=1) == 0
    module = int(np.argmin(row)) // 7
    assert module >= 2 and int(np.argmin(row)) == 7 * module
    assert size % module == 0 and (size // module - 21) % 4 == 0  # versions are 21 + 4k modules
    quiet = QR_QUIET_MODULES * module
    zone = card.bgra[y0 - quiet : y1 + quiet, x0 - quiet : x1 + quiet]
    ring = np.ones(zone.shape[:2], bool)
    ring[quiet:-quiet, quiet:-quiet] = False
    assert np.all(zone[ring] == 255)  # opaque white all round
    # Pixel-exact on the canvas too: black and white only, no resampling.
    picture = on_grey(card, width, height)[card.y + y0 : card.y + y1, card.x + x0 : card.x + x1]
    assert set(np.unique(picture)) <= {0, 255}


@pytest.mark.parametrize(("width", "height"), CANVASES)
def test_card_with_chinese_emoji_and_a_very_long_title(width, height, tmp_path):
    item = product(title=LONG_TITLE, stock=3, coupon="SUMMER-SALE-2024-EXTRA-LONG-CODE")
    lines = title_lines_for(item.title, width, height)
    assert len(lines) == 2 and lines[-1].endswith("…")
    card, picture = card_on_grey(item, width, height)
    assert card.width <= width and card.x + card.width <= width and card.y + card.height <= height
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    assert decoded == item.link_url


def test_card_price_compare_at_and_stock_change_the_picture():
    base = render_product_card(product(), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    for change in ({"price": Decimal("69.00")}, {"compare_at_price": None}, {"stock": None}, {"coupon": None}):
        other = render_product_card(product(**change), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
        assert other.bgra.shape != base.bgra.shape or not np.array_equal(other.bgra, base.bgra), change


def test_prices_use_a_currency_code_when_the_fonts_lack_the_symbol(monkeypatch):
    assert price_label(product()) == "¥79.00"
    assert price_label(product(currency="EUR"), Decimal("1234.5")) == "€1,234.50"
    assert price_label(product(currency="KRW", price=Decimal("15000"))) == "₩15,000.00"  # DejaVu Sans has ₩
    from studio.engine import products

    monkeypatch.setitem(products.CURRENCY_SYMBOLS, "KRW", "\u20bf")  # ₿: in none of the shipped fonts
    assert price_label(product(currency="KRW", price=Decimal("15000"))) == "KRW 15,000.00"


def test_a_huge_link_widens_the_card_instead_of_overflowing():
    item = product(title="Tee", link_url="https://shop.example.com/p/" + "a" * 600, coupon="LIVE20")
    card = render_product_card(item, 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    x0, _, x1, _ = qr_symbol_box(card)
    assert card.width >= x1 + 4 * (x1 - x0) // 50 + 150 and card.x + card.width < 1920


def red_pixels(card: RenderedOverlay) -> int:
    b, g, r = (card.bgra[:, :, i].astype(int) for i in range(3))
    return int(((r > 200) & (g < 80) & (b < 90) & (card.bgra[:, :, 3] > 200)).sum())


@pytest.mark.parametrize("sold_out", [{"stock": 0}, {"sold_out": True, "stock": 20}])
def test_sold_out_card_carries_a_big_stamp(sold_out):
    in_stock = render_product_card(product(), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    gone = render_product_card(product(**sold_out), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    assert red_pixels(in_stock) < 200
    assert red_pixels(gone) > 0.08 * gone.width * gone.height  # a banner across the card


def test_missing_or_broken_picture_gives_a_placeholder(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a picture")
    (tmp_path / "empty.jpg").write_bytes(b"")
    for image in ("broken.png", "empty.jpg", "missing.webp", str(tmp_path)):
        card = render_product_card(product(image=image), 1920, 1080, CardCorner.BOTTOM_RIGHT, tmp_path)
        assert card.bgra.shape[0] > 100
    without = render_product_card(product(image=None, link_url=None, coupon=None, stock=None), 1080, 1920, "top_left")
    assert without.height < 300  # no QR row: a compact card


def test_cache_renders_only_when_the_content_changes(tmp_path):
    cache = ProductCardCache()
    first = cache.get(product(), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    # Talking points and presets are not on the card: the same picture object comes back.
    same = cache.get(product(talking_points=["new note"]), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    assert same is first and cache.renders == 1
    fewer = cache.get(product(stock=49), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES)
    assert fewer is not first and cache.renders == 2
    assert cache.get(product(), 1920, 1080, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES) is first
    assert cache.get(product(), 1920, 1080, CardCorner.TOP_LEFT, PRODUCT_IMAGES) is not first
    assert cache.get(product(), 1080, 1920, CardCorner.BOTTOM_RIGHT, PRODUCT_IMAGES) is not first
    # A picture edited on disk is picked up.
    picture = tmp_path / "p.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(picture)
    red = cache.get(product(image="p.png"), 1920, 1080, CardCorner.BOTTOM_RIGHT, tmp_path)
    Image.new("RGB", (64, 48), (30, 30, 200)).save(picture)
    os.utime(picture, ns=(10**18, 10**18))
    blue = cache.get(product(image="p.png"), 1920, 1080, CardCorner.BOTTOM_RIGHT, tmp_path)
    assert blue is not red and not np.array_equal(blue.bgra, red.bgra)
    assert not first.bgra.flags.writeable  # shared pictures cannot be scribbled on


# -- the countdown ----------------------------------------------------------------------------


def digit_fill(overlay: RenderedOverlay) -> np.ndarray:
    """Where the digit's white fill is, cropped to it and scaled to 64x64."""
    white = np.all(overlay.bgra[:, :, :3] > 235, axis=2) & (overlay.bgra[:, :, 3] > 235)
    rows, columns = np.nonzero(white)
    crop = white[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1].astype(np.uint8) * 255
    return cv2.resize(crop, (64, 64), interpolation=cv2.INTER_AREA).astype(float) / 255


def plain_digit(digit: int) -> RenderedOverlay:
    rgba = np.asarray(fonts.render_text(str(digit), 300))
    return RenderedOverlay(np.ascontiguousarray(rgba[:, :, [2, 1, 0, 3]]), 0, 0)


def test_countdown_pops_in_and_holds_a_stable_last_frame():
    frames = render_countdown_frames(3, 1920, 1080, 30)
    assert len(frames) == pop_frame_count(30) == 7
    sizes = [frame.width for frame in frames]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 1.3 * sizes[-1]  # shrinks from ~140 %
    assert frames[0].bgra[:, :, 3].max() < frames[-1].bgra[:, :, 3].max()  # fades in
    for frame in frames:  # centred, on even pixels
        assert frame.x % 2 == 0 and frame.y % 2 == 0
        assert abs(frame.x + frame.width / 2 - 960) <= 2 and abs(frame.y + frame.height / 2 - 540) <= 2
    held = render_countdown_digit(3, 1920, 1080)
    assert np.array_equal(frames[-1].bgra, held.bgra)  # the held frame is the digit at 100 %
    assert render_countdown_set(1920, 1080, 30)[3][-1] is render_countdown_set(1920, 1080, 30)[3][-1]
    assert len(render_countdown_frames(1, 1920, 1080, 60)) == 13


def test_countdown_digits_are_distinct_and_recognisable():
    held = {digit: frames[-1] for digit, frames in render_countdown_set(1080, 1920, 30).items()}
    assert set(held) == {3, 2, 1}
    for a, b in ((3, 2), (3, 1), (2, 1)):
        assert np.abs(held[a].bgra.astype(int) - held[b].bgra).mean() > 5
    # Each digit's white fill matches a plain rendering of that digit best.
    references = {d: digit_fill(plain_digit(d)) for d in (1, 2, 3)}
    for digit, overlay in held.items():
        fill = digit_fill(overlay)
        scores = {d: np.abs(fill - reference).mean() for d, reference in references.items()}
        assert min(scores, key=scores.get) == digit, scores
        # Big and high-contrast: white fill on a dark circle, a good part of the canvas.
        assert overlay.width >= 300 and overlay.bgra[overlay.height // 2, 8, 3] > 100


# -- the lower third --------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), CANVASES)
def test_lower_third_sits_bottom_left_on_one_or_two_lines(width, height):
    one = render_lower_third("纯棉白T恤 · 直播间专享价 ¥79 🎉", width, height)
    two = render_lower_third("Spring sale\n限时秒杀 · while stocks last", width, height)
    wrapped = render_lower_third("A very long lower third " * 10, width, height)
    for banner in (one, two, wrapped):
        assert banner.x % 2 == 0 and banner.y % 2 == 0 and banner.x < width / 4
        assert banner.y + banner.height < height and banner.y > height / 2
        assert banner.x + banner.width <= width
    assert two.height > one.height and wrapped.height > one.height


# -- no Qt in the engine ----------------------------------------------------------------------


def test_overlay_modules_do_not_import_qt():
    code = (
        "import sys\n"
        "import studio.engine.graphics.fonts, studio.engine.graphics.overlays, studio.engine.graphics.countdown\n"
        "import studio.engine.graphics.product_card, studio.engine.graphics.lower_third\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', 'qtpy')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    )


# -- snapshots --------------------------------------------------------------------------------


def snapshot(name: str, picture: np.ndarray, *, doc: str | None = None) -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    cv2.imwrite(str(SNAPSHOTS / name), picture)
    if doc and os.environ.get("STUDIO_UPDATE_DOC_SNAPSHOTS") == "1":
        cv2.imwrite(str(DOCS / doc), picture)


def test_snapshots_of_the_cards_over_grey():
    chinese = product(title="🔥爆款🔥 纯棉白T恤 👕 夏季新款 Organic cotton tee 直播专享")
    long_title = product(
        id="trousers",
        title=LONG_TITLE,
        price=Decimal("1299.00"),
        compare_at_price=Decimal("1599.00"),
        currency="USD",
        stock=3,
        image="products/scarf-silk.png",
        coupon="SUMMER24",
    )
    sold = product(id="mug", title="手工陶瓷马克杯 ☕", image="products/mug-red.png", stock=0, coupon=None)
    for width, height in CANVASES:
        canvas = f"{width}x{height}"
        _, picture = card_on_grey(chinese, width, height)
        snapshot(f"card-chinese-{canvas}.png", picture, doc=f"card-{canvas}.png")
        _, picture = card_on_grey(long_title, width, height, CardCorner.TOP_LEFT)
        snapshot(f"card-long-title-{canvas}.png", picture)
        _, picture = card_on_grey(sold, width, height, CardCorner.TOP_RIGHT)
        snapshot(f"card-sold-out-{canvas}.png", picture)
        countdown = render_countdown_set(width, height, 30)[3][-1]
        picture = on_grey(countdown, width, height)
        lower = render_lower_third("纯棉白T恤 · 直播间专享价 ¥79", width, height)
        snapshot(f"countdown-and-lower-third-{canvas}.png", composite_onto_bgr(picture, lower))
    assert (SNAPSHOTS / "card-chinese-1920x1080.png").stat().st_size > 10_000
