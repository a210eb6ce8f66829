"""Product import from a Shopify export and from the simple (English or Chinese) CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from studio.commerce.product_import import SHOPIFY, SIMPLE, RowProblem, import_products_csv
from studio.engine.errors import InputError

# The columns of a Shopify product export (Products > Export > CSV for Excel...), in order.
SHOPIFY_COLUMNS = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option1 Linked To", "Option2 Name", "Option2 Value", "Option2 Linked To",
    "Option3 Name", "Option3 Value", "Option3 Linked To", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price", "Variant Requires Shipping",
    "Variant Taxable", "Variant Barcode", "Image Src", "Image Position", "Image Alt Text", "Gift Card",
    "SEO Title", "SEO Description", "Google Shopping / Google Product Category", "Google Shopping / Gender",
    "Google Shopping / Age Group", "Google Shopping / MPN", "Google Shopping / Condition",
    "Google Shopping / Custom Product", "Variant Image", "Variant Weight Unit", "Variant Tax Code",
    "Cost per item", "Included / China", "Price / China", "Compare At Price / China", "Status",
]  # fmt: skip

CDN = "https://cdn.shopify.com/s/files/1/0001/files"
# What Shopify fills on every variant row.
VARIANT_DEFAULTS = {
    "Variant Grams": "350",
    "Variant Inventory Tracker": "shopify",
    "Variant Inventory Policy": "deny",
    "Variant Fulfillment Service": "manual",
    "Variant Requires Shipping": "TRUE",
    "Variant Taxable": "TRUE",
    "Variant Weight Unit": "g",
    "Included / China": "TRUE",
}
# What Shopify fills on the first row of a product.
PRODUCT_DEFAULTS = {
    "Vendor": "Studio Goods",
    "Product Category": "Home & Garden > Kitchen & Dining",
    "Published": "TRUE",
    "Gift Card": "FALSE",
    "Google Shopping / Condition": "new",
    "Google Shopping / Custom Product": "FALSE",
    "Status": "active",
}


def product_row(**cells: str) -> dict[str, str]:
    return {**PRODUCT_DEFAULTS, **VARIANT_DEFAULTS, **cells}


def variant_row(**cells: str) -> dict[str, str]:
    return {**VARIANT_DEFAULTS, **cells}


def shopify_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SHOPIFY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


MUG_BODY = "<p>Hand-made stoneware, 350 ml.</p>\n<ul><li>Dishwasher safe</li>\n<li>微波炉可用</li></ul>"

SHOPIFY_ROWS = [
    # lines 2-4: the mug's first row; its Body (HTML) is quoted and spans three lines.
    product_row(**{
        "Handle": "mug", "Title": "Ceramic Mug 陶瓷杯", "Body (HTML)": MUG_BODY, "Type": "Mug",
        "Tags": "gifts, kitchen", "Option1 Name": "Color", "Option1 Value": "Red", "Variant SKU": "MUG-R",
        "Variant Inventory Qty": "12", "Variant Price": "59.00", "Variant Compare At Price": "79.00",
        "Variant Barcode": "6901234567892", "Image Src": f"{CDN}/mug.jpg", "Image Position": "1",
        "Image Alt Text": "A red mug", "SEO Title": "Ceramic mug", "Cost per item": "21.00",
    }),
    # line 5: a second variant with its own picture; no quantity; "compare at" equal to the price.
    variant_row(**{
        "Handle": "mug", "Option1 Value": "Blue", "Variant SKU": "MUG-B", "Variant Inventory Qty": "",
        "Variant Price": "59.00", "Variant Compare At Price": "59.00", "Variant Image": f"{CDN}/mug-blue.jpg",
    }),
    # line 6: an extra picture of the mug: no variant data, skipped silently.
    {"Handle": "mug", "Image Src": f"{CDN}/mug-side.jpg", "Image Position": "2", "Image Alt Text": "Side view"},
    # line 7: a bad price.
    variant_row(**{
        "Handle": "mug", "Option1 Value": "Green", "Variant SKU": "MUG-G", "Variant Inventory Qty": "4",
        "Variant Price": "abc",
    }),
    # line 8: a product with a single (default) variant.
    product_row(**{
        "Handle": "classic-tee", "Title": "Classic Tee T恤", "Body (HTML)": "<p>100% cotton</p>",
        "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": "TEE",
        "Variant Inventory Qty": "5", "Variant Price": "99.00", "Image Src": f"{CDN}/tee.jpg", "Image Position": "1",
    }),
    # line 9: a negative quantity on the first row of a product...
    product_row(**{
        "Handle": "wool-socks", "Title": "Wool Socks", "Option1 Name": "Size", "Option1 Value": "M",
        "Variant Inventory Qty": "-2", "Variant Price": "29.00",
    }),
    # line 10: ...which does not stop its other variant.
    variant_row(**{"Handle": "wool-socks", "Option1 Value": "L", "Variant Inventory Qty": "7", "Variant Price": "29"}),
    # line 11: no handle.
    product_row(**{"Title": "Orphan", "Variant Inventory Qty": "1", "Variant Price": "10.00"}),
    # line 12: a variant before its product's Title row.
    variant_row(**{"Handle": "silk-scarf", "Option1 Value": "Red", "Variant Inventory Qty": "2", "Variant Price": "120.00"}),
    # line 13: the Title row comes too late for line 12, but its own variant is fine.
    product_row(**{
        "Handle": "silk-scarf", "Title": "Silk Scarf", "Option1 Name": "Color", "Option1 Value": "Blue",
        "Variant Inventory Qty": "3", "Variant Price": "120.00", "Variant Compare At Price": "150.00",
        "Image Src": f"{CDN}/scarf.jpg",
    }),
    # line 14: the mug's Red variant again.
    variant_row(**{"Handle": "mug", "Option1 Value": "Red", "Variant Inventory Qty": "1", "Variant Price": "59.00"}),
    # lines 15-16: two options, Chinese values.
    product_row(**{
        "Handle": "sun-hat", "Title": "帽子", "Option1 Name": "颜色", "Option1 Value": "黑色",
        "Option2 Name": "Size", "Option2 Value": "L", "Variant Inventory Qty": "4", "Variant Price": "88.00",
    }),
    variant_row(**{
        "Handle": "sun-hat", "Option1 Value": "白色", "Option2 Value": "M", "Variant Inventory Qty": "0",
        "Variant Price": "88.5",
    }),
]  # fmt: skip


@pytest.fixture
def shopify_file(tmp_path: Path) -> Path:
    text = shopify_csv(SHOPIFY_ROWS)
    assert text.count("\n") == 16, "the layout the line numbers below are counted on"
    path = tmp_path / "products_export_1.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # Excel-style line ends too
    return path


def test_shopify_export_imports_good_variants_and_reports_bad_rows_by_line(shopify_file: Path) -> None:
    result = import_products_csv(shopify_file, shop_url="https://myshop.example/")

    assert result.format == SHOPIFY
    assert [str(problem) for problem in result.problems] == [
        "line 7: Variant Price: expected a number like 199.00, got 'abc'",
        "line 9: Variant Inventory Qty: expected a whole number of 0 or more, got '-2'",
        "line 11: Handle: expected the product's handle (like 'blue-mug'), got an empty cell",
        "line 12: Handle 'silk-scarf': no Title row for this product before it",
        "line 14: duplicate id 'mug-red': already used on line 2",
    ]
    assert result.problems[0] == RowProblem(7, "Variant Price: expected a number like 199.00, got 'abc'")

    products = {product.id: product for product in result.products}
    assert list(products) == [
        "mug-red", "mug-blue", "classic-tee", "wool-socks-l", "silk-scarf-blue", "sun-hat-黑色-l", "sun-hat-白色-m",
    ]  # fmt: skip

    red = products["mug-red"]
    assert red.title == "Ceramic Mug 陶瓷杯 – Red"
    assert (red.price, red.compare_at_price, red.stock, red.currency) == (Decimal("59.00"), Decimal("79.00"), 12, "CNY")
    assert red.image == f"{CDN}/mug.jpg"
    assert red.link_url == "https://myshop.example/products/mug"
    assert red.talking_points == [] and red.coupon is None

    blue = products["mug-blue"]
    assert blue.title == "Ceramic Mug 陶瓷杯 – Blue"
    assert blue.compare_at_price is None, "a 'compare at' price equal to the price is not shown"
    assert blue.stock is None, "an empty quantity is not shown"
    assert blue.image == f"{CDN}/mug-blue.jpg", "the variant's own picture wins"

    tee = products["classic-tee"]
    assert (tee.title, tee.price, tee.stock, tee.compare_at_price) == ("Classic Tee T恤", Decimal("99.00"), 5, None)
    assert tee.image == f"{CDN}/tee.jpg"
    assert tee.link_url == "https://myshop.example/products/classic-tee"

    socks = products["wool-socks-l"]
    assert (socks.title, socks.price, socks.stock, socks.image) == ("Wool Socks – L", Decimal("29.00"), 7, None)

    scarf = products["silk-scarf-blue"]
    assert (scarf.title, scarf.compare_at_price, scarf.stock) == ("Silk Scarf – Blue", Decimal("150.00"), 3)

    hat = products["sun-hat-白色-m"]
    assert (hat.title, hat.price, hat.stock) == ("帽子 – 白色 / M", Decimal("88.50"), 0)
    assert products["sun-hat-黑色-l"].title == "帽子 – 黑色 / L"


def test_shopify_export_without_a_shop_url_has_no_links(shopify_file: Path) -> None:
    result = import_products_csv(shopify_file, currency="usd")
    assert result.products and all(product.link_url is None for product in result.products)
    assert {product.currency for product in result.products} == {"USD"}


def test_shopify_export_without_an_inventory_column_and_with_product_image_later(tmp_path: Path) -> None:
    # Newer exports can leave out Variant Inventory Qty; a picture may come on a later row.
    path = tmp_path / "export.csv"
    path.write_text(
        "Handle,Title,Option1 Name,Option1 Value,Variant Price,Image Src,Image Position\n"
        "lamp,Desk Lamp,Title,Default Title,249.00,,\n"
        f"lamp,,,,,{CDN}/lamp.jpg,1\n",
        encoding="utf-8",
    )
    result = import_products_csv(path)
    assert result.problems == []
    [lamp] = result.products
    assert (lamp.id, lamp.title, lamp.stock, lamp.image) == ("lamp", "Desk Lamp", None, f"{CDN}/lamp.jpg")


CHINESE_CSV = (
    "商品ID,商品名称,售价,划线价,币种,库存,图片,链接,优惠券,卖点\n"
    "A01,保温杯,129.00,199.00,,30,products/cup.png,https://shop.example/p/a01,CUP10,304不锈钢|保温12小时 | \n"
    'A02,帆布包,"¥1,299.00",,人民币,,,,,\n'
    "A03,试用装,免费,,,,,,,\n"
    "A04,围巾,88,80,USD,5,,www.shop.example/a04,,\n"
    "A01,保温杯（重复）,99,,,,,,,\n"
    "\n"
    "A06,小样,0,,,0,,,,卖点甲｜卖点乙\n"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_simple_csv_with_chinese_headers(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "商品.csv"
    path.write_bytes(CHINESE_CSV.encode(encoding))

    result = import_products_csv(path)

    assert result.format == SIMPLE
    assert [str(problem) for problem in result.problems] == [
        "line 4: 售价: expected a number like 199.00, got '免费'",
        "line 5: 链接: expected an http:// or https:// link, got 'www.shop.example/a04'",
        "line 6: 商品ID: duplicate id 'A01': already used on line 2",
    ]
    products = {product.id: product for product in result.products}
    assert list(products) == ["A01", "A02", "A06"]

    cup = products["A01"]
    assert (cup.title, cup.price, cup.compare_at_price, cup.currency) == (
        "保温杯",
        Decimal("129.00"),
        Decimal("199.00"),
        "CNY",
    )
    assert (cup.stock, cup.image, cup.link_url, cup.coupon) == (
        30,
        "products/cup.png",
        "https://shop.example/p/a01",
        "CUP10",
    )
    assert cup.talking_points == ["304不锈钢", "保温12小时"]

    bag = products["A02"]
    assert (bag.price, bag.currency, bag.stock, bag.image, bag.link_url) == (Decimal("1299.00"), "CNY", None, None, None)

    sample = products["A06"]
    assert (sample.price, sample.stock, sample.talking_points) == (Decimal("0.00"), 0, ["卖点甲", "卖点乙"])


def test_excel_unicode_text_tab_separated_utf16(tmp_path: Path) -> None:
    path = tmp_path / "商品.txt"
    path.write_bytes("商品ID\t标题\t价格\t库存\nB01\t帆布包\t59.90\t8\n".encode("utf-16"))
    result = import_products_csv(path)
    [bag] = result.products
    assert (bag.id, bag.title, bag.price, bag.stock) == ("B01", "帆布包", Decimal("59.90"), 8)


def test_simple_csv_with_english_headers_and_a_default_currency(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "ID,Title,Price,Compare At Price,Stock,Talking Points,Notes\n"
        "mug,Red Mug,12.5,19.99,3,dishwasher safe|gift box,only for the live\n"
        "bag,Bag,9.999,,,,\n"
        "hat,Hat,5,,2.5,,\n"
        "tee,Tee,1,299.00,,2,gift box,note\n",
        encoding="utf-8",
    )
    result = import_products_csv(path, currency="USD")
    [mug] = result.products
    assert (mug.price, mug.compare_at_price, mug.currency, mug.stock) == (Decimal("12.50"), Decimal("19.99"), "USD", 3)
    assert mug.talking_points == ["dishwasher safe", "gift box"]
    assert [str(problem) for problem in result.problems] == [
        "line 3: Price: expected at most 2 decimal places (like 199.00), got '9.999'",
        "line 4: Stock: expected a whole number of 0 or more, got '2.5'",
        "line 5: expected 7 columns like the header, got 8 (a comma inside a value that is not in quotes?)",
    ]


def test_a_quote_that_is_never_closed_is_reported_where_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text('id,title,price\nA,Mug,10\nB,"Bag,20\nC,Cap,30\n', encoding="utf-8")
    result = import_products_csv(path)
    assert [product.id for product in result.products] == ["A"]
    assert [str(problem) for problem in result.problems] == [
        'line 3: a quoted value starting on this line is never closed (a missing ")'
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(64), "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32), "binary data"),
        (b"id,title,price\nA01,\xff\xfe\x80 cup,10\n", "not UTF-8 or GB18030"),
        (b"name;cost\nmug;10\n", "no recognizable header"),
        (b"id,title\nA01,Mug\n", "no column price"),
        (b"Handle,Title,Body (HTML)\nmug,Mug,\n", "Variant Price"),
    ],
    ids=["missing", "empty", "xlsx", "png", "encoding", "header", "simple-missing-price", "shopify-missing-price"],
)
def test_a_file_that_cannot_be_read_raises_an_error_naming_it(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "products.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        import_products_csv(path)
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_wrong_arguments_are_named(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("id,title,price\nA,Mug,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="currency"):
        import_products_csv(path, currency="yuan")
    with pytest.raises(InputError, match="shop_url"):
        import_products_csv(path, shop_url="myshop.example")
