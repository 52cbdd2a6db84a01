"""The long-lived pieces one process shares between the web app, the bot and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from nlp.router import Example, Router
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from disclosure.cache import PublishedData
from nlp.registry import DepartmentSpec, load_registry
from zhixin.db import make_engine, make_sessionmaker
from zhixin.metrics import Metrics
from zhixin.migrate import ensure_schema
from zhixin.ratelimit import RateLimiter
from zhixin.settings import Settings

log = logging.getLogger(__name__)


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
            await published.load(session)
            examples = await load_examples(session)
        router = Router(registry, examples=examples, lookup=published.index)
        services = cls(settings, engine, sessions, registry, published, router)
        services.limiter = RateLimiter.from_settings(
            settings.redis_url, enabled=settings.rate_limits
        )
        services.metrics.enterprises_indexed.set(len(published.index))
        if watch:
            services.tasks.append(asyncio.create_task(published.watch(sessions)))
        return services

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()
        await self.limiter.close()
        await self.engine.dispose()


async def sync_departments(session: AsyncSession, registry: list[DepartmentSpec]) -> None:
    """Make the departments table match the registry file (insert new, update names)."""
    from complaints.models import Department

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


async def load_examples(session: AsyncSession) -> list[Example]:
    """Corrections made by staff (transfers), oldest first, for the router to learn from."""
    from complaints.models import RoutingExample

    rows = await session.scalars(select(RoutingExample).order_by(RoutingExample.id))
    return [Example(r.text, r.department, r.kind) for r in rows]
