"""Evidence through the JSON API: the citizen adds and reads files with the access code,
the handling department reads them, nobody else does; the files are checked by content,
photos lose their EXIF, and the 11th file is refused."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest
from sqlalchemy import select

from complaints.models import CaseEvent, Evidence, OutboxEvent
from tests.support.desk import ELEVATOR, POLLUTION, act, bearer, file_case, staff_token
from tests.support.evidence import executable, exif_of, gps_of, jpeg_with_gps, pdf, png


@pytest.fixture
def settings(settings, tmp_path):
    return replace(settings, evidence_dir=tmp_path / "evidence")


def form(data: bytes, filename: str, content_type: str = "image/jpeg") -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", data, filename=filename, content_type=content_type)
    return body


async def upload(client, filed, data: bytes, filename: str, **kw):
    return await client.post(
        f"/api/v1/cases/{filed['tracking_no']}/evidence?lang=en",
        data=form(data, filename, **kw),
        headers={"X-Access-Code": filed["access_code"]},
    )


async def test_a_photo_is_added_and_comes_back_without_gps(client, services) -> None:
    filed = await file_case(client)
    original = jpeg_with_gps()
    assert gps_of(original)  # the test photo does carry a position
    resp = await upload(client, filed, original, "IMG_0001.jpg")
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert set(body) == {"id", "content_type", "bytes", "sha256"}
    assert body["content_type"] == "image/jpeg"
    code = {"X-Access-Code": filed["access_code"]}
    listed = await (
        await client.get(f"/api/v1/cases/{filed['tracking_no']}/evidence", headers=code)
    ).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    got = await client.get(
        f"/api/v1/cases/{filed['tracking_no']}/evidence/{body['id']}", headers=code
    )
    assert got.status == 200
    data = await got.read()
    assert len(data) == body["bytes"]
    assert not gps_of(data)
    assert not exif_of(data)  # camera, software: gone too
    assert b"PhoneMaker" not in data and b"SecretEditor" not in data
    assert got.headers["Content-Type"] == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    # the log has the entry, and the department hears of it
    async with services.sessions() as s:
        events = list(await s.scalars(select(CaseEvent).where(CaseEvent.action == "evidence")))
        notices = list(
            await s.scalars(select(OutboxEvent).where(OutboxEvent.topic == "case.evidence"))
        )
    assert len(events) == 1 and events[0].public
    assert notices[0].payload["tracking_no"] == filed["tracking_no"]
    assert notices[0].payload["department"] == filed["department"]


async def test_a_renamed_executable_is_refused_and_nothing_is_stored(
    client, services, settings
) -> None:
    filed = await file_case(client)
    for data, name in ((executable(), "photo.jpg"), (b"\x7fELF" + b"\x00" * 64, "scan.pdf")):
        resp = await upload(client, filed, data, name)
        assert resp.status == 415, await resp.text()
        error = (await resp.json())["error"]
        assert error["code"] == "unsupported_type"
        assert name in error["message"] and "PDF" in error["message"]
    async with services.sessions() as s:
        assert (await s.scalars(select(Evidence))).first() is None
    assert not any(p.is_file() for p in settings.evidence_dir.rglob("*"))


async def test_refusals_speak_the_request_language(client) -> None:
    filed = await file_case(client)
    resp = await client.post(
        f"/api/v1/cases/{filed['tracking_no']}/evidence?lang=zh",
        data=form(executable(), "a.jpg"),
        headers={"X-Access-Code": filed["access_code"]},
    )
    assert resp.status == 415
    assert "只接受" in (await resp.json())["error"]["message"]


async def test_the_eleventh_file_is_refused(client, services) -> None:
    filed = await file_case(client)
    for i in range(10):
        resp = await upload(client, filed, png((50 + i, 40)), f"p{i}.png", content_type="image/png")
        assert resp.status == 201, await resp.text()
    resp = await upload(client, filed, png((99, 99)), "p11.png", content_type="image/png")
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["code"] == "too_many_files" and "10" in error["message"]
    async with services.sessions() as s:
        assert len(list(await s.scalars(select(Evidence)))) == 10


async def test_a_pdf_is_only_ever_a_download(client) -> None:
    filed = await file_case(client)
    resp = await upload(client, filed, pdf(), "receipt.pdf", content_type="application/pdf")
    assert resp.status == 201
    item = await resp.json()
    assert item["content_type"] == "application/pdf"
    got = await client.get(
        f"/api/v1/cases/{filed['tracking_no']}/evidence/{item['id']}",
        headers={"X-Access-Code": filed["access_code"]},
    )
    assert await got.read() == pdf()
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["Content-Disposition"].endswith('.pdf"')
    assert "default-src 'none'" in got.headers["Content-Security-Policy"]


async def test_who_sees_evidence(client, services) -> None:
    filed = await file_case(client, POLLUTION, kind="tip", anonymous=True)
    item = await (await upload(client, filed, jpeg_with_gps(), "river.jpg")).json()
    no, eid = filed["tracking_no"], item["id"]
    own = await staff_token(services, filed["department"])
    other_department = "jiaotong" if filed["department"] != "jiaotong" else "zhujian"
    other = await staff_token(services, other_department, "别的部门")
    # the handling department: list, file and thumbnail
    listed = await client.get(f"/api/v1/desk/cases/{no}/evidence", headers=bearer(own))
    assert listed.status == 200 and (await listed.json())["items"][0]["id"] == eid
    thumb = await client.get(
        f"/api/v1/desk/cases/{no}/evidence/{eid}/thumbnail", headers=bearer(own)
    )
    assert thumb.status == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    # another department, the public, a wrong access code: 404 (or 401 without a token)
    for path in (f"/api/v1/desk/cases/{no}/evidence", f"/api/v1/desk/cases/{no}/evidence/{eid}"):
        resp = await client.get(path, headers=bearer(other))
        assert resp.status == 404, path
        assert (await client.get(path)).status == 401
    wrong = await client.get(
        f"/api/v1/cases/{no}/evidence/{eid}", headers={"X-Access-Code": "WRONG-CODE"}
    )
    assert wrong.status == 404
    # another case's access code does not open this case's file
    mine = await file_case(client, ELEVATOR)
    resp = await client.get(
        f"/api/v1/cases/{mine['tracking_no']}/evidence/{eid}",
        headers={"X-Access-Code": mine["access_code"]},
    )
    assert resp.status == 404
    # a transfer moves access with the case
    await act(client, own, no, "transfer", department=other_department, reason="不属本部门")
    assert (
        await client.get(f"/api/v1/desk/cases/{no}/evidence", headers=bearer(own))
    ).status == 404
    moved = await client.get(f"/api/v1/desk/cases/{no}/evidence/{eid}", headers=bearer(other))
    assert moved.status == 200


async def test_uploads_are_checked_before_reading_further(client) -> None:
    filed = await file_case(client)
    code = {"X-Access-Code": filed["access_code"]}
    no = filed["tracking_no"]
    # JSON instead of a file
    resp = await client.post(f"/api/v1/cases/{no}/evidence?lang=en", json={"x": 1}, headers=code)
    assert resp.status == 415
    # a file in another field
    body = aiohttp.FormData()
    body.add_field("photo", png(), filename="a.png", content_type="image/png")
    resp = await client.post(f"/api/v1/cases/{no}/evidence?lang=en", data=body, headers=code)
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "file"
    # over the size limit: 413, in any language
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024 + 10)
    resp = await upload(client, filed, big, "huge.jpg")
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "too_large"
    # without the access code
    resp = await client.post(f"/api/v1/cases/{no}/evidence", data=form(png(), "a.png"))
    assert resp.status == 400


async def test_a_malformed_multipart_body_is_a_400(client) -> None:
    filed = await file_case(client)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="\xc2\xadb\x05.x"\r\n\r\nx\r\n'
        + f"--{boundary}--\r\n".encode()
    )
    resp = await client.post(
        f"/api/v1/cases/{filed['tracking_no']}/evidence?lang=en",
        data=body,
        headers={
            "X-Access-Code": filed["access_code"],
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert resp.status == 400, await resp.text()
    assert (await resp.json())["error"]["code"] in ("invalid_body", "invalid_field")
