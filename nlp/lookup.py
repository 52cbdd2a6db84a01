"""Fuzzy enterprise lookup over millions of registered names, in memory, updated in place.

Each name becomes a *document*: its canonical form (short region + brand +
industry, see ``nlp.names``) and, character for character, its pinyin. The
inverted index maps hashed keys to documents: unordered character pairs at
distance one and two (a typo breaks few of them; a dropped or swapped
character still leaves a pair) and adjacent pinyin pairs (homophones and typed
pinyin). A query reads only the rarest postings within a budget, ranks the
documents that share the most informative keys, and rescores a few hundred of
them with rapidfuzz. An 18-character code in the query is looked up exactly.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nlp import rank
from nlp import uscc as uscc_codes
from nlp.codemap import CodeMap
from nlp.names import NameParts, jiangsu_regions, split_name
from nlp.pinyin import pinyin_readings, pinyin_syllables, syllables
from nlp.postings import Postings, bulk_keys, text_keys
from nlp.text import fold_width, is_cjk, normalize

BUDGET = 6_000  # postings read per query at most
SHORTLIST = 240  # documents rescored with rapidfuzz
_SEP = "\x1f"
_CODE_RUN = re.compile(r"[0-9A-Z][0-9A-Z \-]{16,40}[0-9A-Z]")
_FILLER = re.compile(r"的|信用等级|等级|怎么样|是什么|查询|查一下|请问|吗|呢")  # around a name


@dataclass(frozen=True, slots=True)
class LookupHit:
    """One enterprise that matches a query."""

    uscc: str
    name: str
    score: float  # 0-100, higher is better
    reason: str  # code, exact name, alias, pinyin, fuzzy


@dataclass(frozen=True, slots=True)
class EnterpriseEntry:
    """A registered enterprise as the index holds it."""

    uscc: str
    name: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def _syllable_units() -> dict[str, str]:
    return {s: chr(0xE000 + i) for i, s in enumerate(sorted(syllables()))}


def _bmp(text: str) -> str:
    # documents are stored as UTF-16 with one unit per character; rare characters outside
    # the BMP fold into a private-use range (the same fold applies to queries)
    if text.isascii() or max(text) <= "\uffff":
        return text
    return "".join(c if c <= "\uffff" else chr(0xF000 + ord(c) % 0x800) for c in text)


@lru_cache(maxsize=262_144)
def _piece_units(piece: str) -> str:
    """Pinyin units of a piece of canonical text: one character per character of it."""
    table = _syllable_units()
    syl = pinyin_syllables(piece) if any(is_cjk(c) for c in piece) else list(piece)
    if len(syl) != len(piece):  # a character without pinyin: fall back one by one
        syl = [(pinyin_syllables(c) or [c])[0] for c in piece]
    return "".join(table.get(s, s[:1]) for s in syl)


def _units(parts: NameParts) -> str:
    pieces = (parts.region, parts.locality, parts.brand, parts.industry, parts.branch)
    return "".join(_piece_units(p) for p in pieces if p)


def _query_units(text: str) -> list[str]:
    """Pinyin units of query text, Chinese by its pinyin and typed pinyin by its syllables;
    several alternatives when typed pinyin splits more than one way (at most four)."""
    table = _syllable_units()
    alts = [""]
    for run in re.findall(r"[a-z]+|[0-9]+|[^\sa-z0-9]+", text):
        if run[0].isascii() and run[0].isalpha():
            readings = pinyin_readings(run)
            options = ["".join(table[s] for s in r) for r in readings] if readings else [run]
        elif run[0].isdigit():
            options = [run]
        else:
            options = [_piece_units(run)]
        alts = [a + o for a in alts for o in options][:4]
    return alts


@lru_cache(maxsize=1)
def _region_units() -> dict[str, int]:
    """Pinyin units of every short region name → its length, to spot them in typed pinyin."""
    regions = jiangsu_regions()
    shorts = [regions.province.short, *(c.short for c in regions.cities)]
    shorts += [d.short for d in regions.districts]
    return {_piece_units(short): len(short) for short in shorts}


def _doc_text(name: str) -> tuple[str, str, int]:
    parts = split_name(name)
    canon = _bmp(parts.canonical)
    return (canon, _units(parts), len(parts.region)) if canon else ("", "", 0)


class EnterpriseIndex:
    """Registered enterprises searchable by code, name, alias, typo or pinyin."""

    def __init__(self) -> None:
        self._codes = bytearray()  # 18 ASCII bytes per slot
        self._texts = bytearray()  # UTF-8: name, then aliases, separated by \x1f
        self._text_off = array("Q", [0])
        self._alive = bytearray()
        self._codemap = CodeMap()
        self._live = 0
        self._doc_slot = array("I")
        self._doc_off = array("Q", [0])  # character offsets into the two blobs
        self._canon = bytearray()  # UTF-16 (native order) canonical names
        self._units = bytearray()  # UTF-16 pinyin units, aligned with _canon
        self._doc_alias = bytearray()
        self._doc_skip = bytearray()  # length of the region prefix, whose pairs are not keys
        self._postings = Postings()

    # --- building ---------------------------------------------------------------------

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, Sequence[str]]]) -> EnterpriseIndex:
        """An index of (code, name, aliases) records; later duplicates of a code win."""
        index = cls()
        for code, name, aliases in records:
            index._insert(code, name, aliases, bulk=True)
        for slot in index._codemap.load(index._codes).tolist():  # repeated codes
            index._alive[slot] = 0
            index._live -= 1
        index._rekey()
        _piece_units.cache_clear()  # brands repeat during a bulk load; afterwards it is only RAM
        return index

    def add(self, uscc: str, name: str, aliases: Sequence[str] = ()) -> None:
        """Insert an enterprise, or replace the one with the same code (new name, aliases)."""
        for doc, canon, units, skip in self._insert(uscc, name, aliases):
            self._postings.add(doc, text_keys(canon, units, skip))
        if self._postings.wants_compaction():
            self.compact()

    def remove(self, uscc: str) -> None:
        """Forget an enterprise; unknown codes are ignored."""
        slot = self._codemap.pop(uscc_codes.clean(uscc))
        if slot is not None and self._alive[slot]:
            self._alive[slot] = 0
            self._live -= 1

    def compact(self) -> None:
        """Fold incremental additions into the main postings and drop replaced documents.

        ``add`` calls it by itself once additions pass an eighth of the postings (a few
        seconds at a million names); a caller may also run it after a large import."""
        if self._postings.too_small():  # grown far past its build size: re-key everything
            self._rekey()
        else:
            self._postings.compact(self._doc_alive())

    def _rekey(self) -> None:
        keys, docs = bulk_keys(self._canon, self._units, self._doc_off, self._doc_skip)
        alive = self._doc_alive()
        if len(docs):
            keep = alive[docs]
            keys, docs = keys[keep], docs[keep]
        self._postings = Postings(len(self._doc_slot))
        self._postings.bulk_load(keys, docs, len(self._doc_slot))

    def _doc_alive(self) -> np.ndarray:
        if not self._doc_slot:
            return np.zeros(0, dtype=bool)
        alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
        return alive[np.frombuffer(self._doc_slot, dtype=np.uint32)]

    def _insert(
        self, uscc: str, name: str, aliases: Sequence[str], bulk: bool = False
    ) -> list[tuple[int, str, str, int]]:
        fast = len(uscc) == 18 and uscc.isascii() and uscc.isalnum()
        code = uscc.upper() if fast else uscc_codes.clean(uscc)
        if len(code) != 18 or not code.isascii():
            raise ValueError(f"not an 18-character code: {uscc!r}")
        slot = len(self._alive)
        if not bulk:  # a bulk load settles repeated codes once, at the end
            old = self._codemap.get(code)
            if old is not None and self._alive[old]:
                self._alive[old] = 0
                self._live -= 1
            self._codemap.set(code, slot)
        self._codes += code.encode("ascii")
        aliases = tuple(a.strip() for a in aliases or () if a and a.strip())
        self._texts += _SEP.join((name.strip(), *aliases)).encode("utf-8")
        self._text_off.append(len(self._texts))
        self._alive.append(1)
        self._live += 1
        out: list[tuple[int, str, str, int]] = []
        canon, units, skip = _doc_text(name)
        if canon:
            out.append((self._add_doc(slot, canon, units, skip, alias=False), canon, units, skip))
        for alias in aliases:
            # an alias that is part of the name (澄瑞电子) adds nothing to search
            if alias in name or normalize(alias).replace(" ", "") in canon:
                continue
            a_canon, a_units, a_skip = _doc_text(alias)
            if len(a_canon) >= 2 and a_canon not in canon:
                doc = self._add_doc(slot, a_canon, a_units, a_skip, alias=True)
                out.append((doc, a_canon, a_units, a_skip))
        return out

    def _add_doc(self, slot: int, canon: str, units: str, skip: int, *, alias: bool) -> int:
        doc = len(self._doc_slot)
        self._doc_slot.append(slot)
        self._doc_skip.append(min(skip, 255))
        self._canon += canon.encode("utf-16")[2:]  # native order, no byte-order mark
        self._units += units.encode("utf-16")[2:]
        self._doc_off.append(self._doc_off[-1] + len(canon))
        self._doc_alias.append(1 if alias else 0)
        return doc

    # --- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live

    def __contains__(self, uscc: object) -> bool:
        return isinstance(uscc, str) and self._slot(uscc_codes.clean(uscc)) is not None

    def _slot(self, code: str) -> int | None:
        slot = self._codemap.get(code)
        return slot if slot is not None and self._alive[slot] else None

    def _entry(self, slot: int) -> EnterpriseEntry:
        raw = self._texts[self._text_off[slot] : self._text_off[slot + 1]].decode("utf-8")
        name, *aliases = raw.split(_SEP)
        code = self._codes[18 * slot : 18 * slot + 18].decode("ascii")
        return EnterpriseEntry(code, name, tuple(aliases))

    def get(self, uscc: str) -> EnterpriseEntry | None:
        """The registered enterprise with this code, or None."""
        slot = self._slot(uscc_codes.clean(uscc))
        return None if slot is None else self._entry(slot)

    def memory_bytes(self) -> int:
        """Bytes held by the index's own structures (not counting the interpreter)."""
        blobs = (self._codes, self._texts, self._alive, self._canon, self._units)
        blobs += (self._doc_alias, self._doc_skip)
        arrays = (self._text_off, self._doc_slot, self._doc_off)
        total = sum(len(b) for b in blobs) + sum(a.itemsize * len(a) for a in arrays)
        return total + self._codemap.memory_bytes() + self._postings.memory_bytes()

    # --- searching --------------------------------------------------------------------

    def search(self, query: str, limit: int = 10) -> list[LookupHit]:
        """Enterprises matching the query, best first, with scores in 0-100."""
        if limit <= 0 or not query or not query.strip():
            return []
        hits: list[LookupHit] = []
        text = fold_width(query).upper()
        for run in _CODE_RUN.findall(text):
            code = run.replace(" ", "").replace("-", "")
            for candidate in uscc_codes.find_codes(code) if len(code) >= 18 else ():
                slot = self._slot(candidate)
                if slot is not None:
                    entry = self._entry(slot)
                    hits.append(LookupHit(entry.uscc, entry.name, 100.0, "code"))
                    text = text.replace(run, " ")
        if hits and not re.search(r"\w{2}", text.replace("_", "")):
            return hits[:limit]
        seen = {h.uscc for h in hits}
        for hit in self._fuzzy(text, limit + len(hits)):
            if hit.uscc not in seen:
                seen.add(hit.uscc)
                hits.append(hit)
        return hits[:limit]

    def _parse_query(self, text: str) -> tuple[str, list[str], int, str, int]:
        """(canonical text, pinyin unit alternatives, region prefix length, plain core,
        region prefix length in units) of a query."""
        text = _FILLER.sub("", normalize(text))
        parts = split_name(text)
        canon = _bmp(parts.canonical)
        skip = len(parts.region)
        if not any(c.isascii() and c.isalpha() for c in canon):
            return canon, [_units(parts)], skip, parts.core, skip
        if any(is_cjk(c) for c in canon):  # Chinese mixed with pinyin: 苏州chengrui
            return canon, _query_units(canon), skip, parts.core, skip
        # typed pinyin (or a Latin name): the spaces the user typed help to split it
        alts = _query_units(text)
        regions = _region_units()
        u_skip = next((n for n in (4, 3, 2) if alts[0][:n] in regions and len(alts[0]) > n), 0)
        return canon, alts, 0, parts.core, u_skip

    def _fuzzy(self, text: str, limit: int) -> list[LookupHit]:
        canon, alts, skip, core, u_skip = self._parse_query(text)
        if len(canon) < 2:
            return []
        chinese = len(alts) == 1 and len(alts[0]) == len(canon)
        if chinese:
            docs = self._postings.candidates(text_keys(canon, alts[0], skip), BUDGET, SHORTLIST)
        else:
            # typed pinyin: letter pairs would crowd out the pinyin keys, so each kind of
            # key fills its own share of the shortlist (letters serve Latin brand names)
            by_units: set[int] = set()
            for units in alts:
                by_units |= text_keys(units, units, u_skip)
            docs = np.union1d(
                self._postings.candidates(by_units, BUDGET, SHORTLIST),
                self._postings.candidates(text_keys(canon, canon, 0), BUDGET // 4, SHORTLIST // 4),
            ).astype(np.uint32)
        if not len(docs):
            return []
        slots = np.frombuffer(self._doc_slot, dtype=np.uint32)[docs]
        keep = np.frombuffer(self._alive, dtype=np.uint8)[slots].astype(bool)
        docs, slots = docs[keep], slots[keep].tolist()
        if not slots:
            return []
        off = np.frombuffer(self._doc_off, dtype=np.uint64)
        starts, ends = off[docs].astype(np.int64), off[docs + 1].astype(np.int64)
        c_texts = _gather(self._canon, starts, ends)
        u_texts = _gather(self._units, starts, ends)
        is_alias = np.frombuffer(self._doc_alias, dtype=np.uint8)[docs].tolist()
        scores, by_pinyin = rank.score(canon, alts[0], c_texts, u_texts)
        for units in alts[1:]:  # another reading of ambiguous pinyin: keep the better
            more, more_pinyin = rank.score(canon, units, c_texts, u_texts)
            by_pinyin = np.where(more > scores, more_pinyin, by_pinyin)
            scores = np.maximum(scores, more)
        if chinese:
            order = rank.rerank([canon], c_texts, scores)
        else:  # typed pinyin: compare syllables, not letters
            order = rank.rerank(alts, u_texts, scores)
        hits: list[LookupHit] = []
        seen: set[int] = set()
        for i in order:
            slot = slots[i]
            if slot in seen:
                continue
            seen.add(slot)
            entry = self._entry(slot)
            score = float(scores[i])
            if c_texts[i] == canon:
                score, reason = 100.0, "alias" if is_alias[i] else "exact name"
            elif entry.aliases and _alias_match(canon if skip else core, entry.aliases):
                score, reason = max(score, 99.0), "alias"
            elif by_pinyin[i]:
                reason = "pinyin"
            else:
                reason = "alias" if is_alias[i] else "fuzzy"
            hits.append(LookupHit(entry.uscc, entry.name, round(score, 1), reason))
            if len(hits) >= limit:
                break
        hits.sort(key=lambda h: -h.score)
        return hits


def _gather(blob: bytearray, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """Decode many documents' texts from a UTF-16 blob with one decode call."""
    arr = np.frombuffer(blob, dtype=np.uint16)
    sizes = ends - starts + 1  # each text and a separator
    out_start = np.cumsum(sizes) - sizes
    idx = np.arange(int(sizes.sum())) - np.repeat(out_start - starts, sizes)
    gathered = arr[np.minimum(idx, len(arr) - 1)]
    gathered[out_start + sizes - 1] = ord(_SEP)
    return gathered.tobytes().decode("utf-16").split(_SEP)[:-1]


def _alias_match(wanted: str, aliases: tuple[str, ...]) -> bool:
    # a query that names a region must name it with the alias too: 启东源健 is not 源健
    return any(_bmp(normalize(a).replace(" ", "")) == wanted for a in aliases)
