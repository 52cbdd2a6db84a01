"""A business-name candidate's features: their names, to train on, and their weights, to score.

The features (``nlp.mentions`` explains them) are named for training; to
score a text's candidates, the same weights are looked up and added in the
same order without building the names, and what depends only on where a
span starts or ends is looked up once per text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
SENTENCE = frozenset("，。！？；：、,.!?;:\n【】[] ")
BRACKETS = frozenset("（）()")
_DETERMINER = re.compile("一家|这家|那家|某|一个|附近|楼下|门口")
_DETERMINER_FIRST = frozenset("一这那某附楼门")  # a body without these holds no determiner
# Characters that belong to the sentence around a name rather than to the name.
_FUNCTION = frozenset(
    "的了把是在说要我你他她们这那买卖给让被跟到去还就都也不没很从向对叫拿找问和与或"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span that may be a business name, and how it was found."""

    start: int
    end: int
    source: str  # quoted / typed / brand / english / lead / object
    type_word: str = ""


class CandidateFeatures:
    """Names and weighs the features of candidates; ``weights`` must not change afterwards."""

    def __init__(
        self, places: tuple[str, ...], generic: set[str], weights: Mapping[str, float]
    ) -> None:
        self._places = places
        # places by their first character, so a body is compared with a few of them
        self._places_by_first: dict[str, tuple[str, ...]] = {}
        for place in places:
            if place:
                self._places_by_first[place[0]] = (*self._places_by_first.get(place[0], ()), place)
        self._empty_place = "" in places
        self._generic = generic
        self.weights = weights
        # the first features of a candidate, by (source, type word, body length)
        self._heads: dict[tuple[str, str, int], tuple[str, ...]] = {}
        self._head_weights: dict[tuple[str, str, int], tuple[float, ...]] = {}
        self._around: dict[tuple[str, str], float] = {}
        self._type_first: dict[tuple[str, bool], float] = {}
        self._fixed: tuple | None = None  # see _constants

    def names(self, text: str, c: Candidate) -> list[str]:
        """The features of one candidate, as names with value 1."""
        start, end, source, type_word = c.start, c.end, c.source, c.type_word
        span = text[start:end]
        body = span[: len(span) - len(type_word)] if type_word else span
        before = text[max(0, start - 2) : start]
        after = text[end : end + 2]
        prev, nxt = before[-1:], after[:1]
        n = min(len(body), 8)
        head = self._heads.get((source, type_word, n))
        if head is None:
            head = self._heads[(source, type_word, n)] = (
                "bias",
                f"src={source}",
                f"type={type_word}" if type_word else "type=none",
                f"type_len={len(type_word)}",
                f"src_type={source}:{bool(type_word)}",
                f"len={n}",
                f"src_len={source}:{n}",
            )
        feats = [
            *head,
            f"prev1={prev or '^'}",
            f"prev2={before or '^'}",
            f"next1={nxt or '$'}",
            f"next2={after or '$'}",
            f"first={span[:1]}",
            f"bodyfirst={body[:1]}",
            f"bodylast={body[-1:]}",
            f"boundary={start == 0 or prev in SENTENCE or _boundary(text, start)}",
        ]
        if source == "typed" and body:
            feats.append(f"type_first={type_word}:{body[:1] in _FUNCTION}")
        if not _FUNCTION.isdisjoint(body):
            feats.append("body_has_function_char")
            at = next(i for i, ch in enumerate(body) if ch in _FUNCTION)
            feats.append(f"body_function_at={min(at, 4)}")
        if not BRACKETS.isdisjoint(span):
            feats.append(f"brackets={span[-1] in '）)'}:{body.count('（') + body.count('(')}")
        if _DETERMINER.search(body):
            feats.append("body_has_determiner")
        if body.startswith(self._places):
            feats.append("starts_with_place")
        if span.casefold() in self._generic or (type_word and not body):
            feats.append("generic")
        if not _HAN.search(span):
            feats.append("latin")
            feats.append(f"words={min(len(span.split()), 5)}")
        if any(map(str.isdigit, span)):
            feats.append("digit")
        if start and prev in "“\"「『《‘'":
            feats.append("in_quotes")
        if nxt in "（(":
            feats.append("branch_follows")
        if before.endswith(("叫", "名叫", "名为", "叫做")):
            feats.append("named_by_verb")
        if before.endswith(("一家", "这家", "那家", "某", "某某")):
            feats.append("after_determiner")
        feats.append(f"pos={min(start * 5 // max(len(text), 1), 4)}")
        # coarse neighbours generalise where the exact character was never seen
        prev_class, next_class = _char_class(prev), _char_class(nxt)
        feats.append(f"prev_class={prev_class}")
        feats.append(f"next_class={next_class}")
        feats.append(f"around={prev_class}:{next_class}")
        if prev and prev in "在到从跟找去给叫是往向":
            feats.append("after_preposition")
            feats.append(f"after_preposition:{source}")
        if nxt and nxt in "的买卖了里家店把被让说还":
            feats.append("before_particle")
        return feats

    def total(self, text: str, c: Candidate, near: dict[tuple[str, int], tuple]) -> float:
        """The weights of :meth:`names`, added in the same order, without naming them.

        What depends only on the start or only on the end of the span is looked
        up once per text (``near``); the sum is the same, float for float.
        """
        return self.span_total(text, c.start, c.end, c.source, c.type_word, near)

    def _constants(self) -> tuple:
        """The weights of the features whose names do not depend on the text."""
        if self._fixed is None:
            get = self.weights.get
            classes = ("edge", "punct", "han", "digit", "latin", "other")
            self._fixed = (
                {b: get(f"boundary={b}", 0.0) for b in (True, False)},
                (get("in_quotes", 0.0),),
                (get("named_by_verb", 0.0),),
                (get("after_determiner", 0.0),),
                tuple(get(f"pos={i}", 0.0) for i in range(5)),
                {k: get(f"prev_class={k}", 0.0) for k in classes},
                (get("after_preposition", 0.0),),
                (get("branch_follows", 0.0),),
                {k: get(f"next_class={k}", 0.0) for k in classes},
                (get("before_particle", 0.0),),
                tuple(get(f"body_function_at={i}", 0.0) for i in range(5)),
            )
        return self._fixed

    def span_total(
        self,
        text: str,
        start: int,
        end: int,
        source: str,
        type_word: str,
        near: dict[tuple[str, int], tuple],
    ) -> float:
        """:meth:`total` of the candidate ``text[start:end]`` found by ``source``."""
        get = self.weights.get
        span = text[start:end]
        body = span[: len(span) - len(type_word)] if type_word else span
        n = min(len(body), 8)
        head = self._head_weights.get((source, type_word, n))
        if head is None:
            head = self._head_weights[(source, type_word, n)] = (
                get("bias", 0.0),
                get(f"src={source}", 0.0),
                get(f"type={type_word}" if type_word else "type=none", 0.0),
                get(f"type_len={len(type_word)}", 0.0),
                get(f"src_type={source}:{bool(type_word)}", 0.0),
                get(f"len={n}", 0.0),
                get(f"src_len={source}:{n}", 0.0),
            )
        left = near.get(("<", start))
        if left is None:
            left = near[("<", start)] = self._left(text, start)
        right = near.get((">", end))
        if right is None:
            right = near[(">", end)] = self._right(text, end)
        # left: prev1, prev2, boundary, in_quotes, named_by_verb, after_determiner,
        #       pos, prev_class, after_preposition, class, first, bodyfirst
        # right: next1, next2, branch_follows, next_class, before_particle, class index
        z = [
            *head,
            left[0],
            left[1],
            right[0],
            right[1],
            left[10] if span else get("first=", 0.0),
            left[11] if body else get("bodyfirst=", 0.0),
            get(f"bodylast={body[-1:]}", 0.0),
            left[2],
        ]
        if source == "typed" and body:
            key = (type_word, body[0] in _FUNCTION)
            w = self._type_first.get(key)
            if w is None:
                w = self._type_first[key] = get(f"type_first={key[0]}:{key[1]}", 0.0)
            z.append(w)
        if not _FUNCTION.isdisjoint(body):
            z.append(get("body_has_function_char", 0.0))
            at = next(i for i, ch in enumerate(body) if ch in _FUNCTION)
            z.append(self._constants()[10][min(at, 4)])
        if not BRACKETS.isdisjoint(span):
            brackets = f"brackets={span[-1] in '）)'}:{body.count('（') + body.count('(')}"
            z.append(get(brackets, 0.0))
        if not _DETERMINER_FIRST.isdisjoint(body) and _DETERMINER.search(body):
            z.append(get("body_has_determiner", 0.0))
        places = self._places_by_first.get(body[:1])
        if self._empty_place or (places is not None and body.startswith(places)):
            z.append(get("starts_with_place", 0.0))
        if span.casefold() in self._generic or (type_word and not body):
            z.append(get("generic", 0.0))
        if not _HAN.search(span):
            z.append(get("latin", 0.0))
            z.append(get(f"words={min(len(span.split()), 5)}", 0.0))
        if any(map(str.isdigit, span)):
            z.append(get("digit", 0.0))
        z += left[3]  # in_quotes
        z += right[2]  # branch_follows
        z += left[4]  # named_by_verb
        z += left[5]  # after_determiner
        z.append(left[6])  # pos
        z.append(left[7])  # prev_class
        z.append(right[3])  # next_class
        around = self._around.get((left[9], right[5]))
        if around is None:
            around = self._around[(left[9], right[5])] = get(f"around={left[9]}:{right[5]}", 0.0)
        z.append(around)
        if left[8]:
            z.append(left[8][0])
            z.append(get(f"after_preposition:{source}", 0.0))
        z += right[4]  # before_particle
        return sum(z)

    def _left(self, text: str, start: int) -> tuple:
        """The weights of the features that depend only on where a span starts."""
        get = self.weights.get
        (boundary_w, quotes, named, determiner, pos, prev_w, preposition) = self._constants()[:7]
        before = text[max(0, start - 2) : start]
        prev = before[-1:]
        prev_class = _CLASSES.get(prev) or _char_class(prev)
        boundary = start == 0 or prev in SENTENCE or _boundary(text, start)
        first = text[start : start + 1]
        return (
            get(f"prev1={prev or '^'}", 0.0),
            get(f"prev2={before or '^'}", 0.0),
            boundary_w[boundary],
            quotes if start and prev in "“\"「『《‘'" else (),
            named if before.endswith(("叫", "名叫", "名为", "叫做")) else (),
            determiner if before.endswith(("一家", "这家", "那家", "某", "某某")) else (),
            pos[min(start * 5 // max(len(text), 1), 4)],
            prev_w[prev_class],
            preposition if prev and prev in "在到从跟找去给叫是往向" else (),
            prev_class,
            get(f"first={first}", 0.0),  # when the span is not empty
            get(f"bodyfirst={first}", 0.0),  # when the body is not empty
        )

    def _right(self, text: str, end: int) -> tuple:
        """The weights of the features that depend only on where a span ends."""
        get = self.weights.get
        fixed = self._constants()
        after = text[end : end + 2]
        nxt = after[:1]
        next_class = _CLASSES.get(nxt) or _char_class(nxt)
        return (
            get(f"next1={nxt or '$'}", 0.0),
            get(f"next2={after or '$'}", 0.0),
            fixed[7] if nxt in "（(" else (),
            fixed[8][next_class],
            fixed[9] if nxt and nxt in "的买卖了里家店把被让说还" else (),
            next_class,
        )


def sigmoid(z: float) -> float:
    """The logistic function, its argument clipped to ±30."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _char_class(ch: str) -> str:
    cls = _CLASSES.get(ch)
    if cls is None:
        cls = _CLASSES[ch] = _classify_char(ch)
    return cls


_CLASSES: dict[str, str] = {}  # character -> its class, filled on use


def _classify_char(ch: str) -> str:
    if not ch:
        return "edge"
    if ch in SENTENCE or ch in "“”\"「」『』《》‘’'":
        return "punct"
    if _HAN.match(ch):
        return "han"
    if ch.isdigit():
        return "digit"
    return "latin" if ch.isascii() and ch.isalpha() else "other"


def _boundary(text: str, i: int) -> bool:
    """Whether a name may start at ``i``: after a sentence word or at a script change."""
    prev, cur = text[i - 1], text[i]
    if prev in _FUNCTION or prev.isdigit() or prev.isspace():
        return True
    return bool(_HAN.match(prev)) != bool(_HAN.match(cur))
