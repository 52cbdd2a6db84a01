"""Evidence end to end: ``zhixin bot`` runs as its own process against the Bot API
server emulator (tests/e2e/emulator.js), which hands out the files people send through
getFile; a photo during a Chinese complaint, and a PDF after an English one is filed."""

from __future__ import annotations

import sys

import aiohttp
import pytest
from sqlalchemy import select

from complaints.models import Case, Evidence
from tests.bot.test_bot_e2e import TOKEN, bot_env, emulator, start, stop  # noqa: F401
from tests.support.bot_world import seed
from tests.support.emulator_person import EmulatorPerson
from tests.support.evidence import executable, gps_of, jpeg_with_gps, pdf
from tests.support.telegram_files import emulator_send_file

pytestmark = [pytest.mark.node, pytest.mark.slow]
COMPLAINT_ZH = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款。"
COMPLAINT_EN = "南京金陵乳业有限公司卖给我的酸奶过期了，店家不肯退货，我要求退款。"


def number_in(text: str, marker: str) -> str:
    return text.split(marker)[1].split("</code>")[0]


async def files_of(services, number: str) -> list[Evidence]:
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == number))
        return list(
            await s.scalars(
                select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
            )
        )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_people_send_photos_and_documents_to_the_bot(
    services,
    settings,
    emulator,  # noqa: F811
    tmp_path,
) -> None:
    await seed(services)
    env = bot_env(settings, emulator, ZHIXIN_EVIDENCE_DIR=str(settings.evidence_dir))
    bot = await start(sys.executable, "-m", "zhixin", "bot", env=env, cwd=tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            wang = EmulatorPerson(http, emulator, TOKEN, 511, "zh-hans")
            await wang.send("/complain")
            await wang.expect("描述")
            await emulator_send_file(wang, jpeg_with_gps())
            await wang.expect("已收到", "文字描述")
            await emulator_send_file(wang, executable(), filename="照片.pdf")
            await wang.expect("此文件未接收", "PDF")
            await wang.send(COMPLAINT_ZH)
            await wang.press("南京金陵食品有限公司", await wang.expect("企业"))
            await wang.press("南京", await wang.expect("城市"))
            await wang.expect("联系")
            await wang.send("13800138000")
            await wang.press("提交", await wang.expect("承办部门"))
            receipt = await wang.expect("受理编号", "查询码")
            number = number_in(receipt["text"], "受理编号：<code>")
            await wang.expect("证据材料", number)
            [photo] = await files_of(services, number)
            assert photo.channel == "bot" and photo.content_type == "image/jpeg"
            assert not gps_of(await services.evidence_store.get(photo.sha256))

            amy = EmulatorPerson(http, emulator, TOKEN, 512, "en-US")
            await amy.send("/complain")
            await amy.expect("File a complaint")
            await amy.send(COMPLAINT_EN)
            await amy.press("南京金陵乳业有限公司", await amy.expect("Which company"))
            await amy.press("Skip", await amy.expect("which city"))
            await amy.expect("reach you")
            await amy.send("amy@example.com")
            await amy.press("Send", await amy.expect("Department:"))
            number = number_in(
                (await amy.expect("Tracking number"))["text"], "Tracking number: <code>"
            )
            await emulator_send_file(amy, pdf(), "receipt from the shop", filename="receipt.pdf")
            await amy.expect("Added to case", number)
            [document] = await files_of(services, number)
            assert document.content_type == "application/pdf"
            assert document.note == "receipt from the shop"
    except BaseException:
        print(await stop(bot), file=sys.stderr)
        raise
    log = await stop(bot)
    assert "Traceback" not in log, log
