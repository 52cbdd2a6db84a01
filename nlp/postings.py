"""A hashed inverted index from integer keys to document ids, compact at millions of names.

Keys hash into a fixed number of buckets; the postings are one array sorted by
bucket with an offsets array (CSR), so there is no Python object per key; inside
a bucket, documents are ordered by the length of their text (then by id), so the
shortest names that hold a pair come first (``nlp.lookup`` answers short queries
from there). Two keys that share a bucket share its postings: a query then sees a
few extra candidates, never fewer. Documents added after the bulk load go to a
small overlay dict until the next compaction folds them in. The per-query work is
compiled (``nlp.lookup_kernels``).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable

import numpy as np

from nlp import lookup_kernels as kernels

_MULT = 0x9E3779B97F4A7C15  # Fibonacci hashing: the high bits of key * 2^64/phi
_M64 = (1 << 64) - 1
_MIN_BITS, _MAX_BITS = 12, 24


UNIT_PAIR = kernels.UNIT_PAIR
_CHUNK = 1 << 22  # characters per step of the bulk key computation (bounds temporaries)
_EMPTY = np.zeros(0, dtype=np.uint32)
_NO_BUCKETS = np.zeros(0, dtype=np.uint64)
_NO_OFFSETS = np.zeros(1, dtype=np.int64)
_UTF16 = "utf-16-le" if np.little_endian else "utf-16-be"
# a candidate whose weight of shared keys is under half the leader's is not rescored,
# unless fewer than KEEP_MIN would be (recall unchanged on the benchmark's 3,500 queries)
RATIO = 0.5
KEEP_MIN = 20


def pair_key(a: int, b: int) -> int:
    """An unordered pair of code points (or pinyin units) as one integer key."""
    return (a << 21) | b if a < b else (b << 21) | a


def code_units(text: str) -> np.ndarray:
    """A text as an array of UTF-16 code units (one per character of a folded text)."""
    return np.frombuffer(text.encode(_UTF16), dtype=np.uint16)


def text_keys(canon: str, units: str, skip: int) -> np.ndarray:
    """Keys of one text: unordered character pairs at distance 1 and 2, adjacent pinyin
    pairs; pairs wholly inside the first ``skip`` characters (the region) are left out."""
    return np.unique(kernels.query_keys(code_units(canon), code_units(units), skip))


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
        self._local = threading.local()  # each thread's accumulation table

    @property
    def buckets(self) -> int:
        """Number of hash buckets (a power of two)."""
        return 1 << self._bits

    def _bucket(self, key: int) -> int:
        return ((key * _MULT) & _M64) >> self._shift

    def bulk_load(self, keys: np.ndarray, docs: np.ndarray, lengths: np.ndarray) -> None:
        """Replace everything with these (key, doc) pairs; ``lengths`` (one per document)
        orders the documents inside a bucket, shortest first."""
        with np.errstate(over="ignore"):
            b = (keys * np.uint64(_MULT)) >> np.uint64(self._shift)  # mod 2^64, as _bucket
        self._load(b, docs, lengths)
        self._extra, self._n_extra = {}, 0
        self._n_docs = len(lengths)

    def _load(self, b: np.ndarray, d: np.ndarray, lengths: np.ndarray) -> None:
        # one sort of (bucket, length, doc); equal neighbours are a document listed twice
        rank = np.minimum(lengths, 255).astype(np.uint64)
        both = (b.astype(np.uint64) << np.uint64(40)) | (rank[d] << np.uint64(32))
        both |= d.astype(np.uint64)
        both.sort()
        if len(both) > 1:
            both = both[np.concatenate(([True], both[1:] != both[:-1]))]
        b = (both >> np.uint64(40)).astype(np.int64)
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
        for bucket in {self._bucket(int(k)) for k in keys}:
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

    def compact(self, doc_alive: np.ndarray, lengths: np.ndarray) -> None:
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
        if len(d):
            keep = doc_alive[d]
            b, d = b[keep], d[keep]
        self._load(b, d, lengths)
        self._extra, self._n_extra = {}, 0

    def _overlay(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The overlay's postings for these buckets, as (buckets, offsets, documents)."""
        if not self._extra:
            return _NO_BUCKETS, _NO_OFFSETS, _EMPTY
        got = [(bk, self._extra[bk]) for bk in buckets.tolist() if bk in self._extra]
        if not got:
            return _NO_BUCKETS, _NO_OFFSETS, _EMPTY
        sizes = [len(lst) for _, lst in got]
        offsets = np.zeros(len(got) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        docs = np.concatenate([np.frombuffer(lst, dtype=np.uint32) for _, lst in got])
        return np.array([bk for bk, _ in got], dtype=np.uint64), offsets, docs

    def candidates(self, keys: np.ndarray, budget: int, shortlist: int) -> np.ndarray:
        """Documents sharing the most informative keys, reading the rarest postings first.

        The rarest buckets are read up to the budget (the rest are commoner still: they
        would add cost, not information; the rarest alone is read even past the budget,
        truncated); every document gets the inverse document frequency of the keys it
        shares; the ``shortlist`` best are kept, less those under half the leader's
        weight (unless fewer than ``KEEP_MIN`` would be left). Ascending ids."""
        if not len(keys):
            return _EMPTY
        buckets = kernels.buckets_of(keys, self._shift)
        ext_b, ext_off, ext_docs = self._overlay(buckets)
        table = getattr(self._local, "table", None)
        if table is None:
            size = 1 << max(6, (4 * budget - 1).bit_length())  # twice the most read, and more
            table = self._local.table = (np.full(size, -1, np.int64), np.zeros(size, np.float32))
        return kernels.candidates(
            buckets, self._bounds, self._post, self._n_docs, budget, shortlist,
            RATIO, KEEP_MIN, ext_b, ext_off, ext_docs, *table,
        )  # fmt: skip

    def contained(self, q: np.ndarray, docs: tuple, limit: int, cap: int) -> np.ndarray:
        """The shortest documents that contain a two- or three-character query verbatim
        (outside their region), at most ``limit`` names, from the smallest bucket of the
        query's character pairs; ``docs``: the index's (canonical text, document offsets,
        region lengths, document slots, liveness) arrays."""
        a = q.tolist()
        keys = [pair_key(a[0], a[1])]
        if len(a) == 3:
            keys += [pair_key(a[1], a[2]), pair_key(a[0], a[2])]
        bucket, extra = min((self.bucket_of(k) for k in keys), key=lambda b: self.size(b[0]))
        return kernels.contained(q, bucket, self._bounds, self._post, extra, *docs, limit, cap)

    def bucket_of(self, key: int) -> tuple[int, np.ndarray]:
        """A key's bucket and the overlay's documents in it."""
        bucket = self._bucket(key)
        extra = self._extra.get(bucket)
        return bucket, (_EMPTY if extra is None else np.frombuffer(extra, dtype=np.uint32))

    def size(self, bucket: int) -> int:
        """Postings in a bucket (the overlay's included)."""
        extra = self._extra.get(bucket)
        main = int(self._bounds[bucket + 1]) - int(self._bounds[bucket])
        return main + (0 if extra is None else len(extra))

    def memory_bytes(self, shared: bool = False) -> int:
        """Bytes held: offsets, postings and the overlay (``shared``: the private part
        only, when offsets and postings are a mapped file's)."""
        extra = sum(64 + 4 * len(lst) for lst in self._extra.values())
        extra += 50 * len(self._extra)  # dict entry and bucket key
        arrays = 0 if shared else self._bounds.nbytes + self._post.nbytes
        return arrays + extra

    @classmethod
    def mapped(cls, bounds: np.ndarray, post: np.ndarray, bits: int, n_docs: int) -> Postings:
        """Postings over arrays of a mapped file (read-only: no additions)."""
        if not _MIN_BITS <= bits <= _MAX_BITS:
            raise ValueError(f"{bits} bucket bits")
        postings = cls()
        postings._bits, postings._shift = bits, 64 - bits
        postings._bounds, postings._post, postings._n_docs = bounds, post, n_docs
        return postings
