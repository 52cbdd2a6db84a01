"""What the learned router sees in a text: its words, its characters and the rules' votes.

A text becomes two groups of features:

- **sparse text features**, counted: jieba words (``w:电梯``), Chinese character
  n-grams of one to three characters inside runs of Chinese (``c:发霉``), English
  stems and stem pairs (``e:refund``, ``e2:switch plan``);
- **dense evidence**, one value each: the registry keywords' score for every
  department (``r:zhijian``) and the kind cues' score for every kind
  (``k:tip``). The hand-written rules are thus inputs the model weighs from
  data, not the decision itself.

Character n-grams make the model robust to misspellings and words jieba does
not know (a shop's name, a dialect word); words carry meaning across
characters; the rule features carry the legal vocabulary from the registry.
"""

from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from nlp.analysis import Analyser, Analysis
from nlp.company import CompanyMention
from nlp.keywords import Evidence, KeywordMatcher, WordFinder
from nlp.kind import KINDS, KindClassifier
from nlp.mentions import MentionFinder
from nlp.registry import DepartmentSpec
from nlp.segment import Segmenter
from nlp.text import normalize, strip_identifiers

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORDISH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z0-9]")
MAX_NGRAM = 3
# Long letters are cut here: what decides a letter is in its first few hundred
# characters, and the cost of a text must stay bounded whatever is pasted in.
MAX_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class FeatureBag:
    """The features of one text: sparse counts and dense evidence values.

    The sparse counts are computed when asked for (:attr:`counts`, for
    training); routing counts the model's columns directly (:func:`text_columns`).
    """

    text: str
    tokens: Sequence[str]
    stems: Sequence[str]
    dense: dict[str, float]
    evidence: tuple[Evidence, ...]
    kind_cues: dict[str, str] = field(default_factory=dict)  # kind -> its strongest cue

    @property
    def counts(self) -> Counter[str]:
        """The counted sparse text features, by name."""
        return text_counts(self.text, self.tokens, self.stems)


def _grams(text: str) -> Iterator[str]:
    """The character n-gram features of ``text``, in the order :func:`text_counts` counts them."""
    for run in _HAN_RUN.findall(text[:MAX_CHARS]):
        n = len(run)
        for size in range(1, MAX_NGRAM + 1):
            for i in range(n - size + 1):
                yield "c:" + run[i : i + size]


def text_counts(text: str, tokens: Sequence[str], stems: Sequence[str]) -> Counter[str]:
    """Counted sparse features of normalised ``text`` with its jieba ``tokens`` and ``stems``."""
    counts: Counter[str] = Counter()
    for tok in tokens:
        if _WORDISH.search(tok) and not tok.isspace():
            counts["w:" + tok.strip()] += 1
    counts.update(_grams(text))
    for i, s in enumerate(stems):
        counts["e:" + s] += 1
        if i:
            counts[f"e2:{stems[i - 1]} {s}"] += 1
    return counts


class Columns:
    """A model's sparse columns, looked up from a text the way :func:`text_counts` names them.

    Counting straight into columns skips building the names of n-grams: the
    character n-grams are made and looked up by C-level ``map`` calls, and the
    features the model does not know are dropped.
    """

    def __init__(self, vocab: Sequence[str], index: Mapping[str, int], limit: int) -> None:
        self._index = index
        self._limit = limit
        self._grams = _gram_columns(vocab[:limit])  # n-gram body -> column
        self._words = _WordColumns(self._column)

    def _column(self, name: str) -> int | None:
        """The column of a sparse feature, or None when the model does not know it."""
        col = self._index.get(name)
        return col if col is not None and col < self._limit else None

    def count(self, bag: FeatureBag) -> dict[int, int]:
        """``bag``'s sparse counts by column; columns in the order their names are first counted.

        A vector built from them is therefore the same, value for value, as one
        built from :attr:`FeatureBag.counts`.
        """
        get = self._column
        cols: list[int | None] = list(map(self._words.__getitem__, bag.tokens))
        gram = self._grams.get
        for run in _HAN_RUN.findall(bag.text[:MAX_CHARS]):
            # one-, two- and three-character n-grams, in text_counts' order
            pairs = list(map(operator.add, run, run[1:]))
            cols.extend(map(gram, run))
            cols.extend(map(gram, pairs))
            cols.extend(map(gram, map(operator.add, pairs, run[2:])))
        stems = bag.stems
        for i, s in enumerate(stems):
            cols.append(get("e:" + s))
            if i:
                cols.append(get(f"e2:{stems[i - 1]} {s}"))
        counts: Counter[int | None] = Counter(cols)
        counts.pop(None, None)
        return counts  # type: ignore[return-value]


def _gram_columns(vocab: Sequence[str]) -> dict[str, int]:
    """The character n-gram features of a vocabulary: n-gram -> column (its place).

    Training sorts the vocabulary, so its ``c:`` names form one block, cut out
    and stripped of their prefix by string operations; any other vocabulary
    is walked name by name.
    """
    joined = "\n" + "\n".join(vocab)
    total = joined.count("\nc:")
    lo, hi = bisect_left(vocab, "c:"), bisect_left(vocab, "c;")  # ";" follows ":"
    if hi - lo == total:
        block = "\n" + "\n".join(vocab[lo:hi])
        if block.count("\nc:") == total:
            grams = block.replace("\nc:", "\n").split("\n")[1:]
            return dict(zip(grams, range(lo, hi), strict=True))
    return {name[2:]: col for col, name in enumerate(vocab) if name[:2] == "c:"}


class _WordColumns(dict[str, "int | None"]):
    """jieba token -> the column of its ``w:`` feature (None: not a feature), filled on use."""

    def __init__(self, column: Callable[[str], int | None]) -> None:
        super().__init__()
        self._column = column

    def __missing__(self, tok: str) -> int | None:
        col = None
        if _WORDISH.search(tok) and not tok.isspace():
            col = self._column("w:" + tok.strip())
        if len(self) > 200_000:
            self.clear()
        self[tok] = col
        return col


class Featurizer:
    """Turns an analysed text into a :class:`FeatureBag` using the registry's rules."""

    def __init__(self, registry: Sequence[DepartmentSpec]) -> None:
        self.departments = [spec.code for spec in registry]
        self._matcher = KeywordMatcher(registry)
        self._kinds = KindClassifier()
        self._words = WordFinder(self._matcher.scan_words() | self._kinds.scan_words())

    @property
    def matcher(self) -> KeywordMatcher:
        """The rule layer, whose vocabulary jieba keeps whole."""
        return self._matcher

    def kind_cues(self) -> frozenset[str]:
        """The kind cue words (举报, 退款, 请问 …), the words a kind reason may name."""
        return self._kinds.cue_words()

    def dense_names(self) -> list[str]:
        """Names of the dense features, in a fixed order."""
        return [f"r:{code}" for code in self.departments] + [f"k:{kind}" for kind in KINDS]

    def features(
        self,
        text: str,
        tokens: Sequence[str],
        stems: Sequence[str],
        discount: Sequence[tuple[int, int]] = (),
    ) -> FeatureBag:
        """Features of normalised ``text``; keywords inside ``discount`` spans count half."""
        text = text[:MAX_CHARS]
        # one scan finds the keywords, combo words and kind cues together
        joined = "".join(tokens)
        found = self._words.occurrences(joined) if joined.startswith(text) else None
        evidence = tuple(self._matcher.match(tokens, text, stems, discount, found))
        by_department: dict[str, float] = {}
        for ev in evidence:
            by_department[ev.department] = by_department.get(ev.department, 0.0) + ev.weight
        dense = {f"r:{d}": _squash(v) for d, v in by_department.items() if v > 0}
        present = None
        if found is not None:
            size = len(text)
            present = {w for at, w in found if at + len(w) <= size}
        vote = self._kinds.classify(text, stems, "", present)
        for kind, score in vote.scores.items():
            if score > 0:
                dense[f"k:{kind}"] = _squash(score)
        return FeatureBag(text, tokens, stems, dense, evidence, dict(vote.cues))


def _squash(value: float) -> float:
    # Scores add up over keywords; the logarithm keeps one long letter's dozen
    # keywords from outweighing everything else the model knows.
    return math.log1p(value)


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything the router reads off one text before deciding."""

    analysis: Analysis
    company: CompanyMention | None
    bag: FeatureBag


class Reader:
    """Analyses a text, finds the business it names and extracts its features.

    Training and routing both read texts through this one class, so the model
    sees at run time exactly the features it was trained on.
    """

    def __init__(
        self,
        registry: Sequence[DepartmentSpec],
        segmenter: Segmenter | None = None,
        mentions: MentionFinder | None = None,
    ) -> None:
        self.featurizer = Featurizer(registry)
        matcher = self.featurizer.matcher
        self.analyser = Analyser(matcher.vocabulary(), matcher.typo_vocabulary(), segmenter)
        self.companies = mentions or MentionFinder()

    def read(self, text: str, company_hint: str | None = None) -> Reading:
        """Read ``text``; ``company_hint`` is a business name the citizen gave separately."""
        return self.reread(self.analyser.analyse(text), text, company_hint)

    def reread(
        self,
        analysis: Analysis,
        raw: str,
        company_hint: str | None = None,
        earlier: Reading | None = None,
    ) -> Reading:
        """Features of an analysis (a repaired one, say) of the raw text ``raw``.

        ``earlier`` is a reading of the same raw text and hint, whose business
        name is kept rather than searched for again.
        """
        hint = (company_hint or "").strip()
        if earlier is not None:
            mention = earlier.company
        else:
            mention = CompanyMention(hint, -1, -1) if hint else self.companies.find(raw or "")
        discount: list[tuple[int, int]] = []
        if mention is not None:
            needle = strip_identifiers(normalize(mention.text))
            at = analysis.text.find(needle) if needle else -1
            if at >= 0:
                discount.append((at, at + len(needle)))
        bag = self.featurizer.features(analysis.text, analysis.tokens, analysis.stems, discount)
        return Reading(analysis, mention, bag)
