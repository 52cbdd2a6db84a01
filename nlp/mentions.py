"""The business a citizen names, registered or not: 好又多超市, “美颜坊”, 顺丰, Golden Dragon.

Finding a name is two steps:

1. **candidates**, generated generously: quoted spans; spans that end in a
   business-type word (超市, 足浴城, 旅行社, 有限公司 …) starting at every word
   boundary up to a dozen characters back; known brands; capitalised English
   words, quoted or before a business word;
2. **a learned choice**: each candidate is described by plain features (how
   it was found, its type word, the characters just before and after it, its
   length, whether it starts with a place name or a sentence word) and a
   logistic regression trained on the corpus's labelled mentions scores it.
   The best candidate is the business, unless even it scores below the
   threshold chosen on the tuning split: then the text names none
   (“楼下一家超市” describes a shop, it does not name one).

The scorer is a dictionary of feature weights (``nlp/data/mention_model.json``),
trained by ``zhixin route train`` together with the router; the features
themselves are named and weighed in ``nlp.mention_features``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from itertools import repeat
from pathlib import Path

from nlp.company import DEFAULT_DATA, CompanyMention
from nlp.keywords import trie_pattern
from nlp.mention_features import BRACKETS, SENTENCE, Candidate, CandidateFeatures, sigmoid
from nlp.text import to_simplified

DEFAULT_MODEL = Path(__file__).with_name("data") / "mention_model.json"
MAX_BODY = 12  # characters before a type word that may still belong to the name
_QUOTED = re.compile(r"[“\"「『《‘']([^“”\"「」『』《》‘’'\n]{2,30})[”\"」』》’']")
_EN_RUN = re.compile(
    r"(?=[A-Zoa&])\b(?:[A-Z][\w&'.-]*|of|and|&)(?:\s+(?:[A-Z][\w&'.-]*|of|and|&))*"
)
_BRANCH = re.compile(r"[（(][^（）()]{1,10}[）)]")
_CLAUSE_SUBJECT = re.compile(
    r"(?:^|(?<=[，。！？；：\n【】 ]))([^，。！？；：\n【】 的了在把是我你他她]{2,10})的"
)
_PLACE_OBJECT = re.compile(
    r"[在从跟找去到给叫]([^，。！？；：\n【】 的了在把是我你他她]{2,10}?)"
    r"(?=[吃买办充报点订住做修装租看拿交签借用坐打洗剪烫理上])"
)


class MentionFinder:
    """Finds the business a text names; ``find`` returns the best candidate or None."""

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        threshold: float | None = None,
        data: Path | str | None = None,
    ) -> None:
        with Path(data or DEFAULT_DATA).open("rb") as fh:
            lists = tomllib.load(fh)
        types = {
            *lists.get("formal_suffixes", []),
            *lists.get("suffixes_zh", []),
            *lists.get("mention_types", []),
        }
        self._types = sorted((t.casefold() for t in types), key=len, reverse=True)
        self._type_re = re.compile(
            _first_chars(self._types) + trie_pattern(self._types), re.IGNORECASE
        )
        brands = sorted(lists.get("brands_zh", []), key=len, reverse=True)
        # (a plain alternation of literals is skipped through in C already: no look-ahead)
        self._brand_re = re.compile("|".join(re.escape(b) for b in brands)) if brands else None
        brands_en = sorted(lists.get("brands_en", []), key=len, reverse=True)
        self._brand_en = (
            re.compile(
                _first_chars(brands_en)
                + r"\b(?:"
                + "|".join(re.escape(b) for b in brands_en)
                + r")\b"
            )
            if brands_en
            else None
        )
        self._en_types = {s.casefold().rstrip(".") for s in lists.get("suffixes_en", [])}
        self._places = tuple(lists.get("places", []))
        self._generic = {g.casefold() for g in lists.get("generic", [])}
        if weights is None:
            model = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
            weights, threshold = model["weights"], model["threshold"]
        self.weights = weights
        self.threshold = 0.5 if threshold is None else threshold
        self._features = CandidateFeatures(self._places, self._generic, self.weights)

    # -- candidates --------------------------------------------------------------

    def candidates(self, text: str) -> list[Candidate]:
        """Every span of ``text`` that might be a business name."""
        return [Candidate(*span) for span in self._spans(text)]

    def _spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """:meth:`candidates` as (start, end, source, type word) tuples."""
        # Traditional characters are matched through their Simplified forms;
        # spans keep the text's own offsets (the conversion is per character).
        text = simplified_view(text)
        out: dict[tuple[int, int], tuple[int, int, str, str]] = {}

        def add(start: int, end: int, source: str, type_word: str = "") -> None:
            if end - start >= 2 and (start, end) not in out:
                out[(start, end)] = (start, end, source, type_word)

        for m in _QUOTED.finditer(text):
            inner = m.group(1)
            lead = len(inner) - len(inner.lstrip())
            add(m.start(1) + lead, m.start(1) + len(inner.rstrip()), "quoted")
        for m in self._type_re.finditer(text):
            end = m.end()
            word = m.group(0).casefold()
            lo = max(0, m.start() - MAX_BODY)
            # a branch in brackets after the type word belongs to the name: 麻辣烫（龙江店）
            close = _BRANCH.match(text, end)
            ends = [end, close.end()] if close else [end]
            for start in range(m.start() - 1, lo - 1, -1):
                if text[start] in SENTENCE:
                    break
                if text[start] in BRACKETS and start == m.start() - 1:
                    break
                for stop in ends:
                    if stop - start >= 2 and (start, stop) not in out:
                        out[(start, stop)] = (start, stop, "typed", word)
            if m.start() and text[m.start() - 1] in "（(":
                continue
        # A name without a type word: the start of a clause before 的 (格力的空调),
        # or the object of 在/跟/找 … before the verb (在全聚德吃饭).
        for m in _CLAUSE_SUBJECT.finditer(text):
            add(m.start(1), m.end(1), "lead")
        for m in _PLACE_OBJECT.finditer(text):
            add(m.start(1), m.end(1), "object")
        if self._brand_re is not None:
            for m in self._brand_re.finditer(text):
                add(m.start(), m.end(), "brand")
                t = self._type_re.match(text, m.end())
                if t:
                    add(m.start(), t.end(), "brand", t.group(0).casefold())
        if self._brand_en is not None:
            for m in self._brand_en.finditer(text):
                add(m.start(), m.end(), "brand")
        for m in _EN_RUN.finditer(text):
            # every run of whole words ending where the capitalised run ends
            words = [w for w in re.finditer(r"\S+", m.group(0))]
            while words and words[-1].group(0) in ("of", "and", "&"):
                words.pop()
            if not words:
                continue
            end = m.start() + words[-1].end()
            last = words[-1].group(0).casefold().rstrip(".,")
            type_word = last if last in self._en_types else ""
            for w in words[-5:]:
                if w.group(0) in ("of", "and", "&"):
                    continue
                add(m.start() + w.start(), end, "english", type_word)
        return list(out.values())

    # -- features ----------------------------------------------------------------

    def features(self, text: str, c: Candidate) -> list[str]:
        """The features of one candidate, as names with value 1."""
        return self._features.names(text, c)

    def _scored(self, text: str) -> list[tuple[float, Candidate]]:
        view = simplified_view(text)
        near: dict[tuple[str, int], tuple[float, ...]] = {}
        total = self._features.total
        return [(sigmoid(total(view, c, near)), c) for c in self.candidates(text)]

    def score(self, text: str, c: Candidate) -> float:
        """The probability that candidate ``c`` is the business the text is about."""
        return sigmoid(sum(map(self.weights.get, self.features(text, c), repeat(0.0))))

    def find(self, text: str) -> CompanyMention | None:
        """The business ``text`` names, or None."""
        view = simplified_view(text)
        near: dict[tuple[str, int], tuple[float, ...]] = {}
        total = self._features.span_total
        best, best_start, best_end = 0.0, -1, -1
        for start, end, source, type_word in self._spans(text):
            s = sigmoid(total(view, start, end, source, type_word, near))
            if best_start < 0 or s > best + 1e-9 or (abs(s - best) <= 1e-9 and start < best_start):
                best, best_start, best_end = s, start, end
        if best_start < 0 or best < self.threshold:
            return None
        return CompanyMention(text[best_start:best_end], best_start, best_end)


def _first_chars(words: Iterable[str]) -> str:
    """A look-ahead for the characters ``words`` start with: a scan then skips the other
    positions in C instead of trying every word there ("" when any position may match)."""
    words = list(words)
    if not words or not all(words):
        return ""
    return "(?=[" + "".join(sorted({re.escape(w[0]) for w in words})) + "])"


def simplified_view(text: str) -> str:
    """The text in Simplified characters when the conversion keeps every offset, else as is.

    Names are matched and scored on this view; spans keep the text's own offsets.
    """
    simple = to_simplified(text)
    return simple if len(simple) == len(text) else text


def training_pairs(
    finder: MentionFinder, rows: Iterable[tuple[str, str | None]]
) -> tuple[list[list[str]], list[int]]:
    """Features and 0/1 labels of every candidate in labelled ``(text, company)`` rows."""
    xs: list[list[str]] = []
    ys: list[int] = []
    for text, company in rows:
        view = simplified_view(text)
        for c in finder.candidates(text):
            xs.append(finder.features(view, c))
            ys.append(int(company is not None and text[c.start : c.end] == company))
    return xs, ys


def span_accuracy(
    finder: MentionFinder, rows: Sequence[tuple[str, str | None]]
) -> dict[str, float]:
    """Exact-span accuracy on named texts, and how often unnamed texts get no name."""
    named = [(t, c) for t, c in rows if c]
    unnamed = [t for t, c in rows if not c]
    hits = 0
    for t, c in named:
        m = finder.find(t)
        hits += m is not None and m.text == c
    clean = sum(finder.find(t) is None for t in unnamed)
    return {
        "named": len(named),
        "named_accuracy": hits / len(named) if named else 0.0,
        "unnamed": len(unnamed),
        "unnamed_accuracy": clean / len(unnamed) if unnamed else 0.0,
        "accuracy": (hits + clean) / len(rows) if rows else 0.0,
    }
