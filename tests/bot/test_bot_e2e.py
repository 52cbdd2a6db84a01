"""End to end over HTTP: ``zhixin bot`` and ``zhixin serve`` (webhook) run as their own
processes against the Bot API server emulator (``ZHIXIN_TELEGRAM_API``), and people
talk to them through the emulator: look-ups by partial name, recalls, subscriptions,
a complaint and an anonymous tip to their tracking numbers, status news and the rating,
in Chinese and in English."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from complaints.casework import act
from complaints.models import Case
from disclosure.models import RecallNotice
from infra.accounts import add_staff
from tests.conftest import SECRET, need_node
from tests.support.bot_world import seed
from tests.support.emulator_person import EmulatorPerson

pytestmark = [pytest.mark.node, pytest.mark.slow]
TOKEN = "987654:E2E-TEST-TOKEN"
E2E = Path(__file__).parent.parent / "e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_http(url: str, within: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"{url} did not come up")
            await asyncio.sleep(0.2)


async def _courier_has_looked(services, within: float = 90.0) -> None:
    """Wait until the recall courier has set its mark (news after it is announced)."""
    from bot.models import BotCursor

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        async with services.sessions() as s:
            if await s.get(BotCursor, "recalls") is not None:
                return
        if loop.time() > deadline:
            raise AssertionError("the recall courier never looked")
        await asyncio.sleep(0.1)


async def start(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(proc) -> str:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return (await proc.stderr.read()).decode(errors="replace") if proc.stderr else ""


@pytest.fixture
async def emulator() -> AsyncIterator[str]:
    need_node()
    port = free_port()
    proc = await start("node", str(E2E / "emulator.js"), str(port), cwd=E2E)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{base}/bot1:x/getMe")
        yield base
    finally:
        await stop(proc)


def bot_env(settings, emulator: str, **extra: str) -> dict[str, str]:
    return {
        "ZHIXIN_DATABASE_URL": settings.database_url,
        "ZHIXIN_SECRET_KEY": SECRET,
        "ZHIXIN_BOT_TOKEN": TOKEN,
        "ZHIXIN_TELEGRAM_API": emulator,
        "ZHIXIN_LOG_LEVEL": "WARNING",
        **extra,
    }


async def desk(services, tracking_no: str, action: str, **params) -> None:
    """A department officer acts on the case (as the desk would)."""
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == tracking_no))
        staff, _ = await add_staff(s, case.department, "李科长")
        await act(s, staff, case, action, params, departments=set(services.departments))
        await s.commit()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_people_use_the_bot_by_long_polling(services, settings, emulator, tmp_path) -> None:
    codes, _ids = await seed(services)
    bot = await start(
        sys.executable, "-m", "zhixin", "bot", env=bot_env(settings, emulator), cwd=tmp_path
    )
    try:
        async with aiohttp.ClientSession() as http:
            await chinese_complaint(http, emulator, services, codes)
            await english_tip_recalls_and_alerts(http, emulator, services)
    except BaseException:
        print(await stop(bot), file=sys.stderr)
        raise
    assert bot.returncode is None, await stop(bot)
    log = await stop(bot)
    assert bot.returncode == 0, log
    assert "Traceback" not in log, log


async def chinese_complaint(http, emulator, services, codes) -> None:
    wang = EmulatorPerson(http, emulator, TOKEN, 501, "zh-hans")
    await wang.send("/start")
    await wang.expect("质信", "/complain")

    await wang.send("/grade 澄瑞")
    await wang.expect("苏州澄瑞电子科技有限公司", "AA", codes["chengrui"])

    await wang.send("/complain")
    await wang.expect("描述")
    await wang.send("我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款。")
    await wang.press("南京金陵食品有限公司", await wang.expect("企业"))
    await wang.press("南京", await wang.expect("城市"))
    await wang.expect("联系")
    await wang.send("13800138000")
    summary = await wang.expect("承办部门", "依据")
    await wang.press("提交", summary)
    receipt = await wang.expect("受理编号", "查询码")
    number = receipt["text"].split("受理编号：<code>")[1].split("</code>")[0]

    await wang.send(f"/track {number}")
    await wang.expect(number, "状态")

    await desk(services, number, "accept")
    await wang.expect(number, "有新进展", "已受理")
    await desk(services, number, "resolve", outcome="refunded", amount_yuan="58")
    survey = await wang.expect("满意", "已退款")
    await wang.press("★★★★★", survey)
    await wang.expect("感谢")
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == number))
        assert case.rating == 5 and case.bot_chat_id == 501 and case.channel == "bot"


async def english_tip_recalls_and_alerts(http, emulator, services) -> None:
    amy = EmulatorPerson(http, emulator, TOKEN, 502, "en-US")
    await amy.send("/start")
    await amy.expect("quality-credit", "/tip")

    await amy.send("金陵")
    choices = await amy.expect("Several companies match")
    await amy.press("南京金陵乳业有限公司", choices)
    await amy.expect("南京金陵乳业有限公司", "<b>A</b>")

    await amy.send("/tip")
    await amy.expect("Report a violation")
    await amy.send("南京金陵乳业有限公司的车间用过期原料生产酸奶，还篡改生产日期，请查处。")
    await amy.press("南京金陵乳业有限公司", await amy.expect("Which company"))
    await amy.press("Skip", await amy.expect("which city"))
    await amy.press("Stay anonymous", await amy.expect("anonymous"))
    await amy.press("Send", await amy.expect("Contact: anonymous", "Department:"))
    receipt = await amy.expect("Tracking number", "Access code")
    number = receipt["text"].split("Tracking number: <code>")[1].split("</code>")[0]
    code = receipt["text"].split("Access code: <code>")[1].split("</code>")[0]
    await amy.send(f"/track {number}")
    await amy.expect("Send the access code")
    await amy.send(code)
    await amy.expect(number, "Status:")

    await amy.send("/recalls")
    page = await amy.expect("Newest recall notices")
    await amy.press("Older", page)
    await amy.expect_edit(page["message_id"], "Newer", "6.")

    await amy.send("/subscribe")
    await amy.press("Food", await amy.expect("recall categories"))
    await _courier_has_looked(services)  # its first look marks where news starts
    async with services.sessions() as s:
        s.add(
            RecallNotice(
                recall_no="JS-E2E-001",
                title="关于召回金陵牌汤圆的公告",
                product="汤圆",
                category="food",
                producer="南京金陵食品有限公司",
                reason="标签未标示过敏原",
                remedy="退货退款",
                start_date=date.today(),
                published=date.today(),
            )
        )
        await s.commit()
    await amy.expect("New recall notice", "JS-E2E-001")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_web_service_takes_updates_by_webhook(
    services, settings, emulator, tmp_path
) -> None:
    await seed(services, n_recalls=1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bot_env(settings, emulator, ZHIXIN_WEBHOOK_BASE=base)
    web = await start(
        sys.executable, "-m", "zhixin", "serve", "--port", str(port), env=env, cwd=tmp_path
    )
    try:
        await wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as http:
            # Telegram's calls carry the secret; anyone else's are refused
            from bot.runner import webhook_path

            path = webhook_path(settings.__class__(bot_token=TOKEN))
            async with http.post(f"{base}{path}", json={"update_id": 1}) as resp:
                assert resp.status == 401
            li = EmulatorPerson(http, emulator, TOKEN, 601, "zh-CN")
            await li.send("/start")
            await li.expect("质信")
            await li.send("/grade 宏达")
            await li.expect("无锡宏达机械制造有限公司", "暂无质量信用等级记录")
    except BaseException:
        print(await stop(web), file=sys.stderr)
        raise
    log = await stop(web)
    assert "Traceback" not in log, log


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_web_app_runs_the_bot_by_long_polling(
    aiohttp_client, services, settings, emulator
) -> None:
    from dataclasses import replace

    from bot.runner import attach_to_app
    from zhixin.app import create_app

    with_bot = replace(settings, bot_token=TOKEN, telegram_api=emulator)
    app = create_app(with_bot, services)
    attach_to_app(app, with_bot)
    client = await aiohttp_client(app)
    assert (await client.get("/healthz")).status == 200
    async with aiohttp.ClientSession() as http:
        sam = EmulatorPerson(http, emulator, TOKEN, 801, "en")
        await sam.send("/help")
        await sam.expect("What I can do")
