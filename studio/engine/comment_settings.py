"""Live comments settings, as plain validated data: part of the show file.

What the comment system does with them (ingestion, the store, moderation, intent, cards) lives in
studio/comments; the show only has to validate as a whole.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntentRule(_Strict):
    """Messages matching any of `phrases` (case-insensitive substring) are flagged with `intent`."""

    intent: str = Field(min_length=1, description="e.g. buy, price, size, stock, link")
    phrases: list[str] = Field(min_length=1)


DEFAULT_INTENT_RULES = [
    IntentRule(intent="buy", phrases=["想要", "要了", "买", "拍了", "下单", "want", "buy", "i'll take"]),
    IntentRule(intent="price", phrases=["多少钱", "价格", "几块", "how much", "price"]),
    IntentRule(intent="size", phrases=["尺码", "码数", "多大", "size"]),
    IntentRule(intent="stock", phrases=["有货吗", "还有吗", "库存", "in stock", "sold out"]),
    IntentRule(intent="link", phrases=["链接", "上链接", "link"]),
]


class CommentSettings(_Strict):
    blocked_words: list[str] = Field(default_factory=list, description="hidden from screen, kept in the store and marked")
    blocked_users: list[str] = Field(default_factory=list, description="user names (or platform:user) hidden from screen")
    intent_rules: list[IntentRule] = Field(default_factory=lambda: list(DEFAULT_INTENT_RULES))
    product_number_patterns: bool = Field(True, description='flag "3号", "#3", "3 号" as asking for product 3 of the run sheet')
    pin_seconds: float = Field(8.0, ge=0, le=600, description="a pinned comment card hides after this long; 0: until unpinned")
    ticker: bool = Field(False, description="a ticker of the latest comments along the bottom of program")
    replay_file: str | None = Field(
        None, description="a JSONL file of comments played on the show's clock (demo, rehearsal); relative to the show file"
    )
    replay_loop: bool = Field(True, description="start the replay over after its last comment")
    api_port: int | None = Field(None, ge=1, le=65535, description="the local comments API port; empty: off")
    api_token: SecretStr = SecretStr("")
    twitch_channel: str | None = Field(None, description="a Twitch channel to read chat from (read-only)")

    @field_serializer("api_token", when_used="json")
    def _save_token(self, token: SecretStr) -> str:
        return token.get_secret_value()
