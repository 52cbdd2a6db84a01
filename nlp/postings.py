"""A hashed inverted index from integer keys to document ids, compact at millions of names.

Keys hash into a fixed number of buckets; the postings are one array sorted by
bucket with an offsets array (CSR), so there is no Python object per key. Two
keys that share a bucket share its postings: a query then sees a few extra
candidates, never fewer. Documents added after the bulk load go to a small
overlay dict until the next compaction folds them in.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable

import numpy as np

_MULT = 0x9E3779B97F4A7C15  # Fibonacci hashing: the high bits of key * 2^64/phi
_M64 = (1 << 64) - 1
_MIN_BITS, _MAX_BITS = 12, 24


UNIT_PAIR = 1 << 42  # namespace bit: pinyin pairs apart from character pairs
_CHUNK = 1 << 22  # characters per step of the bulk key computation (bounds temporaries)
_EMPTY = np.zeros(0, dtype=np.uint32)
# a candidate whose weight of shared keys is under half the leader's is not rescored,
# unless fewer than KEEP_MIN would be (recall unchanged on the benchmark's 3,500 queries)
RATIO = 0.5
KEEP_MIN = 20


def _lens(extra: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    return np.fromiter((len(extra[i]) for i in order.tolist()), dtype=np.int64, count=len(order))


def pair_key(a: int, b: int) -> int:
    """An unordered pair of code points (or pinyin units) as one integer key."""
    return (a << 21) | b if a < b else (b << 21) | a


def text_keys(canon: str, units: str, skip: int) -> set[int]:
    """Keys of one text: unordered character pairs at distance 1 and 2, adjacent pinyin
    pairs; pairs wholly inside the first ``skip`` characters (the region) are left out."""
    keys: set[int] = set()
    n = len(canon)
    for i in range(max(0, skip - 2), n - 1):
        a = ord(canon[i])
        if i + 1 >= skip:
            b = ord(canon[i + 1])
            keys.add((a << 21) | b if a < b else (b << 21) | a)
            ua, ub = ord(units[i]), ord(units[i + 1])
            keys.add(UNIT_PAIR | ((ua << 21) | ub if ua < ub else (ub << 21) | ua))
        if i + 2 < n and i + 2 >= skip:
            b = ord(canon[i + 2])
            keys.add((a << 21) | b if a < b else (b << 21) | a)
    return keys


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.minimum(a, b) << np.uint64(21)) | np.maximum(a, b)


def bulk_keys(
    canon: bytes | bytearray, units: bytes | bytearray, doc_off: array, doc_skip: bytes | bytearray
) -> tuple[np.ndarray, np.ndarray]:
    """``text_keys`` of every document at once: (keys, docs) arrays, possibly repeating."""
    c_all = np.frombuffer(bytes(canon), dtype=np.uint16)
    u_all = np.frombuffer(bytes(units), dtype=np.uint16)
    off = np.frombuffer(doc_off, dtype=np.uint64).astype(np.int64)
    skips = np.frombuffer(bytes(doc_skip), dtype=np.uint8).astype(np.int64)
    n_docs = len(off) - 1
    keys: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    first = 0
    while first < n_docs:
        last = int(np.searchsorted(off, off[first] + _CHUNK, side="right")) - 1
        last = min(max(last, first + 1), n_docs)
        lo, hi = int(off[first]), int(off[last])
        lengths = np.diff(off[first : last + 1])
        doc = np.repeat(np.arange(first, last, dtype=np.uint32), lengths)
        pos = np.arange(hi - lo, dtype=np.int64) - np.repeat(off[first:last] - lo, lengths)
        left = lengths[doc - first] - pos  # characters from here to the end of the document
        skip = skips[doc]
        c = c_all[lo:hi].astype(np.uint64)
        u = u_all[lo:hi].astype(np.uint64)
        m1 = np.flatnonzero((left > 1) & (pos + 1 >= skip))
        m2 = np.flatnonzero((left > 2) & (pos + 2 >= skip))
        keys += [
            _pairs(c[m1], c[m1 + 1]),
            _pairs(u[m1], u[m1 + 1]) | np.uint64(UNIT_PAIR),
            _pairs(c[m2], c[m2 + 2]),
        ]
        docs += [doc[m1], doc[m1], doc[m2]]
        first = last
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32)
    return np.concatenate(keys), np.concatenate(docs)


class Postings:
    """Bucket → document ids, read within a budget of postings per query."""

    def __init__(self, expected_docs: int = 0) -> None:
        wanted = max(4 * expected_docs, 1 << _MIN_BITS)
        self._bits = min(_MAX_BITS, max(_MIN_BITS, math.ceil(math.log2(wanted))))
        self._shift = 64 - self._bits
        self._bounds = np.zeros((1 << self._bits) + 1, dtype=np.uint32)
        self._post = np.zeros(0, dtype=np.uint32)
        self._extra: dict[int, array] = {}
        self._n_extra = 0
        self._n_docs = 0
        self._scratch = np.zeros(0, dtype=np.float32)  # per-document score, zero between calls

    @property
    def buckets(self) -> int:
        """Number of hash buckets (a power of two)."""
        return 1 << self._bits

    def _bucket(self, key: int) -> int:
        return ((key * _MULT) & _M64) >> self._shift

    def bulk_load(self, keys: np.ndarray, docs: np.ndarray, n_docs: int) -> None:
        """Replace everything with these (key, doc) pairs."""
        with np.errstate(over="ignore"):
            b = (keys * np.uint64(_MULT)) >> np.uint64(self._shift)  # mod 2^64, as _bucket
        self._load(b, docs)
        self._extra, self._n_extra = {}, 0
        self._n_docs = n_docs

    def _load(self, b: np.ndarray, d: np.ndarray) -> None:
        # one sort of (bucket, doc); equal neighbours are a document listed twice in a bucket
        both = (b.astype(np.uint64) << np.uint64(32)) | d.astype(np.uint64)
        both.sort()
        if len(both) > 1:
            both = both[np.concatenate(([True], both[1:] != both[:-1]))]
        b = (both >> np.uint64(32)).astype(np.int64)
        d = (both & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del both
        counts = np.bincount(b, minlength=self.buckets)
        dtype = np.uint32 if len(d) < 1 << 32 else np.int64
        bounds = np.zeros(self.buckets + 1, dtype=dtype)
        bounds[1:] = np.cumsum(counts)
        self._bounds = bounds
        self._post = np.ascontiguousarray(d, dtype=np.uint32)

    def add(self, doc: int, keys: Iterable[int]) -> None:
        """Index one more document (ids ascend); O(number of keys)."""
        for bucket in {self._bucket(k) for k in keys}:
            lst = self._extra.get(bucket)
            if lst is None:
                self._extra[bucket] = array("I", (doc,))
            else:
                lst.append(doc)
            self._n_extra += 1
        self._n_docs = max(self._n_docs, doc + 1)

    def wants_compaction(self) -> bool:
        """True once the overlay holds more than an eighth of the postings."""
        return self._n_extra > max(50_000, len(self._post) // 8)

    def too_small(self) -> bool:
        """True when documents outnumber buckets and their postings would merge."""
        return self._n_docs > self.buckets and self._bits < _MAX_BITS

    def compact(self, doc_alive: np.ndarray | None) -> None:
        """Fold the overlay into the main arrays, dropping documents that are no longer alive."""
        counts = np.diff(self._bounds)
        b = np.repeat(np.arange(self.buckets, dtype=np.uint64), counts)
        d = self._post
        if self._extra:
            eb = np.fromiter(
                (bk for bk, lst in self._extra.items() for _ in range(len(lst))),
                dtype=np.uint64,
                count=self._n_extra,
            )
            ed = np.fromiter(
                (doc for lst in self._extra.values() for doc in lst),
                dtype=np.uint32,
                count=self._n_extra,
            )
            b, d = np.concatenate([b, eb]), np.concatenate([d, ed])
        if doc_alive is not None and len(d):
            keep = doc_alive[d]
            b, d = b[keep], d[keep]
        self._load(b, d)
        self._extra, self._n_extra = {}, 0

    def candidates(self, keys: Iterable[int], budget: int, shortlist: int) -> np.ndarray:
        """Documents sharing the most informative keys, reading the rarest postings first.

        All in numpy: the buckets' sizes, the cut at the budget and the gathering of the
        postings are array operations, with no Python step per key or per posting."""
        karr = np.fromiter(keys, dtype=np.uint64)
        if not len(karr):
            return np.zeros(0, dtype=np.uint32)
        with np.errstate(over="ignore"):
            buckets = np.unique((karr * np.uint64(_MULT)) >> np.uint64(self._shift))
        lo = self._bounds[buckets].astype(np.int64)
        df = self._bounds[buckets + 1].astype(np.int64) - lo
        extra = None
        if self._extra:  # additions since the last compaction: a few buckets at most
            got = [self._extra.get(int(bk)) for bk in buckets.tolist()]
            extra = [np.array(x, dtype=np.uint32) if x else _EMPTY for x in got]
            df = df + np.fromiter((len(x) for x in extra), dtype=np.int64, count=len(extra))
        order = np.argsort(df, kind="stable")
        order = order[df[order] > 0]
        if not len(order):
            return np.zeros(0, dtype=np.uint32)
        # the rarest first, up to the budget (the rest are commoner still: they would add
        # cost, not information); the rarest alone is read even past the budget, truncated
        taken = int(np.searchsorted(np.cumsum(df[order]), budget, side="right")) or 1
        order = order[:taken]
        n = max(self._n_docs, 1)
        # inverse document frequency: a pair shared by few names says more
        weight = np.log((n + 1) / df[order]).astype(np.float32)
        lengths = np.minimum(df[order] - (0 if extra is None else _lens(extra, order)), budget)
        starts = lo[order]
        ends = np.cumsum(lengths)
        idx = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(starts - ends + lengths, lengths)
        cand = self._post[idx]
        wts = np.repeat(weight, lengths)
        if extra is not None:
            more = [extra[i] for i in order.tolist()]
            cand = np.concatenate([cand, *more])
            wts = np.concatenate([wts, np.repeat(weight, [len(x) for x in more])])
        if not len(cand):
            return np.zeros(0, dtype=np.uint32)
        # weights add up in a scratch array, one entry per document, zero between calls
        scratch = self._scratch_for(n)
        np.add.at(scratch, cand, wts)
        vals = scratch[cand]
        scratch[cand] = 0.0
        if len(cand) > 4 * shortlist:  # a document repeats once per key it shares
            top = np.argpartition(vals, len(cand) - 4 * shortlist)[-4 * shortlist :]
            cand, vals = cand[top], vals[top]
        docs, first = np.unique(cand, return_index=True)
        vals = vals[first]
        if len(docs) > shortlist:
            top = np.argpartition(vals, len(docs) - shortlist)[-shortlist:]
            docs, vals = docs[top], vals[top]
        if len(docs) > KEEP_MIN:  # far behind the leader: not worth rescoring
            strong = vals >= RATIO * vals.max()
            if strong.sum() < KEEP_MIN:
                strong = vals >= np.partition(vals, len(vals) - KEEP_MIN)[len(vals) - KEEP_MIN]
            docs = docs[strong]
        return docs

    def _scratch_for(self, n_docs: int) -> np.ndarray:
        if len(self._scratch) < n_docs:
            self._scratch = np.zeros(max(n_docs, 2 * len(self._scratch)), dtype=np.float32)
        return self._scratch

    def memory_bytes(self, shared: bool = False) -> int:
        """Bytes held: offsets, postings and the overlay (``shared``: the private part
        only, when offsets and postings are a mapped file's)."""
        extra = sum(64 + 4 * len(lst) for lst in self._extra.values())
        extra += 50 * len(self._extra)  # dict entry and bucket key
        arrays = 0 if shared else self._bounds.nbytes + self._post.nbytes
        return arrays + self._scratch.nbytes + extra

    @classmethod
    def mapped(cls, bounds: np.ndarray, post: np.ndarray, bits: int, n_docs: int) -> Postings:
        """Postings over arrays of a mapped file (read-only: no additions)."""
        if not _MIN_BITS <= bits <= _MAX_BITS:
            raise ValueError(f"{bits} bucket bits")
        postings = cls()
        postings._bits, postings._shift = bits, 64 - bits
        postings._bounds, postings._post, postings._n_docs = bounds, post, n_docs
        return postings
