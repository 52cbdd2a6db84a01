"""What an import found: its rows as records, and the problems and warnings per row.

Shared by the reading and checking side (``disclosure.importer``) and the writing
side (``disclosure.import_kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
