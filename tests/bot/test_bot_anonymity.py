"""An anonymous tip keeps nothing that identifies its reporter (issue 15, point 1): after
a tip filed through the dispatcher, and its news delivered, no column of any table, no
log line and no outbox row holds the Telegram user id, chat id or username, nor a key
derived from them; the second press of "Send" is still recognised."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import inspect, select, text

from bot.delivery import Courier
from bot.middlewares import make_i18n
from bot.ratelimit import SendLimiter
from complaints.casework import act
from complaints.models import Case
from infra.accounts import add_staff
from tests.support.bot_world import make_world

USER_ID = 731946285
USERNAME = "secret_tipster_77"
TIP = "南京金陵乳业有限公司的车间用过期原料生产酸奶，还把生产日期改成新的，请查处。"


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex() + " " + bytes(value).decode("latin-1")
    return str(value)


async def everything(services) -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every value in the database."""
    async with services.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        out = []
        for table in tables:
            rows = await conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(rows.keys())
            for row in rows:
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        out.append((table, column, _text(value)))
        return out


async def test_an_anonymous_tip_stores_nothing_that_identifies_the_reporter(
    services, caplog
) -> None:
    caplog.set_level(logging.INFO)  # ZHIXIN_LOG_LEVEL's default; DEBUG is the drivers' own
    world = await make_world(services)
    person = world.person(USER_ID, "zh-hans", username=USERNAME)
    await person.send("/tip")
    await person.send(TIP)
    await person.press("南京金陵乳业有限公司")
    await person.press("南京")
    await person.press("匿名")
    _summary, found = person.last_keyboard()
    send = next(data for label, data in found if "提交" in label)
    [receipt] = await person.press_data(send)
    assert "受理编号" in receipt.text
    # pressed again: recognised from the form's own random values, not from the person
    await person.press_data(send)
    assert "已经提交" in person.answers()[-1].text

    async with services.sessions() as s:
        [case] = list(await s.scalars(select(Case)))
        staff, _ = await add_staff(s, case.department, "李科长")
        await act(s, staff, case, "accept", {}, departments=set(services.departments))
        await s.commit()
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    courier = Courier(
        world.bot, services, make_i18n(), SendLimiter(clock=lambda: clock[0], sleep=sleep)
    )
    await courier.run_once()
    assert case.anonymous and case.bot_chat_id is None
    assert case.idempotency_key and str(USER_ID) not in case.idempotency_key

    needles = {str(USER_ID), USERNAME, hex(USER_ID)[2:]}
    hits = {
        (table, column)
        for table, column, value in await everything(services)
        if any(n in value for n in needles)
    }
    # the bot's user list keeps the person's language choice, with no link to any case
    assert hits <= {("bot_users", "chat_id")}, hits
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(n in logged for n in needles), logged[-2000:]
