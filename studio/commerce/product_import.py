"""Products from a spreadsheet: a Shopify product export, or our own simple CSV.

`import_products_csv(path)` reads the file, imports every good row and reports every bad row
(`ImportResult.problems`, each "line N: <column>: expected ..., got ..."); a bad row never
raises. Only a file that cannot be read at all raises InputError: missing, not text, not
UTF-8 / GB18030, or with no header we recognize. Line numbers are physical lines of the file
(the header is line 1), counted correctly when a quoted value spans several lines; a row is
reported at the line where it starts.

Text encodings: UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"), GB18030 (which
covers GBK/GB2312: what Chinese Excel writes for plain "CSV"), and UTF-16 with a BOM (Excel's
"Unicode Text"). Separators: comma, tab or semicolon, whichever makes the header recognizable.
Blank rows are skipped.

Simple CSV
----------
One row per product; the header names the columns, in any order, in English or Chinese
(English names are case-insensitive; "compare at price" works as well as compare_at_price).
Columns we do not know (notes, cost...) are ignored.

- id (also 商品ID, 编号, 商品编号): required; unique in the file; how the show refers to it.
- title (标题, 商品名称, 名称): required; the name on the product card.
- price (价格, 售价): required; 199.00 (also "¥199", "1,299.00"); at most 2 decimals.
- compare_at_price (原价, 划线价): the old price, struck through; empty, or not above the
  price: none shown.
- currency (币种): ISO code, CNY, USD...; RMB/人民币 mean CNY; empty: the import's default
  (CNY unless told otherwise).
- stock (库存): a whole number, 0 or more; empty: not shown.
- image (图片): picture file (relative to the show file) or URL.
- link_url (链接): the http(s):// product page: the card's QR code and the link push.
- coupon (优惠券): the coupon code shown with the card.
- talking_points (卖点): notes for the host, separated by "|" (or the full-width "｜").

Example (any of the Chinese names may replace the English ones)::

    商品ID,商品名称,售价,划线价,库存,链接,卖点
    A01,保温杯,129.00,199.00,30,https://shop.example/p/a01,304不锈钢|保温12小时

Shopify product export
----------------------
The CSV from Shopify admin > Products > Export (recognized by its Handle column; Handle, Title
and Variant Price are required, every other column is optional and most are ignored). One row
per variant: the first row of a handle carries the product (Title, Image Src), following rows
of the same handle carry only their option values, price and quantity; rows with only an
image (extra pictures) are skipped. We make one Product per variant:

- id: the Handle when the product has one variant, else "<handle>-<option values, slugged>"
  ("mug-red-large");
- title: the product's Title, plus " – Red / Large" (the option values) when it has several
  variants;
- price: Variant Price; compare_at_price: Variant Compare At Price (none when empty or not
  above the price); stock: Variant Inventory Qty (empty or absent: not shown);
- image: the Variant Image, else the product's Image Src;
- link_url: Shopify does not export the store's address: pass `shop_url`
  ("https://myshop.example") to get "<shop_url>/products/<handle>"; without it, no link;
- currency: the import's `currency` (the store's currency is not in the export either).

Every product goes through the Product model; draft and archived products are imported too
(the Status column is not read).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from pydantic import ValidationError

from studio.engine.errors import InputError
from studio.engine.products import Product
from studio.engine.secrets import shown_value, url_problem

SHOPIFY = "shopify"
SIMPLE = "simple"

_DELIMITERS = (",", "\t", ";")
_CENT = Decimal("0.01")
_MONEY_SYMBOLS = "¥￥$€£₩ "
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_CURRENCY_ALIASES = {"RMB": "CNY", "人民币": "CNY", "元": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD"}
_SHOWN_CHARS = 40

# The simple CSV's columns: model field -> accepted header names (normalized: see _header_key).
SIMPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "商品id", "编号", "商品编号"),
    "title": ("title", "标题", "商品名称", "名称"),
    "price": ("price", "价格", "售价"),
    "compare_at_price": ("compare_at_price", "原价", "划线价"),
    "currency": ("currency", "币种"),
    "stock": ("stock", "库存"),
    "image": ("image", "图片"),
    "link_url": ("link_url", "链接"),
    "coupon": ("coupon", "优惠券"),
    "talking_points": ("talking_points", "卖点"),
}
_SIMPLE_REQUIRED = ("id", "title", "price")

# Shopify columns we read (normalized names).
_HANDLE, _TITLE, _PRICE = "handle", "title", "variant_price"
_COMPARE, _QTY, _SKU = "variant_compare_at_price", "variant_inventory_qty", "variant_sku"
_IMAGE_SRC, _VARIANT_IMAGE = "image_src", "variant_image"
_OPTION_VALUES = ("option1_value", "option2_value", "option3_value")
_SHOPIFY_REQUIRED = (_HANDLE, _TITLE, _PRICE)
# Non-empty in any of these (or a Title): the row is a variant, not an extra image.
_VARIANT_PREFIXES = ("variant_", "option1_value", "option2_value", "option3_value")


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported: its first physical line and why, naming the column."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    products: list[Product] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    format: str = ""  # SHOPIFY or SIMPLE: which kind of file it was


class _CellError(ValueError):
    """One cell's problem: the message after the column name."""


def import_products_csv(
    path: Path | str, *, currency: str = "CNY", shop_url: str | None = None
) -> ImportResult:
    """The products of a Shopify export or a simple CSV (see the module docstring).

    currency: the currency of prices that do not name one (all of a Shopify export's).
    shop_url: the store's address, for the Shopify product links ("https://myshop.example").
    Raises InputError when the file cannot be read at all, or an argument is wrong.
    """
    path = Path(path)
    name = str(path)
    default_currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", default_currency):
        raise InputError(f"expected a 3-letter currency code like CNY, got {currency!r}", field="currency")
    if shop_url is not None:
        shop_url = shop_url.strip().rstrip("/")
        problem = url_problem(shop_url, ("https", "http"))
        if problem:
            raise InputError(problem, field="shop_url")

    text = _read_text(path)
    kind, header, records = _open_table(text, name)
    columns = _Columns(header)
    if kind == SHOPIFY:
        return _import_shopify(records, columns, default_currency, shop_url or None)
    return _import_simple(records, columns, default_currency, name)


# -- reading the file ------------------------------------------------------------------------------

_EXPECTED_FILE = "expected a CSV file of products (a Shopify export or id,title,price... columns)"


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file; {_EXPECTED_FILE}", file=name) from None
    except IsADirectoryError:
        raise InputError(f"this is a folder; {_EXPECTED_FILE}", file=name) from None
    except PermissionError:
        raise InputError("cannot be read: permission denied", file=name) from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}", file=name) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("broken UTF-16 text; save it again as CSV UTF-8", file=name) from None
    if not data.strip():
        raise InputError("the file is empty; expected a header row, then one row per product", file=name)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is an Excel workbook (or another zip file), not CSV; in Excel: Save As > CSV UTF-8", file=name
        )
    if b"\x00" in data:
        raise InputError("this is binary data, not CSV text; " + _EXPECTED_FILE, file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(
                f"not UTF-8 or GB18030 text (byte 0x{data[utf8_error.start]:02X} at offset {utf8_error.start}); "
                "expected a CSV file saved as CSV UTF-8",
                file=name,
            ) from None


def _header_key(cell: str) -> str:
    """A header cell as we match it: no BOM or outer spaces, lower case, words joined by _."""
    return re.sub(r"[\s\-]+", "_", cell.replace("\ufeff", "").strip()).lower()


def _simple_field(key: str) -> str | None:
    for model_field, names in SIMPLE_COLUMNS.items():
        if key in names:
            return model_field
    return None


def _detect(header: list[str]) -> str | None:
    keys = {_header_key(cell) for cell in header}
    if _HANDLE in keys:
        return SHOPIFY
    if any(_simple_field(key) for key in keys):
        return SIMPLE
    return None


def _open_table(text: str, name: str) -> tuple[str, list[str], Iterator[tuple[int, list[str] | str]]]:
    """(format, header, records) where records yields (first line, cells) or (line, csv error)."""
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records = _records(reader)
        for _line, header in records:
            if isinstance(header, str) or any(cell.strip() for cell in header):
                break
        else:
            raise InputError("no rows at all; expected a header row, then one row per product", file=name)
        if isinstance(header, str):
            continue
        kind = _detect(header)
        if kind:
            _check_header(kind, header, name)
            return kind, header, records
    raise InputError(
        "no recognizable header on the first line; expected a Shopify product export (Handle, Title, "
        "Variant Price...) or the columns id, title, price (or 商品ID, 标题, 价格)",
        file=name,
    )


def _records(reader) -> Iterator[tuple[int, list[str] | str]]:
    """Every record with the physical line it starts on; a broken one as its error text."""
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = str(error)
            if "unexpected end of data" in message:
                yield start, 'a quoted value starting on this line is never closed (a missing ")'
                return
            yield reader.line_num, f'broken quoting ({message}); a " inside a value must be doubled ("")'
            previous_end = reader.line_num
            continue
        previous_end = reader.line_num
        yield start, cells


def _check_header(kind: str, header: list[str], name: str) -> None:
    keys = [_header_key(cell) for cell in header]
    if kind == SHOPIFY:
        missing = [column for column in _SHOPIFY_REQUIRED if column not in keys]
        if missing:
            shown = ", ".join(column.replace("_", " ").title() for column in missing)
            raise InputError(
                f"a Shopify export without the column(s) {shown}; expected an unmodified product export", file=name
            )
        return
    seen: dict[str, str] = {}
    for cell, key in zip(header, keys):
        model_field = _simple_field(key)
        if model_field is None:
            continue
        if model_field in seen:
            raise InputError(
                f"the columns {seen[model_field]!r} and {cell.strip()!r} both mean {model_field}; keep one", file=name
            )
        seen[model_field] = cell.strip()
    missing = [model_field for model_field in _SIMPLE_REQUIRED if model_field not in seen]
    if missing:
        shown = "; ".join(f"{f} (or {', '.join(n for n in SIMPLE_COLUMNS[f][1:])})" for f in missing)
        raise InputError(f"the header has no column {shown}; expected at least id, title and price", file=name)


class _Columns:
    """Cells by normalized column name; the header as written, for messages."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.index: dict[str, int] = {}
        self.shown: dict[str, str] = {}
        for position, cell in enumerate(header):
            key = _header_key(cell)
            if key and key not in self.index:
                self.index[key] = position
                self.shown[key] = cell.replace("\ufeff", "").strip()
        self.by_field: dict[str, str] = {}  # simple CSV: model field -> its key in this file
        for key in self.index:
            model_field = _simple_field(key)
            if model_field:
                self.by_field[model_field] = key

    def get(self, cells: list[str], key: str) -> str:
        position = self.index.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    def extra_cells_problem(self, cells: list[str]) -> str | None:
        extra = [cell for cell in cells[self.width :] if cell.strip()]
        if not extra:
            return None
        return (
            f"expected {self.width} columns like the header, got {len(cells)} "
            f"(a comma inside a value that is not in quotes?)"
        )


# -- cell values -----------------------------------------------------------------------------------


def _shown(raw: str) -> str:
    if raw == "":
        return "an empty cell"
    return repr(raw if len(raw) <= _SHOWN_CHARS else raw[: _SHOWN_CHARS - 1] + "…")


def _money(raw: str, *, required: bool) -> Decimal | None:
    if raw == "":
        if required:
            raise _CellError("expected a number like 199.00, got an empty cell")
        return None
    text = raw.strip(_MONEY_SYMBOLS).replace("\u00a0", "")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _CellError(f"expected a number like 199.00, got {_shown(raw)}")
    if value < 0:
        raise _CellError(f"expected a price of 0 or more, got {_shown(raw)}")
    try:
        cents = value.quantize(_CENT)
    except InvalidOperation:
        raise _CellError(f"expected a number like 199.00, got {_shown(raw)}") from None
    if cents != value:
        raise _CellError(f"expected at most 2 decimal places (like 199.00), got {_shown(raw)}")
    return cents


def _price(raw: str) -> Decimal | None:
    return _money(raw, required=True)


def _old_price(raw: str) -> Decimal | None:
    return _money(raw, required=False)


def _stock(raw: str) -> int | None:
    if raw == "":
        return None
    try:
        value = Decimal(raw.replace(",", "") if _THOUSANDS.fullmatch(raw) else raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise _CellError(f"expected a whole number of 0 or more, got {_shown(raw)}")
    return int(value)


def _currency(raw: str, default: str) -> str:
    if raw == "":
        return default
    code = _CURRENCY_ALIASES.get(raw.strip().upper(), raw.strip().upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise _CellError(f"expected a 3-letter currency code like CNY or USD, got {_shown(raw)}")
    return code


def _talking_points(raw: str) -> list[str]:
    return [point.strip() for point in re.split(r"[|｜]", raw) if point.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text.casefold()).strip("-")


def _validation_reason(error: ValidationError, column_of: Callable[[str], str]) -> str:
    """A pydantic error as one line naming the CSV column(s), not the model field."""
    parts = []
    for item in error.errors():
        model_field = str(item["loc"][0]) if item["loc"] else ""
        message = item["msg"].removeprefix("Value error, ")
        if "got " not in message:
            message = f"{message[:1].lower()}{message[1:]}, got {shown_value(model_field, item.get('input'))}"
        parts.append(f"{column_of(model_field)}: {message}")
    return "; ".join(parts)


def _cell(errors: list[str], column: str, parse: Callable[[str], object], raw: str) -> object:
    """parse(raw) a cell; on a _CellError note "<column>: <message>" and give None."""
    try:
        return parse(raw)
    except _CellError as error:
        errors.append(f"{column}: {error}")
        return None


class _Ids:
    """The ids already used, and on which line."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}

    def claim(self, product_id: str, line: int) -> str | None:
        earlier = self.lines.setdefault(product_id, line)
        return None if earlier == line else f"duplicate id {product_id!r}: already used on line {earlier}"


# -- simple CSV ------------------------------------------------------------------------------------


def _import_simple(records, columns: _Columns, default_currency: str, name: str) -> ImportResult:
    result = ImportResult(format=SIMPLE)
    ids = _Ids()

    def column_of(model_field: str) -> str:
        key = columns.by_field.get(model_field)
        return columns.shown[key] if key else model_field

    def value(cells: list[str], model_field: str) -> str:
        key = columns.by_field.get(model_field)
        return columns.get(cells, key) if key else ""

    def parse_currency(raw: str) -> str:
        return _currency(raw, default_currency)

    for line, cells in records:
        if isinstance(cells, str):
            result.problems.append(RowProblem(line, cells))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        reasons: list[str] = []
        extra = columns.extra_cells_problem(cells)
        if extra:
            result.problems.append(RowProblem(line, extra))
            continue
        product_id = value(cells, "id")
        if product_id:
            duplicate = ids.claim(product_id, line)
            if duplicate:
                reasons.append(f"{column_of('id')}: {duplicate}")
        else:
            reasons.append(f"{column_of('id')}: expected the product's id (like A01), got an empty cell")
        title = value(cells, "title")
        if not title:
            reasons.append(f"{column_of('title')}: expected the product's name, got an empty cell")
        price = _cell(reasons, column_of("price"), _price, value(cells, "price"))
        compare = _cell(reasons, column_of("compare_at_price"), _old_price, value(cells, "compare_at_price"))
        currency = _cell(reasons, column_of("currency"), parse_currency, value(cells, "currency"))
        stock = _cell(reasons, column_of("stock"), _stock, value(cells, "stock"))
        if reasons:
            result.problems.append(RowProblem(line, "; ".join(reasons)))
            continue
        try:
            product = Product(
                id=product_id,
                title=title,
                price=price,
                compare_at_price=compare if compare is not None and compare > price else None,
                currency=currency,
                stock=stock,
                image=value(cells, "image") or None,
                link_url=value(cells, "link_url") or None,
                coupon=value(cells, "coupon") or None,
                talking_points=_talking_points(value(cells, "talking_points")),
            )
        except ValidationError as error:
            result.problems.append(RowProblem(line, _validation_reason(error, column_of)))
            continue
        result.products.append(product)
    return result


# -- Shopify export --------------------------------------------------------------------------------


@dataclass
class _ShopifyProduct:
    title: str
    line: int
    image: str


def _import_shopify(records, columns: _Columns, currency: str, shop_url: str | None) -> ImportResult:
    result = ImportResult(format=SHOPIFY)
    rows = list(records)
    variant_keys = [key for key in columns.index if key.startswith(_VARIANT_PREFIXES)]

    def is_variant(cells: list[str]) -> bool:
        return bool(columns.get(cells, _TITLE)) or any(columns.get(cells, key) for key in variant_keys)

    # First pass: how many variants each handle has (it decides the ids), its first picture.
    variant_counts: dict[str, int] = {}
    first_images: dict[str, str] = {}
    for _line, cells in rows:
        if isinstance(cells, str):
            continue
        handle = columns.get(cells, _HANDLE)
        if not handle:
            continue
        if is_variant(cells):
            variant_counts[handle] = variant_counts.get(handle, 0) + 1
        image = columns.get(cells, _IMAGE_SRC)
        if image and handle not in first_images:
            first_images[handle] = image

    def column_of(model_field: str) -> str:
        key = {
            "id": _HANDLE,
            "title": _TITLE,
            "price": _PRICE,
            "compare_at_price": _COMPARE,
            "stock": _QTY,
            "image": _VARIANT_IMAGE if _VARIANT_IMAGE in columns.index else _IMAGE_SRC,
            "link_url": _HANDLE,
        }.get(model_field)
        return columns.shown.get(key, key.replace("_", " ").title()) if key else model_field

    products: dict[str, _ShopifyProduct] = {}
    positions: dict[str, int] = {}
    ids = _Ids()
    for line, cells in rows:
        if isinstance(cells, str):
            result.problems.append(RowProblem(line, cells))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        extra = columns.extra_cells_problem(cells)
        if extra:
            result.problems.append(RowProblem(line, extra))
            continue
        handle = columns.get(cells, _HANDLE)
        title = columns.get(cells, _TITLE)
        if not handle:
            result.problems.append(
                RowProblem(line, f"{column_of('id')}: expected the product's handle (like 'blue-mug'), got an empty cell")
            )
            continue
        if not is_variant(cells):
            continue  # an extra picture of the product
        positions[handle] = positions.get(handle, 0) + 1
        known = products.get(handle)
        if title:
            if known is None:
                image = columns.get(cells, _IMAGE_SRC) or first_images.get(handle, "")
                known = products[handle] = _ShopifyProduct(title=title, line=line, image=image)
            elif title != known.title:
                result.problems.append(
                    RowProblem(
                        line,
                        f"{columns.shown[_HANDLE]} {handle!r}: a second product titled {title!r} with the same "
                        f"handle (the first, {known.title!r}, is on line {known.line})",
                    )
                )
                continue
        if known is None:
            result.problems.append(
                RowProblem(line, f"{columns.shown[_HANDLE]} {handle!r}: no Title row for this product before it")
            )
            continue

        options = [columns.get(cells, key) for key in _OPTION_VALUES]
        options = [option for option in options if option]
        if variant_counts.get(handle, 1) > 1:
            suffix = _slug("-".join(options)) or _slug(columns.get(cells, _SKU)) or f"variant-{positions[handle]}"
            product_id = f"{handle}-{suffix}"
            label = " / ".join(options) or columns.get(cells, _SKU) or f"variant {positions[handle]}"
            product_title = f"{known.title} – {label}"
        else:
            product_id, product_title = handle, known.title

        reasons: list[str] = []
        duplicate = ids.claim(product_id, line)
        if duplicate:
            reasons.append(duplicate)
        price = _cell(reasons, column_of("price"), _price, columns.get(cells, _PRICE))
        compare = _cell(reasons, column_of("compare_at_price"), _old_price, columns.get(cells, _COMPARE))
        stock = _cell(reasons, column_of("stock"), _stock, columns.get(cells, _QTY))
        if reasons:
            result.problems.append(RowProblem(line, "; ".join(reasons)))
            continue
        try:
            product = Product(
                id=product_id,
                title=product_title,
                price=price,
                compare_at_price=compare if compare is not None and compare > price else None,
                currency=currency,
                stock=stock,
                image=columns.get(cells, _VARIANT_IMAGE) or known.image or None,
                link_url=f"{shop_url}/products/{quote(handle, safe='')}" if shop_url else None,
            )
        except ValidationError as error:
            result.problems.append(RowProblem(line, _validation_reason(error, column_of)))
            continue
        result.products.append(product)
    return result
