"""Secrets and contact details never reach the logs, even at DEBUG with SQL echo on:
filing on every channel, tracking with access codes, the desk (login, pages, actions)
and grade objections run with every log record captured, and the capture is searched
for each contact, name, access code, token, key and the service secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from complaints.models import Case
from infra.accounts import add_api_key
from tests.conftest import SECRET
from tests.support.attack import desk_login
from tests.support.bot_world import make_world
from tests.support.desk import ELEVATOR, POLLUTION, bearer, csrf_of, staff_token

CONTACTS = {
    "api": "13912340001",
    "web": "web.reporter@example.cn",
    "open311_email": "o311.reporter@example.cn",
    "open311_phone": "13912340003",
    "bot": "13912340004",
    "objection": "objector@example.cn",
}
NAMES = {"api": "王小明", "open311": "Lisbeth"}
LOGGERS = ("", "sqlalchemy.engine", "aiohttp", "aiogram", "zhixin", "complaints", "bot")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    old = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in old.items():
            logging.getLogger(name).setLevel(level)


async def test_no_secret_or_contact_is_logged(client, services, captured) -> None:
    secrets: dict[str, str] = {"secret key": SECRET}
    secrets |= {f"contact {k}": v for k, v in CONTACTS.items()}
    secrets |= {f"name {k}": v for k, v in NAMES.items()}

    # filing: API, web form, Open311, bot
    resp = await client.post(
        "/api/v1/cases",
        json={"text": ELEVATOR, "contact": CONTACTS["api"], "name": NAMES["api"]},
    )
    filed = await resp.json()
    number, code = filed["tracking_no"], filed["access_code"]
    secrets["api access code"] = code
    page = await client.get("/complain")
    resp = await client.post(
        "/complain",
        data={"csrf_token": csrf_of(await page.text()), "text": ELEVATOR + "。第二次",
              "contact": CONTACTS["web"]},
    )  # fmt: skip
    assert resp.status == 201
    secrets["web access code"] = filed_page_code(await resp.text())
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    secrets["api key"] = key
    resp = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "auto", "description": POLLUTION,
              "email": CONTACTS["open311_email"], "phone": CONTACTS["open311_phone"],
              "first_name": NAMES["open311"], "attribute[kind]": "tip"},
    )  # fmt: skip
    assert resp.status == 201
    secrets["open311 access code"] = (await resp.json())[0]["access_code"]

    world = await make_world(services)
    person = world.person(500, "en")
    await person.send("/complain")
    await person.send("The kettle I bought leaks and burnt my hand; the shop refuses a refund.")
    await person.press("No particular company")
    await person.press("Skip")
    await person.send(CONTACTS["bot"])
    receipt = (await person.press("Send"))[-1].text
    async with services.sessions() as session:
        bot_case = await session.scalar(select(Case).where(Case.bot_chat_id == 500))
    bot_code = receipt.split("<code>")[-1].split("</code>")[0]
    secrets["bot access code"] = bot_code

    # tracking with codes: API, page, rating, bot (someone else's phone)
    assert (
        await client.get(f"/api/v1/cases/{number}", headers={"X-Access-Code": code})
    ).status == 200
    await client.get(f"/api/v1/cases/{number}", headers={"X-Access-Code": "WRONGCODE"})
    track = await client.get("/track")
    resp = await client.post(
        "/track", data={"csrf_token": csrf_of(await track.text()), "tracking_no": number,
                        "access_code": code},
    )  # fmt: skip
    assert resp.status == 200
    await client.post(
        f"/api/v1/cases/{number}/rating", json={"rating": 5}, headers={"X-Access-Code": code}
    )
    other = world.person(501, "en")
    [shown] = await other.send(f"/track {bot_case.tracking_no} {bot_code}")
    assert bot_case.tracking_no in shown.text

    # the desk: login, pages that show the reporter, actions; objections with a contact
    token = await staff_token(services, filed["department"])
    secrets["staff token"] = token
    await desk_login(client, token)
    assert (await client.get(f"/desk/cases/{number}")).status == 200
    for action, body in (("accept", {}), ("progress", {"note": "已联系", "public": True})):
        resp = await client.post(
            f"/api/v1/desk/cases/{number}/{action}", json=body, headers=bearer(token)
        )
        assert resp.status == 200
    detail = await (await client.get(f"/api/v1/desk/cases/{number}", headers=bearer(token))).json()
    assert detail["reporter"]["contact"] == CONTACTS["api"]  # decrypted for the desk only
    resp = await client.post(
        f"/api/v1/enterprises/{world.codes['chengrui']}/objections",
        json={
            "reason": "评级所依据的抽检报告已被撤销，请复核。",
            "contact": CONTACTS["objection"],
            "uscc": world.codes["chengrui"],
        },
    )
    assert resp.status == 201
    await client.get("/api/v1/desk/objections", headers=bearer(token))

    log = "\n".join(captured.lines)
    # the capture really saw the SQL and its parameters (so the search below means something)
    assert "INSERT INTO cases" in log and "gAAAAA" in log  # Fernet ciphertext was bound
    assert len(captured.lines) > 200
    leaks = {what: value for what, value in secrets.items() if value and value in log}
    assert leaks == {}, leaks
    # the staff token and API key are only ever bound hashed
    assert token.split("_", 1)[1] not in log and key.split("_", 1)[1] not in log


def filed_page_code(html: str) -> str:
    """The access code shown on the filed page (the strong text of its table row)."""
    match = re.search(r"<td><strong>([2-9A-HJ-NP-Z]{6,12})</strong></td>", html)
    assert match, "no access code on the page"
    return match.group(1)
