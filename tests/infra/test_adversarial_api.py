"""Hostile requests at the API's edges: query parameters, headers, cookies (issue 16)."""

from __future__ import annotations

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
