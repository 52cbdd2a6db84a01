"""One search index file per database (disclosure/index_file.py), on both databases: built
by the first process, mapped by the next, caught up with later changes, rebuilt when
damaged, old, or written for another database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from disclosure.cache import MemoIndex, PublishedData, mark_change
from disclosure.models import Enterprise
from disclosure.namegen import generate_enterprises
from infra.db import make_engine, make_sessionmaker, utcnow
from infra.migrate import ensure_schema
from nlp.indexfile import MAGIC
from nlp.uscc import make_code

ROOT = Path(__file__).resolve().parents[2]
NEW = make_code("91", "320583", "MA7NEW01")
RECORDS = list(generate_enterprises(400, seed=31))


async def _database(url: str):
    engine = make_engine(url)
    await ensure_schema(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        for r in RECORDS:
            session.add(Enterprise(uscc=r.uscc, name=r.name, aliases=list(r.aliases)))
        mark_change(session, "enterprises")
        await session.commit()
    return engine, sessions


async def _load(sessions, path: Path) -> PublishedData:
    published = PublishedData()
    async with sessions() as session:
        await published.load(session, path, shared_from=0)
    return published


def _other_process(url: str, path: Path, query: str) -> dict:
    """Another process on the same machine: loads, searches, reports what it found."""
    script = f"""
import asyncio, json, sys
from disclosure.cache import PublishedData
from infra.db import make_engine, make_sessionmaker
async def main():
    engine = make_engine({url!r})
    published = PublishedData()
    async with make_sessionmaker(engine)() as session:
        await published.load(session, __import__("pathlib").Path({str(path)!r}), shared_from=0)
    await engine.dispose()
    hits = published.index.search({query!r}, 3)
    print(json.dumps({{"hits": [h.uscc for h in hits], "n": len(published.index),
                      "mapped": published.index.mapped_bytes()}}))
asyncio.run(main())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


async def test_built_by_one_process_mapped_by_another(db_url: str, tmp_path: Path) -> None:
    engine, sessions = await _database(db_url)
    path = tmp_path / "lookup.idx"
    try:
        first = await _load(sessions, path)
        assert path.is_file() and first.index.mapped_bytes() == path.stat().st_size
        assert len(first.index) == len(RECORDS)
        written = path.stat().st_mtime_ns
        target = RECORDS[17]
        seen = _other_process(db_url, path, target.name)
        assert seen["hits"][0] == target.uscc and seen["n"] == len(RECORDS)
        assert seen["mapped"] == path.stat().st_size
        assert path.stat().st_mtime_ns == written  # mapped as it was, not built again
    finally:
        await engine.dispose()


async def test_changes_after_the_file_are_visible(db_url: str, tmp_path: Path) -> None:
    engine, sessions = await _database(db_url)
    path = tmp_path / "lookup.idx"
    try:
        running = await _load(sessions, path)
        written = path.stat().st_mtime_ns
        renamed = RECORDS[5]
        async with sessions() as session:
            session.add(Enterprise(uscc=NEW, name="昆山市璟翊珩光伏科技有限公司", aliases=[]))
            row = await session.scalar(select(Enterprise).where(Enterprise.uscc == renamed.uscc))
            row.name, row.updated_at = "扬州琨珩新能源有限公司", utcnow()
            mark_change(session, "enterprises")
            await session.commit()
        async with sessions() as session:
            assert await running.refresh(session)  # the running process, incrementally
        for published in (running, await _load(sessions, path)):  # and a new process
            index = published.index
            assert index.search("璟翊珩光伏")[0].uscc == NEW
            assert index.search("琨珩新能源")[0].uscc == renamed.uscc
            assert renamed.uscc not in [h.uscc for h in index.search(renamed.name, 10)]
            assert len(index) == len(RECORDS) + 1
        assert path.stat().st_mtime_ns == written  # caught up on top, file untouched
        assert NEW in _other_process(db_url, path, "璟翊珩光伏")["hits"]
    finally:
        await engine.dispose()


def _flip(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[-50] ^= 0xFF
    path.write_bytes(bytes(raw))


def _foreign(path: Path) -> None:
    """A valid file, but for another database."""
    from nlp.lookup import EnterpriseIndex
    from nlp.lookup_file import open_index, save_index

    _, meta = open_index(EnterpriseIndex, path)
    other = EnterpriseIndex.build([(NEW, "昆山市璟翊珩光伏科技有限公司", ())])
    save_index(other, path, {**meta, "database": "sqlite+aiosqlite:////elsewhere.db"})


@pytest.mark.parametrize(
    "spoil",
    [
        _flip,
        lambda p: p.write_bytes(p.read_bytes()[:1000]),
        lambda p: p.write_bytes(MAGIC + (999).to_bytes(4, "little") + b"\0" * 200),
        _foreign,
    ],
    ids=["corrupt", "truncated", "old-format", "other-database"],
)
async def test_damaged_or_old_file_is_rebuilt(db_url: str, tmp_path: Path, spoil) -> None:
    engine, sessions = await _database(db_url)
    path = tmp_path / "lookup.idx"
    try:
        await _load(sessions, path)
        spoil(path)
        published = await _load(sessions, path)
        target = RECORDS[42]
        assert published.index.search(target.name)[0].uscc == target.uscc
        assert len(published.index) == len(RECORDS) and NEW not in published.index
        again = await _load(sessions, path)  # the rebuilt file is sound
        assert len(again.index) == len(RECORDS) and isinstance(again.index, MemoIndex)
    finally:
        await engine.dispose()


async def test_a_recreated_database_does_not_reuse_the_file(tmp_path: Path) -> None:
    path = tmp_path / "lookup.idx"
    url = f"sqlite+aiosqlite:///{tmp_path / 'zx.db'}"
    engine, sessions = await _database(url)
    await _load(sessions, path)
    await engine.dispose()
    (tmp_path / "zx.db").unlink()
    engine = make_engine(url)  # the same URL, a new database with other names
    await ensure_schema(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        session.add(Enterprise(uscc=NEW, name="昆山市璟翊珩光伏科技有限公司", aliases=[]))
        mark_change(session, "enterprises")
        await session.commit()
    try:
        published = await _load(sessions, path)
        assert len(published.index) == 1 and NEW in published.index
    finally:
        await engine.dispose()
