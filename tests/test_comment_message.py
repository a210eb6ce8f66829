"""parse_message: whatever arrives, either a clean Comment or a MessageError naming the field."""

from __future__ import annotations

import ast
import json
import math
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from studio.comments.message import (
    MAX_TEXT_BYTES,
    Comment,
    CommentKind,
    MessageError,
    parse_batch,
    parse_message,
)

FIELDS = ["id", "platform", "user", "text", "kind", "ts"]
KINDS = [kind.value for kind in CommentKind]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)
field_values = (
    json_values
    | st.sampled_from(KINDS + ["Comment", " LIKE ", "spam", "", "douyin", "2024-06-10T12:00:00Z", "1718000000"])
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.text(alphabet=st.characters(), min_size=0, max_size=200)
    | st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=30)
)
message_dicts = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), field_values, max_size=8)


def assert_clean(comment: Comment) -> None:
    assert isinstance(comment, Comment)
    for value in (comment.id, comment.platform, comment.user, comment.text):
        assert isinstance(value, str)
        assert not any(unicodedata.category(character) in ("Cc", "Cs") for character in value), value
    assert comment.id.strip() and comment.user
    assert len(comment.id) <= 128 and len(comment.user) <= 128
    assert len(comment.text.encode("utf-8")) <= MAX_TEXT_BYTES
    assert comment.user == comment.user.strip() and comment.text == comment.text.strip()
    assert unicodedata.is_normalized("NFC", comment.text) and unicodedata.is_normalized("NFC", comment.user)
    assert isinstance(comment.kind, CommentKind)
    if comment.kind is CommentKind.COMMENT:
        assert comment.text
    assert isinstance(comment.ts, float) and math.isfinite(comment.ts) and comment.ts >= 0
    assert comment.platform and len(comment.platform) <= 32
    assert all(character in "abcdefghijklmnopqrstuvwxyz0123456789_-" for character in comment.platform)


def parse_or_error(raw) -> Comment | MessageError:
    try:
        return parse_message(raw)
    except MessageError as error:
        assert error.field and str(error).startswith(f"{error.field}: ")
        return error


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_comment_or_a_message_error(raw: bytes) -> None:
    result = parse_or_error(raw)
    if isinstance(result, Comment):
        assert_clean(result)


@settings(max_examples=300)
@given(json_values)
def test_any_json_value_gives_a_comment_or_a_message_error(value) -> None:
    for raw in (json.dumps(value), json.dumps(value).encode(), value if isinstance(value, dict) else json.dumps(value)):
        result = parse_or_error(raw)
        if isinstance(result, Comment):
            assert_clean(result)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(message_dicts)
def test_any_dict_gives_a_comment_or_a_message_error(data: dict) -> None:
    result = parse_or_error(data)
    if isinstance(result, Comment):
        assert_clean(result)
    # The same object as JSON text behaves the same (allow_nan floats serialize as NaN/Infinity).
    as_json = parse_or_error(json.dumps(data))
    assert type(as_json) is type(result)


@settings(max_examples=200)
@given(st.lists(message_dicts | json_values, max_size=6))
def test_batches_answer_each_element(elements: list) -> None:
    results = parse_batch(json.dumps(elements))
    assert len(results) == len(elements)
    for result in results:
        assert isinstance(result, (Comment, MessageError))
        if isinstance(result, Comment):
            assert_clean(result)


clean_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=300
).map(lambda text: unicodedata.normalize("NFC", text).strip())


@settings(max_examples=300)
@given(
    message_id=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=128)
    | st.integers(min_value=0, max_value=10**30),
    platform=st.from_regex(r"[a-z0-9_-]{1,32}", fullmatch=True),
    user=clean_text,
    text=clean_text,
    kind=st.sampled_from(CommentKind),
    ts=st.floats(min_value=0, max_value=4e9, allow_nan=False),
)
def test_valid_messages_round_trip(message_id, platform, user, text, kind, ts) -> None:
    assume(str(message_id).strip() and user and len(user) <= 128 and (text or kind is not CommentKind.COMMENT))
    assume(len(text.encode()) <= MAX_TEXT_BYTES)
    sent = {"id": message_id, "platform": platform, "user": user, "text": text, "kind": kind.value, "ts": ts}
    for raw in (sent, json.dumps(sent), json.dumps(sent, ensure_ascii=False).encode()):
        comment = parse_message(raw, received_ns=42)
        assert comment == Comment(str(message_id), platform, user, text, kind, float(ts), 42)


# -- hostile input, one by one ------------------------------------------------------------


def message(**fields) -> dict:
    return {"id": "m1", "platform": "douyin", "user": "小美", "text": "hello", **fields}


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold</b>",
        '<img src=x onerror="alert(1)">',
        "<script>fetch('//evil')</script>",
        "'; DROP TABLE comments; --",
        "%s %n {0} ${jndi:ldap://x}",
        "=HYPERLINK(\"http://evil\",\"click\")",
    ],
)
def test_markup_and_injection_stay_plain_text(text: str) -> None:
    assert parse_message(message(text=text)).text == text


def test_one_megabyte_of_text_is_refused_with_its_size() -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(json.dumps(message(text="a" * 1048576)).encode())
    assert caught.value.field == "text"
    assert str(caught.value) == "text: too long (1048576 bytes; at most 8192)"


def test_text_exactly_at_the_limit_is_accepted() -> None:
    assert len(parse_message(message(text="a" * MAX_TEXT_BYTES)).text) == MAX_TEXT_BYTES
    with pytest.raises(MessageError, match=r"text: too long \(8193 bytes"):
        parse_message(message(text="a" * (MAX_TEXT_BYTES + 1)))


def test_emoji() -> None:
    with pytest.raises(MessageError, match=r"^text: too long \(40000 bytes; at most 8192\)$"):
        parse_message(message(text="😀" * 10_000))
    accepted = parse_message(message(text="😀" * 2_000))
    assert accepted.text == "😀" * 2_000
    family = "👨‍👩‍👧‍👦 ❤️ 🇨🇳 👍🏽"  # ZWJ sequences, variation selector, flag, skin tone
    assert parse_message(message(text=family)).text == family


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"id": "1", "user": "a", "text": "\xe4\xb8"}', b"\xc0\xaf", b'{"text": "\xed\xa0\x80"}'],
)
def test_invalid_utf8_is_refused(raw: bytes) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(raw)
    assert caught.value.field == "message"
    assert "not valid UTF-8" in str(caught.value)


def test_control_characters_are_removed_and_newlines_become_spaces() -> None:
    comment = parse_message(message(user="\x1b[31mred\x1b[0m\x00", text="line1\nline2\ttab\r\n\x07bell\x85next\u2028sep\x9b"))
    assert comment.user == "[31mred[0m"
    assert comment.text == "line1 line2 tab bell next sep"
    assert parse_message(message(text="\x00\x01 ok \x7f")).text == "ok"


def test_text_of_only_control_characters_is_an_empty_comment() -> None:
    with pytest.raises(MessageError, match="^text: empty"):
        parse_message(message(text="\x00\x01\n\t "))


def test_unpaired_surrogates_become_replacement_characters() -> None:
    comment = parse_message('{"id": "1", "user": "a", "text": "half \\ud83d emoji \\ud83d\\ude00"}')
    assert comment.text == "half \ufffd emoji 😀"
    comment.text.encode("utf-8")  # storable


def test_text_is_nfc_normalized() -> None:
    assert parse_message(message(text="Cafe\u0301")).text == "Café"


@pytest.mark.parametrize(
    "text",
    ["مرحبا، كم سعر هذا؟ 3", "שלום, כמה זה עולה?", "English مع العربية mixed", "\u202bembedded\u202c \u200f"],
)
def test_right_to_left_text_is_accepted_unchanged(text: str) -> None:
    assert parse_message(message(text=text, user="مريم")).text == text.strip()
    assert parse_message(message(text=text, user="מרים")).user == "מרים"


@pytest.mark.parametrize("missing, field", [("id", "id"), ("user", "user"), ("text", "text")])
def test_missing_required_field_is_named(missing: str, field: str) -> None:
    data = message()
    del data[missing]
    with pytest.raises(MessageError) as caught:
        parse_message(data)
    assert caught.value.field == field and "missing" in str(caught.value)


def test_optional_fields_have_defaults() -> None:
    comment = parse_message({"id": 7, "user": "bob", "text": "hi"}, default_platform="twitch", received_ns=5)
    assert (comment.id, comment.platform, comment.kind, comment.received_ns) == ("7", "twitch", CommentKind.COMMENT, 5)
    assert comment.ts > 1.7e9
    for kind in ("like", "follow", "gift", "order"):
        assert parse_message({"id": 1, "user": "bob", "kind": kind}).text == ""


@pytest.mark.parametrize(
    "fields, field, expected",
    [
        ({"kind": "spam"}, "kind", "kind: expected one of comment, like, gift, order, follow, got 'spam'"),
        ({"kind": 3}, "kind", "kind: expected one of comment, like, gift, order, follow, got 3"),
        ({"id": ""}, "id", "id: empty"),
        ({"id": True}, "id", "id: expected a string or an integer, got true"),
        ({"id": 1.5}, "id", "id: expected a string or an integer, got 1.5"),
        ({"id": "x" * 129}, "id", "id: too long (129 characters; at most 128)"),
        ({"id": "a\x00b"}, "id", "id: contains control characters"),
        ({"user": ["a"]}, "user", "user: expected a string, got an array"),
        ({"user": "   "}, "user", "user: empty"),
        ({"user": "u" * 129}, "user", "user: too long (129 characters; at most 128)"),
        ({"text": {"a": 1}}, "text", "text: expected a string, got an object"),
        ({"text": 12}, "text", "text: expected a string, got 12"),
        ({"platform": "Dou Yin"}, "platform", "platform: expected 1-32 of a-z, 0-9, _ and -, got 'Dou Yin'"),
        ({"platform": "p" * 33}, "platform", "platform: too long (33 characters; at most 32)"),
        ({"platform": 5}, "platform", "platform: expected a string, got 5"),
        ({"ts": "yesterday"}, "ts", "ts: expected Unix seconds or an ISO-8601 time, got 'yesterday'"),
        ({"ts": -1}, "ts", "ts: out of range (got -1)"),
        ({"ts": float("nan")}, "ts", "ts: out of range (got nan)"),
        ({"ts": [1]}, "ts", "ts: expected Unix seconds or an ISO-8601 time, got an array"),
    ],
)
def test_wrong_values_are_named(fields: dict, field: str, expected: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(message(**fields))
    assert caught.value.field == field
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"", "message: not valid JSON"),
        (b"[1, 2]", "message: expected a JSON object, got an array"),
        (b'"text"', "message: expected a JSON object, got 'text'"),
        (b"null", "message: expected a JSON object, got null"),
        (b"{" * 100_000, "message: not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "message: not valid JSON"),
        (b'{"id": 1' + b"0" * 5000 + b"}", "message: not valid JSON"),
    ],
)
def test_not_a_json_object(raw: bytes, expected: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(raw)
    assert str(caught.value).startswith(expected)


def test_kind_platform_and_ts_forms() -> None:
    comment = parse_message(message(kind=" GIFT ", platform="TikTok", ts="2024-06-10T12:00:00Z"))
    assert (comment.kind, comment.platform, comment.ts) == (CommentKind.GIFT, "tiktok", 1718020800.0)
    assert parse_message(message(ts="2024-06-10T20:00:00+08:00")).ts == 1718020800.0
    assert parse_message(message(ts="2024-06-10T12:00:00")).ts == 1718020800.0  # no offset: UTC
    assert parse_message(message(ts=1718020800123)).ts == pytest.approx(1718020800.123)  # milliseconds
    assert parse_message(message(ts="1718020800.5")).ts == 1718020800.5
    assert parse_message(message(id=12345678901234567890)).id == "12345678901234567890"


def test_unknown_fields_are_ignored() -> None:
    comment = parse_message(message(avatar="https://x/y.png", extra={"nested": [1, 2]}, level=9))
    assert comment.text == "hello"


def test_batch_elements_fail_independently() -> None:
    raw = json.dumps([message(id="a"), message(id="b", kind="spam"), 3, message(id="c", text="x" * 9000)])
    results = parse_batch(raw.encode(), default_platform="bridge")
    assert isinstance(results[0], Comment) and results[0].id == "a"
    assert isinstance(results[1], MessageError) and results[1].field == "kind"
    assert isinstance(results[2], MessageError) and results[2].field == "message"
    assert isinstance(results[3], MessageError) and str(results[3]) == "text: too long (9000 bytes; at most 8192)"
    with pytest.raises(MessageError, match="expected a JSON array"):
        parse_batch(json.dumps(message()))
    assert parse_batch(b"[]") == []


@pytest.mark.parametrize(
    "cluster",
    ["\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f1e8\U0001f1f3", "e\u0301", "Z\u0334\u0351"],
    ids=["zwj-family", "flag", "accent", "zalgo"],
)
def test_a_long_refused_value_is_quoted_cut_between_whole_clusters(cluster: str) -> None:
    kept_whole = 0
    for filler in range(40 - len(cluster) - 2, 41):
        value = "a" * filler + cluster + "b" * 20
        with pytest.raises(MessageError) as caught:
            parse_message({"id": "1", "user": "u", "text": "t", "kind": value})
        shown = ast.literal_eval(caught.value.detail.split("got ", 1)[1])  # the value as quoted, repr() undone
        assert shown.endswith("…") and len(shown) <= 41
        kept_whole += cluster in shown
        kept = shown[filler:-1]
        assert kept in ("", cluster) or kept.startswith(cluster), f"{value!r} quoted as {shown!r}"
    assert kept_whole > 0  # the cluster is quoted when it fits
