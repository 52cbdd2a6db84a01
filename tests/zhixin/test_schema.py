"""The models and the migrations agree, timestamps come back aware UTC, and the
database itself enforces foreign keys and the append-only case log, on both backends."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from infra.db import make_engine, make_sessionmaker
from infra.migrate import current_revision, ensure_schema, head_revision, upgrade
from zhixin.models import Case, CaseEvent, Department, Enterprise, metadata


async def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert await ensure_schema(engine) is True
        assert await current_revision(engine) == head_revision()
        assert await ensure_schema(engine) is False  # idempotent

        def diff(sync_conn):
            ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
            return compare_metadata(ctx, metadata)

        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
        assert differences == []
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        from alembic import command

        from infra.migrate import alembic_config

        def down(sync_conn):
            cfg = alembic_config()
            cfg.attributes["connection"] = sync_conn
            command.downgrade(cfg, "base")

        async with engine.begin() as conn:
            await conn.run_sync(down)
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


@pytest.fixture
async def sessions(db_url: str):
    engine = make_engine(db_url)
    await upgrade(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_timestamps_are_aware_utc(sessions) -> None:
    shanghai = timezone(timedelta(hours=8))
    async with sessions() as s:
        s.add(
            Enterprise(
                uscc="914403001922038216",
                name="示例",
                created_at=datetime(2026, 3, 15, 9, 0, tzinfo=shanghai),
            )
        )
        await s.commit()
    async with sessions() as s:
        e = await s.get(Enterprise, "914403001922038216")
        assert e is not None
        assert e.created_at.tzinfo is not None
        assert e.created_at.utcoffset() == timedelta(0)
        assert e.created_at == datetime(2026, 3, 15, 1, 0, tzinfo=UTC)
        assert e.updated_at.tzinfo is not None


async def test_naive_datetimes_are_refused(sessions) -> None:
    async with sessions() as s:
        s.add(Enterprise(uscc="914403001922038216", name="示例", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive"):
            await s.commit()


async def test_foreign_keys_are_enforced(sessions) -> None:
    async with sessions() as s:
        s.add(
            Case(
                tracking_no="ZX1",
                access_code_hash="x",
                kind="complaint",
                channel="web",
                text="t",
                department="no-such-department",
                routed_department="x",
            )
        )
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_case_log_is_append_only(sessions) -> None:
    async with sessions() as s:
        s.add(Department(code="triage", name_zh="分拣", name_en="Triage"))
        await s.flush()
        case = Case(
            tracking_no="ZX2",
            access_code_hash="x",
            kind="tip",
            channel="web",
            text="t",
            department="triage",
            routed_department="triage",
        )
        s.add(case)
        await s.flush()
        s.add(CaseEvent(case_id=case.id, actor="citizen:web", action="filed"))
        await s.commit()
    async with sessions() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(text("UPDATE case_events SET action = 'forged'"))
        await s.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(text("DELETE FROM case_events"))
        await s.rollback()
        assert (await s.scalars(select(CaseEvent.action))).all() == ["filed"]
