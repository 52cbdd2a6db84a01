"""One Bot API emulator, one database and one ``zhixin bot`` process for a whole test
module: many conversations, each as its own person, share them (the suite stays fast on
two cores). At the end the bot's log must hold no traceback and no apology."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from complaints.casework import act
from complaints.models import Case
from infra.accounts import add_staff
from tests.bot.test_bot_e2e import E2E, TOKEN, bot_env, free_port, start, stop, wait_http
from tests.conftest import SECRET, need_node
from tests.support.bot_world import seed
from tests.support.emulator_person import EmulatorPerson


@dataclass
class Rig:
    base: str
    http: aiohttp.ClientSession
    services: Any
    codes: dict[str, str] = field(default_factory=dict)

    def person(
        self, user_id: int, lang: str = "zh-hans", username: str | None = ""
    ) -> EmulatorPerson:
        return EmulatorPerson(self.http, self.base, TOKEN, user_id, lang, username=username)

    async def case(self, tracking_no: str) -> Case:
        async with self.services.sessions() as s:
            return await s.scalar(select(Case).where(Case.tracking_no == tracking_no))

    async def desk(self, tracking_no: str, action: str, **params: Any) -> None:
        """A department officer acts on the case, as the desk would."""
        async with self.services.sessions() as s:
            case = await s.scalar(select(Case).where(Case.tracking_no == tracking_no))
            staff, _ = await add_staff(s, case.department, "李科长")
            await act(s, staff, case, action, params, departments=set(self.services.departments))
            await s.commit()


def number_in(message: dict[str, Any], label: str) -> str:
    """The ``<code>`` value after ``label`` in a bot message (a tracking number, a code)."""
    return message["text"].split(label)[1].split("<code>")[1].split("</code>")[0]


@asynccontextmanager
async def running_bot(folder: Path) -> AsyncIterator[Rig]:
    from complaints.runtime import Services
    from infra.settings import Settings

    need_node()
    port = free_port()
    emulator = await start("node", str(E2E / "emulator.js"), str(port), cwd=E2E)
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}", secret_key=SECRET)
    services = await Services.start(settings, watch=False)
    bot = None
    try:
        await wait_http(f"{base}/bot1:x/getMe")
        codes, _ids = await seed(services)
        bot = await start(
            sys.executable, "-m", "zhixin", "bot", env=bot_env(settings, base), cwd=folder
        )
        async with aiohttp.ClientSession() as http:
            yield Rig(base, http, services, codes)
        log = await stop(bot)
        assert "Traceback" not in log, log
    finally:
        if bot is not None and bot.returncode is None:
            print(await stop(bot), file=sys.stderr)
        await stop(emulator)
        await services.close()
