"""A text made ready for routing: normalised, stripped of identifiers, segmented.

Homophone repair (电悌 → 电梯) is offered here as a *candidate*: the router
applies it only when it changes the decision with strong evidence, because a
repair that rewrites a correct word (加钱 → 价钱, 净水 → 井水) does more harm
than a typo left alone. A span jieba already knows as a word is never
repaired at all (``nlp.typos``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nlp.keywords import english_stems
from nlp.segment import Segmenter, shared_segmenter
from nlp.text import normalize, strip_identifiers
from nlp.typos import Correction, HomophoneCorrector

# Texts longer than this are cut before segmentation: routing reads the start
# of a letter, and the cost of one submission must stay bounded.
MAX_ANALYSED_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text as the router reads it."""

    text: str  # normalised, identifiers removed (and typos repaired, for a repaired one)
    tokens: list[str]
    stems: list[str]
    corrections: tuple[Correction, ...] = ()


class Analyser:
    """Normalises and segments texts with the domain vocabulary kept whole."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        typo_vocabulary: Iterable[str],
        segmenter: Segmenter | None = None,
    ) -> None:
        self.segmenter = segmenter or shared_segmenter()
        self.segmenter.add_words(vocabulary)
        self.segmenter.warm()
        self._typos = HomophoneCorrector(typo_vocabulary, self.segmenter.frequency)

    def analyse(self, text: str) -> Analysis:
        """The text normalised and segmented, without any repair."""
        clean = strip_identifiers(normalize((text or "")[:MAX_ANALYSED_CHARS]))
        tokens = self.segmenter.cut(clean)
        return Analysis(clean, tokens, english_stems(clean))

    def repaired(self, analysis: Analysis) -> Analysis | None:
        """The same text with homophone typos repaired, or None when nothing needs repair."""
        text, corrections = self._typos.correct(analysis.tokens)
        if not corrections:
            return None
        return Analysis(text, self.segmenter.cut(text), analysis.stems, tuple(corrections))
