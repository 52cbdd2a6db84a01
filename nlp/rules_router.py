"""The keyword-rules router: the first router, kept to compare with the learned one.

``benchmarks/routing_eval.py --router rules`` runs it beside ``nlp.router``; the
service itself routes with ``nlp.router.Router``.

Layers, each of which leaves a reason a person can check:

1. normalisation: width, Traditional → Simplified, case; phone numbers, order
   numbers, e-mails and URLs are removed so they never become features;
2. homophone repair against the domain vocabulary (电悌 → 电梯);
3. rules: the registry's weighted keywords and combos per department
   (电梯 → special equipment (zhijian)), matched on jieba tokens;
4. memory: the nearest earlier examples (staff corrections), which add to a
   department's score and, when very similar, override the rules;
5. abstention: scores become a probability against a "none of these" prior;
   below the threshold (chosen on the tuning split, ``nlp/data/threshold.json``)
   the text goes to the triage desk.

The kind (complaint / tip / inquiry) and the company are decided alongside. An
inquiry keeps the department that handles its subject ("who handles elevator
inspections?" → zhijian); a question about the service itself or about a
company's grade has no such subject and goes to ``triage``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.company import CompanyFinder, lookup_query
from nlp.examples import Example, ExampleMemory, Neighbour, content_features
from nlp.keywords import Evidence, KeywordMatcher, english_stems
from nlp.kind import KINDS, KindClassifier
from nlp.registry import TRIAGE, DepartmentSpec, load_registry
from nlp.router import RoutingResult, unambiguous_hit
from nlp.segment import Segmenter, shared_segmenter
from nlp.text import normalize, strip_identifiers
from nlp.typos import Correction, HomophoneCorrector

__all__ = ["RulesRouter"]

log = logging.getLogger(__name__)

THRESHOLD_FILE = Path(__file__).with_name("data") / "threshold.json"
FALLBACK_THRESHOLD = 0.5
# The score of "none of these departments": one weak keyword is not enough.
NONE_PRIOR = 1.0
# Nearest-neighbour layer: below WEAK an example is ignored; above STRONG it
# decides, because a person already decided this very kind of text. Checked on
# the tune split (one half as memory, the other routed): with WEAK at 0.35 the
# memory pulled texts the rules had right; at 0.45 it no longer does.
WEAK_SIMILARITY = 0.45
STRONG_SIMILARITY = 0.6
NEIGHBOUR_WEIGHT = 4.0
ENTERPRISE_MIN_SCORE = 90.0
MAX_EVIDENCE_REASONS = 3


@dataclass(frozen=True, slots=True)
class _Analysis:
    text: str  # normalised, identifiers removed, typos repaired
    tokens: list[str]
    stems: list[str]
    corrections: list[Correction]


def default_threshold() -> float:
    """The abstention threshold chosen on the tuning split (see benchmarks/routing_eval.py)."""
    try:
        return float(json.loads(THRESHOLD_FILE.read_text(encoding="utf-8"))["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return FALLBACK_THRESHOLD


def _probabilities(scores: Mapping[str, float]) -> dict[str, float]:
    positive = {d: s for d, s in scores.items() if s > 0}
    if not positive:
        return {}
    top = max(max(positive.values()), NONE_PRIOR)
    mass = {d: math.exp(s - top) for d, s in positive.items()}
    total = sum(mass.values()) + math.exp(NONE_PRIOR - top)
    return {d: m / total for d, m in mass.items()}


class RulesRouter:
    """Routes texts; cheap to call from many threads once constructed (start-up warms it)."""

    def __init__(
        self,
        registry: list[DepartmentSpec] | None = None,
        examples: Iterable[Example] = (),
        lookup: Any = None,
        threshold: float | None = None,
        *,
        enterprise_min_score: float = ENTERPRISE_MIN_SCORE,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.registry = list(registry) if registry is not None else load_registry()
        self._specs = {spec.code: spec for spec in self.registry}
        if TRIAGE not in self._specs:
            raise ValueError(f"the registry must define {TRIAGE!r}")
        self.lookup = lookup
        self.threshold = default_threshold() if threshold is None else float(threshold)
        self.enterprise_min_score = enterprise_min_score
        self._matcher = KeywordMatcher(self.registry)
        self._kinds = KindClassifier()
        self._companies = CompanyFinder()
        self._segmenter = segmenter or shared_segmenter()
        vocabulary = self._matcher.vocabulary()
        self._segmenter.add_words(vocabulary)
        self.warm()
        self._typos = HomophoneCorrector(self._matcher.typo_vocabulary(), self._segmenter.frequency)
        self._memory = ExampleMemory()
        for example in examples:
            self._remember(example)

    def warm(self) -> None:
        """Load jieba's dictionary now, so the first citizen does not wait for it."""
        self._segmenter.warm()

    @property
    def departments(self) -> list[str]:
        """The registry's codes, in registry order."""
        return [spec.code for spec in self.registry]

    def _analyse(self, text: str) -> _Analysis:
        clean = strip_identifiers(normalize(text))
        tokens = self._segmenter.cut(clean)
        repaired, corrections = self._typos.correct(tokens)
        if corrections:
            clean = repaired
            tokens = self._segmenter.cut(clean)
        return _Analysis(clean, tokens, english_stems(clean), corrections)

    def _remember(self, example: Example) -> None:
        if example.department not in self._specs:
            raise ValueError(f"unknown department {example.department!r}")
        if example.kind is not None and example.kind not in KINDS:
            raise ValueError(f"unknown kind {example.kind!r}")
        analysis = self._analyse(example.text)
        self._memory.add(example, content_features(analysis.tokens, analysis.stems))

    def learn(self, text: str, department: str, kind: str | None = None) -> None:
        """Remember a person's decision (a transfer by staff); similar texts follow it."""
        self._remember(Example(text=text, department=department, kind=kind))

    @property
    def example_count(self) -> int:
        """How many examples (seed and learned) the memory holds."""
        return len(self._memory)

    def route(
        self, text: str, kind_hint: str | None = None, company_hint: str | None = None
    ) -> RoutingResult:
        """Decide department, kind, company and enterprise for one citizen text."""
        raw = text or ""
        analysis = self._analyse(raw)
        company = (company_hint or "").strip() or None
        if company is None:
            mention = self._companies.find(raw)
            company = mention.text if mention else None
        discount = []
        if company:
            needle = strip_identifiers(normalize(company))
            at = analysis.text.find(needle) if needle else -1
            if at >= 0:
                discount.append((at, at + len(needle)))
        evidence = self._matcher.match(analysis.tokens, analysis.text, analysis.stems, discount)
        scores: dict[str, float] = {}
        for ev in evidence:
            scores[ev.department] = scores.get(ev.department, 0.0) + ev.weight
        neighbours = self._memory.nearest(content_features(analysis.tokens, analysis.stems), k=3)
        followed = self._apply_neighbours(scores, neighbours)
        probs = _probabilities(scores)
        best = max(probs, key=lambda d: (probs[d], scores[d])) if probs else None
        confidence = probs.get(best, 0.0) if best else 0.0
        department = best if best and confidence >= self.threshold else TRIAGE

        reasons = [f"{c.wrong} read as {c.right} (same sound)" for c in analysis.corrections]
        reasons += self._department_reasons(best, department, evidence, followed, scores)
        if not raw.strip():
            reasons.append("empty text: left to the triage desk")
        elif best is None:
            reasons.append("no subject of any department found: left to the triage desk")
        elif department == TRIAGE and best != TRIAGE:
            reasons.append(
                f"confidence {confidence:.2f} below {self.threshold:.2f}: left to the triage desk"
                f" (best guess {best})"
            )

        kind, kind_reason = self._kind(analysis, department, kind_hint, followed)
        reasons.append(kind_reason)
        enterprise, company_reason = self._enterprise(company, from_hint=bool(company_hint))
        if company_reason:
            reasons.append(company_reason)
        return RoutingResult(
            department=department,
            kind=kind,
            company=company,
            enterprise=enterprise,
            confidence=round(confidence, 4),
            reasons=tuple(reasons),
            scores={d: round(s, 3) for d, s in sorted(scores.items(), key=lambda x: -x[1])},
        )

    def _apply_neighbours(
        self, scores: dict[str, float], neighbours: Sequence[Neighbour]
    ) -> Neighbour | None:
        """Add the memory's votes to ``scores``; return the example that was followed, if any."""
        followed = None
        rules_top = max([s for s in scores.values() if s > 0], default=0.0)
        voted: set[str] = set()
        for nb in neighbours:
            code = nb.example.department
            if nb.similarity < WEAK_SIMILARITY or code in voted:
                continue
            voted.add(code)
            bonus = NEIGHBOUR_WEIGHT * nb.similarity
            if nb.similarity >= STRONG_SIMILARITY:
                # A person's decision on a near-identical text outranks the rules.
                bonus += rules_top
            scores[code] = scores.get(code, 0.0) + bonus
            if followed is None:
                followed = nb
        return followed

    def _department_reasons(
        self,
        best: str | None,
        department: str,
        evidence: Sequence[Evidence],
        followed: Neighbour | None,
        scores: Mapping[str, float],
    ) -> list[str]:
        if best is None:
            return []
        reasons: list[str] = []
        own = sorted(
            (ev for ev in evidence if ev.department == best and ev.weight > 0),
            key=lambda ev: (-ev.weight, ev.start),
        )
        for ev in own[:MAX_EVIDENCE_REASONS]:
            reasons.append(f"{ev.label} → {ev.topic} ({best})")
        if followed is not None:
            earlier = (
                f"similar to an earlier case routed to {followed.example.department}"
                f" ({followed.similarity:.2f})"
            )
            reasons.append(
                earlier if followed.example.department == best else f"outweighed: {earlier}"
            )
        rivals = [
            d for d in sorted(scores, key=lambda d: -scores[d]) if d != best and scores[d] > 0
        ]
        if rivals and department == best:
            rival = rivals[0]
            top = max(
                (ev for ev in evidence if ev.department == rival),
                key=lambda ev: ev.weight,
                default=None,
            )
            if top is not None and top.weight > 0:
                reasons.append(f"outweighed: {top.label} → {rival}")
        return reasons

    def _kind(
        self,
        analysis: _Analysis,
        department: str,
        kind_hint: str | None,
        followed: Neighbour | None,
    ) -> tuple[str, str]:
        if kind_hint in KINDS:
            return str(kind_hint), f"kind chosen by the citizen ({kind_hint})"
        vote = self._kinds.classify(analysis.text, analysis.stems, department)
        example = followed.example if followed is not None else None
        # A person's decision on a similar text also settles its kind, unless the
        # text is only loosely similar and has a cue of its own.
        if (
            followed is not None
            and example is not None
            and example.kind in KINDS
            and example.department == department
            and (followed.similarity >= STRONG_SIMILARITY or vote.cue is None)
        ):
            return str(example.kind), f"kind as in the earlier case ({example.kind})"
        if vote.cue:
            return vote.kind, f"{vote.cue} → {vote.kind}"
        return vote.kind, f"no cue for another kind → {vote.kind}"

    def _enterprise(self, company: str | None, from_hint: bool) -> tuple[str | None, str | None]:
        if not company:
            return None, None
        named = f"company “{company}”" + (" (given by the citizen)" if from_hint else "")
        if self.lookup is None:
            return None, named
        try:
            hits = self.lookup.search(lookup_query(company), limit=3)
        except Exception:  # the registry is optional: routing must not fail with it
            log.exception("enterprise lookup failed for %r", company)
            return None, f"{named}: enterprise registry unavailable"
        # the same rule as the learned router: a strong match with no close rival
        hit = unambiguous_hit(hits, self.enterprise_min_score, query=lookup_query(company))
        if hit is not None:
            return str(hit.uscc), f"{named} → {hit.name} ({hit.uscc}, match {float(hit.score):.0f})"
        return None, f"{named}: no registered enterprise matches strongly and alone"
