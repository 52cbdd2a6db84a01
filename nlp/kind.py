"""What a submission is: a complaint (投诉), a tip (举报) or an inquiry (咨询).

Cue words with weights (``nlp/data/kinds.toml``) vote for each kind; the
department chosen may lean the vote (pollution is reported, not disputed).
The cue with the largest weight for the winning kind becomes the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.keywords import WordFinder, stem_phrase

KINDS = ("complaint", "tip", "inquiry")
DEFAULT_CUES = Path(__file__).with_name("data") / "kinds.toml"


def _parse(entries: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for entry in entries:
        word, sep, weight = entry.rpartition(":")
        if not sep:
            word, weight = entry, "1"
        out[word] = float(weight)
    return out


@dataclass(frozen=True, slots=True)
class KindVote:
    """The kind chosen, every kind's score, and the cue that decided it."""

    kind: str
    scores: Mapping[str, float]
    cue: str | None  # the strongest cue for the winning kind, if any
    cues: Mapping[str, str] = field(default_factory=dict)  # the strongest cue of every kind


class KindClassifier:
    """Scores the three kinds from cue words and the department's lean."""

    def __init__(self, path: Path | str | None = None) -> None:
        with Path(path or DEFAULT_CUES).open("rb") as fh:
            data = tomllib.load(fh)
        self._base = {k: float(data.get("base", {}).get(k, 0.0)) for k in KINDS}
        self._lean = {
            code: {k: float(v) for k, v in lean.items() if k in KINDS}
            for code, lean in data.get("lean", {}).items()
        }
        self._cues = {k: _parse(data.get(k, {}).get("cues", [])) for k in KINDS}
        # cue -> [(kind, weight)], looked up from the text's substrings in one pass
        self._by_cue: dict[str, list[tuple[str, float]]] = {}
        for kind, cues in self._cues.items():
            for cue, weight in cues.items():
                self._by_cue.setdefault(cue, []).append((kind, weight))
        self._finder = WordFinder(self._by_cue)
        self._endings = {k: _parse(data.get(k, {}).get("endings", [])) for k in KINDS}
        # English cues are stemmed like the text; "?" and similar stay literal.
        self._cues_en = {
            k: {
                (f" {stem_phrase(c)} " if stem_phrase(c) else c): w
                for c, w in _parse(data.get(k, {}).get("cues_en", [])).items()
            }
            for k in KINDS
        }

    def cue_words(self) -> frozenset[str]:
        """Every cue word of every kind (Chinese as written, English as listed)."""
        words = {c for c in self._by_cue if len(c) >= 2}
        for cues in self._cues_en.values():
            words.update(c.strip() for c in cues if c.strip().isalpha())
        return frozenset(w.casefold() for w in words)

    def scan_words(self) -> frozenset[str]:
        """The cue words :meth:`classify` looks for in a text."""
        return self._finder.words

    def classify(
        self,
        text: str,
        stems: Sequence[str],
        department: str,
        present: Iterable[str] | None = None,
    ) -> KindVote:
        """The kind of normalised ``text`` (English ``stems`` apart) routed to ``department``.

        ``present`` may give the words of the text among :meth:`scan_words`
        (others are ignored), when the caller has scanned the text already.
        """
        padded = f" {' '.join(stems)} "
        scores = dict(self._base)
        best: dict[str, tuple[float, str]] = {}
        tail = text.rstrip(" .。!！~")
        found = self._finder.find(text) if present is None else self._by_cue.keys() & present
        for cue in sorted(found):
            for kind, weight in self._by_cue[cue]:
                scores[kind] += weight
                if weight > best.get(kind, (0.0, ""))[0]:
                    best[kind] = (weight, cue)
        for kind in KINDS:
            for cue, weight in self._endings[kind].items():
                if tail.endswith(cue):
                    scores[kind] += weight
                    if weight > best.get(kind, (0.0, ""))[0]:
                        best[kind] = (weight, f"ends with {cue}")
            if stems:
                for cue, weight in self._cues_en[kind].items():
                    if cue in padded or (not cue.startswith(" ") and cue in text):
                        scores[kind] += weight
                        if weight > best.get(kind, (0.0, ""))[0]:
                            best[kind] = (weight, cue.strip())
        for kind, shift in self._lean.get(department, {}).items():
            scores[kind] += shift
        kind = max(KINDS, key=lambda k: (scores[k], -KINDS.index(k)))
        cue = best.get(kind, (0.0, None))[1]
        return KindVote(
            kind=kind, scores=scores, cue=cue, cues={k: c for k, (_w, c) in best.items()}
        )
