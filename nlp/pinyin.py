"""Pinyin keys for Chinese names: toneless syllables, initials, and typed pinyin split back
into syllables, so that 成瑞, 澄瑞 and "chengrui" meet.

Conversion follows pypinyin's dictionaries (forward maximum matching on its phrase
list, as ``lazy_pinyin`` does) without its per-call overhead: names are converted
by the million when the enterprise index is built.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

from nlp.text import is_cjk, normalize

_MAX_PHRASE = 6


def _toneless(reading: str) -> str:
    plain = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in plain if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (ü written v)."""
    out: set[str] = set()
    for readings in PINYIN_DICT.values():
        out.update(_toneless(r) for r in readings.split(","))
    # interjections without a vowel would let any consonant run pass as pinyin
    return frozenset(s for s in out if s and any(v in s for v in "aeiouv"))


@lru_cache(maxsize=1)
def _char_pinyin() -> dict[str, str]:
    """Each character's first (most common) reading, toneless."""
    return {chr(cp): _toneless(r.split(",", 1)[0]) for cp, r in PINYIN_DICT.items()}


@lru_cache(maxsize=100_000)
def _phrase_pinyin(phrase: str) -> tuple[str, ...] | None:
    readings = PHRASES_DICT.get(phrase)
    return None if readings is None else tuple(_toneless(r[0]) for r in readings)


def _run_pinyin(run: str) -> list[str]:
    # forward maximum matching against pypinyin's phrase dictionary, as lazy_pinyin does,
    # without its per-call overhead (names are converted by the million)
    chars = _char_pinyin()
    out: list[str] = []
    i, n = 0, len(run)
    while i < n:
        for j in range(min(n, i + _MAX_PHRASE), i + 1, -1):
            phrase = _phrase_pinyin(run[i:j]) if run[i:j] in PHRASES_DICT else None
            if phrase is not None and len(phrase) == j - i:
                out.extend(phrase)
                i = j
                break
        else:
            out.append(chars.get(run[i], run[i]))
            i += 1
    return out


def pinyin_syllables(text: str) -> list[str]:
    """One toneless syllable per Chinese character (phrase-aware); letters and digits kept."""
    out: list[str] = []
    run_start = -1
    text = normalize(text)
    for i, ch in enumerate(text):
        if is_cjk(ch):
            if run_start < 0:
                run_start = i
            continue
        if run_start >= 0:
            out.extend(_run_pinyin(text[run_start:i]))
            run_start = -1
        if ch.isalnum():
            out.append(ch)
    if run_start >= 0:
        out.extend(_run_pinyin(text[run_start:]))
    return out


def pinyin_key(text: str) -> str:
    """Toneless pinyin without separators: 澄瑞电子 → chengruidianzi."""
    return "".join(pinyin_syllables(text))


def pinyin_initials(text: str) -> str:
    """First letters of the syllables: 澄瑞电子 → crdz."""
    return "".join(s[0] for s in pinyin_syllables(text))


def pinyin_readings(text: str, limit: int = 4) -> list[list[str]]:
    """The ways (at most limit) to split typed pinyin into the fewest syllables; [] if it is
    not pinyin. Without apostrophes some splits are ambiguous: kangao is kang'ao or kan'gao."""
    known = syllables()
    readings: list[list[str]] = [[]]
    for word in re.split(r"[^a-z]+", text.lower()):
        if not word:
            continue
        n = len(word)
        fewest = [0] + [n + 1] * n  # fewest syllables that spell word[:i]
        for i in range(n):
            if fewest[i] <= n:
                for j in range(i + 1, min(n, i + 6) + 1):
                    if word[i:j] in known:
                        fewest[j] = min(fewest[j], fewest[i] + 1)
        if fewest[n] > n:
            return []
        splits = _fewest_splits(word, fewest, limit)
        readings = [r + s for r in readings for s in splits][:limit]
    return readings if readings != [[]] else []


def _fewest_splits(word: str, fewest: list[int], limit: int) -> list[list[str]]:
    known = syllables()
    splits: list[list[str]] = []

    def walk(end: int, tail: list[str]) -> None:
        if len(splits) >= limit:
            return
        if end == 0:
            splits.append(tail)
            return
        for start in range(max(0, end - 6), end):
            if fewest[start] + 1 == fewest[end] and word[start:end] in known:
                walk(start, [word[start:end], *tail])

    walk(len(word), [])
    return splits


def segment_pinyin(text: str) -> list[str] | None:
    """Split typed pinyin into syllables (the first of the fewest-syllable readings)."""
    readings = pinyin_readings(text, limit=1)
    return readings[0] if readings else None
