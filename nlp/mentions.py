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
trained by ``zhixin route train`` together with the router.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from nlp.company import DEFAULT_DATA, CompanyMention
from nlp.keywords import trie_pattern
from nlp.text import to_simplified

DEFAULT_MODEL = Path(__file__).with_name("data") / "mention_model.json"
MAX_BODY = 12  # characters before a type word that may still belong to the name
_QUOTED = re.compile(r"[“\"「『《‘']([^“”\"「」『』《》‘’'\n]{2,30})[”\"」』》’']")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_RUN = re.compile(r"\b(?:[A-Z][\w&'.-]*|of|and|&)(?:\s+(?:[A-Z][\w&'.-]*|of|and|&))*")
_SENTENCE = frozenset("，。！？；：、,.!?;:\n【】[] ")
_BRACKETS = frozenset("（）()")
_BRANCH = re.compile(r"[（(][^（）()]{1,10}[）)]")
_DETERMINER = re.compile("一家|这家|那家|某|一个|附近|楼下|门口")
_CLAUSE_SUBJECT = re.compile(
    r"(?:^|(?<=[，。！？；：\n【】 ]))([^，。！？；：\n【】 的了在把是我你他她]{2,10})的"
)
_PLACE_OBJECT = re.compile(
    r"[在从跟找去到给叫]([^，。！？；：\n【】 的了在把是我你他她]{2,10}?)"
    r"(?=[吃买办充报点订住做修装租看拿交签借用坐打洗剪烫理上])"
)
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
        self._type_re = re.compile(trie_pattern(self._types), re.IGNORECASE)
        brands = sorted(lists.get("brands_zh", []), key=len, reverse=True)
        self._brand_re = re.compile("|".join(re.escape(b) for b in brands)) if brands else None
        brands_en = sorted(lists.get("brands_en", []), key=len, reverse=True)
        self._brand_en = (
            re.compile(r"\b(?:" + "|".join(re.escape(b) for b in brands_en) + r")\b")
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
        # the first features of a candidate, by (source, type word, body length)
        self._heads: dict[tuple[str, str, int], tuple[str, ...]] = {}

    # -- candidates --------------------------------------------------------------

    def candidates(self, text: str) -> list[Candidate]:
        """Every span of ``text`` that might be a business name."""
        # Traditional characters are matched through their Simplified forms;
        # spans keep the text's own offsets (the conversion is per character).
        text = simplified_view(text)
        out: dict[tuple[int, int], Candidate] = {}

        def add(c: Candidate) -> None:
            if c.end - c.start >= 2 and (c.start, c.end) not in out:
                out[(c.start, c.end)] = c

        for m in _QUOTED.finditer(text):
            inner = m.group(1)
            lead = len(inner) - len(inner.lstrip())
            add(Candidate(m.start(1) + lead, m.start(1) + len(inner.rstrip()), "quoted"))
        for m in self._type_re.finditer(text):
            end = m.end()
            word = m.group(0).casefold()
            lo = max(0, m.start() - MAX_BODY)
            # a branch in brackets after the type word belongs to the name: 麻辣烫（龙江店）
            close = _BRANCH.match(text, end)
            ends = [end, close.end()] if close else [end]
            for start in range(m.start() - 1, lo - 1, -1):
                if text[start] in _SENTENCE:
                    break
                if text[start] in _BRACKETS and start == m.start() - 1:
                    break
                for stop in ends:
                    if stop - start >= 2 and (start, stop) not in out:
                        out[(start, stop)] = Candidate(start, stop, "typed", word)
            if m.start() and text[m.start() - 1] in "（(":
                continue
        # A name without a type word: the start of a clause before 的 (格力的空调),
        # or the object of 在/跟/找 … before the verb (在全聚德吃饭).
        for m in _CLAUSE_SUBJECT.finditer(text):
            add(Candidate(m.start(1), m.end(1), "lead"))
        for m in _PLACE_OBJECT.finditer(text):
            add(Candidate(m.start(1), m.end(1), "object"))
        if self._brand_re is not None:
            for m in self._brand_re.finditer(text):
                add(Candidate(m.start(), m.end(), "brand"))
                t = self._type_re.match(text, m.end())
                if t:
                    add(Candidate(m.start(), t.end(), "brand", t.group(0).casefold()))
        if self._brand_en is not None:
            for m in self._brand_en.finditer(text):
                add(Candidate(m.start(), m.end(), "brand"))
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
                add(Candidate(m.start() + w.start(), end, "english", type_word))
        return list(out.values())

    # -- features ----------------------------------------------------------------

    def features(self, text: str, c: Candidate) -> list[str]:
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
            f"boundary={start == 0 or prev in _SENTENCE or _boundary(text, start)}",
        ]
        if source == "typed" and body:
            feats.append(f"type_first={type_word}:{body[:1] in _FUNCTION}")
        if not _FUNCTION.isdisjoint(body):
            feats.append("body_has_function_char")
            at = next(i for i, ch in enumerate(body) if ch in _FUNCTION)
            feats.append(f"body_function_at={min(at, 4)}")
        if not _BRACKETS.isdisjoint(span):
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

    def _scored(self, text: str) -> list[tuple[float, Candidate]]:
        view = simplified_view(text)
        return [(self.score(view, c), c) for c in self.candidates(text)]

    def score(self, text: str, c: Candidate) -> float:
        """The probability that candidate ``c`` is the business the text is about."""
        z = sum(map(self.weights.get, self.features(text, c), repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def find(self, text: str) -> CompanyMention | None:
        """The business ``text`` names, or None."""
        best: tuple[float, Candidate] | None = None
        for s, c in self._scored(text):
            if (
                best is None
                or s > best[0] + 1e-9
                or (abs(s - best[0]) <= 1e-9 and c.start < best[1].start)
            ):
                best = (s, c)
        if best is None or best[0] < self.threshold:
            return None
        c = best[1]
        return CompanyMention(text[c.start : c.end], c.start, c.end)


def simplified_view(text: str) -> str:
    """The text in Simplified characters when the conversion keeps every offset, else as is.

    Names are matched and scored on this view; spans keep the text's own offsets.
    """
    simple = to_simplified(text)
    return simple if len(simple) == len(text) else text


def _char_class(ch: str) -> str:
    cls = _CLASSES.get(ch)
    if cls is None:
        cls = _CLASSES[ch] = _classify_char(ch)
    return cls


_CLASSES: dict[str, str] = {}  # character -> its class, filled on use


def _classify_char(ch: str) -> str:
    if not ch:
        return "edge"
    if ch in _SENTENCE or ch in "“”\"「」『』《》‘’'":
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
