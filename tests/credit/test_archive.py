"""The enterprise quality archive, computed by hand on a small world and compared, on
SQLite and PostgreSQL: the events, their order, cursor paging, what is never shown."""

from __future__ import annotations

import csv
import io

from tests.support.credit_data import TIPSTER, TIPSTER_PHONE, E, seed_world
from tests.support.desk import bearer, staff_token

# newest first: (type, date) as worked out from tests/support/credit_data.py
EXPECTED = [
    ("penalty", "2025-06-20"),  # the fine of tip 5, on the day it was decided
    ("tip", "2025-06-01"),  # tip 5, decided (tip 4 is not: no decision yet)
    ("recall", "2025-05-10"),
    ("objection", "2025-04-20"),
    ("complaint", "2025-03-02"),  # complaint 1 (2 waits, 3 was rejected: never shown)
    ("grade", "2024-04-01"),
]


async def test_archive_lists_the_verified_timeline_newest_first(client, services) -> None:
    await seed_world(services)
    resp = await client.get(f"/api/v1/enterprises/{E}/archive?lang=en")
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert [(i["type"], i["date"]) for i in body["items"]] == EXPECTED
    assert body["total"] == 6 and body["next"] is None
    penalty, tip, recall, objection, complaint, grade = body["items"]
    assert penalty["amount_yuan"] == 50000.0
    assert tip["outcome"] == "case_opened" and tip["status"] == "closed"
    assert recall["level"] == "一级" and recall["status"] == "completed"
    assert objection["status"] == "dismissed" and objection["decision"] == "dismissed"
    assert objection["grade"] == "A" and objection["grade_year"] == 2024
    assert complaint["outcome"] == "refunded" and complaint["money_recovered_yuan"] == 300.0
    assert complaint["accepted_on"] == "2025-03-03" and complaint["resolved_on"] == "2025-03-10"
    assert grade["grade"] == "A" and grade["valid_until"] == "2025-03-31"
    assert grade["authority"] == "苏州市质量信用评价委员会"
    text = await resp.text()
    for secret in (TIPSTER, TIPSTER_PHONE, "案件正文", "T2025", "YY20250420"):
        assert secret not in text


async def test_archive_pages_with_a_cursor(client, services) -> None:
    await seed_world(services)
    first = await (await client.get(f"/api/v1/enterprises/{E}/archive?limit=4")).json()
    assert [i["type"] for i in first["items"]] == [t for t, _d in EXPECTED[:4]]
    assert first["next"]
    second = await (
        await client.get(f"/api/v1/enterprises/{E}/archive?limit=4&cursor={first['next']}")
    ).json()
    assert [(i["type"], i["date"]) for i in second["items"]] == EXPECTED[4:]
    assert second["next"] is None
    bad = await client.get(f"/api/v1/enterprises/{E}/archive?cursor=bm9wZQ&lang=en")
    assert bad.status == 400
    assert (await bad.json())["error"]["code"] == "invalid_cursor"
    assert (await client.get(f"/api/v1/enterprises/{E}/archive?limit=0")).status == 400
    missing = await client.get("/api/v1/enterprises/91320000MA1ZZZZZ9X/archive")
    assert missing.status in (400, 404)


async def _csv(client, token: str) -> tuple[str, list[dict[str, str]]]:
    resp = await client.get(f"/api/v1/desk/enterprises/{E}/archive.csv", headers=bearer(token))
    assert resp.status == 200
    text = (await resp.read()).decode("utf-8-sig")
    return text, list(csv.DictReader(io.StringIO(text)))


async def test_staff_csv_has_own_case_numbers_but_no_identity(client, services) -> None:
    await seed_world(services)
    assert (await client.get(f"/api/v1/desk/enterprises/{E}/archive.csv")).status == 401
    text, rows = await _csv(client, await staff_token(services, "zhijian"))
    assert [(r["type"], r["date"]) for r in rows] == EXPECTED
    assert rows[1]["tracking_no"] == "T2025000005" and rows[4]["tracking_no"] == "T2025000001"
    assert rows[3]["objection_no"] == "YY20250420-AR01"
    assert TIPSTER not in text and TIPSTER_PHONE not in text and "案件正文" not in text
    # another department's staff get the same events without zhijian's case numbers
    text, rows = await _csv(client, await staff_token(services, "gongshang"))
    assert [(r["type"], r["date"]) for r in rows] == EXPECTED
    assert "T2025" not in text and "YY20250420" not in text


async def test_archive_page_shows_the_events(client, services) -> None:
    await seed_world(services)
    resp = await client.get(f"/enterprises/{E}/archive?lang=en")
    assert resp.status == 200
    html = await resp.text()
    assert html.count('data-type="') == 6
    assert "Settled by refund" in html and "Objection dismissed" in html
    assert TIPSTER not in html and "案件正文" not in html
