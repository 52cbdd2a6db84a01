"""The bot when the database is away: the person is told to try again later (in their
language), not that something broke, and the bot answers normally once it is back."""

from __future__ import annotations

import pytest

from infra.db import make_engine, make_sessionmaker
from tests.support.bot_world import make_world
from tests.support.fake_telegram import texts


@pytest.fixture
async def world(services):
    return await make_world(services)


async def test_database_fault_asks_to_try_again_later(world, tmp_path) -> None:
    services = world.services
    working = services.sessions
    # a database file in a folder that does not exist: every connection attempt fails
    broken = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'infra.db'}")
    services.sessions = make_sessionmaker(broken)
    try:
        en = world.person(21, "en")
        reply = texts(await en.send("/grade 澄瑞"))
        assert "temporarily unavailable" in reply and "try again in a few minutes" in reply
        assert "went wrong" not in reply
        zh = world.person(22, "zh-hans")
        assert "服务暂时不可用" in texts(await zh.send("/start"))
    finally:
        services.sessions = working
        await broken.dispose()
    reply = texts(await world.person(21, "en").send("/grade 澄瑞"))
    assert "苏州澄瑞电子科技有限公司" in reply
