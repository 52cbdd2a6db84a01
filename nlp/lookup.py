"""Fuzzy enterprise lookup over millions of registered names, in memory, updated in place.

Each name becomes a *document*: its canonical form (short region + brand +
industry, see ``nlp.names``) and, character for character, its pinyin. The
inverted index maps hashed keys to documents: unordered character pairs at
distance one and two (a typo breaks few of them; a dropped or swapped
character still leaves a pair) and adjacent pinyin pairs (homophones and typed
pinyin). A query reads only the rarest postings within a budget, ranks the
documents that share the most informative keys, and rescores a few hundred of
them (``nlp.lookup_score``); both stages are compiled loops over the index's
flat arrays. A query of two or three characters is answered, when names contain
it, by the shortest names that contain it, read from one bucket whose postings
are ordered by length. An 18-character code in the query is looked up exactly.

An index may sit on top of another that is mapped read-only from a shared file
(``nlp.lookup_file``): additions go to the top, a replaced or removed name is
hidden in the mapped layer's private liveness flags, and a search asks both.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from nlp import lookup_kernels as kernels
from nlp import lookup_score
from nlp import uscc as uscc_codes
from nlp.codemap import CodeMap
from nlp.lookup_text import SEP, Query, alias_match, doc_text, parse_query, piece_units
from nlp.postings import Postings, bulk_keys, code_units, text_keys
from nlp.text import fold_width, normalize

if TYPE_CHECKING:
    from nlp.indexfile import MappedArrays

BUDGET = 6_000  # postings read per query at most
SHORTLIST = 240  # documents rescored
SHORT = 3  # queries of this many characters or fewer are first matched verbatim
_CODE_RUN = re.compile(r"[0-9A-Z][0-9A-Z \-]{16,40}[0-9A-Z]")


class LookupHit(NamedTuple):
    """One enterprise that matches a query (a named tuple: a search makes ten of them)."""

    uscc: str
    name: str
    score: float  # 0-100, higher is better
    reason: str  # code, exact name, alias, pinyin, fuzzy


_new_hit = tuple.__new__  # a LookupHit from a plain tuple, without the Python-level __new__


@dataclass(frozen=True, slots=True)
class EnterpriseEntry:
    """A registered enterprise as the index holds it."""

    uscc: str
    name: str
    aliases: tuple[str, ...]


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
        self._base: EnterpriseIndex | None = None  # the shared file, mapped read-only
        self._mapped: MappedArrays | None = None  # set on an index that is such a file
        self._view: tuple[np.ndarray, ...] | None = None  # arrays over the buffers above
        # a search and a change never overlap: the server's routing thread searches while
        # the event loop applies changes, and the compiled kernels run without the GIL
        # over views of buffers that an insert would resize
        self._lock = threading.RLock()

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
        piece_units.cache_clear()  # brands repeat during a bulk load; afterwards it is only RAM
        return index

    def add(self, uscc: str, name: str, aliases: Sequence[str] = ()) -> None:
        """Insert an enterprise, or replace the one with the same code (new name, aliases)."""
        if self._mapped is not None:
            raise TypeError("a mapped index is read-only: add to an index layered on it")
        with self._lock:
            self._kill_below(uscc_codes.clean(uscc))
            for doc, canon, units, skip in self._insert(uscc, name, aliases):
                self._postings.add(doc, text_keys(canon, units, skip))
            if self._postings.wants_compaction():
                self.compact()

    def remove(self, uscc: str) -> None:
        """Forget an enterprise; unknown codes are ignored."""
        code = uscc_codes.clean(uscc)
        with self._lock:
            self._kill_below(code)
            slot = self._codemap.pop(code)
            if slot is not None and self._alive[slot]:
                self._alive[slot] = 0
                self._live -= 1

    def compact(self) -> None:
        """Fold incremental additions into the main postings and drop replaced documents.

        ``add`` calls it by itself once additions pass an eighth of the postings (a few
        seconds at a million names); a caller may also run it after a large import."""
        with self._lock:
            if self._postings.too_small():  # grown far past its build size: re-key all
                self._rekey()
            else:
                self._postings.compact(self._doc_alive(), self._doc_lengths())

    def _doc_lengths(self) -> np.ndarray:
        return np.diff(np.frombuffer(self._doc_off, dtype=np.uint64)).astype(np.int64)

    def _rekey(self) -> None:
        keys, docs = bulk_keys(self._canon, self._units, self._doc_off, self._doc_skip)
        alive = self._doc_alive()
        if len(docs):
            keep = alive[docs]
            keys, docs = keys[keep], docs[keep]
        self._postings = Postings(len(self._doc_slot))
        self._postings.bulk_load(keys, docs, self._doc_lengths())

    def _doc_alive(self) -> np.ndarray:
        if not self._doc_slot:
            return np.zeros(0, dtype=bool)
        alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
        return alive[np.frombuffer(self._doc_slot, dtype=np.uint32)]

    def _insert(
        self, uscc: str, name: str, aliases: Sequence[str], bulk: bool = False
    ) -> list[tuple[int, str, str, int]]:
        self._view = None  # its arrays would pin the buffers that grow here
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
        self._texts += SEP.join((name.strip(), *aliases)).encode("utf-8")
        self._text_off.append(len(self._texts))
        self._alive.append(1)
        self._live += 1
        out: list[tuple[int, str, str, int]] = []
        canon, units, skip = doc_text(name)
        if canon:
            out.append((self._add_doc(slot, canon, units, skip, alias=False), canon, units, skip))
        for alias in aliases:
            # an alias that is part of the name (澄瑞电子) adds nothing to search
            if alias in name or normalize(alias).replace(" ", "") in canon:
                continue
            a_canon, a_units, a_skip = doc_text(alias)
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
        return self._live + (len(self._base) if self._base is not None else 0)

    def __contains__(self, uscc: object) -> bool:
        return isinstance(uscc, str) and self._find(uscc_codes.clean(uscc)) is not None

    def _slot(self, code: str) -> int | None:
        slot = self._codemap.get(code)
        return slot if slot is not None and self._alive[slot] else None

    def _find(self, code: str) -> tuple[EnterpriseIndex, int] | None:
        """The layer (this index or the mapped one beneath it) and slot of a live code."""
        slot = self._slot(code)
        if slot is not None:
            return self, slot
        if self._base is not None and (slot := self._base._slot(code)) is not None:
            return self._base, slot
        return None

    def _kill_below(self, code: str) -> None:
        """Hide the mapped layer's entry for a code that this layer replaces or removes."""
        if self._base is not None and (slot := self._base._slot(code)) is not None:
            self._base._alive[slot] = 0
            self._base._live -= 1

    def _entry(self, slot: int) -> EnterpriseEntry:
        lo, hi = int(self._text_off[slot]), int(self._text_off[slot + 1])
        name, *aliases = bytes(self._texts[lo:hi]).decode("utf-8").split(SEP)
        code = bytes(self._codes[18 * slot : 18 * slot + 18]).decode("ascii")
        return EnterpriseEntry(code, name, tuple(aliases))

    def get(self, uscc: str) -> EnterpriseEntry | None:
        """The registered enterprise with this code, or None."""
        found = self._find(uscc_codes.clean(uscc))
        return None if found is None else found[0]._entry(found[1])

    def memory_bytes(self) -> int:
        """Bytes held by the index's own structures (not counting the interpreter); a mapped
        layer counts its private part only (``mapped_bytes`` is the shared file; its liveness
        flags in full, though only the pages written are private)."""
        if self._mapped is not None:
            return len(self._alive) + self._postings.memory_bytes(shared=True)
        blobs = (self._codes, self._texts, self._alive, self._canon, self._units)
        blobs += (self._doc_alias, self._doc_skip)
        arrays = (self._text_off, self._doc_slot, self._doc_off)
        total = sum(len(b) for b in blobs) + sum(a.itemsize * len(a) for a in arrays)
        total += self._codemap.memory_bytes() + self._postings.memory_bytes()
        return total + (self._base.memory_bytes() if self._base is not None else 0)

    def mapped_bytes(self) -> int:
        """Size of the shared index file beneath this index (0 when there is none)."""
        base = self._base if self._base is not None else self
        return base._mapped.stat.st_size if base._mapped is not None else 0

    # --- searching --------------------------------------------------------------------

    def search(self, query: str, limit: int = 10) -> list[LookupHit]:
        """Enterprises matching the query, best first, with scores in 0-100."""
        if limit <= 0 or not query or not query.strip():
            return []
        with self._lock:
            return self._search(query, limit)

    def _search(self, query: str, limit: int) -> list[LookupHit]:
        hits: list[LookupHit] = []
        text = fold_width(query).upper()
        for run in _CODE_RUN.findall(text):
            code = run.replace(" ", "").replace("-", "")
            for candidate in uscc_codes.find_codes(code) if len(code) >= 18 else ():
                found = self._find(candidate)
                if found is not None:
                    entry = found[0]._entry(found[1])
                    hits.append(LookupHit(entry.uscc, entry.name, 100.0, "code"))
                    text = text.replace(run, " ")
        if hits and not re.search(r"\w{2}", text.replace("_", "")):
            return hits[:limit]
        parsed = parse_query(text)
        fuzzy = self._fuzzy(parsed, limit + len(hits))
        if self._base is not None:  # the mapped layer first: on equal scores the older wins
            fuzzy = self._base._fuzzy(parsed, limit + len(hits)) + fuzzy
            fuzzy.sort(key=lambda h: -h.score)
        elif not hits:
            return fuzzy[:limit]  # one layer names each enterprise once
        seen = {h.uscc for h in hits}
        for hit in fuzzy:
            if hit.uscc not in seen:
                seen.add(hit.uscc)
                hits.append(hit)
        return hits[:limit]

    def _fuzzy(self, query: Query, limit: int) -> list[LookupHit]:
        canon, alts, skip, core, u_skip = query
        if len(canon) < 2 or not len(self._doc_slot):
            return []
        q = code_units(canon)
        chinese = len(alts) == 1 and len(alts[0]) == len(canon)
        u = code_units(alts[0]) if chinese else q
        doc_slot, alive, c_all, u_all, off, doc_skip, doc_alias = self._views()
        docs = None
        if chinese and not skip and len(q) <= SHORT:
            docs = self._postings.contained(
                q, (c_all, off, doc_skip, doc_slot, alive), limit, BUDGET
            )
        if docs is not None and len(docs):
            pass  # names that contain a short query verbatim: nothing else comes close
        elif chinese:
            keys = kernels.query_keys(q, u, skip)
            docs = self._postings.candidates(keys, BUDGET, SHORTLIST)
        else:
            # typed pinyin: letter pairs would crowd out the pinyin keys, so each kind of
            # key fills its own share of the shortlist (letters serve Latin brand names)
            u_keys = [kernels.query_keys(a, a, u_skip) for a in map(code_units, alts)]
            docs = np.union1d(
                self._postings.candidates(np.concatenate(u_keys), BUDGET, SHORTLIST),
                self._postings.candidates(kernels.query_keys(q, q, 0), BUDGET // 4, SHORTLIST // 4),
            ).astype(np.uint32)
        if not len(docs):
            return []
        u_off = [0]
        for alt in alts:
            u_off.append(u_off[-1] + len(alt))
        units = u if chinese else code_units("".join(alts))
        ranked = lookup_score.rank_docs(
            q, units, np.array(u_off), chinese, docs, doc_slot, alive, c_all, u_all, off, limit,
        )  # fmt: skip
        return self._hits(ranked, doc_alias, canon if skip else core)

    def _hits(self, ranked: tuple, doc_alias: np.ndarray, wanted: str) -> list[LookupHit]:
        """The ranked names (``rank_docs``) as hits, best first: a name that is the query,
        or that has it (``wanted``, normalised) as an alias, moves up to 100 or 99."""
        docs, slots, scores, by_pinyin, exact = ranked
        slot_list = slots.tolist()
        texts, codes, text_off = self._texts, self._codes, self._text_off
        if isinstance(text_off, np.ndarray):  # a mapped layer: arrays over the file
            bounds = zip(text_off[slots].tolist(), text_off[slots + 1].tolist(), strict=True)
            texts, codes = memoryview(texts), memoryview(codes)
        else:  # a bytearray's own slice decodes faster than a memoryview's
            bounds = ((text_off[s], text_off[s + 1]) for s in slot_list)
        hits: list[LookupHit] = []
        moved = False
        for slot, (start, end), score, whole, pinyin, alias in zip(
            slot_list, bounds, scores.tolist(), exact.tolist(), by_pinyin.tolist(),
            doc_alias[docs].tolist(), strict=True,
        ):  # fmt: skip
            name, *aliases = str(texts[start:end], "utf-8").split(SEP)
            aliased = bool(aliases) and not whole and alias_match(wanted, aliases)
            if whole:
                score, reason, moved = 100.0, "alias" if alias else "exact name", True
            elif aliased:
                score, reason, moved = max(score, 99.0), "alias", True
            else:
                reason = "pinyin" if pinyin else "alias" if alias else "fuzzy"
            code = str(codes[18 * slot : 18 * slot + 18], "ascii")
            hits.append(_new_hit(LookupHit, (code, name, round(score, 1), reason)))
        if moved:  # otherwise they are in order already
            hits.sort(key=lambda h: -h.score)
        return hits

    def _views(self) -> tuple[np.ndarray, ...]:
        """(doc_slot, alive, canon, units, doc_off, doc_skip, doc_alias) as arrays, kept
        until the next insert (which drops them before it grows the buffers)."""
        if self._view is not None:
            return self._view
        view = (
            np.frombuffer(self._doc_slot, dtype=np.uint32),
            np.frombuffer(self._alive, dtype=np.uint8),
            np.frombuffer(self._canon, dtype=np.uint16),
            np.frombuffer(self._units, dtype=np.uint16),
            np.frombuffer(self._doc_off, dtype=np.uint64),
            np.frombuffer(self._doc_skip, dtype=np.uint8),
            np.frombuffer(self._doc_alias, dtype=np.uint8),
        )
        self._view = view
        return view


def warm_up() -> float:
    """Compile (or load from numba's on-disk cache) every kernel a search can reach, so
    that no citizen's first search waits for it; seconds taken. ``make install`` runs it
    once to fill the cache (half a minute); a server or bot runs it at start-up (about a
    second with the cache)."""
    import time

    started = time.perf_counter()
    index = EnterpriseIndex.build(
        [
            ("91320506MA1XXXXXX1", "苏州澄瑞电子科技有限公司", ("澄瑞",)),
            ("91320211MA1YYYYYY2", "无锡宏达机械制造有限公司", ()),
        ]
    )
    for query in ("澄瑞电子", "澄瑞", "chengrui", "宏达机戒", "苏州chengrui电子"):
        index.search(query)
    return time.perf_counter() - started
