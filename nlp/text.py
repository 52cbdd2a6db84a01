"""Text normalisation shared by the router and the enterprise lookup."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Sequences that identify a person or an order rather than describe a problem:
# they must never become routing features.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)")
# Each pattern may start only where its run of characters starts (the
# look-behinds): a long run of letters is tried once, not once per position,
# so the cost stays linear in the length of the text.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ORDER = re.compile(
    r"(?i)(?:订单号?|单号|运单号?|order\s*(?:no\.?|number|#)?)\s*[:：#]?\s*[A-Za-z0-9-]{6,}"
)
_LONG_DIGITS = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z]*\d[A-Za-z0-9-]{7,}")
_SPACES = re.compile(r"\s+")
# What each pattern cannot match without: most texts hold no digit, "@", link
# or order word, and a pattern whose hint is absent is not run at all.
_DIGIT = re.compile(r"\d")
_ORDER_HINT = re.compile(r"(?i)单|order")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional Chinese to Simplified (OpenCC t2s); other scripts pass through."""
    return text if text.isascii() else _T2S.convert(text)


def fold_width(text: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """Width-folded, simplified, lower-cased text with runs of white space collapsed."""
    text = fold_width(text)
    text = to_simplified(text)
    text = text.casefold()
    return _SPACES.sub(" ", text).strip()


def strip_identifiers(text: str) -> str:
    """Remove phone numbers, e-mail addresses, URLs and order numbers from normalised text."""
    # Replacing a match by a space never creates a hint that was not there.
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if _ORDER_HINT.search(text):
        text = _ORDER.sub(" ", text)
    if _DIGIT.search(text):
        for pattern in (_PHONE, _LANDLINE, _LONG_DIGITS):
            text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002a6df]")  # as is_cjk


def has_cjk(text: str) -> bool:
    """True when the text holds a CJK unified ideograph (``is_cjk`` over it, in C)."""
    return _CJK.search(text) is not None


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph."""
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
