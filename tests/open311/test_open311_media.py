"""Media on Open311 requests: a ``media`` file or a ``media_url`` on POST, checked like
every other channel's evidence; ``media_url`` in the answers only for requests whose
content is public, never for a tip."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import requests
from aiohttp import web
from sqlalchemy import select

from complaints.models import Case, Evidence
from infra.accounts import add_api_key
from tests.support.desk import POLLUTION
from tests.support.evidence import executable, gps_of, jpeg_with_gps

COMPLAINT = "我在超市买的月饼发霉了，商家拒绝退货，要求退款并赔偿"


@pytest.fixture
def settings(settings, tmp_path):
    # the test's media server is on loopback, which a real deployment never fetches from
    return replace(
        settings,
        evidence_dir=tmp_path / "evidence",
        media_fetch_allow=(ipaddress.ip_network("127.0.0.1/32"),),
    )


@pytest.fixture
async def base_url(settings, services) -> AsyncIterator[str]:
    from zhixin.app import create_app

    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/open311/v2"
    finally:
        await runner.cleanup()


@pytest.fixture
async def media_host() -> AsyncIterator[str]:
    """A web server with a photo, as a city app's media host."""

    async def photo(request: web.Request) -> web.Response:
        return web.Response(body=jpeg_with_gps(color="green"), content_type="image/jpeg")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://10.0.0.1/inside.jpg")

    app = web.Application()
    app.router.add_get("/photo.jpg", photo)
    app.router.add_get("/moved.jpg", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def _key(services) -> str:
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    return key


def post(base_url: str, fields: dict[str, str], media: bytes | None = None, lang: str = "zh"):
    files = {"media": ("IMG_1.jpg", media, "image/jpeg")} if media is not None else None
    headers = {"Accept-Language": lang}
    url = f"{base_url}/requests.json"
    return requests.post(url, data=fields, files=files, headers=headers, timeout=60)


async def test_media_file_and_media_url_are_taken_and_shown_for_public_requests(
    base_url, media_host, services
) -> None:
    key = await _key(services)
    fields = {
        "api_key": key,
        "service_code": "auto",
        "description": COMPLAINT,
        "email": "a@example.cn",
    }
    by_file = await asyncio.to_thread(post, base_url, fields, jpeg_with_gps())
    assert by_file.status_code == 201, by_file.text
    number = by_file.json()[0]["service_request_id"]
    code = by_file.json()[0]["access_code"]
    by_url = await asyncio.to_thread(
        post, base_url, {**fields, "media_url": f"{media_host}/photo.jpg"}
    )
    assert by_url.status_code == 201, by_url.text
    listing = (await asyncio.to_thread(requests.get, f"{base_url}/requests.json")).json()
    media = {r["service_request_id"]: r["media_url"] for r in listing}
    assert set(media) == {number, by_url.json()[0]["service_request_id"]}
    assert all(url and "/evidence/" in url for url in media.values())
    xml = (await asyncio.to_thread(requests.get, f"{base_url}/requests/{number}.xml")).text
    assert f"<media_url>{media[number]}</media_url>" in xml
    # the link still needs the access code: the public learns a photo exists, not what it shows
    anyone = await asyncio.to_thread(requests.get, media[number])
    assert anyone.status_code in (400, 404)
    photo = await asyncio.to_thread(requests.get, media[number], headers={"X-Access-Code": code})
    assert photo.status_code == 200 and not gps_of(photo.content)
    async with services.sessions() as s:
        channels = list(await s.scalars(select(Evidence.channel)))
    assert channels == ["open311", "open311"]


async def test_a_tips_media_never_shows(base_url, services) -> None:
    key = await _key(services)
    tip = await asyncio.to_thread(
        post,
        base_url,
        {
            "api_key": key,
            "service_code": "huanbao",
            "description": POLLUTION,
            "phone": "13700001111",
            "attribute[kind]": "tip",
        },
        jpeg_with_gps(),
    )
    assert tip.status_code == 201, tip.text
    number = tip.json()[0]["service_request_id"]
    listing = (await asyncio.to_thread(requests.get, f"{base_url}/requests.json")).json()
    assert number not in {r["service_request_id"] for r in listing}
    by_id = (
        await asyncio.to_thread(
            requests.get, f"{base_url}/requests.json", params={"service_request_id": number}
        )
    ).json()
    # a tip, named or anonymous, is not there at all: neither its text nor its media
    assert by_id == []
    one = await asyncio.to_thread(requests.get, f"{base_url}/requests/{number}.json")
    assert one.status_code == 404
    async with services.sessions() as s:
        assert len(list(await s.scalars(select(Evidence)))) == 1  # kept for the department


async def test_bad_media_files_nothing(base_url, media_host, services) -> None:
    key = await _key(services)
    fields = {"api_key": key, "service_code": "auto", "description": COMPLAINT, "email": "a@b.cn"}
    cases = [  # what the refusal says, in English and in Chinese (the default)
        ((fields, executable()), 415, "Only photos", "照片"),
        (({**fields, "media_url": "http://10.0.0.1/x.jpg"}, None), 400, "public address", "公网"),
        (
            ({**fields, "media_url": f"{media_host}/moved.jpg"}, None),
            400,
            "HTTP 302",
            "返回了 HTTP 302",
        ),
        (
            ({**fields, "media_url": "file:///etc/passwd"}, None),
            400,
            "http or https",
            "必须是 http",
        ),
    ]
    for (data, media), status, english, chinese in cases:
        for lang, words in (("en", english), ("zh-CN", chinese)):
            resp = await asyncio.to_thread(post, base_url, data, media, lang)
            assert resp.status_code == status, resp.text
            assert words in resp.json()[0]["description"], (lang, resp.text)
    async with services.sessions() as s:
        assert (await s.scalars(select(Case))).first() is None
