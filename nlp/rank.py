"""Scoring a shortlist of candidate names against a query (for ``nlp.lookup``).

Two passes: ``score`` rates every candidate by how much of the query it covers,
in characters and in pinyin, whole or scattered; ``rerank`` then looks closer at
the leaders, where a swapped pair and a wrong character would otherwise tie.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, LCSseq

RERANK = 60  # leaders checked for the characters they share regardless of order


def score(
    canon: str, units: str, c_texts: list[str], u_texts: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Scores in 0-100 and whether pinyin rather than characters carried each one."""
    lq, lu = len(canon), len(units)
    lc = np.fromiter((len(t) for t in c_texts), dtype=np.float64, count=len(c_texts))
    lcs = process.cdist([canon], c_texts, scorer=LCSseq.similarity, dtype=np.int32)[0]
    ulcs = process.cdist([units], u_texts, scorer=LCSseq.similarity, dtype=np.int32)[0]
    cov = lcs / lq
    ucov = ulcs / lu
    # the whole query inside the name (or the whole name inside a noisy query) is worth
    # more than the same characters scattered
    inside = np.fromiter((canon in t or t in canon for t in c_texts), dtype=bool)
    u_inside = np.fromiter((units in t or t in units for t in u_texts), dtype=bool)
    contig = np.where(inside, 1.0, 0.75 * cov)
    ucontig = np.where(u_inside, 1.0, 0.75 * ucov)
    char_sim = 0.5 * cov + 0.5 * contig
    unit_sim = 0.5 * ucov + 0.5 * ucontig
    by_chars = 100 * (0.55 * char_sim + 0.30 * unit_sim + 0.15 * lcs / lc)
    by_units = 100 * (0.85 * unit_sim + 0.15 * ulcs / lc)
    if len(units) == len(canon):  # Chinese: pinyin only helps the characters along
        return by_chars, unit_sim > char_sim + 0.2
    scores = np.maximum(by_chars, by_units * 0.97)  # typed pinyin, or Latin letters
    return scores, by_units * 0.97 > by_chars


def rerank(queries: list[str], texts: list[str], scores: np.ndarray) -> list[int]:
    """Candidate positions, best first, after a closer look at the leaders.

    Character order counts in the first score, so a swapped pair costs as much as a wrong
    character. Among the leaders, the name that has every character of the query, and
    that a single transposition turns into it, wins.
    """
    order = np.argsort(-scores, kind="stable")
    head = order[:RERANK].tolist()
    lead = [texts[i] for i in head]
    bags = ["".join(sorted(t)) for t in lead]
    extra = np.zeros(len(head))
    lengths = np.fromiter((len(t) for t in lead), dtype=np.int64, count=len(lead))
    for query in queries:
        shared = process.cdist(["".join(sorted(query))], bags, scorer=LCSseq.similarity)[0]
        # edits beyond those that only make up the difference in length: 0 when the
        # query sits inside the name, 1 for a swapped pair or one wrong character
        edits = process.cdist([query], lead, scorer=OSA.distance, dtype=np.int64)[0]
        excess = np.maximum(edits - np.abs(lengths - len(query)), 0)
        near = np.maximum(1.0 - excess / len(query), 0.0)
        extra = np.maximum(extra, 15.0 * shared / len(query) + 10.0 * near)
    scores *= 0.75  # the same scale for the rest, which get no extra
    scores[head] += extra
    return sorted(head, key=lambda i: -scores[i]) + order[RERANK:].tolist()
