"""Compiled kernels of the enterprise lookup: keys, candidates, short queries (numba).

A query used to go through some forty numpy and rapidfuzz calls of a few
microseconds each; here each stage is one compiled loop over the index's flat
arrays. ``query_keys`` makes the hashed pair keys of a text (the same keys the
bulk build makes, ``nlp.postings.bulk_keys``). ``candidates`` reads the rarest
buckets within a budget, adds up the inverse document frequency of the keys
each document shares in a small open-addressing table (its size follows the
postings read, not the register), and keeps the shortlist. ``contained``
answers a two- or three-character query from one bucket: postings are sorted
by text length inside their bucket, so the first documents that contain the
query are the ones the scoring would put first. Scoring and rerank are in
``nlp.lookup_score``.

Compiled code is cached on disk (``cache=True``): a new process loads it
instead of compiling it again.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits of key * 2^64/phi
UNIT_PAIR = 1 << 42  # namespace bit: pinyin pairs apart from character pairs
_U21 = np.uint64(21)
_UNIT = np.uint64(UNIT_PAIR)


@njit(cache=True, nogil=True)
def _pair(a: int, b: int) -> np.uint64:
    a, b = np.uint64(a), np.uint64(b)
    return (a << _U21) | b if a < b else (b << _U21) | a


@njit(cache=True, nogil=True)
def query_keys(c: np.ndarray, u: np.ndarray, skip: int) -> np.ndarray:
    """Keys of one text (UTF-16 code units ``c``, pinyin units ``u``): unordered character
    pairs at distance 1 and 2 and adjacent pinyin pairs, leaving out pairs wholly inside
    the first ``skip`` characters (the region); may repeat a key."""
    n = len(c)
    out = np.empty(max(3 * n, 1), dtype=np.uint64)
    k = 0
    for i in range(max(0, skip - 2), n - 1):
        if i + 1 >= skip:
            out[k] = _pair(c[i], c[i + 1])
            out[k + 1] = _pair(u[i], u[i + 1]) | _UNIT
            k += 2
        if i + 2 < n and i + 2 >= skip:
            out[k] = _pair(c[i], c[i + 2])
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def buckets_of(keys: np.ndarray, shift: int) -> np.ndarray:
    """Distinct buckets of the keys, ascending."""
    b = np.empty(len(keys), dtype=np.uint64)
    s = np.uint64(shift)
    for i in range(len(keys)):
        b[i] = (keys[i] * MULT) >> s  # mod 2^64
    return np.unique(b)


@njit(cache=True, nogil=True)
def candidates(
    buckets: np.ndarray,
    bounds: np.ndarray,
    post: np.ndarray,
    n_docs: int,
    budget: int,
    shortlist: int,
    ratio: float,
    keep_min: int,
    ext_bucket: np.ndarray,
    ext_off: np.ndarray,
    ext_docs: np.ndarray,
    tkeys: np.ndarray,
    tvals: np.ndarray,
) -> np.ndarray:
    """Documents sharing the most informative keys, ascending; see ``Postings.candidates``.

    ``ext_*`` are postings added since the last compaction, for some of these buckets:
    bucket ``ext_bucket[j]`` holds ``ext_docs[ext_off[j]:ext_off[j + 1]]``. ``tkeys``
    (all -1) and ``tvals`` are a table to reuse (a power of two long), left as found."""
    nb = len(buckets)
    lo = np.empty(nb, dtype=np.int64)
    main = np.empty(nb, dtype=np.int64)
    df = np.empty(nb, dtype=np.int64)
    ext = np.full(nb, -1, dtype=np.int64)
    for i in range(nb):
        bk = buckets[i]
        lo[i] = np.int64(bounds[bk])
        main[i] = np.int64(bounds[bk + 1]) - lo[i]
        df[i] = main[i]
        for j in range(len(ext_bucket)):
            if ext_bucket[j] == bk:
                ext[i] = j
                df[i] += ext_off[j + 1] - ext_off[j]
    order = np.argsort(df, kind="mergesort")  # the rarest first
    taken = 0
    total = 0
    for oi in range(nb):
        d = df[order[oi]]
        if d == 0:
            continue
        total += d
        if total > budget and taken > 0:
            break
        taken += 1
        if total > budget:  # the rarest alone is read even past the budget, truncated
            break
    if taken == 0:
        return np.zeros(0, dtype=np.uint32)
    # weights add up in an open-addressing table sized to the postings read
    reads = 0
    seen = 0
    for oi in range(nb):
        i = order[oi]
        if df[i] == 0:
            continue
        reads += min(main[i], budget) + (0 if ext[i] < 0 else ext_off[ext[i] + 1] - ext_off[ext[i]])
        seen += 1
        if seen == taken:
            break
    size = 64
    while size < 2 * reads:
        size *= 2
    mask = size - 1
    if size > len(tkeys):  # more postings than the table was made for (a large overlay)
        tkeys = np.full(size, -1, dtype=np.int64)
        tvals = np.zeros(size, dtype=np.float32)
    used = np.empty(reads, dtype=np.int64)
    n_used = 0
    n = max(n_docs, 1)
    seen = 0
    for oi in range(nb):
        i = order[oi]
        if df[i] == 0:
            continue
        # inverse document frequency: a pair shared by few names says more
        w = np.float32(np.log((n + 1) / df[i]))
        stop = lo[i] + min(main[i], budget)
        for p in range(lo[i], stop):
            n_used = _add(tkeys, tvals, used, n_used, mask, np.int64(post[p]), w)
        if ext[i] >= 0:
            for p in range(ext_off[ext[i]], ext_off[ext[i] + 1]):
                n_used = _add(tkeys, tvals, used, n_used, mask, np.int64(ext_docs[p]), w)
        seen += 1
        if seen == taken:
            break
    docs = np.empty(n_used, dtype=np.int64)
    vals = np.empty(n_used, dtype=np.float32)
    for j in range(n_used):
        docs[j] = tkeys[used[j]]
        vals[j] = tvals[used[j]]
        tkeys[used[j]] = -1
    return _shortlist(docs, vals, shortlist, ratio, keep_min)


@njit(cache=True, nogil=True, inline="always")
def _add(tkeys, tvals, used, n_used, mask, doc, w):  # type: ignore[no-untyped-def]
    h = (doc * 0x9E3779B1) & mask
    while True:
        k = tkeys[h]
        if k == doc:
            tvals[h] += w
            return n_used
        if k == -1:
            tkeys[h] = doc
            tvals[h] = w
            used[n_used] = h
            return n_used + 1
        h = (h + 1) & mask


@njit(cache=True, nogil=True)
def _shortlist(
    docs: np.ndarray, vals: np.ndarray, shortlist: int, ratio: float, keep_min: int
) -> np.ndarray:
    """The ``shortlist`` best documents, then those under ``ratio`` of the leader dropped
    unless fewer than ``keep_min`` would be left; ascending document ids."""
    n = len(docs)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    cut = -np.inf
    if n > shortlist:
        cut = np.partition(vals, n - shortlist)[n - shortlist]
    if min(n, shortlist) > keep_min:  # far behind the leader: not worth rescoring
        strong_cut = max(cut, ratio * vals.max())
        strong = 0
        for j in range(n):
            strong += vals[j] >= strong_cut
        if strong < keep_min:
            strong_cut = np.partition(vals, n - keep_min)[n - keep_min]
        cut = strong_cut
    sel = np.empty(n, dtype=np.int64)
    v = np.empty(n, dtype=np.float32)
    k = 0
    for j in range(n):
        if vals[j] >= cut:
            sel[k] = docs[j]
            v[k] = vals[j]
            k += 1
    sel = sel[:k]
    if k > shortlist:  # ties at the edge: the first by value, lower ids first
        order = np.argsort(sel, kind="mergesort")
        sel, v = sel[order], v[:k][order]
        sel = sel[np.argsort(-v, kind="mergesort")[:shortlist]]
    return np.sort(sel).astype(np.uint32)


@njit(cache=True, nogil=True)
def contained(
    q: np.ndarray,
    bucket: int,
    bounds: np.ndarray,
    post: np.ndarray,
    ext_docs: np.ndarray,
    canon: np.ndarray,
    doc_off: np.ndarray,
    doc_skip: np.ndarray,
    doc_slot: np.ndarray,
    alive: np.ndarray,
    limit: int,
    cap: int,
) -> np.ndarray:
    """Documents whose canonical text contains ``q`` outside the region prefix, shortest
    first (then by id), at most ``limit`` names; reading at most ``cap`` postings of the
    bucket (sorted by text length) and every posting added since the last compaction."""
    lo, hi = np.int64(bounds[bucket]), np.int64(bounds[bucket + 1])
    found = np.empty(limit + len(ext_docs), dtype=np.int64)
    slots = np.empty(limit + len(ext_docs), dtype=np.int64)
    k = 0
    names = 0
    for p in range(lo, min(hi, lo + cap)):
        d = np.int64(post[p])
        if _holds(q, d, canon, doc_off, doc_skip) and alive[doc_slot[d]]:
            names += _new_slot(slots, k, np.int64(doc_slot[d]))
            found[k] = d
            slots[k] = doc_slot[d]
            k += 1
            if names >= limit:
                break
    for p in range(len(ext_docs)):
        d = np.int64(ext_docs[p])
        if _holds(q, d, canon, doc_off, doc_skip) and alive[doc_slot[d]]:
            found[k] = d
            k += 1
    found = found[:k]
    keyed = np.empty(k, dtype=np.int64)
    for j in range(k):
        keyed[j] = (np.int64(doc_off[found[j] + 1]) - np.int64(doc_off[found[j]])) << 32
        keyed[j] |= found[j]
    return (np.sort(keyed) & 0xFFFFFFFF).astype(np.uint32)


@njit(cache=True, nogil=True, inline="always")
def _new_slot(slots, k, slot):  # type: ignore[no-untyped-def]
    for j in range(k):
        if slots[j] == slot:
            return 0
    return 1


@njit(cache=True, nogil=True, inline="always")
def _holds(q, d, canon, doc_off, doc_skip):  # type: ignore[no-untyped-def]
    start, end = np.int64(doc_off[d]), np.int64(doc_off[d + 1])
    first = max(0, np.int64(doc_skip[d]) - len(q) + 1)  # ending past the region prefix
    return inside(q, canon[start + first : end])


@njit(cache=True, nogil=True)
def inside(small: np.ndarray, big: np.ndarray) -> bool:
    """Whether ``small`` occurs in ``big`` as a contiguous run."""
    m = len(small)
    for s in range(len(big) - m + 1):
        ok = True
        for t in range(m):
            if big[s + t] != small[t]:
                ok = False
                break
        if ok:
            return True
    return False
