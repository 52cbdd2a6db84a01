"""Redaction of texts that are published: phone numbers, e-mail addresses, URLs,
order and other long numbers come out, however they are written.

Matching runs on a folded copy of the text with one character per character of the
original, so what is found there is cut from the original at the same places:

- full-width and other compatibility forms fold to ASCII (``１３８`` → ``138``);
- Chinese numerals read as digits (``一三八``, ``〇``, ``零``, ``幺``, ``两``);
- zero-width and joining characters read as a space, as do spaces of every width;
- ``(at)``, ``[at]``, ``（at）``, `` at ``, ``艾特`` read as ``@`` and ``(dot)``,
  `` dot ``, ``点`` between address parts as ``.``.

A run of seven or more digits, whatever single spaces, dots, dashes, slashes or
brackets separate them, is taken out, except a plain date (``2026-03-15``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nlp.text import _LANDLINE, _LONG_DIGITS, _ORDER, _PHONE, _URL

CHINESE_DIGITS = {
    "〇": "0",
    "零": "0",
    "一": "1",
    "幺": "1",
    "壹": "1",
    "二": "2",
    "两": "2",
    "贰": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}
# characters that take no room on screen but split a number for a naive pattern
INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
INVISIBLE += "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"
MASK = "***"

# seven or more digits, with up to three separator characters between any two
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])\+?\d(?:[\s.\-_/\\·•()\[\]]{0,3}\d){6,}(?![0-9])")
_DATE = re.compile(r"\d{4}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}")
_AT = r"\s*(?:@|[(\[{<]\s*at\s*[)\]}>]|\bat\b|艾特|圈a)\s*"
_DOT = r"\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>]|\bdot\b|点)\s*"
_EMAIL = re.compile(
    rf"(?i)(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)+"
)
_BRACKETS = str.maketrans("（）【】〔〕《》〈〉", "()[]()<><>")
_SPACES = re.compile(r"[ \t]{2,}")


def _fold_char(ch: str) -> str:
    if ch in INVISIBLE or ch.isspace():
        return " "
    if ch in CHINESE_DIGITS:
        return CHINESE_DIGITS[ch]
    folded = unicodedata.normalize("NFKC", ch).translate(_BRACKETS)
    if len(folded) == 1:
        return folded
    return ch


def folded(text: str) -> str:
    """The text as matching sees it: exactly one character for each of the original."""
    return "".join(_fold_char(ch) for ch in text)


def _spans(view: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_URL, _EMAIL, _ORDER, _PHONE, _LANDLINE, _LONG_DIGITS):
        spans += [m.span() for m in pattern.finditer(view)]
    for match in _DIGIT_RUN.finditer(view):
        if not _DATE.fullmatch(match.group().strip()):
            spans.append(match.span())
    return spans


@lru_cache(maxsize=4096)
def redact(text: str) -> str:
    """``text`` with every identifier replaced by ``***``."""
    view = folded(text)
    merged: list[list[int]] = []
    for start, end in sorted(_spans(view)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(text[at:start])
        out.append(MASK)
        at = end
    out.append(text[at:])
    result = "".join(out)
    # invisible characters have no business in published text
    result = "".join(ch for ch in result if ch not in INVISIBLE)
    return _SPACES.sub(" ", result).strip()
