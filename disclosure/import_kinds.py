"""What each import file means for the database: checks against stored data, then upserts.

Each planner receives the rows that parsed, adds the problems only the
database can reveal (unregistered codes, duplicates in the file), counts what
would be added, updated or left unchanged, and writes only when the report
has no error and the run is not a dry run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.cache import mark_change
from disclosure.import_report import ImportReport, Record
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from disclosure.upserts import chunks, upsert
from infra.db import utcnow
from nlp.text import normalize

Planner = Callable[[AsyncSession, list["Record"], set[str], "ImportReport", str], Awaitable[None]]


def first_of_each(
    records: list[Record],
    key: Callable[[Record], Hashable],
    field: str,
    what: str,
    report: ImportReport,
) -> list[Record]:
    """Rows with a key seen on an earlier row are errors (a file says each thing once)."""
    seen: dict[Hashable, int] = {}
    kept = []
    for record in records:
        k = key(record)
        if k in seen:
            report.error(
                record.row, record.headers.get(field), f"{what} already given on row {seen[k]}"
            )
            continue
        seen[k] = record.row
        kept.append(record)
    return kept


async def select_in(
    session: AsyncSession, columns: Iterable[Any], key: Any, values: Iterable[Any]
) -> list[Any]:
    """Rows whose ``key`` is one of ``values``, read in chunks (bound-parameter limits)."""
    found: list[Any] = []
    for part in chunks(sorted(set(values))):
        found.extend(await session.execute(select(*columns).where(key.in_(part))))
    return found


def _changed(old: dict[str, Any], new: dict[str, Any], fields: Iterable[str]) -> bool:
    return any(old.get(f) != new.get(f) for f in fields)


def _tally(
    report: ImportReport, old: dict[str, Any] | None, row: dict[str, Any], compared: Iterable[str]
) -> bool:
    """Count the row as added, updated or unchanged; True when it has to be written."""
    if old is None:
        report.added += 1
    elif _changed(old, row, compared):
        report.updated += 1
    else:
        report.unchanged += 1
        return False
    return True


async def plan_enterprises(
    session: AsyncSession,
    records: list[Record],
    fields: set[str],
    report: ImportReport,
    source: str,
) -> None:
    records = first_of_each(
        records, lambda r: r.values["uscc"], "uscc", "this enterprise code is", report
    )
    cols = (Enterprise.uscc, Enterprise.name, Enterprise.aliases, Enterprise.region)
    cols += (Enterprise.industry, Enterprise.status)
    stored = {
        row.uscc: row._asdict()
        for row in await select_in(
            session, cols, Enterprise.uscc, (r.values["uscc"] for r in records)
        )
    }
    compared = [f for f in ("name", "aliases", "region", "industry", "status") if f in fields]
    now = utcnow()
    rows = []
    for record in records:
        v = record.values
        row = {
            "uscc": v["uscc"],
            "name": v["name"],
            "aliases": v.get("aliases") or [],
            "region": v.get("region"),
            "industry": v.get("industry"),
            "status": v.get("status"),
            "created_at": now,
            "updated_at": now,
        }
        old = stored.get(v["uscc"])
        if old is not None:
            old = {**old, "aliases": old["aliases"] or []}
        if _tally(report, old, row, compared):
            rows.append(row)
    if report.errors or report.dry_run or not rows:
        return
    await upsert(session, Enterprise.__table__, rows, ["uscc"], [*compared, "updated_at"])
    mark_change(session, "enterprises")


async def plan_grades(
    session: AsyncSession,
    records: list[Record],
    fields: set[str],
    report: ImportReport,
    source: str,
) -> None:
    records = first_of_each(
        records,
        lambda r: (r.values["uscc"], r.values["year"]),
        "year",
        "a grade for this enterprise and year is",
        report,
    )
    for record in records:
        start, end = record.values.get("valid_from"), record.values.get("valid_until")
        if start and end and end < start:
            report.error(
                record.row,
                record.headers.get("valid_until"),
                f"validity ends ({end}) before it starts ({start})",
            )
    codes = {r.values["uscc"] for r in records}
    names = {
        row.uscc: row.name
        for row in await select_in(
            session, (Enterprise.uscc, Enterprise.name), Enterprise.uscc, codes
        )
    }
    new_enterprises: dict[str, str] = {}
    for record in records:
        code, name = record.values["uscc"], record.values.get("name")
        if code not in names and name and code not in new_enterprises:
            new_enterprises[code] = name
    for record in records:
        code, name = record.values["uscc"], record.values.get("name")
        if code not in names and code not in new_enterprises:
            report.error(
                record.row,
                record.headers["uscc"],
                f"enterprise {code} is not registered; give its 企业名称/name in this file "
                "or import it with the enterprises file first",
            )
        elif code in names and name and name != names[code]:
            report.warn(
                record.row,
                record.headers.get("name"),
                f"{name!r} differs from the registered name {names[code]!r}, which is kept",
            )
    stored: dict[tuple[str, int], dict[str, Any]] = {}
    cols = (CreditGrade.uscc, CreditGrade.year, CreditGrade.grade, CreditGrade.valid_from)
    cols += (CreditGrade.valid_until, CreditGrade.authority)
    for row in await select_in(session, cols, CreditGrade.uscc, set(names) & codes):
        stored[(row.uscc, row.year)] = row._asdict()
    compared = ["grade", *(f for f in ("valid_from", "valid_until", "authority") if f in fields)]
    now = utcnow()
    rows = []
    for record in records:
        v = record.values
        row = {
            "uscc": v["uscc"],
            "year": v["year"],
            "grade": v["grade"],
            "valid_from": v.get("valid_from"),
            "valid_until": v.get("valid_until"),
            "authority": v.get("authority"),
            "source": source[:200],
            "created_at": now,
            "updated_at": now,
        }
        if _tally(report, stored.get((v["uscc"], v["year"])), row, compared):
            rows.append(row)
    report.registered = len(new_enterprises)
    if report.errors or report.dry_run:
        return
    if new_enterprises:
        registering = [
            {"uscc": c, "name": n, "aliases": [], "created_at": now, "updated_at": now}
            for c, n in new_enterprises.items()
        ]
        await upsert(session, Enterprise.__table__, registering, ["uscc"], [])
        mark_change(session, "enterprises")
    if rows:
        update = [*compared, "source", "updated_at"]
        await upsert(session, CreditGrade.__table__, rows, ["uscc", "year"], update)
        mark_change(session, "grades")


def name_key(name: str) -> str:
    """A company name as compared for linking: width, script, case and spaces folded."""
    return normalize(name).replace(" ", "")


class ProducerLinks:
    """Finds the registered enterprise of a recall's producer: by code, else by name."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.codes: set[str] = set()
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.folded: dict[str, set[str]] | None = None

    async def prepare(self, codes: set[str], names: set[str]) -> None:
        rows = await select_in(self.session, (Enterprise.uscc,), Enterprise.uscc, codes)
        self.codes = {r.uscc for r in rows}
        for r in await select_in(
            self.session, (Enterprise.uscc, Enterprise.name), Enterprise.name, names
        ):
            self.exact[r.name].add(r.uscc)

    async def _folded_names(self) -> dict[str, set[str]]:
        if self.folded is None:
            self.folded = defaultdict(set)
            for uscc, name in await self.session.execute(select(Enterprise.uscc, Enterprise.name)):
                self.folded[name_key(name)].add(uscc)
        return self.folded

    async def find(self, code: str | None, name: str) -> tuple[str | None, str | None]:
        """The linked code and, when a code was given but did not link, why."""
        note = None
        if code:
            if code in self.codes:
                return code, None
            note = f"producer code {code} is not registered"
        matches = self.exact.get(name) or (await self._folded_names()).get(name_key(name), set())
        if len(matches) == 1:
            return next(iter(matches)), note
        if len(matches) > 1:
            return None, f"producer name {name!r} matches {len(matches)} enterprises; not linked"
        return None, note and f"{note}; no enterprise has the name {name!r}; not linked"


_RECALL_FIELDS = (
    "title",
    "product",
    "brand",
    "model",
    "category",
    "level",
    "producer",
    "reason",
    "hazard",
    "remedy",
    "quantity",
    "region",
    "start_date",
    "published",
    "status",
    "url",
)


async def plan_recalls(
    session: AsyncSession,
    records: list[Record],
    fields: set[str],
    report: ImportReport,
    source: str,
) -> None:
    records = first_of_each(
        records, lambda r: r.values["recall_no"], "recall_no", "this recall number is", report
    )
    links = ProducerLinks(session)
    await links.prepare(
        {r.values["producer_uscc"] for r in records if r.values.get("producer_uscc")},
        {r.values["producer"] for r in records},
    )
    t = RecallNotice.__table__.c
    cols = [t.recall_no, t.producer_uscc, *(t[f] for f in _RECALL_FIELDS)]
    stored = {
        row.recall_no: row._asdict()
        for row in await select_in(
            session, cols, t.recall_no, (r.values["recall_no"] for r in records)
        )
    }
    compared = [f for f in _RECALL_FIELDS if f in fields] + ["producer_uscc"]
    now = utcnow()
    rows = []
    for record in records:
        v = record.values
        linked, note = await links.find(v.get("producer_uscc"), v["producer"])
        old = stored.get(v["recall_no"])
        if linked is None and old and old["producer"] == v["producer"] and old["producer_uscc"]:
            linked, note = old["producer_uscc"], None  # keep a link made earlier
        if note:
            report.warn(record.row, record.headers.get("producer_uscc", "producer"), note)
        report.linked += linked is not None
        row = {f: v.get(f) for f in _RECALL_FIELDS}
        row.update(
            recall_no=v["recall_no"],
            producer_uscc=linked,
            status=v.get("status") or "ongoing",
            created_at=now,
            updated_at=now,
        )
        if _tally(report, old, row, compared):
            rows.append(row)
    if report.errors or report.dry_run or not rows:
        return
    await upsert(session, RecallNotice.__table__, rows, ["recall_no"], [*compared, "updated_at"])
    mark_change(session, "recalls")


PLANNERS: dict[str, Planner] = {
    "enterprises": plan_enterprises,
    "grades": plan_grades,
    "recalls": plan_recalls,
}
