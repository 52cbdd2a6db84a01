"""Nothing tells a stranger whether a case exists: a made-up tracking number and a
real one with a wrong code cost the same work and get the same answer, Open311 answers
a tip exactly as a number never issued and limits reads by id, and a stranger's wrong
access codes never lock the owner out."""

from __future__ import annotations

import contextlib
import json

from sqlalchemy import event

from complaints.service import CaseUnavailable, track
from infra.limits import CODES_PER_CASE, LOOKUPS
from tests.conftest import SECRET
from tests.support.desk import ELEVATOR, POLLUTION, file_case


@contextlib.contextmanager
def statements(services):
    """The SQL statements run while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_unknown_and_real_numbers_cost_the_same_work(client, services):
    filed = await file_case(client, ELEVATOR)
    real, made_up = filed["tracking_no"], filed["tracking_no"][:-1] + "Z"
    costs = {}
    for number in (real, made_up):
        async with services.sessions() as session:
            with statements(services) as seen:
                try:
                    await track(session, number, "WRONG234", SECRET)
                except CaseUnavailable:
                    pass
                else:
                    raise AssertionError("a wrong code opened a case")
        costs[number] = seen
    assert len(costs[real]) == len(costs[made_up]) == 1
    # and the right code still reads the case with its log
    async with services.sessions() as session:
        view = await track(session, real, filed["access_code"], SECRET)
    assert view.events and view.events[0].action == "filed"


def _same(body: str, number: str) -> str:
    return body.replace(number, "N")


async def test_open311_answers_a_tip_as_a_number_never_issued(client, services):
    named = await file_case(client, POLLUTION, kind="tip", contact="13955556666", name="李四")
    anonymous = await file_case(client, POLLUTION + "，天天如此", kind="tip", anonymous=True)
    never = "ZX20260101ABCDEF"
    answers = {}
    for number in (named["tracking_no"], anonymous["tracking_no"], never):
        for fmt in ("json", "xml"):
            resp = await client.get(f"/open311/v2/requests/{number}.{fmt}")
            answers[(number, fmt)] = (resp.status, _same(await resp.text(), number))
    for fmt in ("json", "xml"):
        expected = answers[(never, fmt)]
        assert expected[0] == 404
        assert answers[(named["tracking_no"], fmt)] == expected
        assert answers[(anonymous["tracking_no"], fmt)] == expected
    listing = await client.get(
        "/open311/v2/requests.json",
        params={"service_request_id": f"{named['tracking_no']},{anonymous['tracking_no']}"},
    )
    assert json.loads(await listing.text()) == []


async def test_open311_reads_by_id_are_limited_per_client(client, services):
    filed = await file_case(client, ELEVATOR)
    path = f"/open311/v2/requests/{filed['tracking_no']}.json"
    guesser = {"X-Forwarded-For": "203.0.113.77"}
    statuses = [(await client.get(path, headers=guesser)).status for _ in range(LOOKUPS.count)]
    assert statuses == [200] * LOOKUPS.count
    refused = await client.get(path, headers=guesser)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert (await refused.json())[0]["code"] == 429
    listing = await client.get(
        "/open311/v2/requests.json",
        params={"service_request_id": filed["tracking_no"]},
        headers=guesser,
    )
    assert listing.status == 429
    # another client is not affected
    assert (await client.get(path, headers={"X-Forwarded-For": "198.51.100.4"})).status == 200


async def test_a_stranger_cannot_lock_the_owner_out(client, services):
    filed = await file_case(client, ELEVATOR)
    path = f"/api/v1/cases/{filed['tracking_no']}"
    stranger = {"X-Forwarded-For": "203.0.113.10", "X-Access-Code": "WRONG234"}
    statuses = [
        (await client.get(path, headers=stranger)).status for _ in range(CODES_PER_CASE.count + 2)
    ]
    # the stranger is stopped ...
    assert statuses[: CODES_PER_CASE.count + 1] == [404] * (CODES_PER_CASE.count + 1)
    assert statuses[-1] == 429
    right_from_stranger = {"X-Forwarded-For": "203.0.113.10", "X-Access-Code": filed["access_code"]}
    assert (await client.get(path, headers=right_from_stranger)).status == 429
    # ... the owner, from their own address, is not
    owner = {"X-Forwarded-For": "198.51.100.20", "X-Access-Code": filed["access_code"]}
    resp = await client.get(path, headers=owner)
    assert resp.status == 200 and (await resp.json())["tracking_no"] == filed["tracking_no"]
    # the rating page and the tracking form take the same path
    rated = await client.post(f"{path}/rating", json={"rating": 5}, headers=owner)
    assert rated.status in (200, 409)  # 409: not closed yet, but the code was accepted
