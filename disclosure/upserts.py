"""Bulk writes for imports: chunked ``INSERT … ON CONFLICT`` on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
# Well under both backends' limit on bound parameters per statement (32,766 / 32,767).
CHUNK = 1000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise RuntimeError(f"imports support SQLite and PostgreSQL, not {dialect}")


async def upsert(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    keys: Iterable[str],
    update: Iterable[str],
) -> None:
    """Insert ``rows``; where ``keys`` already exist, overwrite only the ``update`` columns.

    Every row must carry the same columns (one executemany per chunk).
    """
    if not rows:
        return
    stmt = _insert(session, table)
    update = list(update)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={name: stmt.excluded[name] for name in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    for part in chunks(rows, 5000):
        await session.execute(stmt, list(part))
