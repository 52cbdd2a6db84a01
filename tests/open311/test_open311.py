"""Open311 GeoReport v2 as third-party clients see it: the PyPI packages ``georeport`` and
``three`` talk HTTP to the service on a real port, in JSON and XML."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator

import pytest
import requests
import xmltodict
from aiohttp import web

from infra.accounts import add_api_key
from tests.support.desk import ELEVATOR, POLLUTION, file_case

itertools.ifilter = filter  # type: ignore[attr-defined]  # three predates Python 3
import three  # noqa: E402
from georeport import GeoReport  # noqa: E402


@pytest.fixture
async def base_url(settings, services) -> AsyncIterator[str]:
    """The service on 127.0.0.1 (a free port), as a city's Open311 endpoint."""
    from zhixin.app import create_app

    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/open311/v2"
    finally:
        await runner.cleanup()


async def _api_key(services) -> str:
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    return key


def run(fn, *args, **kwargs):
    """The clients are synchronous: run them off the event loop that serves them."""
    return asyncio.to_thread(fn, *args, **kwargs)


async def test_pypi_clients_list_services_post_and_read_back(base_url, services):
    key = await _api_key(services)
    geo = GeoReport(base_url, api_key=key)
    listed = await run(geo.get_service_list)
    codes = [s["service_code"] for s in listed]
    assert codes[0] == "auto" and {"zhijian", "huanbao", "triage"} <= set(codes)
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in listed)
    definition = await run(geo.get_service_definition, "auto")
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["kind", "company", "anonymous", "company_uscc"]

    city = three.Three(base_url, api_key=key)
    posted = await run(
        city.post,
        "auto",
        description=ELEVATOR,
        email="resident@example.cn",
        name="Zhang San",
        address="南京市鼓楼区中山路1号",
        lat=32.06,
        long=118.78,
    )
    assert city.post_response.status_code == 201, posted
    number, token = posted[0]["service_request_id"], posted[0]["token"]
    assert posted[0]["service_notice"] and posted[0]["access_code"]

    one = await run(geo.get_service_request, number)
    assert one["service_request_id"] == number
    assert (one["status"], one["service_code"]) == ("open", "zhijian")
    assert one["description"].startswith("小区电梯") and one["address"].startswith("南京市")
    assert one["expected_datetime"].endswith("+08:00")
    by_three = await run(city.request, number)
    assert isinstance(by_three, list) and by_three[0]["service_request_id"] == number
    assert (await run(city.token, token)) == [{"service_request_id": number, "token": token}]
    assert (await run(city.discovery))["endpoints"][0]["url"] == base_url
    listing = await run(geo.get_service_requests, service_code="zhijian", status="open")
    assert [r["service_request_id"] for r in listing] == [number]
    assert await run(geo.get_service_requests, status="closed") == []
    # the reporter's name and e-mail are never part of a public read
    everything = str(await run(geo.get_service_requests, service_request_id=number))
    assert "resident@example.cn" not in everything and "Zhang" not in everything

    # the same in XML
    geo_xml = GeoReport(base_url, api_key=key, output_format="xml")
    services_xml = await run(geo_xml.get_service_list)
    assert services_xml[0]["service_code"] == "auto" and services_xml[0]["metadata"] == "true"
    request_xml = await run(geo_xml.get_service_request, number)
    assert request_xml["service_request_id"] == number and request_xml["status"] == "open"
    definition_xml = await run(geo_xml.get_service_definition, "zhijian")
    attribute = definition_xml["attributes"]["attribute"][0]
    assert attribute["code"] == "kind"
    assert [v["key"] for v in attribute["values"]["value"]] == ["complaint", "tip"]


async def test_posting_needs_a_key_and_a_description_and_errors_follow_the_spec(base_url, services):
    key = await _api_key(services)
    url = f"{base_url}/requests"
    for fmt in ("json", "xml"):
        resp = await run(
            requests.post,
            f"{url}.{fmt}",
            data={"api_key": "zxk_wrong", "service_code": "auto", "description": ELEVATOR},
        )
        assert resp.status_code == 403
        if fmt == "json":
            assert resp.json() == [{"code": 403, "description": resp.json()[0]["description"]}]
        else:
            error = xmltodict.parse(resp.content)["errors"]["error"]
            assert error["code"] == "403" and "api_key" in error["description"]
    for data, status in (
        ({"api_key": key, "service_code": "auto"}, 400),
        ({"api_key": key, "service_code": "nowhere", "description": ELEVATOR}, 404),
        ({"api_key": key, "service_code": "auto", "description": ELEVATOR}, 400),  # no contact
        (
            {
                "api_key": key,
                "service_code": "auto",
                "description": ELEVATOR,
                "lat": "north",
                "email": "a@b.cn",
            },
            400,
        ),
    ):
        resp = await run(requests.post, f"{url}.json", data=data)
        assert resp.status_code == status, (data, resp.text)
        assert resp.json()[0]["code"] == status
    for path, status in (
        ("/requests.json?start_date=yesterday", 400),
        ("/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
        ("/requests.json?status=pending", 400),
        ("/requests/ZX20260101AAAAAA.json", 404),
        ("/tokens/ZX20260101AAAAAA-0123456789abcdef0123.json", 404),
        ("/services/nowhere.xml", 404),
        ("/services.html", 404),
        ("/requests.json?start_date=9999-12-31T23:59:59Z", 400),
        ("/requests.json?end_date=0001-01-01T00:00:00%2B14:00", 400),
        ("/no/such/path.xml", 404),
        ("/tokens/.json", 404),
    ):
        resp = await run(requests.get, base_url + path)
        assert resp.status_code == status, (path, resp.text)
        if path.endswith(".xml"):
            assert xmltodict.parse(resp.content)["errors"]["error"]["code"] == str(status)
        else:
            assert resp.json()[0]["code"] == status


async def test_public_reads_hide_tips_contacts_and_web_complaints_text(base_url, client, services):
    key = await _api_key(services)
    web_case = await file_case(client, ELEVATOR, contact="13812345678")
    anonymous = await file_case(client, POLLUTION, kind="tip", anonymous=True)
    tip = await file_case(
        client, POLLUTION + "，我叫李四", kind="tip", contact="13955556666", name="李四"
    )
    city = three.Three(base_url, api_key=key)
    posted = await run(
        city.post,
        "huanbao",
        description=POLLUTION + "，天天如此",
        phone="13700001111",
        **{"attribute[kind]": "tip"},
    )
    geo = GeoReport(base_url)
    listing = await run(geo.get_service_requests)
    numbers = {r["service_request_id"] for r in listing}
    assert numbers == {web_case["tracking_no"]}  # tips are not listed
    assert listing[0]["description"] is None  # filed on the web form: text not published
    assert (
        await run(requests.get, f"{base_url}/requests/{anonymous['tracking_no']}.json")
    ).status_code == 404
    # a named tip answers exactly as an anonymous one: whether a tip exists is not public
    named = await run(requests.get, f"{base_url}/requests/{tip['tracking_no']}.json")
    assert named.status_code == 404
    by_id = await run(
        geo.get_service_requests,
        service_request_id=",".join(
            [tip["tracking_no"], anonymous["tracking_no"], posted[0]["service_request_id"]]
        ),
    )
    assert by_id == []
    raw = str(listing) + named.text + str(by_id)
    for secret in ("13812345678", "13955556666", "李四", "13700001111"):
        assert secret not in raw


async def test_errors_speak_the_request_language(base_url, services):
    """Chinese by default, English on request (Accept-Language or ?lang=), for the
    service's own refusals and for the framework's unknown paths and methods alike."""
    key = await _api_key(services)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    requests_made = [
        ("get", "/requests.json?start_date=yesterday", None, 400, "start_date"),
        ("get", "/requests.json?status=pending", None, 400, "status"),
        ("get", "/requests/ZX20260101AAAAAA.json", None, 404, "ZX20260101AAAAAA"),
        ("get", "/services/nowhere.xml", None, 404, "nowhere"),
        ("get", "/services.html", None, 404, ".html"),
        ("get", "/no/such/path.json", None, 404, None),
        ("delete", "/services.json", None, 405, None),
        ("post", "/requests.json", {"api_key": key, "service_code": "auto"}, 400, "description"),
        (
            "post",
            "/requests.json",
            {"api_key": key, "service_code": "auto", "description": ELEVATOR, "lat": "north"},
            400,
            "lat",
        ),
        # the intake's own refusal (no way to reach the citizen), named by its field
        (
            "post",
            "/requests.json",
            {"api_key": key, "service_code": "auto", "description": ELEVATOR},
            400,
            "contact",
        ),
    ]
    for method, path, data, status, named in requests_made:
        said = {}
        for label, headers, query in (
            ("default", {}, ""),
            ("zh", {"Accept-Language": "zh-CN,zh;q=0.9"}, ""),
            ("en", {"Accept-Language": "en-GB,en;q=0.8"}, ""),
            ("en-query", {}, ("&" if "?" in path else "?") + "lang=en"),
        ):
            resp = await run(
                requests.request, method, base_url + path + query, data=data, headers=headers
            )
            assert resp.status_code == status, (label, path, resp.text)
            if path.endswith(".xml"):
                said[label] = xmltodict.parse(resp.content)["errors"]["error"]["description"]
            else:
                said[label] = resp.json()[0]["description"]
            if status == 405:
                assert "GET" in resp.headers["Allow"]
        assert cjk.search(said["default"]) and said["default"] == said["zh"], (path, said)
        for label in ("en", "en-query"):
            assert not cjk.search(said[label]) and said[label].isascii(), (path, said)
        if named:  # the field or value at fault is named in both languages
            assert named in said["default"] and named in said["en"], (path, said)
