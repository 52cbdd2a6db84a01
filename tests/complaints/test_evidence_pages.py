"""Evidence through the web form (several files, no JavaScript needed) and on the desk
page (thumbnails behind the desk session)."""

from __future__ import annotations

import re
from dataclasses import replace

import aiohttp
import pytest
from sqlalchemy import select

from complaints.models import Case, CaseEvent, Evidence
from tests.support.desk import ELEVATOR, csrf_of, staff_token
from tests.support.evidence import executable, gps_of, jpeg_with_gps, pdf, png


@pytest.fixture
def settings(settings, tmp_path):
    return replace(settings, evidence_dir=tmp_path / "evidence")


async def complaint_form(client, files: list[tuple[bytes, str, str]]) -> aiohttp.FormData:
    html = await (await client.get("/complain?lang=en")).text()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    form = aiohttp.FormData()
    fields = {
        "csrf_token": csrf_of(html),
        "submission_id": re.search(r'name="submission_id" value="([^"]+)"', html).group(1),
        "kind": "complaint",
        "text": ELEVATOR,
        "contact": "13812345678",
    }
    for name, value in fields.items():
        form.add_field(name, value)
    for data, filename, content_type in files:
        form.add_field("evidence", data, filename=filename, content_type=content_type)
    return form


async def test_the_form_files_a_case_with_several_files(client, services) -> None:
    form = await complaint_form(
        client,
        [
            (jpeg_with_gps(), "elevator.jpg", "image/jpeg"),
            (png(), "notice.png", "image/png"),
            (pdf(), "contract.pdf", "application/pdf"),
        ],
    )
    done = await client.post("/complain?lang=en", data=form)
    assert done.status == 201, await done.text()
    assert "Files attached as evidence: 3." in await done.text()
    async with services.sessions() as s:
        case = await s.scalar(select(Case))
        items = list(await s.scalars(select(Evidence).order_by(Evidence.id)))
        events = list(await s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
    assert [i.content_type for i in items] == ["image/jpeg", "image/png", "application/pdf"]
    assert {i.channel for i in items} == {"web"} and all(i.case_id == case.id for i in items)
    assert [e.action for e in events] == ["filed", "evidence"]
    stored = await services.evidence_store.get(items[0].sha256)
    assert not gps_of(stored)


async def test_a_refused_file_files_nothing_and_keeps_the_form(client, services, settings) -> None:
    form = await complaint_form(
        client, [(png(), "ok.png", "image/png"), (executable(), "photo.jpg", "image/jpeg")]
    )
    resp = await client.post("/complain?lang=en", data=form)
    assert resp.status == 415
    html = await resp.text()
    assert "photo.jpg" in html and "Only photos" in html
    assert "小区电梯" in html  # the text typed is still there
    async with services.sessions() as s:
        assert (await s.scalars(select(Case))).first() is None
        assert (await s.scalars(select(Evidence))).first() is None
    assert not any(p.is_file() for p in settings.evidence_dir.rglob("*"))


async def test_eleven_files_at_once_are_refused(client, services) -> None:
    files = [(png((20 + i, 20)), f"{i}.png", "image/png") for i in range(11)]
    resp = await client.post("/complain?lang=en", data=await complaint_form(client, files))
    assert resp.status == 409
    assert "at most 10 files" in await resp.text()
    async with services.sessions() as s:
        assert (await s.scalars(select(Case))).first() is None


async def test_the_desk_page_shows_thumbnails_to_its_department_only(client, services) -> None:
    form = await complaint_form(
        client, [(jpeg_with_gps(), "a.jpg", "image/jpeg"), (pdf(), "b.pdf", "application/pdf")]
    )
    assert (await client.post("/complain?lang=en", data=form)).status == 201
    async with services.sessions() as s:
        case = await s.scalar(select(Case))
        photo, document = list(await s.scalars(select(Evidence).order_by(Evidence.id)))
    base = f"/desk/cases/{case.tracking_no}/evidence"
    # logged out: to the login page, nothing of the file
    out = await client.get(f"{base}/{photo.id}/thumbnail", allow_redirects=False)
    assert out.status == 303 and out.headers["Location"].startswith("/desk?")
    other = await staff_token(services, "jiaotong" if case.department != "jiaotong" else "zhujian")
    await login(client, other)
    assert (await client.get(f"{base}/{photo.id}/thumbnail")).status == 404
    await login(client, await staff_token(services, case.department))
    html = await (await client.get(f"/desk/cases/{case.tracking_no}?lang=en")).text()
    assert f'src="{base}/{photo.id}/thumbnail"' in html
    assert f'href="{base}/{document.id}"' in html and "PDF, download" in html
    thumb = await client.get(f"{base}/{photo.id}/thumbnail")
    assert thumb.status == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    download = await client.get(f"{base}/{document.id}")
    assert download.headers["Content-Disposition"].startswith("attachment")


async def login(client, token: str) -> None:
    csrf = csrf_of(await (await client.get("/desk?lang=en")).text())
    resp = await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf, "token": token}, allow_redirects=False
    )
    assert resp.status == 303


async def test_the_status_page_takes_more_files_after_filing(client, services) -> None:
    from sqlalchemy import func

    from complaints.models import OutboxEvent
    from tests.support.desk import file_case

    filed = await file_case(client)
    token = csrf_of(await (await client.get("/track?lang=en")).text())

    async def send(data: bytes, name: str, code: str = filed["access_code"]):
        form = aiohttp.FormData()
        for key, value in (
            ("csrf_token", token),
            ("tracking_no", filed["tracking_no"]),
            ("access_code", code),
        ):
            form.add_field(key, value)
        form.add_field("evidence", data, filename=name, content_type="image/jpeg")
        return await client.post("/track/evidence?lang=en", data=form)

    page = await client.post(
        "/track?lang=en",
        data={
            "csrf_token": token,
            "tracking_no": filed["tracking_no"],
            "access_code": filed["access_code"],
        },
    )
    assert 'action="/track/evidence?lang=en"' in await page.text()
    done = await send(jpeg_with_gps(), "later.jpg")
    assert done.status == 200
    html = await done.text()
    assert "Files added as evidence: 1." in html and "Evidence added" in html
    refused = await send(executable(), "later.jpg")
    assert refused.status == 415 and "Only photos" in await refused.text()
    assert (await send(png(), "x.png", code="WRONG-CODE")).status == 404
    async with services.sessions() as s:
        assert await s.scalar(select(func.count(Evidence.id))) == 1
        topics = list(await s.scalars(select(OutboxEvent.topic)))
    assert topics.count("case.evidence") == 1  # the department hears of it
