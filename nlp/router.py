"""Route a citizen's text to a department, with its kind, the business it names and why.

The decision is learned from the labelled corpus (``corpus/``), not written by
hand: two calibrated linear models (``nlp.linear``), one for the department
and one for the kind, read the text's words, characters and the registry's
keyword evidence (``nlp.features``). On top of them sit a few rules that
carry decisions a model trained on citizens' texts should not make alone:

1. **the citizen's own choice of kind** (/tip, the form's kind) is kept;
2. **staff lessons**: when staff re-routed similar texts and agree (two or
   more consistent corrections, or one a supervisor confirmed), the lesson
   decides; a single transfer does not re-route everything that resembles it;
3. **homophone repair** (电悌 → 电梯) is used only when the text as written
   leaves the model unsure and the repaired text is clearly decided;
4. **abstention**: below the calibrated probability chosen on the tuning
   split, the text goes to the triage desk, where a person routes it;
5. **an enterprise link only on an unambiguous match**: the business name is
   reported as written; it is tied to a registered enterprise only when the
   register has one strong match and no close rival.

``RoutingResult.explanation`` keeps what decided; ``nlp.explain`` says it in words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nlp.company import lookup_query
from nlp.evidence import EvidenceWords
from nlp.examples import Example, ExampleMemory, content_features
from nlp.explain import (
    RECORD_LANGS,
    Explanation,
    citizen_reasons,
    record_key,
    staff_reasons,
    text_language,
)
from nlp.features import Reader, Reading
from nlp.kind import KINDS
from nlp.linear import LinearModel, Prediction
from nlp.registry import TRIAGE, DepartmentSpec, load_registry
from nlp.segment import Segmenter

__all__ = ["EnterpriseSearch", "Example", "Router", "RoutingResult"]

log = logging.getLogger(__name__)

FALLBACK_THRESHOLD = 0.35
# Staff lessons: a neighbour this similar is "the same kind of text".
STRONG_SIMILARITY = 0.6
SUPPORT_SIMILARITY = 0.3
AGREEING_LESSONS = 2
# Homophone repair: only for a text the model is unsure of as written, and only
# when the repaired text is clearly decided and more so.
REPAIR_IF_BELOW = 0.6
REPAIR_MIN = 0.6
REPAIR_GAIN = 0.15
# Enterprise link: a strong first hit with no close rival.
ENTERPRISE_MIN_SCORE = 90.0
ENTERPRISE_MARGIN = 6.0
SHORT_QUERY = 4  # characters: a shorter name is a bare brand (扬帆), not a firm's name


class EnterpriseSearch(Protocol):
    """The enterprise registry's search; hits have ``.uscc``, ``.name``, ``.score`` (0-100)."""

    def search(self, query: str, limit: int = 10) -> list[Any]:
        """Enterprises matching ``query``, best first."""
        ...


@dataclass(frozen=True, slots=True)
class RoutingResult:
    """Where a text goes, what it is, whom it names, how sure, and why."""

    department: str
    kind: str
    company: str | None
    enterprise: str | None
    confidence: float
    reasons: tuple[str, ...]
    scores: Mapping[str, float] = field(default_factory=dict, compare=False)
    explanation: Explanation | None = field(default=None, compare=False)
    lang: str = field(default="zh", compare=False)
    kind_confidence: float = field(default=1.0, compare=False)  # the kind's probability
    specs: Mapping[str, DepartmentSpec] = field(default_factory=dict, compare=False, repr=False)

    def reasons_in(self, lang: str, staff: bool = False) -> list[str]:
        """The reasons in ``lang`` (``zh`` or ``en``); ``staff`` adds what staff need to judge."""
        if self.explanation is None:
            return list(self.reasons)
        render = staff_reasons if staff else citizen_reasons
        return render(self.explanation, self.specs, lang)

    def reasons_record(self) -> dict[str, list[str]]:
        """The reasons in every language, for citizens and for staff, as a case stores them."""
        return {
            record_key(lang, staff): self.reasons_in(lang, staff)
            for staff in (False, True)
            for lang in RECORD_LANGS
        }

    def to_dict(self) -> dict[str, Any]:
        """The fields of a ``zhixin route`` output line (without ``id``)."""
        return {
            "department": self.department,
            "kind": self.kind,
            "company": self.company,
            "enterprise": self.enterprise,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
        }


def unambiguous_hit(
    hits: list[Any],
    min_score: float = ENTERPRISE_MIN_SCORE,
    margin: float = ENTERPRISE_MARGIN,
    query: str | None = None,
) -> Any | None:
    """The register's first hit when it is a strong match with no close rival, else None:
    a weak fuzzy guess (扬帆 → 帆晴（扬州）软件, 84) must never link a case to a firm, and
    when two firms fit a person must choose. A bare brand (``query`` shorter than
    ``SHORT_QUERY`` characters, 扬帆) links only when it is a registered name or alias
    exactly: many unregistered shops share a brand."""
    if not hits or float(hits[0].score) < max(min_score, ENTERPRISE_MIN_SCORE):
        return None
    if len(hits) > 1 and float(hits[1].score) > float(hits[0].score) - margin:
        return None
    if query is not None and len(query.strip()) < SHORT_QUERY and float(hits[0].score) < 99.0:
        return None
    return hits[0]


class Router:
    """Routes texts; cheap to call from many threads once constructed."""

    def __init__(
        self,
        registry: list[DepartmentSpec] | None = None,
        examples: Iterable[Example] = (),
        lookup: EnterpriseSearch | None = None,
        threshold: float | None = None,
        *,
        model: LinearModel | None = None,
        model_path: Path | str | None = None,
        enterprise_min_score: float = ENTERPRISE_MIN_SCORE,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.registry = list(registry) if registry is not None else load_registry()
        self._specs = {spec.code: spec for spec in self.registry}
        if TRIAGE not in self._specs:
            raise ValueError(f"the registry must define {TRIAGE!r}")
        self.model = model or LinearModel.load(model_path)
        unknown = set(self.model.heads["department"].classes) - set(self._specs)
        if unknown:
            raise ValueError(
                "the routing model knows departments the registry lacks: "
                + ", ".join(sorted(unknown))
                + " (retrain with `zhixin route train`)"
            )
        self.lookup = lookup
        model_threshold = self.model.meta.get("threshold", FALLBACK_THRESHOLD)
        self.threshold = float(model_threshold if threshold is None else threshold)
        self.enterprise_min_score = enterprise_min_score
        self._reader = Reader(self.registry, segmenter)
        self._words = EvidenceWords(self.model, self._reader.featurizer.kind_cues())
        self._memory = ExampleMemory()
        for example in examples:
            self._remember(example)

    def warm(self) -> None:
        """Load jieba's dictionary now, so the first citizen does not wait for it."""
        self._reader.analyser.segmenter.warm()

    @property
    def departments(self) -> list[str]:
        """The registry's codes, in registry order."""
        return [spec.code for spec in self.registry]

    @property
    def specs(self) -> Mapping[str, DepartmentSpec]:
        """The registry by code."""
        return self._specs

    # -- lessons ---------------------------------------------------------------

    def _remember(self, example: Example) -> None:
        if example.department not in self._specs:
            raise ValueError(f"unknown department {example.department!r}")
        if example.kind is not None and example.kind not in KINDS:
            raise ValueError(f"unknown kind {example.kind!r}")
        analysis = self._reader.analyser.analyse(example.text)
        self._memory.add(example, content_features(analysis.tokens, analysis.stems))

    def learn(
        self, text: str, department: str, kind: str | None = None, confirmed: bool = False
    ) -> None:
        """Remember a person's decision (a staff transfer); agreeing lessons steer similar texts."""
        self._remember(Example(text=text, department=department, kind=kind, confirmed=confirmed))

    @property
    def example_count(self) -> int:
        """How many lessons the memory holds."""
        return len(self._memory)

    def _lesson(self, reading: Reading) -> tuple[str, str | None, int] | None:
        """(department, kind, lessons) when agreeing staff lessons cover this text."""
        if not len(self._memory):
            return None  # no lessons yet: nothing to compare with
        feats = content_features(reading.analysis.tokens, reading.analysis.stems)
        support = [
            n for n in self._memory.nearest(feats, k=5) if n.similarity >= SUPPORT_SIMILARITY
        ]
        near = [n for n in support if n.similarity >= STRONG_SIMILARITY]
        # one lesson must be about this very kind of text; the others may be looser,
        # but none may disagree
        if not near or len({n.example.department for n in support}) != 1:
            return None
        texts = {n.example.text for n in support}
        if len(texts) < AGREEING_LESSONS and not any(n.example.confirmed for n in near):
            return None
        kinds = {n.example.kind for n in support}
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        return near[0].example.department, kind, len(texts)

    # -- routing ---------------------------------------------------------------

    def _predict(self, reading: Reading) -> tuple[Prediction, Prediction]:
        idx, val = self.model.vectorise(reading.bag)
        return self.model.predict("department", idx, val), self.model.predict("kind", idx, val)

    def route(
        self,
        text: str,
        kind_hint: str | None = None,
        company_hint: str | None = None,
        lang: str | None = None,
    ) -> RoutingResult:
        """Decide department, kind, company and enterprise for one citizen text.

        ``lang`` is the language of the reasons (``zh`` or ``en``); by default
        the language the text is written in.
        """
        raw = text or ""
        lang = lang or text_language(raw)
        reading = self._reader.read(raw, company_hint)
        dept, kind_pred = self._predict(reading)
        best, p = dept.best()
        repaired = reading.analysis.corrections
        if best == TRIAGE or p < REPAIR_IF_BELOW:
            # Repair is for text nothing explains: a text already clearly about
            # a department is never re-read through a "typo" (加钱 → 价钱).
            fixed = self._reader.analyser.repaired(reading.analysis)
            if fixed is not None:
                candidate = self._reader.reread(fixed, raw, company_hint, earlier=reading)
                dept2, kind2 = self._predict(candidate)
                best2, p2 = dept2.best()
                if (
                    best2 != TRIAGE
                    and p2 >= REPAIR_MIN
                    and (best == TRIAGE or p2 >= p + (REPAIR_GAIN if best2 != best else 0.0))
                ):
                    reading, dept, kind_pred, best, p = candidate, dept2, kind2, best2, p2
                    repaired = fixed.corrections

        empty = not reading.analysis.text.strip()
        lesson = None if empty else self._lesson(reading)
        best_guess = None
        if empty:
            department, confidence = TRIAGE, 0.0
        elif lesson is not None:
            department = lesson[0]
            confidence = max(dept.probabilities.get(department, 0.0), self.threshold)
        elif p >= self.threshold:
            department, confidence = best, p
        else:
            department, confidence = TRIAGE, dept.probabilities.get(TRIAGE, 0.0)
            best_guess = best if best != TRIAGE else None

        if kind_hint in KINDS:
            kind, kind_words = str(kind_hint), ()
        elif lesson is not None and lesson[1] in KINDS:
            kind, kind_words = str(lesson[1]), ()
        else:
            kind = kind_pred.best()[0]
            kind_words = self._words.for_kind(kind_pred, kind, reading)

        company = reading.company.text if reading.company else None
        enterprise, enterprise_name = self._enterprise(company)
        ranked = sorted(dept.probabilities, key=dept.probabilities.__getitem__, reverse=True)
        explanation = Explanation(
            department=department,
            words=() if best_guess else self._words.for_department(dept, department, reading),
            best_guess=best_guess,
            repaired=tuple((c.wrong, c.right) for c in repaired),
            lessons=lesson[2] if lesson else 0,
            kind=kind,
            kind_words=tuple(kind_words),
            kind_by_citizen=kind_hint in KINDS,
            company=company,
            enterprise_name=enterprise_name,
            runner_up=next((c for c in ranked if c != department), None),
            certainty="high" if p >= 0.8 else ("medium" if p >= 0.5 else "low"),
            empty=empty,
        )
        return RoutingResult(
            department=department,
            kind=kind,
            company=company,
            enterprise=enterprise,
            confidence=round(float(confidence), 4),
            reasons=tuple(citizen_reasons(explanation, self._specs, lang)),
            scores={c: round(dept.probabilities[c], 4) for c in ranked},
            explanation=explanation,
            lang=lang,
            specs=self._specs,
            kind_confidence=round(kind_pred.probabilities.get(kind, 0.0), 4),
        )

    def reasons(self, result: RoutingResult, lang: str, staff: bool = False) -> list[str]:
        """A result's reasons in another language, or with the detail staff see."""
        return result.reasons_in(lang, staff)

    def _enterprise(self, company: str | None) -> tuple[str | None, str | None]:
        if not company or self.lookup is None:
            return None, None
        query = lookup_query(company)
        if len(query) < 2:
            return None, None
        try:
            hits = self.lookup.search(query, limit=3)
        except Exception:  # the register is optional: routing must not fail with it
            log.exception("enterprise lookup failed")
            return None, None
        hit = unambiguous_hit(hits, self.enterprise_min_score, query=query)
        return (str(hit.uscc), str(hit.name)) if hit is not None else (None, None)
