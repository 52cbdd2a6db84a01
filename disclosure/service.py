"""Read-side services for published data, shared by the web API, the pages and the bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.cache import PublishedData
from disclosure.grades import COLOUR, MEANING, TITLE, GradeRecord, current_grade
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from disclosure.recalls import SUMMARY_FIELDS, recall_item
from infra.i18n import gettext
from nlp import uscc as uscc_codes

# complaints (not inquiries) about an enterprise by outcome, or status while open
ComplaintCounts = Callable[[AsyncSession, str], Awaitable[dict[str, int]]]


class NotFound(LookupError):
    """No such record."""


class BadCode(ValueError):
    """A unified social credit code that is not even well formed."""


class SearchItem(NamedTuple):
    """One search result (a named tuple: a search answer makes ten of them)."""

    uscc: str
    name: str
    grade: str | None
    score: float  # 0-100, to one decimal (as the index gives it)
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "grade": self.grade,
            "score": self.score,
            "match": self.reason,
        }


# With a grade filter, look further down the ranking so a page of matches remains.
_FILTER_DEPTH = 20


# Below this a hit shares too little with the query to be worth showing anyone.
MIN_SCORE = 30.0


def search_enterprises(
    published: PublishedData,
    query: str,
    limit: int = 10,
    today: date | None = None,
    grade: str | None = None,
) -> list[SearchItem]:
    """Fuzzy search over the in-memory index; grades from memory too (no database).

    With ``grade``, only enterprises whose current grade it is; an empty query then
    lists them by name.
    """
    if not query.strip():
        return _with_grade(published, grade, limit, today) if grade else []
    depth = limit * _FILTER_DEPTH if grade else limit
    today = today or date.today()
    items = []
    for hit in published.index.search(query, limit=depth):
        if hit.score < MIN_SCORE:
            break  # hits come best first: the rest share almost nothing with the query
        current = published.grade_of(hit.uscc, today)
        code = current.grade if current else None
        if grade and code != grade:
            continue
        items.append(SearchItem(hit.uscc, hit.name, code, hit.score, hit.reason))
        if len(items) == limit:
            break
    return items


def _with_grade(
    published: PublishedData, grade: str, limit: int, today: date | None
) -> list[SearchItem]:
    found = []
    for code in list(published.history):
        current = published.grade_of(code, today)
        name = published.name_of(code) if current is not None and current.grade == grade else None
        if name is not None:
            found.append(SearchItem(code, name, grade, 100.0, "grade"))
    found.sort(key=lambda item: (item.name, item.uscc))
    return found[:limit]


def grade_dict(record: GradeRecord | CreditGrade | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "grade": record.grade,
        "year": record.year,
        "valid_from": record.valid_from.isoformat() if record.valid_from else None,
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "authority": record.authority,
        "title": gettext(TITLE[record.grade]),
        "meaning": gettext(MEANING[record.grade]),
        "colour": COLOUR[record.grade],
    }


def check_code(code: str) -> str:
    """The cleaned code, or BadCode when it is malformed (a bad check character is allowed)."""
    check = uscc_codes.validate(code)
    if not check.acceptable:
        raise BadCode(check.message)
    return check.code


async def enterprise_detail(
    session: AsyncSession,
    published: PublishedData,
    code: str,
    today: date | None = None,
    *,
    complaint_counts: ComplaintCounts | None = None,
) -> dict[str, Any]:
    """One enterprise with its current grade, grade history, recalls and complaint counts.

    The counts come from the complaints domain (``complaints.service.counts_by_outcome``),
    passed in by the caller; without it they are empty."""

    code = check_code(code)
    enterprise = await session.get(Enterprise, code)
    if enterprise is None:
        raise NotFound(code)
    grades = list(
        await session.scalars(
            select(CreditGrade).where(CreditGrade.uscc == code).order_by(CreditGrade.year.desc())
        )
    )
    recalls = list(
        await session.scalars(
            select(RecallNotice)
            .where(RecallNotice.producer_uscc == code)
            .order_by(RecallNotice.published.desc(), RecallNotice.id.desc())
        )
    )
    counts = await complaint_counts(session, code) if complaint_counts is not None else {}
    # From the rows just read rather than the in-memory table: a page shown right after
    # an import agrees with its own history table.
    records = [
        GradeRecord(g.grade, g.year, g.valid_from, g.valid_until, g.authority) for g in grades
    ]
    current = current_grade(records, today or date.today())
    history = []
    for g in grades:
        entry = {**(grade_dict(g) or {}), "source": g.source}
        entry["current"] = current is not None and g.year == current.year
        history.append(entry)
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "aliases": enterprise.aliases or [],
        "region": enterprise.region,
        "industry": enterprise.industry,
        "status": enterprise.status,
        "code_check": uscc_codes.validate(code).status.value,
        "grade": grade_dict(current),
        "grade_history": history,
        "recalls": [recall_summary(r) for r in recalls],
        "complaints": {"total": sum(counts.values()), "by_outcome": counts},
    }


def recall_summary(r: RecallNotice) -> dict[str, Any]:
    """A notice as the company page lists it."""
    return recall_item(r, SUMMARY_FIELDS)
