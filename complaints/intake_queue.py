"""Group commit for case intake.

Filing a case is a duplicate query, three INSERTs and a commit. Under load most of
that cost is per statement (a round trip, and on SQLite a hop to the driver's thread),
not per row. So each process has one intake writer: cases that arrive while a group
is being written wait and go into the next group together, one transaction and one
commit for all of them (``intake_store.store_many``). An idle service writes a group of one
at once; a busy one writes larger groups, and the statements per case fall.

A case is acknowledged only after the commit of its group. When a group fails (a
parallel retry with the same idempotency key, an unknown department), each of its
drafts is written again alone, so only the faulty one fails; when the database is
unavailable, the whole group fails at once (the caller answers 503).
On SQLite the single writer also keeps this process's filings out of SQLite's busy
handler, which would make them sleep while another connection holds the write lock.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.intake import Draft, Filed
from complaints.intake_store import store_many
from infra.health import is_database_unavailable
from infra.security import Cipher

if TYPE_CHECKING:
    from infra.settings import Settings

log = logging.getLogger(__name__)
MAX_GROUP = 64

_Waiting = tuple[Draft, "asyncio.Future[Filed]"]


class IntakeQueue:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        max_group: int = MAX_GROUP,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.max_group = max_group
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        self._cipher: Cipher | None = None
        self.groups = 0  # groups written, for tests and curiosity
        self.largest = 0

    async def store(self, draft: Draft) -> Filed:
        """Write the draft with whatever else is waiting; returns once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Filed] = loop.create_future()
        self._waiting.append((draft, future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain(), name="intake-writer")
        # a client that hangs up does not take its case out of a group being written
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._waiting:
            group = self._waiting[: self.max_group]
            del self._waiting[: len(group)]
            try:
                await self._write_group(group)
            except asyncio.CancelledError:
                for _, future in group + self._waiting:
                    if not future.done():
                        future.cancel()
                raise

    async def _write_group(self, group: list[_Waiting]) -> None:
        self.groups += 1
        self.largest = max(self.largest, len(group))
        try:
            filed = await self._write([draft for draft, _ in group])
        except Exception as exc:
            if len(group) == 1 or is_database_unavailable(exc):
                # an outage fails them all alike: no point in trying each one again
                for _, future in group:
                    _settle(future, exc=exc)
                return
            log.info(
                "a group of %d filings failed (%s); writing them one by one",
                len(group),
                type(exc).__name__,
            )
            for draft, future in group:
                try:
                    one = await self._write([draft])
                except Exception as single:
                    _settle(future, exc=single)
                else:
                    _settle(future, result=one[0])
            return
        for (_, future), result in zip(group, filed, strict=True):
            _settle(future, result=result)

    async def _write(self, drafts: list[Draft]) -> list[Filed]:
        secret = self.settings.require_secret()
        if self._cipher is None:
            self._cipher = Cipher(secret)
        async with self.sessions() as session:
            filed = await store_many(session, self._cipher, secret, drafts)
            await session.commit()
        return filed

    async def close(self) -> None:
        """Let the groups in hand be written (a few seconds at most), then stop."""
        writer = self._writer
        if writer is None or writer.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(writer), 10)
        except (TimeoutError, asyncio.CancelledError):
            writer.cancel()


def _settle(
    future: asyncio.Future[Filed], *, result: Filed | None = None, exc: BaseException | None = None
) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        assert result is not None
        future.set_result(result)
