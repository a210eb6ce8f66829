"""User-perceived characters: grapheme clusters (Unicode UAX #29) and what they are made of.

A cluster is what a viewer sees as one character: a base with its combining marks ("Z̴͑"), an
emoji with its skin tone or a ZWJ sequence ("👨‍👩‍👧"), a flag's pair of regional indicators ("🇨🇳"),
a keycap ("1️⃣"), a Hangul syllable from jamo, an Indic conjunct. Text is measured, drawn, wrapped
and cut short a whole cluster at a time, so no mark is left alone and no emoji is cut in half.

The segmentation and the character properties come from the `regex` module (its `\\X` and
`\\p{...}`, kept up to date with each Unicode version), not from tables of our own.
"""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")
_EMOJI_PRESENTATION = regex.compile(r"\p{Emoji_Presentation}")
_REGIONAL_INDICATOR = regex.compile(r"\p{Regional_Indicator}")
_EMOJI_MODIFIER = regex.compile(r"\p{Emoji_Modifier}")
_TAG = regex.compile(r"[\U000E0020-\U000E007F]")  # emoji tag sequences (subdivision flags)
# Code points a font need not have: drawn as nothing when it lacks them (ZWJ, ZWNJ, variation
# selectors, tags, the combining grapheme joiner...). A font that lacks one still draws its cluster.
_DEFAULT_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_MARK = regex.compile(r"\p{M}")
_PARAGRAPH_SEPARATOR = regex.compile(r"\p{Bidi_Class=B}")  # \n, \r, U+2029, U+0085, U+001C-U+001E

ZWJ = "\u200d"
VS15 = "\ufe0e"  # text presentation
VS16 = "\ufe0f"  # emoji presentation
KEYCAP = "\u20e3"


def clusters(text: str) -> list[str]:
    """text cut into grapheme clusters (extended, as UAX #29 defines them); "".join() gives it back."""
    return _CLUSTER.findall(text)


def first_cluster(text: str) -> str:
    """The cluster text starts with ("" for "")."""
    match = _CLUSTER.match(text)
    return match.group() if match else ""


def is_default_ignorable(char: str) -> bool:
    return _DEFAULT_IGNORABLE.match(char) is not None


def is_mark(char: str) -> bool:
    """A combining mark (general category M: Mn, Mc, Me)."""
    return _MARK.match(char) is not None


def breaks_paragraph(cluster: str) -> bool:
    """True for a line or paragraph break (raqm cannot lay one out inside a line)."""
    return _PARAGRAPH_SEPARATOR.search(cluster) is not None


def wants_emoji(cluster: str) -> bool:
    """True when the cluster is shown as a colour emoji: an emoji-by-default base without VS15
    (text presentation), or an emoji sequence (VS16, keycap, skin tone, ZWJ, tags, a flag)."""
    if not cluster:
        return False
    base = cluster[0]
    if _REGIONAL_INDICATOR.match(base):
        return True
    if _EMOJI_PRESENTATION.match(base) and VS15 not in cluster:
        return True
    rest = cluster[1:]
    return (
        VS16 in rest
        or KEYCAP in rest
        or ZWJ in rest
        or _EMOJI_MODIFIER.search(rest) is not None
        or _TAG.search(rest) is not None
    )


def wants_text(cluster: str) -> bool:
    """True when the cluster asks for text presentation (VS15)."""
    return VS15 in cluster


def take_clusters(parts: list[str], max_chars: int) -> list[str]:
    """The longest start of parts (clusters) whose characters add up to at most max_chars."""
    total = 0
    for count, part in enumerate(parts):
        total += len(part)
        if total > max_chars:
            return parts[:count]
    return parts


def continues_cluster(cluster: str, next_char: str) -> bool:
    """True when next_char would join cluster (so a cut between them splits a cluster)."""
    return bool(next_char) and first_cluster(cluster + next_char) != cluster


def lstrip_spaces(text: str) -> str:
    """text without its leading white space, except a space that carries marks (an accent typed
    on a space): that one is the base of a cluster and stays, so no mark is left without a base."""
    stripped = text.lstrip()
    if len(stripped) == len(text) or not stripped:
        return stripped
    last_space = text[len(text) - len(stripped) - 1]
    return last_space + stripped if continues_cluster(last_space, stripped[0]) else stripped
