"""Applying Alembic migrations from code (``zhixin db upgrade``, serve and demo)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "zhixin:migrations")
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction on the engine."""

    def _upgrade(sync_conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def current_revision(engine: AsyncEngine) -> str | None:
    def _current(sync_conn: Connection) -> str | None:
        if "alembic_version" not in inspect(sync_conn).get_table_names():
            return None
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def ensure_schema(engine: AsyncEngine) -> bool:
    """Upgrade a database that is empty or behind; True when anything was applied."""
    if await current_revision(engine) == head_revision():
        return False
    await upgrade(engine)
    return True
