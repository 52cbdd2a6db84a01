"""Memory of labelled examples: the nearest-neighbour layer of the router.

Every example (a case staff transferred to the right department, or a seed
example) is stored as a bag of content words. A new text is compared with
them by cosine similarity with idf weights, computed over the examples held,
so words every example shares count for little. The layer is explainable by
construction: it can always name the earlier case it followed.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")

# Function words that make texts look alike without saying anything.
STOPWORDS = frozenset(
    """
    我们 你们 他们 她们 它们 自己 这个 那个 这家 那家 这种 一个 一下 一直 一样 什么 怎么 为什么
    没有 不是 就是 还是 但是 可是 因为 所以 而且 然后 现在 已经 今天 昨天 上次 时候 还有 这样
    可以 不能 知道 觉得 感觉 真的 非常 特别 太多 结果 说是 东西 问题 事情 一点 起来 出来 回来
    the and for with that this was were are have has had not but you your they them their from
    about into been just very there what when which who how can could would should will
    """.split()
)


@dataclass(frozen=True, slots=True)
class Example:
    """A text whose department (and optionally kind) a person has decided."""

    text: str
    department: str
    kind: str | None = None
    confirmed: bool = False  # a supervisor confirmed it: it steers similar texts on its own


def content_features(tokens: Sequence[str], stems: Sequence[str]) -> set[str]:
    """Words that carry meaning: Chinese tokens of two characters or more, English stems."""
    feats = {t for t in tokens if len(t) >= 2 and _HAN.fullmatch(t) and t not in STOPWORDS}
    feats.update(s for s in stems if len(s) >= 3 and s not in STOPWORDS)
    return feats


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An example and its cosine similarity to the text routed."""

    similarity: float
    example: Example


class ExampleMemory:
    """An inverted index of examples; adding is cheap, searching touches only shared words."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._examples: list[Example] = []
        self._features: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._norms: list[float] = []
        self._norms_for = -1  # number of examples the cached norms were computed for

    def __len__(self) -> int:
        return len(self._examples)

    def add(self, example: Example, features: Iterable[str]) -> None:
        """Store an example under its content words."""
        feats = frozenset(features)
        with self._lock:
            idx = len(self._examples)
            self._examples.append(example)
            self._features.append(feats)
            for f in feats:
                self._postings.setdefault(f, []).append(idx)

    def _idf(self, feature: str, n: int) -> float:
        return math.log((n + 1) / (len(self._postings.get(feature, ())) + 1)) + 1.0

    def _refresh_norms(self, n: int) -> None:
        # idf depends on every example, so norms are recomputed after additions,
        # once, on the next search (staff corrections are rare next to routing).
        idf = {f: self._idf(f, n) for f in self._postings}
        self._norms = [
            math.sqrt(sum(idf[f] ** 2 for f in feats)) or 1.0 for feats in self._features
        ]
        self._norms_for = n

    def nearest(self, features: Iterable[str], k: int = 3) -> list[Neighbour]:
        """The ``k`` most similar examples, most similar first (similarity in [0, 1])."""
        feats = set(features)
        with self._lock:
            n = len(self._examples)
            if not n or not feats:
                return []
            if self._norms_for != n:
                self._refresh_norms(n)
            dots: dict[int, float] = {}
            query_norm = 0.0
            for f in feats:
                w = self._idf(f, n)
                query_norm += w * w
                for idx in self._postings.get(f, ()):
                    dots[idx] = dots.get(idx, 0.0) + w * w
            if not dots:
                return []
            query_norm = math.sqrt(query_norm)
            ranked = sorted(
                ((dot / (query_norm * self._norms[idx]), idx) for idx, dot in dots.items()),
                reverse=True,
            )
            return [Neighbour(sim, self._examples[idx]) for sim, idx in ranked[:k]]
