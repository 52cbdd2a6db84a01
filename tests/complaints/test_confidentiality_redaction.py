"""Published descriptions carry no phone number or e-mail address, however it is
written: full-width, spaced, dotted, dashed, split by invisible characters, in
Chinese numerals, or with (at) for @."""

from __future__ import annotations

import pytest

from infra.accounts import add_api_key
from nlp.redact import folded, redact
from tests.support.desk import ELEVATOR

FORMS = {
    "ascii": "13812345678",
    "full-width": "１３８１２３４５６７８",
    "spaces": "138 1234 5678",
    "wide spaces": "138\u30001234\u30005678",
    "dots": "138.1234.5678",
    "dashes": "138-1234-5678",
    "zero-width": "138\u200b1234\u200c5678",
    "word joiner": "1\u20603\u20608\u206012345678",
    "chinese numerals": "一三八一二三四五六七八",
    "chinese with 〇 零 幺": "幺三八〇〇幺三八零零零",
    "mixed": "１三8 一２3.4五-6七8",
    "landline": "025-8888 6666",
    "+86": "+86 138 1234 5678",
}
EMAILS = {
    "plain": "zhang.san@example.com",
    "full-width @": "zhang.san＠example.com",
    "(at)": "zhang.san(at)example.com",
    "（at）": "zhang.san（at）example．com",
    "[at]": "zhang.san[at]example.com",
    " at ": "zhang.san at example dot com",
    "(at) (dot)": "zhang.san (at) example (dot) com",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_way_of_writing_a_phone_number_is_taken_out(form: str) -> None:
    number = FORMS[form]
    text = f"电梯坏了，请打{number}联系我，谢谢"
    out = redact(text)
    assert out == "电梯坏了，请打***联系我，谢谢", (form, out)


@pytest.mark.parametrize("form", list(EMAILS))
def test_every_way_of_writing_an_email_address_is_taken_out(form: str) -> None:
    text = f"请发邮件到 {EMAILS[form]} 告诉我结果"
    out = redact(text)
    assert "zhang" not in out and "example" not in out, (form, out)
    assert out.startswith("请发邮件到") and out.endswith("告诉我结果")


def test_ordinary_text_and_small_numbers_stay() -> None:
    for text in (
        "我在一楼买的，一共三个人吃了，花了12.5元",
        "三月十五日买的牛奶，第2批",
        "I was at the shop. It was closed.",
        "电梯困了我们半小时，物业说等3天",
    ):
        assert redact(text) == text
    # one character of the copy that is matched for each character of the text
    assert len(folded("１三8\u200b（at）")) == len("１三8\u200b（at）")


async def test_open311_publishes_the_redacted_description(client, services) -> None:
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    hidden = "电话１３８ 一二三四 5678，邮箱 li.si(at)example.cn"
    resp = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "auto",
            "description": f"{ELEVATOR}。{hidden}",
            "email": "li.si@example.cn",
        },
    )
    assert resp.status == 201, await resp.text()
    number = (await resp.json())[0]["service_request_id"]
    for path in (f"/open311/v2/requests/{number}.json", "/open311/v2/requests.json"):
        [item] = await (await client.get(path)).json()
        assert item["description"].startswith("小区电梯")
        for leak in ("１３８", "一二三四", "5678", "li.si", "example"):
            assert leak not in item["description"], (leak, item["description"])
