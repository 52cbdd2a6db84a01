"""Group commit of case intake: filings that arrive together are written in one
transaction, behave as if filed one after another (duplicates within the group are
linked), and one bad filing does not fail the others of its group."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from complaints import service
from complaints.intake import IntakeError, Submission
from complaints.models import Case, CaseEvent, OutboxEvent

MILK = "我在苏果超市买的牛奶过期了，要求退款，商家不理睬。"
MILK_AGAIN = "我在苏果超市买的牛奶已经过期了，要求退款，商家一直不理睬！"
ELEVATOR = "小区电梯经常困人，上周又困了我家老人半小时，物业一直不修。"


def complaint(text: str, **kw: object) -> Submission:
    return Submission(text=text, channel="api", contact="13812345678", **kw)  # type: ignore[arg-type]


async def test_concurrent_filings_share_groups_and_link_duplicates(services) -> None:
    subs = [complaint(ELEVATOR + f"第{i}栋。") for i in range(10)]
    subs += [complaint(MILK, company="苏果超市"), complaint(MILK_AGAIN, company="苏果超市")]
    filed = await asyncio.gather(*(service.submit(services, s) for s in subs))
    # twelve filings at once took fewer transactions than twelve
    assert services.intake.groups < len(subs)
    assert services.intake.largest > 1
    numbers = [f.case.tracking_no for f in filed]
    assert len(set(numbers)) == len(numbers)
    async with services.sessions() as session:
        cases = {c.tracking_no: c for c in await session.scalars(select(Case))}
        events = list(await session.scalars(select(CaseEvent).where(CaseEvent.action == "filed")))
        outbox = list(
            await session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "case.filed"))
        )
    assert set(numbers) <= set(cases)
    assert len(events) == len(outbox) == len(subs)
    first, second = cases[numbers[-2]], cases[numbers[-1]]
    # the second milk complaint repeats the first of the same group: linked, not dropped
    assert first.duplicate_of_id is None
    assert second.duplicate_of_id == first.id
    [logged] = [e for e in events if e.case_id == second.id]
    assert logged.data["duplicate_of"] == first.tracking_no


async def test_a_bad_filing_fails_alone(services) -> None:
    good = [complaint(ELEVATOR + f"第{i}单元。") for i in range(4)]
    bad = complaint(ELEVATOR, department="no-such-department")
    results = await asyncio.gather(
        *(service.submit(services, s) for s in [*good[:2], bad, *good[2:]]),
        return_exceptions=True,
    )
    assert isinstance(results[2], IntakeError) and results[2].field == "department"
    stored = [r for i, r in enumerate(results) if i != 2]
    assert all(not isinstance(r, BaseException) for r in stored), stored
    async with services.sessions() as session:
        numbers = set(await session.scalars(select(Case.tracking_no)))
    assert {r.case.tracking_no for r in stored} == numbers  # type: ignore[union-attr]
