"""``/healthz`` reflects whether the database takes writes, not only whether it answers:
a read-only SQLite file (or mount) and a read-only PostgreSQL (a standby, or
``default_transaction_read_only``) are 503 "read-only", as every write then fails."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import make_url

from infra.db import make_engine
from infra.health import DatabaseProbe
from zhixin.app import DB_PROBE


async def _read_only(db_url: str, services) -> None:
    """Make the database refuse writes, as a read-only mount or a standby does."""
    if db_url.startswith("sqlite"):
        # what a read-only file or mount does: every write is SQLITE_READONLY
        def query_only(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()

        event.listen(services.engine.sync_engine, "connect", query_only)
        await services.engine.dispose()
        return
    name = make_url(db_url).database
    async with services.engine.begin() as conn:
        await conn.exec_driver_sql(
            f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
        )
    await services.engine.dispose()  # new connections take the database's default


async def test_probe_tells_read_only_from_unavailable(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    from infra.migrate import ensure_schema

    writable = make_engine(url)
    await ensure_schema(writable)
    probe = DatabaseProbe(writable)
    assert await probe.check() and probe.state == "ok"
    read_only = make_engine(f"sqlite+aiosqlite:///file:{tmp_path / 'h.db'}?mode=ro&uri=true")
    probe = DatabaseProbe(read_only)
    assert not await probe.check() and probe.state == "read-only"
    missing = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'no' / 'h.db'}")
    probe = DatabaseProbe(missing)
    assert not await probe.check() and probe.state == "unavailable"
    for engine in (writable, read_only, missing):
        await engine.dispose()


async def test_healthz_is_degraded_while_the_database_refuses_writes(
    client, services, db_url: str
) -> None:
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["database"] == "ok"
    await _read_only(db_url, services)
    client.app[DB_PROBE].checked_at = float("-inf")  # the next request probes again
    health = await client.get("/healthz")
    assert health.status == 503
    assert (await health.json())["database"] == "read-only"
    tip = {"text": "超市卖过期牛奶，要求退款", "kind": "tip"}
    filing = await client.post("/api/v1/cases", json=tip)
    assert filing.status == 503, await filing.text()
    if not db_url.startswith("sqlite"):
        lift = make_engine(
            db_url, connect_args={"server_settings": {"default_transaction_read_only": "off"}}
        )
        async with lift.begin() as conn:
            name = make_url(db_url).database
            await conn.exec_driver_sql(
                f'ALTER DATABASE "{name}" RESET default_transaction_read_only'
            )
        await lift.dispose()


async def test_probe_counts_a_busy_sqlite_writer_as_writable(tmp_path) -> None:
    import sqlite3
    import time

    from infra.migrate import ensure_schema

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    await ensure_schema(engine)
    holder = sqlite3.connect(tmp_path / "b.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        started = time.monotonic()
        probe = DatabaseProbe(engine)
        assert await probe.check() and probe.state == "ok"
        assert time.monotonic() - started < 1.0  # no waiting out the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    async with engine.begin() as conn:  # the pooled connection waits for locks again
        timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert timeout == 10_000
    await engine.dispose()
