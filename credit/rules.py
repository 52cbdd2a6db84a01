"""The grade indicator rules (``credit/data/grade_rules.toml``) and the proposal they make
for one enterprise's year of evidence: pure arithmetic, no I/O."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from disclosure.grades import GRADES

RULES_FILE = Path(__file__).with_name("data") / "grade_rules.toml"
REMEDIES = ("mediated", "refunded", "repaired", "replaced", "compensated")
# what a cap's ``when`` may name: the indicator counts and the penalties in yuan
MEASURES = (
    "complaints",
    "complaints_remedied",
    "tips_substantiated",
    "penalties",
    "penalties_yuan",
    "recalls_level_1",
    "recalls_level_2",
    "recalls_other",
    "clean_year",
)


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    name_zh: str
    name_en: str
    points: float
    cap: float
    per_10000_yuan: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True, slots=True)
class Cap:
    key: str
    name_zh: str
    name_en: str
    when: str
    at_least: float
    cap: str

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True, slots=True)
class GradeRules:
    authority: str
    min_evidence: int
    base_without_grade: float
    max_rise: int
    valid_months: int
    base: dict[str, float]
    thresholds: dict[str, float]
    reward_grades: tuple[str, ...]
    reward_yuan: int
    indicators: tuple[Indicator, ...]
    caps: tuple[Cap, ...]

    def grade_for(self, score: float) -> str:
        for grade in GRADES:
            if score >= self.thresholds[grade]:
                return grade
        return GRADES[-1]

    def indicator(self, key: str) -> Indicator | None:
        return next((i for i in self.indicators if i.key == key), None)

    def cap_rule(self, key: str) -> Cap | None:
        return next((c for c in self.caps if c.key == key), None)


def _grade_table(data: dict[str, Any], name: str) -> dict[str, float]:
    table = data.get(name, {})
    missing = [g for g in GRADES if g not in table]
    if missing:
        raise RulesError(f"[{name}] lacks {', '.join(missing)}")
    return {g: float(table[g]) for g in GRADES}


def parse_rules(data: dict[str, Any]) -> GradeRules:
    """Rules from the parsed TOML, every entry checked."""
    indicators = []
    for i, raw in enumerate(data.get("indicator", []), start=1):
        key = str(raw.get("key", ""))
        if key not in MEASURES:
            raise RulesError(f"indicator #{i}: unknown key {key!r}; known: {', '.join(MEASURES)}")
        indicators.append(
            Indicator(
                key,
                str(raw.get("name_zh", key)),
                str(raw.get("name_en", key)),
                float(raw["points"]),
                abs(float(raw.get("cap", 100))),
                bool(raw.get("per_10000_yuan", False)),
            )
        )
    caps = []
    for i, raw in enumerate(data.get("cap", []), start=1):
        if raw.get("when") not in MEASURES or raw.get("cap") not in GRADES:
            raise RulesError(f"cap #{i}: 'when' must be one of {MEASURES} and 'cap' a grade")
        caps.append(
            Cap(
                str(raw.get("key", raw["when"])),
                str(raw.get("name_zh", "")),
                str(raw.get("name_en", "")),
                str(raw["when"]),
                float(raw.get("at_least", 1)),
                str(raw["cap"]),
            )
        )
    reward = data.get("reward", {})
    return GradeRules(
        authority=str(data.get("authority", "zhijian")),
        min_evidence=int(data.get("min_evidence", 2)),
        base_without_grade=float(data.get("base_without_grade", 75)),
        max_rise=int(data.get("max_rise", 1)),
        valid_months=int(data.get("valid_months", 12)),
        base=_grade_table(data, "base"),
        thresholds=_grade_table(data, "thresholds"),
        reward_grades=tuple(reward.get("grades", ("AAA", "AA"))),
        reward_yuan=int(reward.get("yuan", 50000)),
        indicators=tuple(indicators),
        caps=tuple(caps),
    )


@cache
def load_rules(path: Path = RULES_FILE) -> GradeRules:
    with path.open("rb") as fh:
        try:
            return parse_rules(tomllib.load(fh))
        except (RulesError, KeyError, TypeError, ValueError) as exc:
            raise RulesError(f"{path.name}: {exc}") from None


@dataclass(slots=True)
class Evidence:
    """One enterprise's year: its previous grade and the verified events of the year."""

    uscc: str
    year: int
    previous: str | None = None  # the latest published grade before the year
    previous_year: int | None = None
    ever_rewarded: bool = False  # graded AA or AAA in an earlier year
    grades_before: int = 0  # published grades of the three years before
    complaint_outcomes: list[str | None] = field(default_factory=list)
    tips_substantiated: int = 0
    penalty_fen: int = 0
    recall_levels: list[str | None] = field(default_factory=list)

    def measures(self) -> dict[str, float]:
        levels = self.recall_levels
        level_1 = sum(1 for lv in levels if lv in ("一级", "I", "1"))
        level_2 = sum(1 for lv in levels if lv in ("二级", "II", "2"))
        marks = len(self.complaint_outcomes) + self.tips_substantiated + len(levels)
        return {
            "complaints": len(self.complaint_outcomes),
            "complaints_remedied": sum(1 for o in self.complaint_outcomes if o in REMEDIES),
            "tips_substantiated": self.tips_substantiated,
            "penalties": self.penalty_fen / 100 / 10000,
            "penalties_yuan": self.penalty_fen / 100,
            "recalls_level_1": level_1,
            "recalls_level_2": level_2,
            "recalls_other": len(levels) - level_1 - level_2,
            "clean_year": 1 if marks == 0 else 0,
        }

    def items(self) -> int:
        """How many items of evidence there are: each grade of the three years before,
        each verified case, each recall."""
        return (
            self.grades_before
            + len(self.complaint_outcomes)
            + self.tips_substantiated
            + len(self.recall_levels)
        )


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def propose(evidence: Evidence, rules: GradeRules) -> dict[str, Any] | None:
    """The proposal for ``evidence`` with its explanation, or None below the minimum
    evidence. Explanation: the base, each indicator that moved the score, each cap."""
    if evidence.items() < rules.min_evidence:
        return None
    measures = evidence.measures()
    base = rules.base[evidence.previous] if evidence.previous else rules.base_without_grade
    score = base
    moved = []
    for ind in rules.indicators:
        count = measures[ind.key]
        if not count:
            continue
        points = max(-ind.cap, min(ind.cap, ind.points * count))
        score += points
        moved.append({"key": ind.key, "count": _round(count), "points": _round(points)})
    grade = rules.grade_for(score)
    limits = []
    if evidence.previous and rules.max_rise >= 0:
        highest = GRADES[max(0, GRADES.index(evidence.previous) - rules.max_rise)]
        if GRADES.index(grade) < GRADES.index(highest):
            limits.append({"key": "max_rise", "cap": highest})
            grade = highest
    for cap in rules.caps:
        if measures[cap.when] >= cap.at_least and GRADES.index(grade) < GRADES.index(cap.cap):
            limits.append({"key": cap.key, "cap": cap.cap})
            grade = cap.cap
    eligible = grade in rules.reward_grades and not evidence.ever_rewarded
    return {
        "uscc": evidence.uscc,
        "year": evidence.year,
        "grade": grade,
        "score": _round(score),
        "explanation": {
            "base": {
                "grade": evidence.previous,
                "year": evidence.previous_year,
                "points": _round(base),
            },
            "indicators": moved,
            "caps": limits,
            "evidence": evidence.items(),
            "reward": {
                "grade_qualifies": grade in rules.reward_grades,
                "eligible": eligible,
                "already_rewarded": evidence.ever_rewarded,
                "yuan": rules.reward_yuan if eligible else 0,
            },
        },
        "reward_eligible": eligible,
    }
