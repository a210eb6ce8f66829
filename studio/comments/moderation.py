"""What a comment means for the show: hidden or not, intents, the product it asks about.

`Moderator(settings, product_count).classify(comment) -> Verdict`. `update(...)` swaps the
rules at any time (the show's settings changed, a product was added): a classification that is
running finishes with the old rules, the next one uses the new ones. Thread-safe: the compiled
rules are one immutable object replaced in a single assignment.

Rules (all case-insensitive, on text folded with NFKC + casefold, so full-width letters and
digits match their ASCII forms; zero-width characters are ignored, so "sp\\u200bam" is "spam"):

- Blocked users: an entry matches the user name on any platform, or "platform:user" on that
  platform only ("@" before a name is ignored). Every kind of message from them is hidden;
  reason "blocked user 'x'" (the entry as written in the settings).
- Blocked words: a substring of the text; reason "blocked word 'x'". Hidden messages are kept
  in the store and still get their intents and product number.
- Intents, for comments and orders (likes, follows and gifts get none): an IntentRule matches
  when any of its phrases occurs. Where a phrase starts or ends with a Latin, Greek or Cyrillic
  letter or a digit, that end must be on a word boundary, so "link" matches "link pls" and
  "要link" but not "linkedin"; a plural "s" is allowed ("links", "sizes"). CJK phrases (想要,
  多少钱...) are plain substrings. Spaces inside a phrase match any run of spaces; ’ matches '.
- Product numbers (when `product_number_patterns`): "3号", "3 号", "3#", "#3", "＃３", "No.3",
  "no3", and Chinese numerals "三号", "十二号"; the first one in the text within 1..product_count
  becomes `product_number` and adds the intent "product" ("12号" with 3 products: none).
  "&#39;" (an HTML entity typed as text) is not "#39".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from studio.comments.message import Comment, CommentKind
from studio.engine.comment_settings import CommentSettings

PRODUCT_INTENT = "product"

_NO_INTENT_KINDS = frozenset({CommentKind.LIKE, CommentKind.FOLLOW, CommentKind.GIFT})
_ZERO_WIDTH = re.compile(r"[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
# Letters of the scripts written with spaces between words, and digits: where a phrase starts
# or ends with one of these, that end must sit on a word boundary.
_WORD_CHAR = r"0-9a-z\u00b5\u00df-\u024f\u0370-\u03ff\u0400-\u052f"
_WORD_CHAR_RE = re.compile(f"[{_WORD_CHAR}]")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PRODUCT_NUMBER = re.compile(
    r"(?<![0-9])(?P<a>[0-9]{1,4})\s*[号#]"  # 3号, 3 号, 3#
    r"|(?<!&)#\s*(?P<b>[0-9]{1,4})(?![0-9])"  # #3, ＃３ (folded), but not &#39;
    rf"|(?<![{_WORD_CHAR}])no\.?\s*(?P<c>[0-9]{{1,4}})(?![0-9])"  # No.3, no. 3, no3
    r"|(?P<d>[一二三四五六七八九]?十[一二三四五六七八九]?|(?<![一二三四五六七八九十])[一二三四五六七八九])号"
)


@dataclass(frozen=True)
class Verdict:
    hidden: bool = False
    reason: str = ""
    intents: frozenset[str] = field(default_factory=frozenset)
    product_number: int | None = None


NO_VERDICT = Verdict()


def fold(text: str) -> str:
    """Text as the rules compare it: NFKC, case-folded, zero-width characters and ’ unified."""
    text = _ZERO_WIDTH.sub("", text).replace("\u2019", "'").replace("\u2018", "'")
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class _Rules:
    blocked_users: tuple[tuple[str, str], ...]  # (folded entry, as written)
    blocked_words: tuple[tuple[str, str], ...]
    intents: tuple[tuple[str, re.Pattern[str]], ...]
    product_numbers: bool
    product_count: int


class Moderator:
    def __init__(self, settings: CommentSettings, product_count: int) -> None:
        self._rules = _compile(settings, product_count)

    def update(self, settings: CommentSettings, product_count: int) -> None:
        self._rules = _compile(settings, product_count)

    def classify(self, comment: Comment) -> Verdict:
        rules = self._rules
        text = fold(comment.text)
        reason = _blocked_user(rules, comment) or _blocked_word(rules, text)
        intents: set[str] = set()
        product_number = None
        if comment.kind not in _NO_INTENT_KINDS and text:
            intents = {intent for intent, pattern in rules.intents if pattern.search(text)}
            if rules.product_numbers:
                product_number = find_product_number(text, rules.product_count)
                if product_number is not None:
                    intents.add(PRODUCT_INTENT)
        return Verdict(hidden=bool(reason), reason=reason, intents=frozenset(intents), product_number=product_number)


def find_product_number(folded_text: str, product_count: int) -> int | None:
    """The first product number in the (folded) text that is within 1..product_count."""
    if product_count < 1:
        return None
    for match in _PRODUCT_NUMBER.finditer(folded_text):
        digits = match.group("a") or match.group("b") or match.group("c")
        number = int(digits) if digits else _chinese_number(match.group("d"))
        if 1 <= number <= product_count:
            return number
    return None


def _chinese_number(text: str) -> int:
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def _blocked_user(rules: _Rules, comment: Comment) -> str:
    if not rules.blocked_users:
        return ""
    user = fold(comment.user)
    qualified = f"{comment.platform}:{user}"
    for entry, shown in rules.blocked_users:
        if entry == user or entry == qualified:
            return f"blocked user '{shown}'"
    return ""


def _blocked_word(rules: _Rules, text: str) -> str:
    for word, shown in rules.blocked_words:
        if word in text:
            return f"blocked word '{shown}'"
    return ""


def _compile(settings: CommentSettings, product_count: int) -> _Rules:
    users = []
    for entry in settings.blocked_users:
        shown = entry.strip()
        folded = fold(shown).removeprefix("@")
        platform, colon, name = folded.partition(":@")
        if colon:  # "douyin:@name"
            folded = f"{platform}:{name}"
        if folded.strip():
            users.append((folded, shown))
    words = [(fold(word).strip(), word.strip()) for word in settings.blocked_words]
    intents = []
    for rule in settings.intent_rules:
        alternatives = [_phrase_pattern(phrase) for phrase in rule.phrases if fold(phrase).strip()]
        if alternatives:
            intents.append((rule.intent, re.compile("|".join(alternatives))))
    return _Rules(
        blocked_users=tuple(users),
        blocked_words=tuple((word, shown) for word, shown in words if word),
        intents=tuple(intents),
        product_numbers=settings.product_number_patterns,
        product_count=max(0, int(product_count)),
    )


def _phrase_pattern(phrase: str) -> str:
    folded = " ".join(fold(phrase).split())
    body = r"\s+".join(re.escape(part) for part in folded.split(" "))
    if _WORD_CHAR_RE.fullmatch(folded[0]):
        body = f"(?<![{_WORD_CHAR}]){body}"
    if _WORD_CHAR_RE.fullmatch(folded[-1]):
        plural = "(?:e?s)?" if folded[-1].isalpha() else ""
        body = f"{body}{plural}(?![{_WORD_CHAR}])"
    return f"(?:{body})"
