"""``zhixin import enterprises|grades|recalls FILE [--dry-run]``: all rows or none.

The file is read and every row checked first; a single problem anywhere means
nothing is stored and every bad row is reported with its row number, column
and reason. A good file is written in one transaction with bulk upserts, and
leaves a ``DataChange`` mark so running servers pick it up within a second.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disclosure.columns import (
    KINDS,
    SPECS,
    BadValue,
    Column,
    Warned,
    columns_by_header,
    header_key,
)
from disclosure.tabular import Table, UnreadableFile, read_table
from infra.settings import Settings


@dataclass(frozen=True, slots=True)
class Problem:
    row: int  # spreadsheet row number; 1 is the header, 0 the file as a whole
    column: str | None  # the header as written in the file
    message: str
    warning: bool = False

    def describe(self, file: str) -> str:
        where = [f"row {self.row}"] if self.row else []
        if self.column:
            where.append(f"column {self.column}")
        place = f" {', '.join(where)}:" if where else ""
        return f"{file}:{place} {'warning' if self.warning else 'error'}: {self.message}"


@dataclass
class Record:
    row: int
    values: dict[str, Any]
    headers: dict[str, str]  # field -> header as written, for messages


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool = False
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    registered: int = 0  # enterprises registered by a grades file
    linked: int = 0  # recalls linked to a registered producer
    stored: bool = False
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def error(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def warn(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message, warning=True))

    def problem_lines(self) -> list[str]:
        ordered = sorted(self.problems, key=lambda p: (p.row, p.warning))
        return [p.describe(self.file) for p in ordered]

    def summary(self) -> str:
        if self.errors:
            bad_rows = len({p.row for p in self.errors})
            return (
                f"{self.file}: {len(self.errors)} error(s) in {bad_rows} row(s) of {self.rows}; "
                "nothing was stored"
            )
        counts = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        extra = ""
        if self.kind == "grades" and self.registered:
            extra = f"; {self.registered} enterprise(s) registered"
        if self.kind == "recalls":
            extra = f"; {self.linked} linked to a registered producer"
        warned = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        if self.dry_run:
            outcome = "dry run, nothing stored"
        else:
            outcome = "stored" if self.added or self.updated else "nothing to change"
        return f"{self.file}: {self.rows} {self.kind} rows, {counts}{extra}{warned} ({outcome})"


def map_headers(kind: str, headers: list[str], report: ImportReport) -> list[Column | None]:
    """Each header's column; unknown, repeated and missing required columns are errors."""
    known = columns_by_header(kind)
    mapped: list[Column | None] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            report.error(1, f"#{position}", "a column has no header")
            mapped.append(None)
            continue
        column = known.get(header_key(header))
        if column is None:
            expected = ", ".join(c.label for c in SPECS[kind])
            report.error(1, header, f"unknown column {header!r}; the {kind} columns are {expected}")
        elif column.field in seen:
            report.error(1, header, f"column {column.label} appears twice ({seen[column.field]})")
            column = None
        else:
            seen[column.field] = header
        mapped.append(column)
    for column in SPECS[kind]:
        if column.required and column.field not in seen:
            report.error(1, None, f"missing required column {column.label}")
    return mapped


def parse_rows(table: Table, columns: list[Column | None], report: ImportReport) -> list[Record]:
    """Typed records of the rows without errors; problems go into the report."""
    headers = {c.field: h for c, h in zip(columns, table.headers, strict=False) if c}
    records: list[Record] = []
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        ok = True
        if len(cells) > len(columns) and any(cells[len(columns) :]):
            report.error(number, None, f"more cells than the {len(columns)} headed columns")
            ok = False
        for position, column in enumerate(columns):
            if column is None:
                continue
            raw = cells[position] if position < len(cells) else ""
            label = headers[column.field]
            if not raw:
                if column.required:
                    report.error(number, label, f"required value {column.label} is empty")
                    ok = False
                values[column.field] = None
                continue
            try:
                value = column.parse(raw)
            except BadValue as exc:
                report.error(number, label, str(exc))
                ok = False
                continue
            if isinstance(value, Warned):
                report.warn(number, label, value.message)
                value = value.value
            values[column.field] = value
        if ok:
            records.append(Record(number, values, headers))
    return records


async def import_table(
    session: AsyncSession, kind: str, table: Table, report: ImportReport, source: str
) -> None:
    """Check ``table`` as a ``kind`` file and, without errors, write it in ``session``."""
    from disclosure import import_kinds

    columns = map_headers(kind, table.headers, report)
    report.rows = len(table.rows)
    if report.errors:
        return
    records = parse_rows(table, columns, report)
    fields = {c.field for c in columns if c is not None}
    planner = import_kinds.PLANNERS[kind]
    await planner(session, records, fields, report, source)


async def import_file(
    sessions: async_sessionmaker[AsyncSession], kind: str, path: Path, dry_run: bool = False
) -> ImportReport:
    """Import one file in one transaction; nothing is stored when any row is bad."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    report = ImportReport(kind, path.name, dry_run=dry_run)
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        report.error(0, None, str(exc))
        return report
    except OSError as exc:
        report.error(0, None, f"cannot read the file: {exc.strerror or exc}")
        return report
    report.encoding = table.encoding
    for note in table.notes:
        report.warn(0, None, note)
    async with sessions() as session:
        await session.begin()
        try:
            await import_table(session, kind, table, report, source=path.name)
            if report.errors or dry_run:
                await session.rollback()
            else:
                await session.commit()
                report.stored = True
        except BaseException:
            await session.rollback()
            raise
    return report


async def cli_import(settings: Settings, kind: str, path: Path, dry_run: bool) -> int:
    """The ``zhixin import`` command: report on stderr/stdout, 0 when stored (or checked)."""
    from infra.db import make_engine, make_sessionmaker
    from infra.migrate import ensure_schema

    engine = make_engine(settings.database_url)
    try:
        await ensure_schema(engine)
        report = await import_file(make_sessionmaker(engine), kind, path, dry_run=dry_run)
    finally:
        await engine.dispose()
    for line in report.problem_lines():
        print(line, file=sys.stderr)
    print(report.summary(), file=sys.stderr if report.errors else sys.stdout)
    return 1 if report.errors else 0
