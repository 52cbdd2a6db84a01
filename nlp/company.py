"""The business a citizen names, as written.

Examples: 苏州澄瑞电子有限公司, 家乐福超市, Starbucks on Guanqian Street.

Two kinds of names are recognised (``nlp/data/companies.toml``):

- a known brand, extended to the right by a business suffix (中通 → 中通快递)
  and, in English, by a location ("Starbucks on Guanqian Street");
- a run of characters ending in a registered-name suffix (有限公司, 集团), cut
  on the left where the sentence around it begins (我在｜苏州澄瑞电子有限公司｜买的);
  with a shop-type suffix (超市, 酒店, 厂) only when it starts with a place
  (南京华联超市), since 木材加工厂 or 景区的度假酒店 describe, not name;
- a quoted name (“数码优选旗舰店”), which wins over everything else;
- in English, capitalised words before a suffix (Xiaolongkan Hotpot, Jiangsu
  Hengtong Food Co., Ltd.).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).with_name("data") / "companies.toml"
MAX_NAME = 16  # characters before the suffix; longer runs are sentences, not names
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,30})[”\"」』》]")
_EN_LOCATION = (
    r"(?:\s+(?:on|at|in)\s+(?:[A-Z][\w'-]*\s?){1,3}(?:Street|Road|Avenue|Square|Plaza|Mall))?"
)


@dataclass(frozen=True, slots=True)
class CompanyMention:
    """A business name found in a text, with its character offsets."""

    text: str  # as written
    start: int
    end: int


class CompanyFinder:
    """Finds the first business name in a text."""

    def __init__(self, path: Path | str | None = None) -> None:
        with Path(path or DEFAULT_DATA).open("rb") as fh:
            data = tomllib.load(fh)
        self._formal = tuple(sorted(data.get("formal_suffixes", []), key=len, reverse=True))
        self._informal = tuple(sorted(data.get("suffixes_zh", []), key=len, reverse=True))
        self._places = tuple(data.get("places", []))
        self._sentence = frozenset(data.get("sentence_chars", ""))
        self._stops = tuple(sorted(data.get("stop_prefixes", []), key=len, reverse=True))
        self._generic = {g.casefold() for g in data.get("generic", [])}
        suffix_alt = "|".join(re.escape(s) for s in (*self._formal, *self._informal))
        brands = sorted(data.get("brands_zh", []), key=len, reverse=True)
        self._brand_zh = _alternation(brands, suffix=f"(?:{suffix_alt})?")
        self._suffixed = re.compile(f"[\u4e00-\u9fffA-Za-z0-9·]{{1,{MAX_NAME}}}?(?:{suffix_alt})")
        en_brands = sorted(data.get("brands_en", []), key=len, reverse=True)
        self._brand_en = _alternation(en_brands, prefix=r"\b", suffix=rf"\b{_EN_LOCATION}")
        en_suffixes = sorted(data.get("suffixes_en", []), key=len, reverse=True)
        self._suffixed_en = re.compile(
            r"\b((?:[A-Z][\w&'-]*\s+){1,5}(?:"
            + "|".join(re.escape(s) for s in en_suffixes)
            + rf")(?!\w){_EN_LOCATION})"
        )

    def _name_before(self, run: str) -> str | None:
        """The name in a run that ends in a suffix, or None if the run is a description."""
        suffix = next((s for s in (*self._formal, *self._informal) if run.endswith(s)), "")
        body = run[: len(run) - len(suffix)]
        cut = max((i for i, c in enumerate(body) if c in self._sentence), default=-1)
        body = body[cut + 1 :]
        for stop in self._stops:
            if body.startswith(stop):
                body = body[len(stop) :]
        name = body + suffix
        if len(body) < 2 or name.casefold() in self._generic:
            return None
        if suffix in self._formal or body.startswith(self._places):
            return name
        return None

    def find(self, text: str) -> CompanyMention | None:
        """The first business name in ``text``, or None."""
        for m in _QUOTED.finditer(text):
            inner = m.group(1).strip()
            # A name the citizen put in quotes is the name they mean.
            if inner.endswith((*self._formal, *self._informal)):
                return CompanyMention(inner, m.start(1), m.end(1))
        found: list[CompanyMention] = []
        if self._brand_zh:
            found.extend(
                CompanyMention(m.group(0), m.start(), m.end())
                for m in self._brand_zh.finditer(text)
            )
        for m in self._suffixed.finditer(text):
            name = self._name_before(m.group(0))
            start = m.end() - len(name) if name else -1
            if name and not any(c.start <= start < c.end for c in found):
                found.append(CompanyMention(name, start, m.end()))
        if self._brand_en:
            found.extend(
                CompanyMention(m.group(0), m.start(), m.end())
                for m in self._brand_en.finditer(text)
            )
        for m in self._suffixed_en.finditer(text):
            name = re.sub(
                r"^(?:(?:The|A|An|At|From|In|On|My|Our|What|Is|Does)\s+)+", "", m.group(1)
            )
            if len(name.split()) >= 2 and name.casefold() not in self._generic:
                found.append(CompanyMention(name, m.end(1) - len(name), m.end(1)))
        if not found:
            return None
        # The earliest mention wins; at the same place, the longest.
        return min(found, key=lambda c: (c.start, -(c.end - c.start)))


def _alternation(words: list[str], prefix: str = "", suffix: str = "") -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(prefix + "(?:" + "|".join(re.escape(w) for w in words) + ")" + suffix)


def lookup_query(company: str) -> str:
    """The part of a mention worth searching the enterprise registry for."""
    query = re.sub(r"\s+(?:on|at|in)\s+.*$", "", company).strip()
    return re.sub(r"^(?:the|a|an)\s+", "", query, flags=re.IGNORECASE)
