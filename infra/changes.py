"""Keeping each process's memory current when any process changes the database.

Every process holds data in memory that other processes may change: the published data
(search index and grades, ``disclosure.cache``) and the router's lessons (staff
transfers, ``complaints.lessons``); ``complaints.runtime`` passes their refresh
functions to :func:`follow_changes`. One loop per process applies what changed since it
last looked: every second (an indexed read
or two), and at once when PostgreSQL announces a change: triggers on ``data_changes``
and ``routing_examples`` (see the migration) NOTIFY the ``zhixin_changes`` channel, and
each process LISTENs on its own connection. So an import by the CLI, or a transfer on
another server, shows here within milliseconds; if the listening connection is lost,
the loop keeps polling and listens again a few seconds later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# reads what changed since its last call and applies it to the process's memory
Refresher = Callable[[AsyncSession], Awaitable[None]]

log = logging.getLogger(__name__)
CHANNEL = "zhixin_changes"
POLL_SECONDS = 1.0
RECONNECT_SECONDS = 5.0


class ChangeListener:
    """LISTEN on PostgreSQL's ``zhixin_changes`` channel; elsewhere, a plain timer."""

    def __init__(self, url: URL | None) -> None:
        self.url = url if url is not None and url.get_backend_name() == "postgresql" else None
        self.event = asyncio.Event()
        self._conn: Any = None
        self._next_try = 0.0

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def _connect(self) -> None:
        if self.url is None or self.listening or time.monotonic() < self._next_try:
            return
        import asyncpg

        self._next_try = time.monotonic() + RECONNECT_SECONDS
        try:
            conn = await asyncpg.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.username,
                password=self.url.password,
                database=self.url.database,
                timeout=2,
            )
            await conn.add_listener(CHANNEL, self._notified)
        except Exception as exc:  # the database may be away: poll until it is back
            log.warning("cannot LISTEN for changes (%s); polling", type(exc).__name__)
            return
        self._conn = conn
        self.event.set()  # anything may have changed while nobody listened

    def _notified(self, *_args: Any) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> None:
        """Until a change is announced, or ``timeout`` seconds."""
        await self._connect()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.event.wait(), seconds)
        self.event.clear()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)


async def follow_changes(
    url: URL,
    sessions: async_sessionmaker[AsyncSession],
    refreshers: Sequence[Refresher],
    every: float = POLL_SECONDS,
) -> None:
    """Apply other processes' changes until cancelled; database faults are retried."""
    listener = ChangeListener(url)
    try:
        while True:
            await listener.wait(every)
            try:
                async with sessions() as session:
                    for refresh in refreshers:
                        await refresh(session)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be briefly unavailable
                log.warning("could not apply changes: %s", type(exc).__name__)
    finally:
        await listener.close()
