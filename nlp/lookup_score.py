"""Scoring a shortlist of candidate names against a query, compiled (for ``nlp.lookup``).

Two passes over the documents' UTF-16 texts and pinyin units, read straight from
the index's arrays (nothing is decoded): the first rates every candidate by how
much of the query it covers, in characters and in pinyin, whole or scattered
(longest common subsequence, bit-parallel); the second looks closer at the
leaders, where a swapped pair and a wrong character would otherwise tie: the
name that has every character of the query, and that a single transposition
turns into it (optimal string alignment distance), wins.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nlp.lookup_kernels import inside

RERANK = 60  # leaders checked for the characters they share regardless of order
_ONE = np.uint64(1)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def _popcount(x: np.uint64) -> int:
    n = 0
    while x:
        x &= x - _ONE
        n += 1
    return n


_SLOTS = 256  # a query's characters in an open-addressing table (at most 64 of them)


@njit(cache=True, nogil=True, inline="always")
def _slot(ch: int) -> int:
    return ((ch * 40503) >> 8) & (_SLOTS - 1)


@njit(cache=True, nogil=True)
def _pattern(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bit mask of each character's positions in a query (of its first 64), in a
    small table keyed by the character plus one (zero: empty), for ``_lcs``."""
    keys = np.zeros(_SLOTS, dtype=np.uint32)
    masks = np.zeros(_SLOTS, dtype=np.uint64)
    for i in range(min(len(a), 64)):
        ch = np.uint32(a[i]) + np.uint32(1)
        h = _slot(a[i])
        while keys[h] != 0 and keys[h] != ch:
            h = (h + 1) & (_SLOTS - 1)
        keys[h] = ch
        masks[h] |= _ONE << np.uint64(i)
    return keys, masks


@njit(cache=True, nogil=True)
def _lcs(a: np.ndarray, keys: np.ndarray, masks: np.ndarray, b: np.ndarray) -> int:
    """Length of the longest common subsequence of ``a`` (its ``_pattern``) and ``b``;
    Hyyrö's bit-parallel form when ``a`` has at most 64 characters."""
    m = len(a)
    if m == 0 or len(b) == 0:
        return 0
    if m > 64:
        return _lcs_table(a, b)
    v = _ALL
    for c in b:
        ch = np.uint32(c) + np.uint32(1)
        h = _slot(c)
        while keys[h] != 0:
            if keys[h] == ch:
                u = v & masks[h]
                v = (v + u) | (v - u)
                break
            h = (h + 1) & (_SLOTS - 1)
    low = _ALL if m == 64 else (_ONE << np.uint64(m)) - _ONE
    return _popcount(~v & low)


@njit(cache=True, nogil=True)
def _lcs_table(a: np.ndarray, b: np.ndarray) -> int:
    prev = np.zeros(len(b) + 1, dtype=np.int64)
    cur = np.zeros(len(b) + 1, dtype=np.int64)
    for i in range(len(a)):
        for j in range(len(b)):
            cur[j + 1] = prev[j] + 1 if a[i] == b[j] else max(prev[j + 1], cur[j])
        prev, cur = cur, prev
    return prev[len(b)]


@njit(cache=True, nogil=True)
def _osa(a: np.ndarray, b: np.ndarray, d: np.ndarray) -> int:
    """Optimal string alignment distance: edits, with a swap of neighbours as one
    (``d``: a table of at least (len(a) + 1) x (len(b) + 1) to work in)."""
    n, m = len(a), len(b)
    for i in range(n + 1):
        d[i, 0] = i
    for j in range(m + 1):
        d[0, j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, d[i - 2, j - 2] + 1)
            d[i, j] = best
    return d[n, m]


@njit(cache=True, nogil=True)
def _shared(keys: np.ndarray, masks: np.ndarray, text: np.ndarray, taken: np.ndarray) -> int:
    """Characters in common with the query (its ``_pattern``), counted with repetition:
    the LCS of both sorted. ``taken`` (zeros, one per table slot) is left as found."""
    n = 0
    for c in text:
        ch = np.uint32(c) + np.uint32(1)
        h = _slot(c)
        while keys[h] != 0:
            if keys[h] == ch:
                if taken[h] < _popcount(masks[h]):
                    taken[h] += 1
                    n += 1
                break
            h = (h + 1) & (_SLOTS - 1)
    for c in text:  # reset the slots this text touched
        h = _slot(c)
        ch = np.uint32(c) + np.uint32(1)
        while keys[h] != 0:
            if keys[h] == ch:
                taken[h] = 0
                break
            h = (h + 1) & (_SLOTS - 1)
    return n


@njit(cache=True, nogil=True)
def score(
    q: np.ndarray,
    alts: np.ndarray,
    alt_off: np.ndarray,
    docs: np.ndarray,
    canon: np.ndarray,
    units: np.ndarray,
    doc_off: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores in 0-100, pinyin rather than characters carried it, the text is the query)
    of every document; several pinyin alternatives (``alts[alt_off[i]:alt_off[i+1]]``)
    keep the best."""
    n = len(docs)
    scores = np.zeros(n, dtype=np.float64)
    by_pinyin = np.zeros(n, dtype=np.bool_)
    exact = np.zeros(n, dtype=np.bool_)
    lq = len(q)
    q_chars, q_masks = _pattern(q)
    n_alts = len(alt_off) - 1
    a_keys = np.zeros((n_alts, _SLOTS), dtype=np.uint32)
    a_masks = np.zeros((n_alts, _SLOTS), dtype=np.uint64)
    for a in range(n_alts):
        a_keys[a], a_masks[a] = _pattern(alts[alt_off[a] : alt_off[a + 1]])
    for j in range(n):
        s, e = np.int64(doc_off[docs[j]]), np.int64(doc_off[docs[j] + 1])
        ct, ut = canon[s:e], units[s:e]
        lc = e - s
        whole = inside(q, ct)
        exact[j] = lc == lq and whole
        lcs = _lcs(q, q_chars, q_masks, ct)
        cov = lcs / lq
        contig = 1.0 if whole or inside(ct, q) else 0.75 * cov
        char_sim = 0.5 * cov + 0.5 * contig
        for a in range(n_alts):
            ua = alts[alt_off[a] : alt_off[a + 1]]
            lu = len(ua)
            ulcs = _lcs(ua, a_keys[a], a_masks[a], ut)
            ucov = ulcs / lu
            ucontig = 1.0 if inside(ua, ut) or inside(ut, ua) else 0.75 * ucov
            unit_sim = 0.5 * ucov + 0.5 * ucontig
            by_chars = 100 * (0.55 * char_sim + 0.30 * unit_sim + 0.15 * lcs / lc)
            by_units = 100 * (0.85 * unit_sim + 0.15 * ulcs / lc)
            if lu == lq:  # Chinese: pinyin only helps the characters along
                value, pinyin = by_chars, unit_sim > char_sim + 0.2
            else:  # typed pinyin, or Latin letters
                value = max(by_chars, by_units * 0.97)
                pinyin = by_units * 0.97 > by_chars
            if a == 0 or value > scores[j]:  # another reading of ambiguous pinyin
                by_pinyin[j] = pinyin
                scores[j] = value
    return scores, by_pinyin, exact


@njit(cache=True, nogil=True)
def rerank(
    queries: np.ndarray,
    q_off: np.ndarray,
    docs: np.ndarray,
    texts: np.ndarray,
    doc_off: np.ndarray,
    scores: np.ndarray,
) -> np.ndarray:
    """Positions of the documents, best first, after a closer look at the leaders; the
    scores are rescaled in place (the leaders' extra on top of three quarters)."""
    order = np.argsort(-scores, kind="mergesort")
    head = order[:RERANK]
    extra = np.zeros(len(head), dtype=np.float64)
    longest = 0
    for h in range(len(head)):
        d = docs[head[h]]
        longest = max(longest, np.int64(doc_off[d + 1]) - np.int64(doc_off[d]))
    table = np.empty((np.max(np.diff(q_off)) + 1, longest + 1), dtype=np.int64)
    taken = np.zeros(_SLOTS, dtype=np.int64)
    for a in range(len(q_off) - 1):
        query = queries[q_off[a] : q_off[a + 1]]
        lq = len(query)
        keys, masks = _pattern(query)
        for h in range(len(head)):
            d = docs[head[h]]
            text = texts[np.int64(doc_off[d]) : np.int64(doc_off[d + 1])]
            if lq <= 64:
                shared = _shared(keys, masks, text, taken)
            else:  # past the table's reach: sort both
                shared = _lcs_table(np.sort(query), np.sort(text))
            # edits beyond those that only make up the difference in length: 0 when the
            # query sits inside the name, 1 for a swapped pair or one wrong character
            excess = max(_osa(query, text, table) - abs(len(text) - lq), 0)
            near = max(1.0 - excess / lq, 0.0)
            extra[h] = max(extra[h], 15.0 * shared / lq + 10.0 * near)
    scores *= 0.75  # the same scale for the rest, which get no extra
    head_scores = np.empty(len(head), dtype=np.float64)
    for h in range(len(head)):
        scores[head[h]] += extra[h]
        head_scores[h] = -scores[head[h]]
    out = order.copy()
    out[: len(head)] = head[np.argsort(head_scores, kind="mergesort")]
    return out


@njit(cache=True, nogil=True)
def rank_docs(
    q: np.ndarray,
    alts: np.ndarray,
    alt_off: np.ndarray,
    chinese: bool,
    docs: np.ndarray,
    doc_slot: np.ndarray,
    alive: np.ndarray,
    canon: np.ndarray,
    units: np.ndarray,
    doc_off: np.ndarray,
    limit: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best ``limit`` names among the candidate documents that are still alive, best
    first, one document per name: (documents, slots, scores, by pinyin, exact text).
    Chinese queries are reranked on characters, typed pinyin on its syllables."""
    kept = np.empty(len(docs), dtype=np.int64)
    n = 0
    for d in docs:
        if alive[doc_slot[d]]:
            kept[n] = d
            n += 1
    kept = kept[:n]
    scores, by_pinyin, exact = score(q, alts, alt_off, kept, canon, units, doc_off)
    if chinese:
        q_off = np.array([0, len(q)], dtype=np.int64)
        order = rerank(q, q_off, kept, canon, doc_off, scores)
    else:  # typed pinyin: compare syllables, not letters
        order = rerank(alts, alt_off, kept, units, doc_off, scores)
    picks = np.empty(min(limit, n), dtype=np.int64)
    slots = np.empty(min(limit, n), dtype=np.int64)
    k = 0
    for i in order:
        if k == len(picks):
            break
        slot = np.int64(doc_slot[kept[i]])
        fresh = True
        for j in range(k):
            if slots[j] == slot:
                fresh = False
                break
        if fresh:
            picks[k] = i
            slots[k] = slot
            k += 1
    picks, slots = picks[:k], slots[:k]
    return kept[picks], slots, scores[picks], by_pinyin[picks], exact[picks]
