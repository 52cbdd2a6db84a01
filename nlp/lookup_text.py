"""The texts the enterprise lookup compares: canonical names and their pinyin units,
and queries parsed into the same form.

A document or a query is stored as its canonical form (``nlp.names``) and, one
unit per character, its pinyin: every toneless syllable is one private-use
character, so pinyin compares with the same string tools as characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp.names import LEGAL_FORMS, NameParts, jiangsu_regions, split_name
from nlp.pinyin import pinyin_readings, pinyin_syllables, syllables
from nlp.text import has_cjk, normalize

SEP = "\x1f"
_LATIN = re.compile("[A-Za-z]")
_FRAGMENTS = {f[:n] for f in LEGAL_FORMS for n in range(2, len(f))} - {"特殊", "普通", "个人"}
# the start of a legal form cut off by the user: 泰越光伏科技股份 (…股份有限公司), …有限
_LEGAL_FRAGMENT = re.compile("(?:" + "|".join(sorted(_FRAGMENTS, key=len, reverse=True)) + ")$")


@lru_cache(maxsize=1)
def syllable_units() -> dict[str, str]:
    """Toneless syllable → its private-use unit."""
    return {s: chr(0xE000 + i) for i, s in enumerate(sorted(syllables()))}


def bmp(text: str) -> str:
    """Documents are UTF-16 with one unit per character; rare characters outside the BMP
    fold into a private-use range (the same fold applies to queries)."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    return "".join(c if c <= "\uffff" else chr(0xF000 + ord(c) % 0x800) for c in text)


@lru_cache(maxsize=262_144)
def piece_units(piece: str) -> str:
    """Pinyin units of a piece of canonical text: one character per character of it."""
    table = syllable_units()
    syl = pinyin_syllables(piece) if has_cjk(piece) else list(piece)
    if len(syl) != len(piece):  # a character without pinyin: fall back one by one
        syl = [(pinyin_syllables(c) or [c])[0] for c in piece]
    return "".join(table.get(s, s[:1]) for s in syl)


def units_of(parts: NameParts) -> str:
    """Pinyin units of a split name, aligned with its canonical form."""
    pieces = (parts.region, parts.locality, parts.brand, parts.industry, parts.branch)
    return "".join(piece_units(p) for p in pieces if p)


def query_units(text: str) -> list[str]:
    """Pinyin units of query text, Chinese by its pinyin and typed pinyin by its syllables;
    several alternatives when typed pinyin splits more than one way (at most four)."""
    table = syllable_units()
    alts = [""]
    for run in re.findall(r"[a-z]+|[0-9]+|[^\sa-z0-9]+", text):
        if run[0].isascii() and run[0].isalpha():
            readings = pinyin_readings(run)
            options = ["".join(table[s] for s in r) for r in readings] if readings else [run]
        elif run[0].isdigit():
            options = [run]
        else:
            options = [piece_units(run)]
        alts = [a + o for a in alts for o in options][:4]
    return alts


@lru_cache(maxsize=1)
def region_units() -> dict[str, int]:
    """Pinyin units of every short region name → its length, to spot them in typed pinyin."""
    regions = jiangsu_regions()
    shorts = [regions.province.short, *(c.short for c in regions.cities)]
    shorts += [d.short for d in regions.districts]
    return {piece_units(short): len(short) for short in shorts}


def doc_text(name: str) -> tuple[str, str, int]:
    """(canonical form, pinyin units, region prefix length) of a registered name."""
    parts = split_name(name)
    canon = bmp(parts.canonical)
    return (canon, units_of(parts), len(parts.region)) if canon else ("", "", 0)


def drop_legal_fragment(text: str) -> str:
    """A query without the start of a legal form at its end (股份, 有限, 股份有限): the
    registered name's form is left out of the comparison, so a fragment of it would only
    count against the name."""
    m = _LEGAL_FRAGMENT.search(text)
    return text[: m.start()] if m and m.start() >= 2 else text


# (canonical text, pinyin unit alternatives, region prefix length, plain core,
# region prefix length in units) of a query
Query = tuple[str, list[str], int, str, int]
_FILLER = re.compile(r"的|信用等级|等级|怎么样|是什么|查询|查一下|请问|吗|呢")  # around a name


def parse_query(text: str) -> Query:
    """(canonical text, pinyin unit alternatives, region prefix length, plain core,
    region prefix length in units) of a query."""
    text = drop_legal_fragment(_FILLER.sub("", normalize(text)).strip())
    parts = split_name(text, normalized=True)
    canon = bmp(parts.canonical)
    skip = len(parts.region)
    if not _LATIN.search(canon):
        return canon, [units_of(parts)], skip, parts.core, skip
    if has_cjk(canon):  # Chinese mixed with pinyin: 苏州chengrui
        return canon, query_units(canon), skip, parts.core, skip
    # typed pinyin (or a Latin name): the spaces the user typed help to split it
    alts = query_units(text)
    regions = region_units()
    u_skip = next((n for n in (4, 3, 2) if alts[0][:n] in regions and len(alts[0]) > n), 0)
    return canon, alts, 0, parts.core, u_skip


def alias_match(wanted: str, aliases: Sequence[str]) -> bool:
    # a query that names a region must name it with the alias too: 启东源健 is not 源健
    """Whether one of the aliases, normalised, is the wanted text."""
    for alias in aliases:
        if _alias_form(alias) == wanted:
            return True
    return False


@lru_cache(maxsize=65_536)
def _alias_form(alias: str) -> str:
    return bmp(normalize(alias).replace(" ", ""))
