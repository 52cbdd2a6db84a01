"""The annual assessment of departments and cities: indicators over plain case rows, with
no I/O, weighted as ``campaigns/data/assessment.toml`` says, ranked, year over year.

Each group's figures come from :func:`campaigns.figures.compute` (the campaign
report's arithmetic over a whole year); the assessment adds acceptance within the
deadline, the satisfaction target, completed recalls, the score and the rank.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from campaigns.figures import (
    DECIDED_KINDS,
    CaseRow,
    SatisfactionPolicy,
    china_date,
    compute,
    is_rejected,
    yuan,
)

ASSESSMENT_FILE = Path(__file__).with_name("data") / "assessment.toml"
INDICATORS = (
    "acceptance_on_time",
    "resolution_rate",
    "timeliness",
    "no_overdue",
    "satisfaction",
    "money_recovered",
    "recalls_completed",
)


class AssessmentError(ValueError):
    """An assessment definition that cannot be used."""


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    weight: float
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh

    def definition(self, lang: str) -> str:
        return self.definition_en if lang.startswith("en") else self.definition_zh


@dataclass(frozen=True, slots=True)
class Method:
    indicators: tuple[Indicator, ...]
    timeliness_days: float
    recall_departments: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RecallRow:
    """What the assessment needs of one recall notice."""

    category: str
    status: str
    published: date
    city: str | None = None


def parse_method(data: dict[str, Any]) -> Method:
    indicators = []
    for i, raw in enumerate(data.get("indicator", []), start=1):
        key = raw.get("key")
        if key not in INDICATORS:
            raise AssessmentError(f"indicator #{i}: unknown key {key!r}")
        weight = float(raw.get("weight", 0))
        if weight < 0:
            raise AssessmentError(f"indicator {key}: weight must not be negative")
        indicators.append(
            Indicator(
                key,
                weight,
                str(raw.get("name_zh", key)),
                str(raw.get("name_en", key)),
                str(raw.get("definition_zh", "")),
                str(raw.get("definition_en", "")),
            )
        )
    return Method(
        tuple(indicators),
        float(data.get("timeliness_days", 45)),
        dict(data.get("recall_departments", {})),
    )


@cache
def load_method(path: Path = ASSESSMENT_FILE) -> Method:
    with path.open("rb") as fh:
        try:
            return parse_method(tomllib.load(fh))
        except (AssessmentError, TypeError, ValueError) as exc:
            raise AssessmentError(f"{path.name}: {exc}") from None


def acceptance_on_time(rows: Iterable[CaseRow], as_of: date) -> float | None:
    """Of the complaints and tips accepted (or waiting past the deadline), the share
    accepted by the deadline."""
    timed = on_time = 0
    for row in rows:
        if row.kind not in DECIDED_KINDS or row.accept_due is None or is_rejected(row):
            continue
        if row.accepted_at is not None:
            timed += 1
            on_time += china_date(row.accepted_at) <= row.accept_due
        elif row.status == "received" and as_of > row.accept_due:
            timed += 1
    return on_time / timed if timed else None


def satisfaction_target(rows: Iterable[CaseRow], policy: SatisfactionPolicy) -> float | None:
    """The mean target of the rated cases (85 producer, 80 consumer services)."""
    targets = [
        policy.producer_target
        if row.department in policy.producer_departments
        else policy.consumer_target
        for row in rows
        if row.rating is not None and 1 <= row.rating <= 5
    ]
    return sum(targets) / len(targets) if targets else None


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def group_figures(
    rows: Sequence[CaseRow],
    recalls: int,
    start: date,
    end: date,
    as_of: date,
    policy: SatisfactionPolicy,
    method: Method,
) -> dict[str, Any]:
    """One department's or city's indicators, values and the score's parts."""
    fig = compute(rows, start, end, as_of, policy, top=0)
    handled = sum(n for kind, n in fig.by_kind.items() if kind in DECIDED_KINDS)
    target = satisfaction_target(rows, policy)
    index = fig.satisfaction_index
    median = fig.median_working_days
    values: dict[str, float | None] = {
        "acceptance_on_time": acceptance_on_time(rows, as_of),
        "resolution_rate": fig.resolution_rate,
        "timeliness": None if median is None else max(0.0, 1 - median / method.timeliness_days),
        "no_overdue": None if not handled else max(0.0, 1 - fig.overdue / handled),
        "satisfaction": None if index is None or not target else min(1.0, index / target),
    }
    weighted = [(i.weight, values[i.key]) for i in method.indicators if i.weight > 0]
    present = [(w, v) for w, v in weighted if v is not None]
    total = sum(w for w, _v in present)
    score = None if not handled or not total else 100 * sum(w * v for w, v in present) / total
    return {
        "cases": handled,
        "accepted": fig.accepted,
        "resolved": fig.resolved,
        "acceptance_on_time": _round(values["acceptance_on_time"], 4),
        "resolution_rate": _round(fig.resolution_rate, 4),
        "median_working_days": median,
        "timeliness": _round(values["timeliness"], 4),
        "overdue": fig.overdue,
        "no_overdue": _round(values["no_overdue"], 4),
        "ratings": fig.ratings,
        "satisfaction_index": _round(index, 1),
        "satisfaction_target": _round(target, 1),
        "satisfaction": _round(values["satisfaction"], 4),
        "money_recovered_yuan": yuan(fig.recovered_fen),
        "recalls_completed": recalls,
        "score": _round(score, 1),
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def rank(rows: list[dict[str, Any]]) -> None:
    """Rank by score, highest first (1, 2, 2, 4 on ties); rows without a score get none."""
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: -r["score"])
    for i, row in enumerate(scored):
        row["rank"] = (
            scored[i - 1]["rank"] if i and row["score"] == scored[i - 1]["score"] else i + 1
        )
    for row in rows:
        row.setdefault("rank", None)


def assess(
    groups: Mapping[str, str],
    cases: Mapping[str, Sequence[CaseRow]],
    recalls: Mapping[str, int],
    start: date,
    end: date,
    as_of: date,
    policy: SatisfactionPolicy,
    method: Method,
) -> list[dict[str, Any]]:
    """A row per group (``groups``: code → name), by rank; unranked ones last."""
    rows = []
    for code, name in groups.items():
        figures = group_figures(
            cases.get(code, ()), recalls.get(code, 0), start, end, as_of, policy, method
        )
        rows.append({"code": code, "name": name, **figures})
    rank(rows)
    # ranked rows by rank, then the rest in the groups' order
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))


def completed_recalls(
    recalls: Iterable[RecallRow], start: date, end: date, method: Method
) -> tuple[dict[str, int], dict[str, int]]:
    """Completed recalls published in the window, by department and by city."""
    by_department: dict[str, int] = {}
    by_city: dict[str, int] = {}
    for r in recalls:
        if r.status != "completed" or not start <= r.published <= end:
            continue
        department = method.recall_departments.get(r.category)
        if department:
            by_department[department] = by_department.get(department, 0) + 1
        if r.city:
            by_city[r.city] = by_city.get(r.city, 0) + 1
    return by_department, by_city


def join_years(current: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """Put last year's row beside each row, with the change in score and rank."""
    before = {r["code"]: r for r in previous}
    for row in current:
        prior = before.get(row["code"])
        row["previous"] = prior
        row["score_change"] = (
            None
            if prior is None or prior["score"] is None or row["score"] is None
            else round(row["score"] - prior["score"], 1)
        )
        row["rank_change"] = (
            None
            if prior is None or prior["rank"] is None or row["rank"] is None
            else prior["rank"] - row["rank"]
        )


def method_dict(method: Method, policy: SatisfactionPolicy, lang: str) -> dict[str, Any]:
    return {
        "indicators": [
            {
                "key": i.key,
                "name": i.name(lang),
                "weight": i.weight,
                "scored": i.weight > 0,
                "definition": i.definition(lang),
            }
            for i in method.indicators
        ],
        "timeliness_days": method.timeliness_days,
        "satisfaction_targets": {
            "consumer_services": policy.consumer_target,
            "producer_services": policy.producer_target,
            "producer_departments": sorted(policy.producer_departments),
        },
        "recall_departments": dict(method.recall_departments),
    }
