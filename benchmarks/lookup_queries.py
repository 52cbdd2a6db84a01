"""Corrupted enterprise queries with known answers, and how ambiguous each one is.

Every query names one registered enterprise (its target) the way people do:
without region and legal form, by brand and industry word, by brand alone, or
as the spoken form (most specific region + brand + industry) with one typo,
or in pinyin. Ambiguity is counted on the register itself: how many names
contain the query verbatim, or, for a typo, contain some repair of it (the
same pinyin for a homophone; one character put back for a missing one; the
pair swapped back). A query that several names explain equally is not a
lookup failure when it misses its target, and the report keeps them apart.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.constants import PINYIN_DICT

from disclosure.namegen import EnterpriseRecord
from nlp.names import pinyin_syllables

SHORT_KINDS = ("no_region", "brand_industry", "brand")
TYPO_KINDS = ("homophone", "missing", "swapped", "pinyin")
KINDS = SHORT_KINDS + TYPO_KINDS
CAP = 11  # counts stop here: the report only tells 1, 2-10 and more than 10


@dataclass(frozen=True, slots=True)
class Query:
    kind: str
    text: str
    target: str  # the unified social credit code of the enterprise meant
    contain: int  # registered names that contain it (or a repair of it), capped at CAP


def canonical(rec: EnterpriseRecord) -> str:
    """The name as people would write it in full, without legal form: 苏州吴中澄瑞电子科技."""
    return "".join(rec.place) + rec.town + rec.brand + rec.phrase + rec.branch


def spoken(rec: EnterpriseRecord) -> str:
    """Most specific region, town, brand and industry: 吴中澄瑞电子科技, 玉山老王面馆."""
    return rec.place[-1] + rec.town + rec.brand + rec.phrase


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Toneless reading → the common (GB 2312 level 1) characters that have it."""
    by_sound: dict[str, list[str]] = defaultdict(list)
    for row in range(0xB0, 0xD8):
        for col in range(0xA1, 0xFF):
            try:
                ch = bytes((row, col)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            by_sound[lazy_pinyin(ch)[0]].append(ch)
    return by_sound


class Corpus:
    """Substring counts over a list of texts, through a bigram index (exact, verified)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.grams: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            for gram in {text[j : j + 2] for j in range(len(text) - 1)}:
                self.grams[gram].append(i)

    def _candidates(self, *parts: str) -> list[int] | None:
        grams = [p[j : j + 2] for p in parts for j in range(len(p) - 1)]
        if not grams:
            return None
        return min((self.grams.get(g, []) for g in grams), key=len)

    def containing(self, pattern: str) -> set[int]:
        cands = self._candidates(pattern)
        if cands is None:
            cands = range(len(self.texts))
        return {i for i in cands if pattern in self.texts[i]}

    def containing_gap(self, left: str, right: str) -> set[int]:
        """Texts containing left, any one character, then right."""
        rx = re.compile(re.escape(left) + "." + re.escape(right))
        cands = self._candidates(left, right)
        if cands is None:
            return set()
        return {i for i in cands if rx.search(self.texts[i])}


class QueryMaker:
    """Draws targets and corrupts their names; deterministic for a seed."""

    def __init__(self, records: Sequence[EnterpriseRecord], seed: int) -> None:
        self.records = records
        self.rng = random.Random(seed)
        self.canon = [canonical(r) for r in records]
        self.corpus = Corpus(self.canon)
        self.units: dict[str, str] = {}
        self.sound = Corpus([self._sound(c) for c in self.canon])

    def _sound(self, text: str) -> str:
        """Pinyin as one private-use character per syllable, for verbatim pinyin search."""
        out = []
        for syl in pinyin_syllables(text):
            unit = self.units.get(syl)
            if unit is None:
                unit = self.units[syl] = chr(0xE000 + len(self.units))
            out.append(unit)
        return "".join(out)

    def make(self, per_kind: int) -> tuple[list[Query], int]:
        """per_kind queries of every kind, and how many draws were dropped."""
        eligible = [i for i, r in enumerate(self.records) if not r.branch]
        queries: list[Query] = []
        dropped = 0
        for kind in KINDS:
            made = 0
            while made < per_kind:
                i = self.rng.choice(eligible)
                q = self._one(kind, i)
                if q is None:
                    dropped += 1
                    continue
                queries.append(q)
                made += 1
        return queries, dropped

    def _one(self, kind: str, i: int) -> Query | None:
        rec = self.records[i]
        target = rec.uscc
        if kind in SHORT_KINDS:
            text = {
                "no_region": rec.brand + rec.phrase,
                "brand_industry": rec.brand + rec.phrase[:2],
                "brand": rec.brand,
            }[kind]
            return Query(kind, text, target, min(CAP, len(self.corpus.containing(text))))
        source = spoken(rec)
        if kind == "pinyin":
            return Query(kind, self._pinyin(rec), target, self._count_sound(source))
        for _ in range(10):
            text = getattr(self, "_" + kind)(source, len(rec.place[-1] + rec.town), len(rec.brand))
            if text is None or len(text) < 2:
                continue
            # a "typo" that spells another registered name is that name, not a typo
            if self.corpus.containing(text) - {i}:
                continue
            if kind == "homophone":
                return Query(kind, text, target, self._count_sound(text))
            if kind == "missing":
                return Query(kind, text, target, self._count_missing(text))
            return Query(kind, text, target, self._count_swapped(text))
        return None

    def _homophone(self, source: str, start: int, brand_len: int) -> str | None:
        # a homophone comes from hearing a name: it is mostly the brand that people get
        # wrong, rarely the city or the industry word they know how to write
        if brand_len and self.rng.random() < 0.7:
            pos = start + self.rng.randrange(brand_len)
        else:
            pos = self.rng.randrange(len(source))
        ch = source[pos]
        if ord(ch) not in PINYIN_DICT:
            return None
        sound = pinyin_syllables(source)[pos]  # the reading in context (长城: chang)
        options = [c for c in _homophones().get(sound, ()) if c != ch]
        if not options:
            return None
        return source[:pos] + self.rng.choice(options) + source[pos + 1 :]

    def _missing(self, source: str, start: int, brand_len: int) -> str | None:
        pos = self.rng.randrange(len(source))
        return source[:pos] + source[pos + 1 :]

    def _swapped(self, source: str, start: int, brand_len: int) -> str | None:
        pos = self.rng.randrange(len(source) - 1)
        a, b = source[pos], source[pos + 1]
        return None if a == b else source[:pos] + b + a + source[pos + 2 :]

    def _pinyin(self, rec: EnterpriseRecord) -> str:
        pieces = [rec.place[-1], rec.town, rec.brand, rec.phrase]
        words = [lazy_pinyin(p) for p in pieces if p]
        style = self.rng.random()
        if style < 0.5:  # one word per piece: wuzhong chengrui dianzikeji
            return " ".join("".join(w) for w in words)
        if style < 0.75:  # all joined
            return "".join(s for w in words for s in w)
        return " ".join(s for w in words for s in w)  # every syllable apart

    def _count_sound(self, text: str) -> int:
        return min(CAP, len(self.sound.containing(self._sound(text))))

    def _count_missing(self, text: str) -> int:
        found = set(self.corpus.containing(text))
        for p in range(1, len(text)):
            found |= self.corpus.containing_gap(text[:p], text[p:])
            if len(found) >= CAP:
                break
        return min(CAP, len(found))

    def _count_swapped(self, text: str) -> int:
        found = set(self.corpus.containing(text))
        for p in range(len(text) - 1):
            repaired = text[:p] + text[p + 1] + text[p] + text[p + 2 :]
            found |= self.corpus.containing(repaired)
            if len(found) >= CAP:
                break
        return min(CAP, len(found))


def bucket(contain: int) -> str:
    """The ambiguity bucket of a count: 1, 2-10 or >10 (0 cannot happen for a fair query)."""
    if contain <= 1:
        return "1"
    return "2-10" if contain <= 10 else ">10"
