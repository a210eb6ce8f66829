"""Products and the selling settings, as plain validated data: part of the show file.

Only data lives here (the show must validate as a whole); what the seller does with products
(CSV import, presets, the 3-2-1 link run, the link-push webhook) is in studio/commerce.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$", "KRW": "₩"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CardCorner(str, Enum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


class ProductPreset(_Strict):
    """The look for one product: which scene, the lower-third text, where its card pops."""

    scene: str | None = Field(None, description="id or name of the scene to bring up; empty keeps the current one")
    lower_third: str | None = Field(None, description="text of the lower third while this product is on; empty: none")
    card_corner: CardCorner | None = Field(None, description="where the card pops; empty: the show's default")


class Product(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    price: Decimal = Field(ge=0, decimal_places=2)
    compare_at_price: Decimal | None = Field(None, ge=0, decimal_places=2, description="the old price, struck through")
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    stock: int | None = Field(None, ge=0, description="units left; empty: not shown")
    image: str | None = Field(None, description="picture file; relative paths are relative to the show file")
    link_url: str | None = Field(None, description="the product page: the card's QR code and the link push")
    coupon: str | None = None
    talking_points: list[str] = Field(default_factory=list, description="notes for the host, never on screen")
    sold_out: bool = False
    preset: ProductPreset = ProductPreset()

    @field_serializer("price", "compare_at_price", when_used="json")
    def _price_text(self, value: Decimal | None) -> str | None:
        # Money as text in the file ("199.00"): no float rounding on the way in or out.
        return None if value is None else f"{value:.2f}"

    @field_validator("link_url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"expected an http:// or https:// link, got {value!r}")
        return value or None

    def price_text(self, value: Decimal | None = None) -> str:
        value = self.price if value is None else value
        return f"{CURRENCY_SYMBOLS.get(self.currency, self.currency + ' ')}{value:,.2f}"


class LinkWebhookSettings(_Strict):
    """Where the link push is POSTed (a platform's "pop the product link" call). The secret signs
    each body with HMAC-SHA256; it is never printed."""

    url: str = Field("", description="http(s) URL; empty: no webhook")
    secret: SecretStr = SecretStr("")
    timeout_s: float = Field(5.0, gt=0, le=60)
    max_attempts: int = Field(5, ge=1, le=20)

    @field_serializer("secret", when_used="json")
    def _save_secret(self, secret: SecretStr) -> str:
        return secret.get_secret_value()

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value


class SellingSettings(_Strict):
    preset_target: Literal["preview", "program"] = Field(
        "preview", description="selecting a product loads its preset into preview, or straight to program"
    )
    card_duration_s: float = Field(15.0, ge=0, le=3600, description="how long the card stays; 0: until dismissed")
    card_corner: CardCorner = CardCorner.BOTTOM_RIGHT
    countdown_beep: bool = Field(True, description="a short beep into program audio on 3, 2 and 1")
    chapter_marks: bool = Field(True, description="recording chapters at each product switch and link pop")
    link_webhook: LinkWebhookSettings = LinkWebhookSettings()
