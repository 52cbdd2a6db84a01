"""Hostile requests at the API's edges: query parameters, headers, cookies (issue 16)."""

from __future__ import annotations

import base64

import pytest

from tests.support.attack import desk_login
from tests.support.desk import staff_token


async def test_desk_notice_shows_only_known_actions(client, services) -> None:
    await desk_login(client, await staff_token(services, "zhijian"))
    planted = await client.get("/desk?lang=en&done=Call+13900000000+to+claim+your+refund")
    assert planted.status == 200
    html = await planted.text()
    assert 'class="notice"' not in html  # (the query stays only in the language link)
    known = await client.get("/desk?lang=en&done=accept")
    assert 'class="notice"' in await known.text()


async def test_deeply_nested_json_is_a_json_400(client) -> None:
    for body in ("[" * 200_000, '{"a":' * 40_000 + "1" + "}" * 40_000):
        resp = await client.post(
            "/api/v1/cases", data=body, headers={"Content-Type": "application/json"}
        )
        assert resp.status == 400, body[:10]
        assert resp.content_type == "application/json"
        assert (await resp.json())["error"]["code"] == "invalid_json"


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "9" * 40,  # a bare huge integer, not even base64 of a cursor
        _cursor(f"2026-01-01|{2**63}"),  # one past a 64-bit integer
        _cursor(f"2026-01-01|{-(2**63) - 1}"),
        _cursor("2026-01-01|" + "9" * 40),
        _cursor("2026-01-01|0x10"),
        _cursor("9999-12-31|1|2"),
    ],
)
async def test_cursor_out_of_range_is_a_json_400(client, cursor: str) -> None:
    resp = await client.get("/api/v1/recalls", params={"cursor": cursor})
    assert resp.status == 400, await resp.text()
    assert resp.content_type == "application/json"
    assert (await resp.json())["error"]["code"] == "invalid_cursor"
