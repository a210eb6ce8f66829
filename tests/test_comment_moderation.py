"""Moderator: blocked words and users, intents, product numbers."""

from __future__ import annotations

import pytest

from studio.comments.message import CommentKind, parse_message
from studio.comments.moderation import Moderator, Verdict
from studio.engine.comment_settings import CommentSettings, IntentRule


def comment(text: str = "hello", *, user: str = "viewer", platform: str = "douyin", kind: str = "comment"):
    return parse_message({"id": "1", "platform": platform, "user": user, "text": text, "kind": kind})


def classify(text: str, *, product_count: int = 3, **settings) -> Verdict:
    return Moderator(CommentSettings(**settings), product_count).classify(comment(text))


@pytest.mark.parametrize(
    "text, intent",
    [
        ("想要这个", "buy"),
        ("这个多少钱啊", "price"),
        ("求链接", "link"),
        ("我一米六穿什么尺码", "size"),
        ("黑色有货吗？", "stock"),
        ("link pls", "link"),
        ("LINK!!", "link"),
        ("要link", "link"),
        ("links?", "link"),
        ("what size is it", "size"),
        ("which sizes?", "size"),
        ("how much?", "price"),
        ("How   Much is it", "price"),
        ("ｈｏｗ ｍｕｃｈ", "price"),  # full-width letters
        ("I’ll take two", "buy"),  # typographic apostrophe
    ],
)
def test_default_intents(text: str, intent: str) -> None:
    assert intent in classify(text).intents


@pytest.mark.parametrize("text", ["linkedin profile", "hello there", "blinking lights", "sizeable", "somehow muchness"])
def test_latin_phrases_need_word_boundaries(text: str) -> None:
    assert classify(text).intents == frozenset()


def test_several_intents_in_one_message() -> None:
    assert classify("想要 3号 多少钱 link").intents == {"buy", "price", "link", "product"}


def test_custom_rules_replace_the_defaults() -> None:
    rules = [IntentRule(intent="colour", phrases=["颜色", "colour", "color"])]
    assert classify("什么颜色", intent_rules=rules).intents == {"colour"}
    assert classify("想要 red colour", intent_rules=rules).intents == {"colour"}
    assert classify("想要", intent_rules=[]).intents == frozenset()


@pytest.mark.parametrize(
    "text, number",
    [
        ("3号", 3),
        ("3 号多少钱", 3),
        ("#3", 3),
        ("# 2 size?", 2),
        ("＃３", 3),
        ("３号", 3),
        ("No.3", 3),
        ("no. 1 please", 1),
        ("2#链接", 2),
        ("三号有货吗", 3),
        ("要一号", 1),
        ("12号", None),  # only 3 products
        ("#12", None),
        ("13号", None),  # not "3号"
        ("0号", None),
        ("12号还是2号", 2),  # the first one in range
        ("&#39;", None),  # an HTML entity typed as text
        ("I know 3 people", None),
        ("nothing here", None),
    ],
)
def test_product_numbers(text: str, number: int | None) -> None:
    verdict = classify(text)
    assert verdict.product_number == number
    assert ("product" in verdict.intents) == (number is not None)


def test_chinese_numerals_up_to_ninety_nine() -> None:
    assert classify("十二号", product_count=20).product_number == 12
    assert classify("十号", product_count=20).product_number == 10
    assert classify("二十号", product_count=20).product_number == 20
    assert classify("二十号", product_count=19).product_number is None


def test_product_numbers_can_be_switched_off_and_follow_the_product_count() -> None:
    assert classify("3号", product_number_patterns=False).product_number is None
    assert classify("3号", product_count=0).product_number is None
    moderator = Moderator(CommentSettings(), 3)
    assert moderator.classify(comment("12号")).product_number is None
    moderator.update(CommentSettings(), 12)
    assert moderator.classify(comment("12号")).product_number == 12


def test_blocked_words_hide_case_insensitively_and_full_width() -> None:
    settings = {"blocked_words": ["spam", "傻瓜", "ＢＡＤ"]}
    assert classify("buy SPAM now", **settings) == Verdict(
        hidden=True, reason="blocked word 'spam'", intents=frozenset({"buy"}), product_number=None
    )
    assert classify("ｓｐａｍ", **settings).reason == "blocked word 'spam'"
    assert classify("sp\u200bam", **settings).hidden  # zero-width space does not dodge it
    assert classify("你个傻瓜", **settings).reason == "blocked word '傻瓜'"
    assert classify("bad", **settings).reason == "blocked word 'ＢＡＤ'"
    assert classify("all good", **settings) == Verdict(False, "", frozenset(), None)


def test_hidden_messages_still_get_their_intents_and_product() -> None:
    verdict = classify("3号多少钱 傻瓜", blocked_words=["傻瓜"])
    assert verdict.hidden and verdict.reason == "blocked word '傻瓜'"
    assert verdict.intents == {"price", "product"} and verdict.product_number == 3


def test_blocked_users_by_name_or_platform_and_name() -> None:
    moderator = Moderator(CommentSettings(blocked_users=["Troll", "douyin:bot7", "@Spammer"]), 3)
    assert moderator.classify(comment(user="troll", platform="tiktok")).reason == "blocked user 'Troll'"
    assert moderator.classify(comment(user="TROLL")).hidden
    assert moderator.classify(comment(user="bot7", platform="douyin")).reason == "blocked user 'douyin:bot7'"
    assert not moderator.classify(comment(user="bot7", platform="tiktok")).hidden
    assert moderator.classify(comment(user="spammer")).reason == "blocked user '@Spammer'"
    assert not moderator.classify(comment(user="trolls")).hidden
    verdict = moderator.classify(comment("想要 3号", user="Troll"))
    assert verdict.hidden and verdict.intents == {"buy", "product"}


@pytest.mark.parametrize("kind", ["like", "follow", "gift"])
def test_likes_follows_and_gifts_get_no_intents(kind: str) -> None:
    moderator = Moderator(CommentSettings(blocked_words=["spam"], blocked_users=["troll"]), 3)
    verdict = moderator.classify(comment("想要 3号 link spam", kind=kind))
    assert verdict.intents == frozenset() and verdict.product_number is None
    assert verdict.reason == "blocked word 'spam'"
    assert moderator.classify(comment("", user="troll", kind=kind)).hidden


def test_orders_get_intents() -> None:
    moderator = Moderator(CommentSettings(), 3)
    verdict = moderator.classify(comment("下单 2号", kind="order"))
    assert verdict.intents == {"buy", "product"} and verdict.product_number == 2
    assert comment(kind="order").kind is CommentKind.ORDER


def test_markup_is_matched_as_text() -> None:
    verdict = classify('<img src=x onerror="alert(1)"> link')
    assert verdict.intents == {"link"} and not verdict.hidden
