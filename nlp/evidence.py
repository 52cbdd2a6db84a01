"""Which words of a text weighed in a decision, as a person reads them.

The model's features are character n-grams, jieba words, English stems and the
rules' scores; a reason names words. For the department or kind chosen, the
features that pushed towards it most are turned back into words of the text:
a jieba word as it is, a character pair as the word holding it, an English
stem as the word written, a rule score as the registry keywords it found, a
kind score as the kind cue it found. Numbers, particles and the business's own
name are never given as a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from nlp.examples import STOPWORDS
from nlp.features import Reading
from nlp.keywords import stem
from nlp.linear import LinearModel, Prediction

_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Words that weigh in a model but say nothing to a reader: numbers, particles.
_FILLER = re.compile(
    r"[0-9一二三四五六七八九十两几个]{2}|^[0-9一二三四五六七八九十两几]|[了的吗呢吧啊个]$"
)
# A word is named as a reason only if it weighed at least this share of the first.
WORD_SHARE = 0.25
MAX_WORDS = 3
_PRONOUNS = frozenset("i me my mine we us our you your he she they them".split())
# English words too common to explain anything (stems, as the features hold them)
_LIGHT_VERBS = frozenset(
    "mad make get got go went take took say said tell told know want need like also "
    "still just even ever one two day week month year time son daughter wife husband "
    "friend mother father peopl thing lot".split()
)


class EvidenceWords:
    """Names the words behind a prediction; built once per model."""

    def __init__(self, model: LinearModel, kind_cues: frozenset[str]) -> None:
        self.model = model
        # Whether a column is worth naming, decided the first time a text has it
        # (-1: not yet), so that start-up does not walk the whole vocabulary.
        self._known = np.full(len(model.vocab), -1, dtype=np.int8)
        names = [f"w:{c}" for c in kind_cues]
        names += [f"e:{stem(c)}" for c in kind_cues if c.isascii()]
        names += [n for n in model.index if n.startswith("k:")]
        self._cue_columns = np.zeros(len(model.vocab), dtype=bool)
        self._cue_columns[[model.index[n] for n in names if n in model.index]] = True

    def _nameable(self, indices: np.ndarray) -> np.ndarray:
        """Whether each of ``indices`` is worth naming (a boolean per index)."""
        known = self._known[indices]
        fresh = indices[known < 0]
        if len(fresh):
            for col in fresh.tolist():
                self._known[col] = _nameable(self.model.vocab[col])
            known = self._known[indices]
        return known > 0

    def for_department(self, pred: Prediction, label: str, reading: Reading) -> tuple[str, ...]:
        """Up to three words that made the model choose department ``label``."""
        return self._words(pred, label, reading, MAX_WORDS, self._nameable(pred.indices))

    def for_kind(self, pred: Prediction, label: str, reading: Reading) -> tuple[str, ...]:
        """Up to two kind cues (举报, 退款 …) behind kind ``label``."""
        return self._words(pred, label, reading, 2, self._cue_columns[pred.indices])

    def _words(
        self,
        pred: Prediction,
        label: str,
        reading: Reading,
        limit: int,
        keep: np.ndarray,
    ) -> tuple[str, ...]:
        """Words of the text that pushed the model towards ``label``, as a person reads them."""
        if not keep.any():
            return ()  # no column of this text is worth naming
        tokens = [t for t in reading.analysis.tokens if len(t) >= 2]
        company = reading.company.text.casefold() if reading.company else ""
        raw_words = _ASCII_WORD.findall(reading.analysis.text)
        chosen: list[str] = []
        first = 0.0
        for col, score in pred.contributions(label, top=24, keep=keep):
            if chosen and score < WORD_SHARE * first:
                break  # the rest weighed too little to be called a reason
            for word in self._readable(self.model.feature_name(col), tokens, raw_words, reading):
                if (
                    (company and word.casefold() in company)
                    or any(word in w or w in word for w in chosen)
                    or (word.isascii() and (len(word) < 3 or word.casefold() in _PRONOUNS))
                ):
                    continue
                chosen.append(word)
                first = first or score
                if len(chosen) >= limit:
                    break
            if len(chosen) >= limit:
                break
        return tuple(chosen)

    @staticmethod
    def _readable(
        name: str, tokens: Sequence[str], raw_words: Sequence[str], reading: Reading
    ) -> list[str]:
        kind, _, body = name.partition(":")
        if kind == "w" and len(body) >= 2 and not body.isdigit():
            return [body]
        if kind == "c" and len(body) >= 2 and any(body in t for t in tokens):
            # a character pair inside one word, shown as that word when it is short
            holder = min((t for t in tokens if body in t), key=len)
            return [holder if len(holder) <= 4 else body]
        if kind == "e":
            return [w for w in raw_words if stem(w) == body and len(w) >= 3][:1]
        if kind == "k":
            cue = reading.bag.kind_cues.get(body, "")
            return [cue] if len(cue) >= 2 and not cue.startswith("ends with") else []
        if kind == "r":
            labels = [
                ev.label
                for ev in sorted(reading.bag.evidence, key=lambda ev: -ev.weight)
                if ev.department == body and ev.weight > 0 and "+" not in ev.label
            ]
            out: list[str] = []
            for label in labels[:2]:
                if label.isascii():  # an English keyword is a stem: show the word as written
                    stems = label.split()
                    label = " ".join(next((w for w in raw_words if stem(w) == s), s) for s in stems)
                out.append(label)
            return out
        return []


def _nameable(feature: str) -> bool:
    """Whether a feature can be named to a reader as a word of the text."""
    kind, _, body = feature.partition(":")
    if kind == "r":
        return True
    if kind == "e":
        return len(body) >= 3 and body not in STOPWORDS and body not in _LIGHT_VERBS
    if kind in ("w", "c") and body.isascii():
        return len(body) >= 3 and body not in STOPWORDS and stem(body) not in _LIGHT_VERBS
    if kind in ("w", "c"):
        return (
            len(body) >= 2
            and not body.isdigit()
            and body not in STOPWORDS
            and not _FILLER.search(body)
        )
    return False
