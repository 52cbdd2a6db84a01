"""One search index file per database on a machine, built once, mapped by every process.

The first process to start (or the first after the file went stale) builds the
index from the database under an exclusive file lock and writes it with the
database's newest change mark; every process then maps it read-only
(``nlp.lookup_file``) and applies, on top, the rows changed since the file
was written, exactly as it applies other processes' imports while it runs.

A file is rebuilt when it is missing, unreadable, of another format version,
written for another database (or for a database since recreated: its change
mark no longer matches), or so far behind that catching up would hold more
than an eighth of the names (and over 50,000) in each process's private layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.models import DataChange, Enterprise
from infra.db import utcnow
from nlp.lookup import EnterpriseIndex
from nlp.lookup_file import IndexFileError, open_index, save_index

log = logging.getLogger(__name__)
_I = TypeVar("_I", bound=EnterpriseIndex)
MARGIN = timedelta(seconds=30)  # see disclosure.cache: slow transactions' updated_at
SHARED_FROM = 20_000  # smaller registries build in memory in well under a second
STALE_SHARE = 8  # rebuild when more than 1/8 of the names changed since the file,
STALE_FLOOR = 50_000  # and more than this many


def _database_name(url: URL) -> str:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=os.path.abspath(url.database))  # relative to the working dir
    return url.render_as_string(hide_password=True)


async def _database_marks(session: AsyncSession) -> tuple[str, int, str]:
    """(which database, its newest change mark, when that mark was left)."""
    database = _database_name(session.get_bind().url)
    newest = (await session.scalar(select(func.max(DataChange.id)))) or 0
    at = await session.scalar(select(DataChange.at).where(DataChange.id == newest))
    return database, newest, at.isoformat() if at else ""


async def _fits(session: AsyncSession, meta: dict[str, Any], database: str, newest: int) -> bool:
    """Written for this database, and its change mark is still there with the same time
    (a database dropped and created again has other marks, or none)."""
    mark = meta.get("last_change")
    if meta.get("database") != database or not isinstance(mark, int) or mark > newest:
        return False
    if mark == 0:  # written before any change mark: only an unchanged registry fits
        return newest > 0 or meta.get("count") == await registry_size(session)
    at = await session.scalar(select(DataChange.at).where(DataChange.id == mark))
    return at is not None and at.isoformat() == meta.get("mark_at")


async def _changed_since(session: AsyncSession, since: datetime) -> int:
    stmt = select(func.count()).select_from(Enterprise).where(Enterprise.updated_at >= since)
    return int(await session.scalar(stmt) or 0)


@contextlib.asynccontextmanager
async def _locked(path: Path) -> AsyncIterator[None]:
    """An exclusive lock beside the file, held by one process on the machine at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


async def _try_open(
    cls: type[_I], session: AsyncSession, path: Path, database: str, newest: int, mark_at: str
) -> _I | None:
    """The mapped index with the rows changed since the file applied on top, or None when
    the file cannot serve this database."""
    try:
        index, meta = open_index(cls, path)
    except IndexFileError as exc:
        log.info("search index file not used: %s", exc)
        return None
    if not await _fits(session, meta, database, newest):
        log.info("search index file %s belongs to another database state", path)
        return None
    if (meta["last_change"], meta["mark_at"]) == (newest, mark_at):
        return index
    since = datetime.fromisoformat(meta["loaded_at"]) - MARGIN
    if await _changed_since(session, since) > max(STALE_FLOOR, len(index) // STALE_SHARE):
        log.info("search index file %s is too far behind the database", path)
        return None
    rows = await session.execute(
        select(Enterprise.uscc, Enterprise.name, Enterprise.aliases).where(
            Enterprise.updated_at >= since
        )
    )
    for uscc, name, aliases in rows:
        index.add(uscc, name, tuple(aliases or ()))
    return index


async def open_or_build(cls: type[_I], session: AsyncSession, path: Path) -> tuple[_I, int]:
    """The search index for this database, mapped from ``path`` (built there first when
    needed), and the change mark it reflects."""
    database, newest, mark_at = await _database_marks(session)
    index = await _try_open(cls, session, path, database, newest, mark_at)
    if index is not None:
        return index, newest
    async with _locked(path):
        # another process may have written it while this one waited for the lock
        index = await _try_open(cls, session, path, database, newest, mark_at)
        if index is not None:
            return index, newest
        loaded_at = utcnow()
        rows = await session.execute(select(Enterprise.uscc, Enterprise.name, Enterprise.aliases))
        built = EnterpriseIndex.build([(u, n, tuple(a or ())) for u, n, a in rows])
        meta = {
            "count": len(built),
            "database": database,
            "last_change": newest,
            "mark_at": mark_at,
            "loaded_at": loaded_at.isoformat(),
        }
        await asyncio.to_thread(save_index, built, path, meta)
        del built
        log.info("search index written to %s", path)
        index, _ = open_index(cls, path, verify=False)
        return index, newest


async def registry_size(session: AsyncSession) -> int:
    """How many enterprises the database holds."""
    return int(await session.scalar(select(func.count()).select_from(Enterprise)) or 0)
