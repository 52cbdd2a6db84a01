"""Is the database there, and can it be written? For ``/healthz`` and for telling
people to try again later.

``/healthz`` answers 200 ``{"status": "ok", "database": "ok"}`` while the database
answers and takes writes, 503 ``{"status": "degraded", "database": "unavailable"}``
when it does not answer and 503 ``"database": "read-only"`` when it answers but
refuses writes (a read-only SQLite file, directory or mount; a PostgreSQL standby or
``default_transaction_read_only``): searches and grades still work from memory then,
but nothing can be filed, so a load balancer or an orchestrator should know. The
probe (a ``SELECT 1`` and an ``UPDATE`` that matches no row, rolled back; two seconds
at most) runs at most once a second however often ``/healthz`` is asked, so the
endpoint stays as cheap as a request can be and still notices an outage, and the
recovery, within about a second.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra.db import SQLITE_BUSY_MS

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 2.0
PROBE_EVERY = 1.0
OK, READ_ONLY, UNAVAILABLE = "ok", "read-only", "unavailable"

# A write that changes nothing: it still needs a writable database (SQLite takes its
# write lock, PostgreSQL refuses it on a standby or in a read-only transaction).
_WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0")
_READ_ONLY_SIGNS = ("readonly database", "read-only transaction")


def _is_read_only(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", None) or exc).lower()
    return any(sign in message for sign in _READ_ONLY_SIGNS)


def _is_busy(exc: BaseException) -> bool:
    # another writer holds SQLite's write lock: the database is writable, just busy
    return "database is locked" in str(getattr(exc, "orig", None) or exc).lower()


def is_database_unavailable(exc: BaseException) -> bool:
    """True for the errors of a database that cannot be reached (down, restarting, the
    network cut), as opposed to a fault in the query or the data."""
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if _is_read_only(exc):
            return True  # a standby, a read-only file or mount: no write can succeed now
        return bool(exc.connection_invalidated) or isinstance(exc.orig, OSError)
    # asyncpg's own errors when a connection dies mid-way
    name = type(exc).__name__
    return name in {"ConnectionDoesNotExistError", "CannotConnectNowError", "InterfaceError"}


async def _write_state(conn: AsyncConnection) -> str:
    """OK or READ_ONLY, by a write that changes nothing, rolled back."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        # not wait for another writer's lock: a busy database is a writable one
        await conn.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        await conn.execute(_WRITE_PROBE)
    except DBAPIError as exc:
        if _is_read_only(exc):
            return READ_ONLY
        if not _is_busy(exc):
            raise
        return OK
    finally:
        await conn.rollback()
        if sqlite:
            try:
                await conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
            except BaseException:
                await conn.invalidate()  # never hand a lock-intolerant connection back
                raise
    return OK


class DatabaseProbe:
    """The database's state, probed at most once a second and shared by all callers."""

    def __init__(self, engine: AsyncEngine, *, every: float = PROBE_EVERY) -> None:
        self.engine = engine
        self.every = every
        self.ok = True
        self.state = OK
        self.checked_at = float("-inf")
        self._running: asyncio.Task[bool] | None = None

    async def check(self) -> bool:
        """True when the database answered and took a write within the last second;
        ``state`` says what is wrong otherwise."""
        if time.monotonic() - self.checked_at < self.every:
            return self.ok
        if self._running is None or self._running.done():
            self._running = asyncio.get_running_loop().create_task(self._probe())
        return await asyncio.shield(self._running)

    async def _probe(self) -> bool:
        state = OK
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                    state = await _write_state(conn)
        except Exception as exc:
            state = UNAVAILABLE
            failure = type(exc).__name__
        else:
            failure = "writes refused"
        if state != OK and state != self.state:
            log.warning("database %s: %s", state, failure)
        elif state != OK:
            log.debug("database still %s: %s", state, failure)
        elif self.state != OK:
            log.warning("database available again")
        self.state = state
        self.ok = state == OK
        self.checked_at = time.monotonic()
        return self.ok
