"""The product card: picture, title, price, stock, coupon and a QR code of the product link.

    ┌──────────────────────────────────────────┐
    │ ┌────────┐  Title, up to two lines, cut │
    │ │ image  │  with "…"                     │
    │ └────────┘  ¥199.00  ¥299.00 (struck)    │
    │             [ Only 50 left ]             │
    │ ──────────────────────────────────────── │
    │ ┌────────┐  Coupon                       │
    │ │   QR   │  [ SAVE20 ]                   │
    │ └────────┘  Scan to buy                  │
    └──────────────────────────────────────────┘

A rounded, semi-opaque dark panel, so it reads on any background. Sold out (stock 0 or the
sold_out flag): the picture goes grey and a red SOLD OUT banner crosses the card. The QR code is
black on white with its 4-module quiet zone, whole pixels per module, and at least 160 px wide
on a canvas whose shorter side is 1080, so phones scan it off the stream.

Rendering takes tens of milliseconds, so callers keep cards in a ProductCardCache: a card is
only rendered again when something it shows changes.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageChops, ImageDraw, ImageOps

from studio.engine.graphics import fonts
from studio.engine.graphics.overlays import (
    RenderedOverlayCache,
    LABELS,
    STYLE,
    Anchor,
    CanvasUnits,
    OverlayLabels,
    OverlayPlacement,
    OverlayStyle,
    RenderedOverlay,
    place,
    rounded_mask,
    rounded_panel,
)
from studio.engine.products import CardCorner, Product

log = logging.getLogger(__name__)

CARD_MARGIN = 0.035  # of the canvas's shorter side
QR_MIN_DESIGN_PX = 160  # the QR symbol (without quiet zone) is at least this, at a shorter side of 1080
QR_QUIET_MODULES = 4


@dataclass(frozen=True, slots=True)
class CardLayout:
    """Design sizes in pixels for a canvas whose shorter side is 1080."""

    width: int = 520
    padding: int = 24
    radius: int = 24
    image: int = 164
    image_radius: int = 16
    gap: int = 20
    title_px: int = 30
    title_lines: int = 2
    price_px: int = 54
    price_min_px: int = 12  # a huge price shrinks until it fits the column
    compare_px: int = 28
    pill_px: int = 24
    label_px: int = 22
    coupon_px: int = 30
    scan_px: int = 26
    qr_target: int = 200  # the QR's outer size (with quiet zone) we aim for
    qr_side_min: int = 180  # room kept beside the QR for the coupon and "Scan to buy"
    divider_gap: int = 18


LAYOUT = CardLayout()


# -- the product picture ---------------------------------------------------------------------


def resolve_image_path(image: str | None, image_folder: Path | None) -> Path | None:
    if not image:
        return None
    path = Path(image).expanduser()
    if not path.is_absolute() and image_folder is not None:
        path = Path(image_folder) / path
    return path


def _file_stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def load_product_image(path: Path | None, size: int) -> Image.Image | None:
    """The product picture as a size x size RGBA tile, or None when there is none or it cannot be
    read (a broken picture must never stop the card). Opaque pictures fill the tile (cropped
    centre); pictures with transparency (cut-outs) fit inside it on a light background."""
    if path is None:
        return None
    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale
            picture = ImageOps.exif_transpose(opened)
            picture.load()
        has_alpha = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
        picture = picture.convert("RGBA")
        if has_alpha and picture.getchannel("A").getextrema()[0] < 250:
            tile = Image.new("RGBA", (size, size), (244, 244, 246, 255))
            inner = max(2, round(size * 0.9))
            fitted = ImageOps.contain(picture.convert("RGBa"), (inner, inner), Image.Resampling.LANCZOS).convert("RGBA")
            tile.alpha_composite(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2))
            return tile
        return ImageOps.fit(picture.convert("RGB"), (size, size), Image.Resampling.LANCZOS).convert("RGBA")
    except Exception as error:  # missing, unreadable, truncated, too big...: a placeholder instead
        log.warning("product picture %s cannot be shown: %s", path, error)
        return None


def placeholder_image(size: int) -> Image.Image:
    """A neutral tile with a simple picture symbol (mountains and a sun)."""
    tile = Image.new("RGBA", (size, size), (64, 64, 72, 255))
    draw = ImageDraw.Draw(tile)
    ink = (118, 118, 130, 255)
    s = size / 100
    draw.ellipse((60 * s, 24 * s, 74 * s, 38 * s), fill=ink)
    draw.polygon([(18 * s, 74 * s), (40 * s, 44 * s), (56 * s, 64 * s), (64 * s, 54 * s), (82 * s, 74 * s)], fill=ink)
    return tile


def _grey_out(picture: Image.Image) -> Image.Image:
    alpha = picture.getchannel("A")
    grey = ImageOps.grayscale(picture.convert("RGB")).point(lambda v: 40 + v * 0.45).convert("RGBA")
    grey.putalpha(alpha)
    return grey


# -- the QR code ------------------------------------------------------------------------------


def qr_module_px(code_modules: int, units: CanvasUnits, target_outer: int) -> int:
    """Whole pixels per module: near target_outer for the whole symbol with its quiet zone, and
    never under the minimum size for the symbol itself."""
    total = code_modules + 2 * QR_QUIET_MODULES
    by_target = units(target_outer) // total
    minimum = math.ceil(QR_MIN_DESIGN_PX * units.scale / code_modules)
    return max(2, by_target, minimum)


def render_qr(url: str, module_px: int | None = None, units: CanvasUnits | None = None) -> Image.Image:
    """Black on white QR code of url, quiet zone included, module_px pixels per module (or sized
    for the canvas when units is given)."""
    code = segno.make_qr(url, error="m")
    matrix = np.array([list(row) for row in code.matrix], dtype=bool)
    if module_px is None:
        module_px = qr_module_px(matrix.shape[0], units or CanvasUnits(1920, 1080), LAYOUT.qr_target)
    matrix = np.pad(matrix, QR_QUIET_MODULES, constant_values=False)
    pixels = np.where(matrix, 0, 255).astype(np.uint8)
    pixels = np.repeat(np.repeat(pixels, module_px, axis=0), module_px, axis=1)
    return Image.fromarray(pixels, "L").convert("RGBA")


# -- the card ---------------------------------------------------------------------------------


def _text_column_width(u: CanvasUnits) -> int:
    width = card_placement(CardCorner.BOTTOM_RIGHT).width_px(u.canvas_width, u.canvas_height)
    return width - 2 * u(LAYOUT.padding) - u(LAYOUT.image) - u(LAYOUT.gap)


def title_lines_for(title: str, canvas_width: int, canvas_height: int) -> list[str]:
    """The title as the card draws it: wrapped into at most two lines, cut with "…"."""
    u = CanvasUnits(canvas_width, canvas_height)
    return fonts.wrap_text(title, u(LAYOUT.title_px), _text_column_width(u), LAYOUT.title_lines, bold=True)


def price_label(product: Product, value: Decimal | None = None) -> str:
    """Product.price_text, with the currency code instead of a symbol the fonts do not have."""
    text = product.price_text(value)
    if fonts.default_fonts().has_glyphs(text):
        return text
    return f"{product.currency} {product.price if value is None else value:,.2f}"


def is_sold_out(product: Product) -> bool:
    return product.sold_out or product.stock == 0


def card_placement(corner: CardCorner | str, margin: float = CARD_MARGIN) -> OverlayPlacement:
    return OverlayPlacement(Anchor.from_corner(corner), margin=margin, width=LAYOUT.width / 1080)


def render_product_card(
    product: Product,
    canvas_width: int,
    canvas_height: int,
    corner: CardCorner | str = CardCorner.BOTTOM_RIGHT,
    image_folder: Path | None = None,
    *,
    labels: OverlayLabels = LABELS,
    style: OverlayStyle = STYLE,
) -> RenderedOverlay:
    """The card of a product, placed in a corner of the canvas (see the module docstring)."""
    units = CanvasUnits(canvas_width, canvas_height)
    placement = card_placement(corner)
    image = _render_card_image(product, units, placement, image_folder, labels, style)
    return place(image, placement, canvas_width, canvas_height)


def _render_card_image(
    product: Product,
    u: CanvasUnits,
    placement: OverlayPlacement,
    image_folder: Path | None,
    labels: OverlayLabels,
    style: OverlayStyle,
) -> Image.Image:
    L = LAYOUT
    sold_out = is_sold_out(product)
    width = placement.width_px(u.canvas_width, u.canvas_height)
    pad, gap = u(L.padding), u(L.gap)
    qr = render_qr(product.link_url, units=u) if product.link_url else None
    if qr is not None:  # a very long link makes a big code: the card widens to keep room beside it
        wanted = 2 * pad + qr.width + gap + u(L.qr_side_min)
        width = max(width, wanted + wanted % 2)
    right_width = width - (pad + qr.width + gap) - pad if qr is not None else 0
    image_size = u(L.image)
    column_x = pad + image_size + gap
    column_width = width - column_x - pad
    stack = fonts.default_fonts()

    # Measure everything first: the card's height follows its content.
    title_px = u(L.title_px)
    title_lines = title_lines_for(product.title, u.canvas_width, u.canvas_height)
    title_line_height = stack.metrics(title_px).height
    price_text = price_label(product)
    price_px = u(L.price_px)
    while (
        price_px > u(L.price_min_px)
        and stack.width(price_text, price_px) + 2 * fonts.bold_stroke_px(price_px) > column_width
    ):
        price_px -= 2
    compare_text = (
        price_label(product, product.compare_at_price)
        if product.compare_at_price is not None and product.compare_at_price > product.price
        else None
    )
    compare_px = u(L.compare_px)
    price_width = stack.width(price_text, price_px) + 2 * fonts.bold_stroke_px(price_px)
    compare_inline = compare_text is not None and (
        price_width + u(14) + stack.width(compare_text, compare_px) <= column_width
    )
    pill_text = labels.sold_out if sold_out else labels.only_left.format(n=product.stock) if product.stock else None
    pill_px = u(L.pill_px)
    pill_height = stack.metrics(pill_px).height + u(10)

    price_metrics = stack.metrics(price_px)
    column_height = title_line_height * len(title_lines) + u(6) + price_metrics.height
    if compare_text and not compare_inline:
        column_height += stack.metrics(compare_px).height
    if pill_text:
        column_height += u(10) + pill_height
    coupon_in_column = bool(product.coupon) and qr is None
    chip_room = column_width if coupon_in_column else right_width
    coupon_chip = _coupon_chip(product.coupon, u, style, chip_room) if product.coupon else None
    if coupon_in_column and coupon_chip is not None:
        column_height += u(12) + coupon_chip.height
    top_row = max(image_size, column_height)
    height = pad + top_row + pad
    if qr is not None:
        height += 2 * u(L.divider_gap) + qr.height  # divider above and below the line, then the QR

    card = rounded_panel(width, height, u(L.radius), style.panel, style.panel_border, max(1, u(1.5)))

    # Row 1: picture, then title, price, stock.
    picture = load_product_image(resolve_image_path(product.image, image_folder), image_size)
    picture = picture if picture is not None else placeholder_image(image_size)
    if sold_out:
        picture = _grey_out(picture)
    picture.putalpha(
        ImageChops.darker(picture.getchannel("A"), rounded_mask(image_size, image_size, u(L.image_radius)))
    )
    card.alpha_composite(picture, (pad, pad))

    y = pad - u(3)  # the line box has some air above the capitals
    for line in title_lines:
        stack.draw(card, (column_x, y), line, title_px, style.text, bold=True)
        y += title_line_height
    y += u(6)
    baseline = y + price_metrics.ascent
    price_colour = style.muted if sold_out else style.price
    stack.draw(card, (column_x, baseline), price_text, price_px, price_colour, anchor="ls", bold=True)
    if compare_text:
        if compare_inline:
            x, compare_baseline = column_x + price_width + u(14), baseline
        else:
            x, compare_baseline = column_x, baseline + price_metrics.descent + stack.metrics(compare_px).ascent
        compare_text = stack.ellipsize(compare_text, compare_px, column_width)
        x0, _, x1, _ = stack.draw(card, (x, compare_baseline), compare_text, compare_px, style.muted, anchor="ls")
        strike_y = compare_baseline - round(compare_px * 0.32)
        ImageDraw.Draw(card).line((x0 - u(2), strike_y, x1 + u(2), strike_y), fill=style.muted, width=max(1, u(2.5)))
        y = (
            compare_baseline + stack.metrics(compare_px).descent
            if not compare_inline
            else baseline + price_metrics.descent
        )
    else:
        y = baseline + price_metrics.descent
    if pill_text:
        y += u(10)
        pill_colour = style.sold_out if sold_out else style.stock
        _draw_pill(card, column_x, y, pill_text, pill_px, pill_height, pill_colour, u, column_width)
        y += pill_height
    if coupon_in_column and coupon_chip is not None:
        y += u(12)
        _draw_coupon(card, coupon_chip, column_x, y)

    # Row 2: the QR code, the coupon and the call to action.
    if qr is not None:
        divider_y = pad + top_row + u(L.divider_gap)
        ImageDraw.Draw(card).line(
            (pad, divider_y, width - pad, divider_y), fill=style.panel_border, width=max(1, u(1.5))
        )
        qr_y = divider_y + u(L.divider_gap)
        card.alpha_composite(qr, (pad, qr_y))  # whole pixels per module, never resampled
        right_x = pad + qr.width + gap
        if coupon_chip is not None:
            label_px = u(L.label_px)
            stack.draw(
                card, (right_x, qr_y), stack.ellipsize(labels.coupon, label_px, right_width), label_px, style.muted
            )
            _draw_coupon(card, coupon_chip, right_x, qr_y + stack.metrics(label_px).height + u(4))
        scan_px = u(L.scan_px)
        scan_text = stack.ellipsize(labels.scan_to_buy, scan_px, right_width)
        stack.draw(card, (right_x, qr_y + qr.height), scan_text, scan_px, style.text, anchor="ld", bold=True)

    if sold_out:
        _stamp_sold_out(card, labels.sold_out, u, style)
    return card


def _draw_pill(
    card: Image.Image, x: int, y: int, text: str, size_px: int, height: int, colour, u: CanvasUnits, max_width: int
) -> None:
    stack = fonts.default_fonts()
    pad_x = u(12)
    text = stack.ellipsize(text, size_px, max_width - 2 * pad_x)
    width = math.ceil(stack.width(text, size_px)) + 2 * pad_x + 2
    pill = rounded_panel(width, height, height // 2, (*colour[:3], 46), (*colour[:3], 150), max(1, u(1.5)))
    card.alpha_composite(pill, (x, y))
    stack.draw(card, (x + pad_x, y + height / 2), text, size_px, colour, anchor="lm", bold=True)


def _coupon_chip(code: str, u: CanvasUnits, style: OverlayStyle, max_width: int) -> Image.Image:
    """The coupon code in a chip with a dashed border, like a ticket."""
    stack = fonts.default_fonts()
    size_px = u(LAYOUT.coupon_px)
    pad_x = u(14)
    text = stack.ellipsize(code, size_px, max_width - 2 * pad_x)
    width = min(max_width, math.ceil(stack.width(text, size_px)) + 2 * pad_x + u(4))
    height = stack.metrics(size_px).height + u(14)
    chip = rounded_panel(width, height, u(10), (*style.coupon[:3], 36))
    draw = ImageDraw.Draw(chip)
    dash, line = u(8), max(1, u(2))
    colour = style.coupon
    for x in range(u(6), width - u(6), 2 * dash):
        draw.line((x, 0, min(width - u(6), x + dash), 0), fill=colour, width=line)
        draw.line((x, height - line, min(width - u(6), x + dash), height - line), fill=colour, width=line)
    for y in range(u(6), height - u(6), 2 * dash):
        draw.line((0, y, 0, min(height - u(6), y + dash)), fill=colour, width=line)
        draw.line((width - line, y, width - line, min(height - u(6), y + dash)), fill=colour, width=line)
    stack.draw(chip, (width / 2, height / 2), text, size_px, colour, anchor="mm", bold=True)
    return chip


def _draw_coupon(card: Image.Image, chip: Image.Image, x: int, y: int) -> None:
    card.alpha_composite(chip, (x, y))


def _stamp_sold_out(card: Image.Image, text: str, u: CanvasUnits, style: OverlayStyle) -> None:
    """A red banner across the card, turned like a rubber stamp."""
    stack = fonts.default_fonts()
    size_px = u(72)
    limit = card.width * 0.78
    while size_px > u(28) and stack.width(text, size_px) > limit:
        size_px -= 2
    text_width = math.ceil(stack.width(text, size_px))
    band_w, band_h = text_width + u(56), stack.metrics(size_px).height + u(24)
    band = rounded_panel(band_w, band_h, u(12), (*style.sold_out[:3], 238), (255, 255, 255, 235), max(2, u(5)))
    stack.draw(band, (band_w / 2, band_h / 2), text, size_px, (255, 255, 255, 255), anchor="mm", bold=True)
    turned = band.convert("RGBa").rotate(14, resample=Image.Resampling.BICUBIC, expand=True).convert("RGBA")
    card.alpha_composite(turned, ((card.width - turned.width) // 2, (card.height - turned.height) // 2))


# -- the cache ---------------------------------------------------------------------------------


def card_key(
    product: Product,
    canvas_width: int,
    canvas_height: int,
    corner: CardCorner | str,
    image_folder: Path | None,
    labels: OverlayLabels = LABELS,
    style: OverlayStyle = STYLE,
) -> tuple:
    """Everything a card's pixels depend on: the fields it shows, the picture file (path, and its
    modification time and size, so an edited picture is picked up), the canvas and the corner."""
    image_path = resolve_image_path(product.image, image_folder)
    return (
        product.title,
        product.price,
        product.compare_at_price,
        product.currency,
        product.stock,
        product.sold_out,
        product.coupon,
        product.link_url,
        None if image_path is None else str(image_path),
        _file_stamp(image_path),
        canvas_width,
        canvas_height,
        CardCorner(corner),
        labels,
        style,
    )


class ProductCardCache(RenderedOverlayCache):
    """Rendered cards by content: get() returns the same RenderedOverlay object as long as nothing
    the card shows has changed, and renders a new one when something has. Thread-safe; keeps the
    most recently used `capacity` cards."""

    def __init__(self, capacity: int = 64) -> None:
        super().__init__(capacity)

    def get(
        self,
        product: Product,
        canvas_width: int,
        canvas_height: int,
        corner: CardCorner | str = CardCorner.BOTTOM_RIGHT,
        image_folder: Path | None = None,
        *,
        labels: OverlayLabels = LABELS,
        style: OverlayStyle = STYLE,
    ) -> RenderedOverlay:
        key = card_key(product, canvas_width, canvas_height, corner, image_folder, labels, style)
        return self.get_or_render(key, lambda: render_product_card(product, canvas_width, canvas_height, corner, image_folder, labels=labels, style=style))

