"""The long-lived pieces one process shares between the web app, the bot and the CLI.

``Services`` holds the plumbing (engine, sessions, limits, metrics) and what the
domains keep in memory (published data, the router with its lessons, the intake
queue). It lives here, in the highest domain whose pieces it holds, so that the
bot, Open311, the campaign reports and the composition root can all start it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from prometheus_client import Gauge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from complaints.intake_queue import IntakeQueue
from complaints.lessons import SharedRouter, load_lessons
from disclosure.cache import PublishedData
from infra.accounts import Department
from infra.blobstore import BlobStore, store_from_settings
from infra.changes import Refresher, follow_changes
from infra.db import make_engine, make_sessionmaker
from infra.metrics import Metrics
from infra.migrate import ensure_schema
from infra.ratelimit import RateLimiter
from infra.settings import Settings
from nlp.registry import DepartmentSpec, load_registry
from nlp.router import Router

log = logging.getLogger(__name__)
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    registry: list[DepartmentSpec]
    published: PublishedData
    router: Router
    metrics: Metrics = field(default_factory=Metrics)
    # per-client limits on filing and access-code checks (Redis when configured)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # case intake in groups, one commit per group (complaints/intake_queue.py)
    intake: IntakeQueue = field(init=False)
    # routing a long text costs tens of milliseconds of CPU: one worker thread does it,
    # so the event loop keeps answering (one worker: the GIL allows no more anyway, and
    # fewer threads contend less with the loop for it)
    cpu: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="zhixin-cpu")
    )

    async def off_loop(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run CPU-bound ``fn`` on the worker thread, keeping the event loop free."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.cpu, call)

    # where evidence files are kept (infra.blobstore); made from the settings on first use
    evidence_override: BlobStore | None = None

    @property
    def evidence_store(self) -> BlobStore:
        if self.evidence_override is None:
            self.evidence_override = store_from_settings(self.settings)
        return self.evidence_override

    @property
    def departments(self) -> dict[str, DepartmentSpec]:
        return {d.code: d for d in self.registry}

    @classmethod
    async def start(
        cls, settings: Settings, *, migrate: bool = True, watch: bool = True
    ) -> Services:
        """Connect, migrate an empty or old database, load the in-memory data."""
        engine = make_engine(settings.database_url)
        if migrate:
            await ensure_schema(engine)
        sessions = make_sessionmaker(engine)
        registry = load_registry(settings.registry_file)
        published = PublishedData()
        async with sessions() as session:
            await sync_departments(session, registry)
            await published.load(session, settings.index_file)
            examples, last_lesson = await load_lessons(session)
        # learns staff transfers made in other processes too (complaints/lessons.py)
        router = SharedRouter(
            registry, examples=examples, lookup=published.index, last_lesson=last_lesson
        )
        services = cls(settings, engine, sessions, registry, published, router)
        # the worker thread must hand the GIL back to the event loop quickly: every
        # millisecond instead of Python's default five
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        services.limiter = RateLimiter.from_settings(
            settings.redis_url, enabled=settings.rate_limits
        )
        services.metrics.enterprises_indexed.set(len(published.index))
        services.intake = IntakeQueue(sessions, settings)
        _memo_gauges(services)
        if watch:
            # other processes' imports and transfers, within a second (infra/changes.py)
            watch_task = follow_changes(engine.url, sessions, services.refreshers())
            services.tasks.append(asyncio.create_task(watch_task))
        return services

    def refreshers(self) -> list[Refresher]:
        """What the change loop applies: other processes' imports and routing lessons."""
        return [self._refresh_published, self._learn_lessons]

    async def _refresh_published(self, session: AsyncSession) -> None:
        if await self.published.refresh(session):
            count = len(self.published.index)
            self.metrics.enterprises_indexed.set(count)
            log.info("published data refreshed (%d enterprises)", count)

    async def _learn_lessons(self, session: AsyncSession) -> None:
        if isinstance(self.router, SharedRouter) and await self.router.catch_up(session):
            log.info("learned routing lessons from other processes")

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()
        await self.intake.close()
        await self.limiter.close()
        await self.engine.dispose()
        self.cpu.shutdown(wait=False, cancel_futures=True)


def _memo_gauges(services: Services) -> None:
    """How many searches the index answered from its memo, and how many it computed."""
    for outcome, help_text in (
        ("hits", "Enterprise searches answered from the index's memo"),
        ("misses", "Enterprise searches the index computed"),
    ):
        gauge = Gauge(
            f"zhixin_search_memo_{outcome}", help_text, registry=services.metrics.registry
        )
        gauge.set_function(functools.partial(_memo_count, services.published, outcome))


def _memo_count(published: PublishedData, outcome: str) -> float:
    return float(getattr(published.index, f"memo_{outcome}", 0))


async def sync_departments(session: AsyncSession, registry: list[DepartmentSpec]) -> None:
    """Make the departments table match the registry file (insert new, update names)."""

    existing = {d.code: d for d in await session.scalars(select(Department))}
    for spec in registry:
        row = existing.get(spec.code)
        if row is None:
            session.add(
                Department(
                    code=spec.code,
                    name_zh=spec.name_zh,
                    name_en=spec.name_en,
                    scope_zh=spec.scope_zh,
                    scope_en=spec.scope_en,
                    active=True,
                )
            )
        else:
            row.name_zh, row.name_en = spec.name_zh, spec.name_en
            row.scope_zh, row.scope_en = spec.scope_zh, spec.scope_en
            row.active = True
    for code, row in existing.items():
        if code not in {s.code for s in registry}:
            row.active = False
    await session.commit()
