"""The campaign outcome report: figures over plain case rows, with no I/O.

The query layer (``campaigns.query``) turns database rows into
:class:`CaseRow`; everything here is arithmetic, so it is tested with rows
written by hand.

Definitions (each figure covers the cases *received* in the window, by the
date of receipt in China time, Asia/Shanghai):

- **received**: every case, whatever its kind (complaint, tip, inquiry).
  ``by_kind``, ``by_department`` (the department holding the case now, after
  any transfer), ``by_channel``, ``by_city`` and ``by_category`` each add up
  to the total; a case without a city or category counts under ``unknown``.
- **decided**: a complaint or tip that was accepted or rejected. Inquiries
  need no decision and are left out of both rates.
- **acceptance rate**: accepted ÷ decided. Cases still awaiting a decision
  are not in the denominator (they are reported as ``awaiting``).
- **resolution rate**: resolved ÷ accepted, where resolved means the
  department recorded a resolution (an outcome) for the case.
- **median working days**: the median handling time of resolved cases,
  counted in working days from receipt to resolution (the case's
  ``working_days``, or the calendar when it was not recorded).
- **overdue**: cases that missed a deadline: decided or resolved after it,
  or still open past it on the report date. Each case counts once.
  ``overdue_open`` counts only those still open past a deadline.
- **money**: consumers' money recovered, penalties imposed and tip rewards
  paid, summed over the cases (kept in fen, shown in yuan).
- **satisfaction index**: the citizens' ratings 1–5 mapped linearly onto
  0–100 (1 → 0, 3 → 50, 5 → 100) and averaged; also separately for
  producer-service and consumer-service departments, against the policy's
  targets (85 and 80).
- **cities**: the 13 cities of the region list by their official names, ``other``
  for a place outside them, ``unknown`` when none was given (``campaigns.regions``);
  never a place as the citizen typed it.
- **top enterprises**: registered enterprises with the most complaints and tips that
  count publicly against them (``complaints.publication``: accepted complaints,
  confirmed tips, no duplicates; a firm only on two such cases or one verified),
  named as the register names them; a name as typed is never published.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from campaigns.regions import city_key
from complaints.deadlines import working_days_between
from complaints.publication import counts_against_enterprise, publishable

CHINA = ZoneInfo("Asia/Shanghai")
KINDS = ("complaint", "tip", "inquiry")
DECIDED_KINDS = ("complaint", "tip")
UNKNOWN = "unknown"
TOP_ENTERPRISES = 10


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the report needs of one case."""

    kind: str
    channel: str
    department: str
    status: str
    created_at: datetime
    city: str | None = None
    category: str | None = None
    company: str | None = None
    enterprise_uscc: str | None = None
    enterprise_name: str | None = None
    accept_due: date | None = None
    resolve_due: date | None = None
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None
    reject_reason: str | None = None
    outcome: str | None = None
    recovered_fen: int = 0
    penalty_fen: int = 0
    reward_fen: int = 0
    working_days: int | None = None
    rating: int | None = None
    duplicate_of_id: int | None = None


@dataclass(frozen=True, slots=True)
class SatisfactionPolicy:
    consumer_target: float = 80.0
    producer_target: float = 85.0
    producer_departments: frozenset[str] = frozenset({"zhijian", "nongye", "huanbao", "jianyan"})


@dataclass(frozen=True, slots=True)
class EnterpriseCount:
    key: str
    uscc: str | None
    name: str
    cases: int
    complaints: int
    tips: int


@dataclass(slots=True)
class Figures:
    """One campaign window's figures."""

    start: date
    end: date
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)
    by_city: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    accepted: int = 0
    rejected: int = 0
    awaiting: int = 0
    resolved: int = 0
    median_working_days: float | None = None
    overdue: int = 0
    overdue_open: int = 0
    recovered_fen: int = 0
    penalty_fen: int = 0
    reward_fen: int = 0
    ratings: int = 0
    satisfaction_index: float | None = None
    consumer_index: float | None = None
    producer_index: float | None = None
    top_enterprises: list[EnterpriseCount] = field(default_factory=list)
    # complaints and tips per enterprise key, for every enterprise (not just the top)
    enterprise_cases: dict[str, int] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.accepted if self.accepted else None


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def rating_index(rating: int) -> float:
    """A rating 1–5 on the 0–100 scale."""
    return (rating - 1) * 25.0


def _counts(values: Iterable[str]) -> dict[str, int]:
    # largest first, then by code, so the order is stable between runs
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def is_rejected(row: CaseRow) -> bool:
    return row.status == "rejected" or row.reject_reason is not None


def is_accepted(row: CaseRow) -> bool:
    if is_rejected(row):
        return False
    return (
        row.accepted_at is not None
        or row.resolved_at is not None
        or row.status in ("accepted", "in_progress", "resolved")
    )


def is_resolved(row: CaseRow) -> bool:
    return is_accepted(row) and (row.resolved_at is not None or row.status == "resolved")


def handling_days(row: CaseRow) -> int | None:
    """Working days from receipt to resolution."""
    if row.working_days is not None:
        return row.working_days
    if row.resolved_at is None:
        return None
    return working_days_between(china_date(row.created_at), china_date(row.resolved_at))


def _is_open(row: CaseRow) -> bool:
    return row.resolved_at is None and row.status not in ("rejected", "resolved", "closed")


def missed_deadline(row: CaseRow, as_of: date) -> tuple[bool, bool]:
    """(missed a deadline at all, is open past a deadline on ``as_of``)."""
    late = still_late = False
    if row.accept_due is not None and not is_rejected(row):
        if row.accepted_at is not None:
            late = china_date(row.accepted_at) > row.accept_due
        elif row.status == "received" and as_of > row.accept_due:
            late = still_late = True
    if row.resolve_due is not None and is_accepted(row):
        if row.resolved_at is not None:
            late = late or china_date(row.resolved_at) > row.resolve_due
        elif _is_open(row) and as_of > row.resolve_due:
            late = still_late = True
    return late, still_late


def _enterprise_key(row: CaseRow) -> tuple[str, str | None, str] | None:
    """(key, code, the register's name) of a case that counts publicly, else None."""
    if not row.enterprise_uscc or not counts_against_enterprise(row):
        return None
    return row.enterprise_uscc, row.enterprise_uscc, row.enterprise_name or row.enterprise_uscc


def enterprise_counts(rows: Iterable[CaseRow]) -> list[EnterpriseCount]:
    """Complaints and tips that count publicly per registered enterprise, most first."""
    tally: dict[str, list[Any]] = {}
    for row in rows:
        found = _enterprise_key(row)
        if found is None:
            continue
        key, uscc, name = found
        entry = tally.setdefault(key, [uscc, name, 0, 0, []])
        entry[2 if row.kind == "complaint" else 3] += 1
        entry[4].append(row)
    counts = [
        EnterpriseCount(key, uscc, name, c + t, c, t)
        for key, (uscc, name, c, t, _rows) in tally.items()
    ]
    counts.sort(key=lambda e: (-e.cases, e.name, e.key))
    return counts


def top_enterprises(rows: Iterable[CaseRow], top: int = TOP_ENTERPRISES) -> list[EnterpriseCount]:
    """The most complained-about enterprises that may be named (``publishable``)."""
    rows = list(rows)
    by_firm: dict[str, list[CaseRow]] = {}
    for row in rows:
        if row.enterprise_uscc:
            by_firm.setdefault(row.enterprise_uscc, []).append(row)
    named = [e for e in enterprise_counts(rows) if publishable(by_firm.get(e.key, []))]
    return named[:top]


def in_window(row: CaseRow, start: date, end: date) -> bool:
    return start <= china_date(row.created_at) <= end


def compute(
    rows: Iterable[CaseRow],
    start: date,
    end: date,
    as_of: date,
    policy: SatisfactionPolicy | None = None,
    top: int = TOP_ENTERPRISES,
) -> Figures:
    """The figures of the cases received from ``start`` to ``end`` (China dates, inclusive);
    open cases are judged against their deadlines on ``as_of``."""
    policy = policy or SatisfactionPolicy()
    cases = [r for r in rows if in_window(r, start, end)]
    fig = Figures(start=start, end=end, total=len(cases))
    by_kind = dict.fromkeys(KINDS, 0) | _counts(r.kind for r in cases)
    fig.by_kind = {k: by_kind[k] for k in sorted(by_kind, key=_kind_order)}
    fig.by_department = _counts(r.department for r in cases)
    fig.by_city = _counts(city_key(r.city) for r in cases)
    fig.by_category = _counts(r.category or UNKNOWN for r in cases)
    fig.by_channel = _counts(r.channel for r in cases)
    fig.by_outcome = _counts(r.outcome for r in cases if r.outcome)
    days: list[int] = []
    everyone: list[float] = []
    consumer: list[float] = []
    producer: list[float] = []
    for row in cases:
        if row.kind in DECIDED_KINDS:
            if is_rejected(row):
                fig.rejected += 1
            elif is_accepted(row):
                fig.accepted += 1
            elif row.status == "received":
                fig.awaiting += 1
            if is_resolved(row):
                fig.resolved += 1
                spent = handling_days(row)
                if spent is not None:
                    days.append(spent)
        late, still_late = missed_deadline(row, as_of)
        fig.overdue += late
        fig.overdue_open += still_late
        fig.recovered_fen += row.recovered_fen or 0
        fig.penalty_fen += row.penalty_fen or 0
        fig.reward_fen += row.reward_fen or 0
        if row.rating is not None and 1 <= row.rating <= 5:
            score = rating_index(row.rating)
            everyone.append(score)
            group = producer if row.department in policy.producer_departments else consumer
            group.append(score)
    fig.median_working_days = float(statistics.median(days)) if days else None
    fig.ratings = len(everyone)
    fig.satisfaction_index = _mean(everyone)
    fig.consumer_index = _mean(consumer)
    fig.producer_index = _mean(producer)
    fig.top_enterprises = top_enterprises(cases, top)
    fig.enterprise_cases = {e.key: e.cases for e in enterprise_counts(cases)}
    return fig


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def yuan(fen: int) -> float:
    """Fen as yuan for JSON (exact to the fen: at most two decimals)."""
    return round(fen / 100, 2)


def figures_dict(fig: Figures, policy: SatisfactionPolicy | None = None) -> dict[str, Any]:
    """The JSON form of one window's figures."""
    policy = policy or SatisfactionPolicy()
    return {
        "period": {"start": fig.start.isoformat(), "end": fig.end.isoformat()},
        "cases": {
            "total": fig.total,
            "by_kind": fig.by_kind,
            "by_department": fig.by_department,
            "by_city": fig.by_city,
            "by_category": fig.by_category,
            "by_channel": fig.by_channel,
            "by_outcome": fig.by_outcome,
        },
        "decisions": {"accepted": fig.accepted, "rejected": fig.rejected, "awaiting": fig.awaiting},
        "resolved": fig.resolved,
        "acceptance_rate": _round(fig.acceptance_rate, 4),
        "resolution_rate": _round(fig.resolution_rate, 4),
        "median_working_days": fig.median_working_days,
        "overdue": fig.overdue,
        "overdue_open": fig.overdue_open,
        "money_recovered_yuan": yuan(fig.recovered_fen),
        "penalties_yuan": yuan(fig.penalty_fen),
        "rewards_yuan": yuan(fig.reward_fen),
        "satisfaction_index": _round(fig.satisfaction_index, 1),
        "satisfaction": {
            "ratings": fig.ratings,
            "consumer_services": _round(fig.consumer_index, 1),
            "producer_services": _round(fig.producer_index, 1),
            "consumer_target": policy.consumer_target,
            "producer_target": policy.producer_target,
            "producer_departments": sorted(policy.producer_departments),
        },
        "top_enterprises": [
            {
                "uscc": e.uscc,
                "name": e.name,
                "cases": e.cases,
                "complaints": e.complaints,
                "tips": e.tips,
            }
            for e in fig.top_enterprises
        ],
    }


def report_dict(
    current: Figures,
    previous: Figures,
    *,
    campaign: Mapping[str, Any],
    year: int,
    as_of: date,
    policy: SatisfactionPolicy | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The whole report: this year's figures at the top level, last year's beside them."""
    body = figures_dict(current, policy)
    prior = figures_dict(previous, policy)
    for item, entry in zip(body["top_enterprises"], current.top_enterprises, strict=True):
        item["previous_year_cases"] = previous.enterprise_cases.get(entry.key, 0)
    return {
        "campaign": dict(campaign),
        "year": year,
        "as_of": as_of.isoformat(),
        "complete": as_of > current.end,
        **body,
        "department_names": dict(names or {}),
        "previous_year": {"year": year - 1, **prior},
    }
