"""``zhixin import enterprises|grades|recalls FILE [--dry-run]``: all rows or none.

The file is read and every row checked first; a single problem anywhere means
nothing is stored and every bad row is reported with its row number, column
and reason. A good file is written in one transaction with bulk upserts, and
leaves a ``DataChange`` mark so running servers pick it up within a second.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disclosure import import_kinds
from disclosure.columns import (
    KINDS,
    SPECS,
    BadValue,
    Column,
    Warned,
    columns_by_header,
    header_key,
)
from disclosure.import_report import ImportReport, Record
from disclosure.tabular import Table, UnreadableFile, read_table
from infra.characters import strip_controls
from infra.settings import Settings


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
            raw, removed = strip_controls(raw)
            if removed:
                shown = ", ".join(sorted(set(removed))[:5])
                report.warn(
                    number,
                    label,
                    f"removed {len(removed)} control character(s) ({shown}): they cannot "
                    "appear in the feed or on a page",
                )
                raw = raw.strip()
            if not column.multiline and ("\n" in raw or "\r" in raw):
                report.error(
                    number,
                    label,
                    "a line break inside a one-line value (in a CSV file, an unbalanced "
                    'quote (") joins the following rows into one cell)',
                )
                ok = False
                continue
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
        report.error(exc.row, exc.column, str(exc))
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
