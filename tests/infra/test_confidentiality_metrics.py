"""``/metrics`` counts no tips by department and answers only the scraper: a bearer
token when ``ZHIXIN_METRICS_TOKEN`` is set, else a client on this host."""

from __future__ import annotations

import pytest

from infra.settings import Settings, SettingsError, load_settings
from tests.conftest import SECRET
from tests.support.desk import POLLUTION, file_case

TOKEN = "metrics-scraper-token-0123"


async def test_metrics_count_no_tips_by_department(client, services):
    await file_case(client, POLLUTION, kind="tip", anonymous=True)
    body = await (await client.get("/metrics")).text()
    filed = [line for line in body.splitlines() if line.startswith("zhixin_cases_filed_total{")]
    assert filed == ['zhixin_cases_filed_total{channel="api",kind="tip"} 1.0']
    assert "huanbao" not in "\n".join(filed)


async def test_metrics_are_hidden_from_clients_outside_the_host(client):
    # through the reverse proxy on this host, for someone outside
    outside = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.8"})
    assert outside.status == 404 and "zhixin_" not in await outside.text()
    assert (await client.get("/metrics")).status == 200  # a scraper on the host


async def test_metrics_behind_a_token(aiohttp_client, db_url, services):
    from zhixin.app import create_app

    settings = Settings(database_url=db_url, secret_key=SECRET, metrics_token=TOKEN)
    client = await aiohttp_client(create_app(settings, services))
    assert (await client.get("/metrics")).status == 404
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 404
    ok = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status == 200 and "zhixin_http_requests_total" in await ok.text()


def test_the_metrics_token_setting() -> None:
    assert load_settings({}).metrics_token is None
    assert load_settings({"ZHIXIN_METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    with pytest.raises(SettingsError, match="ZHIXIN_METRICS_TOKEN"):
        load_settings({"ZHIXIN_METRICS_TOKEN": "short"})
