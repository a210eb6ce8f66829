"""The vendor "studio" (CallVendorRequest with vendorName "studio"): the selling desk and the
comment desk, which OBS has no requests for. A product is named by its id or by its number on
the run sheet (1 = the first).

    get_products, select_product {product}, next_product, previous_product,
    link_321 {product?}, dismiss_card, sold_out {product, soldOut}, set_stock {product, stock},
    pin_comment {rowid}, unpin_comment,

and the other canvases' requests (canvas_vendor.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from studio.control.remote_fields import Fields, is_number
from studio.control.request_handlers.canvas_vendor import CANVAS_REQUESTS
from studio.control.remote_protocol import RequestFailed, Status
from studio.engine.errors import InputError

if TYPE_CHECKING:
    from studio.control.remote_requests import RemoteRequests


def product_info(product, current_id: str | None = None) -> dict[str, Any]:
    return {
        "productId": product.id,
        "title": product.title,
        "price": f"{product.price:.2f}",
        "compareAtPrice": None if product.compare_at_price is None else f"{product.compare_at_price:.2f}",
        "currency": product.currency,
        "stock": product.stock,
        "soldOut": product.sold_out,
        "link": product.link_url,
        "coupon": product.coupon,
        "current": product.id == current_id,
    }


def _desk(requests: RemoteRequests):
    if requests.studio.selling is None:
        raise RequestFailed(Status.INVALID_RESOURCE_STATE, "This studio has no selling desk (the show has no products).")
    return requests.studio.selling


def _product_id(requests: RemoteRequests, fields: Fields, *, optional: bool = False) -> str | None:
    """A product by id, or by its number on the run sheet (1 = the first)."""
    value = fields.data.get("product")
    if value is None:
        if optional:
            return None
        fields.string("product")
    desk = _desk(requests)
    if is_number(value):
        products = desk.products
        if value != int(value) or not 1 <= value <= len(products):
            raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No product number {value}; the run sheet has {len(products)}.")
        return products[int(value) - 1].id
    product_id = fields.string("product")
    if product_id not in {p.id for p in desk.products}:
        known = ", ".join(p.id for p in desk.products) or "(no products)"
        raise RequestFailed(Status.RESOURCE_NOT_FOUND, f"No product {product_id!r}; expected one of {known}.")
    return product_id


def _get_products(requests: RemoteRequests, fields: Fields) -> dict:
    desk = _desk(requests)
    current = desk.current_product
    current_id = current.id if current else None
    return {"products": [product_info(p, current_id) for p in desk.products], "currentProduct": current_id}


def _select_product(requests: RemoteRequests, fields: Fields) -> dict:
    product = _desk(requests).select_product(_product_id(requests, fields))
    return {"product": product_info(product, product.id)}


def _step(requests: RemoteRequests, step: int) -> dict:
    product = _desk(requests).step_product(step)
    return {"product": product_info(product, product.id) if product else None}


def _next_product(requests: RemoteRequests, fields: Fields) -> dict:
    return _step(requests, +1)


def _previous_product(requests: RemoteRequests, fields: Fields) -> dict:
    return _step(requests, -1)


def _link_321(requests: RemoteRequests, fields: Fields) -> dict:
    desk = _desk(requests)
    push = desk.link_321(_product_id(requests, fields, optional=True))
    return {"productId": push.product_id, "title": push.title, "link": push.link}


def _dismiss_card(requests: RemoteRequests, fields: Fields) -> dict:
    _desk(requests).dismiss_card()
    return {}


def _sold_out(requests: RemoteRequests, fields: Fields) -> dict:
    product_id = _product_id(requests, fields)
    sold_out = fields.boolean("soldOut")
    product = _desk(requests).set_sold_out(product_id, sold_out)
    return {"product": product_info(product)}


def _set_stock(requests: RemoteRequests, fields: Fields) -> dict:
    product_id = _product_id(requests, fields)
    if "stock" not in fields.data:
        raise RequestFailed(Status.MISSING_REQUEST_FIELD, "Your request is missing the `stock` field.")
    stock = None if fields.data["stock"] is None else fields.integer("stock", 0, 2**31)  # null: not shown
    product = _desk(requests).set_stock(product_id, stock)
    return {"product": product_info(product)}


def _comment_desk(requests: RemoteRequests):
    if requests.studio.comments is None:
        raise RequestFailed(Status.INVALID_RESOURCE_STATE, "This studio has no comment desk.")
    return requests.studio.comments


def _pin_comment(requests: RemoteRequests, fields: Fields) -> dict:
    rowid = fields.integer("rowid", 1, 2**63)
    desk = _comment_desk(requests)
    try:
        stored = desk.pin_comment(rowid)
    except InputError as error:
        code = Status.RESOURCE_NOT_FOUND if "no stored comment" in str(error) else Status.INVALID_RESOURCE_STATE
        raise RequestFailed(code, str(error)) from None
    comment = stored.comment
    return {"rowid": rowid, "platform": comment.platform, "user": comment.user, "text": comment.text}


def _unpin_comment(requests: RemoteRequests, fields: Fields) -> dict:
    _comment_desk(requests).unpin()
    return {}


# vendor request type -> handler(requests, requestData); CallVendorRequest (general.py) looks them up.
VENDOR_REQUESTS: dict[str, Callable[[RemoteRequests, Fields], dict]] = {
    "get_products": _get_products,
    "select_product": _select_product,
    "next_product": _next_product,
    "previous_product": _previous_product,
    "link_321": _link_321,
    "dismiss_card": _dismiss_card,
    "sold_out": _sold_out,
    "set_stock": _set_stock,
    "pin_comment": _pin_comment,
    "unpin_comment": _unpin_comment,
    **CANVAS_REQUESTS,
}
VENDOR_REQUEST_TYPES = tuple(VENDOR_REQUESTS)
