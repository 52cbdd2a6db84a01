"""The demo's cases: 1,200 complaints and tips over two years, each about an enterprise
whose industry fits the text, taken along a plausible path with the desk's own checks
(a transfer when the router missed, acceptance, progress, an outcome, closing, a rating).

The cases are routed in memory and stored in batches (``store_many``), and their actions
are recorded without a statement each (``casework.record``): one transaction in all.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from complaints.casework import record
from complaints.deadlines import Rules, add_working_days, load_rules
from complaints.intake import Draft, IntakeError, Submission, prepare
from complaints.intake_store import store_many
from complaints.models import Case, OutboxEvent
from complaints.service import record_rating
from complaints.workflow import COMPLAINT_OUTCOMES, REJECT_REASONS
from disclosure.namegen import EnterpriseRecord
from infra.accounts import Staff
from infra.db import utcnow
from infra.formatting import china_day
from infra.security import Cipher, hash_token
from zhixin.demo.fit import pool
from zhixin.demo.progress import Progress
from zhixin.demo.texts import CASE_TEXTS

if TYPE_CHECKING:
    from complaints.runtime import Services

log = logging.getLogger(__name__)
SEED = 2012
N_CASES = 1200
BATCH = 200
DEMO_STAFF = "示范值班员"


@dataclass(frozen=True, slots=True)
class Plan:
    """The random draws that decide one demo case's path."""

    r1: float
    r2: float
    r3: float
    spread: int
    recovered_yuan: int
    close_after: int
    rating: int
    penalty_yuan: int


def _moment(rng: random.Random, day: date) -> datetime:
    # office hours in China (UTC+8)
    return datetime.combine(day, time(rng.randint(1, 12), rng.randint(0, 59)), tzinfo=UTC)


def _case_day(rng: random.Random, start: date, today: date) -> date:
    span = (today - start).days
    while True:
        day = start + timedelta(days=rng.randint(0, span - 1))
        # campaigns (March 3·15, September Quality Month) draw more cases
        if day.month in (3, 9) or rng.random() < 0.55:
            return day


async def add_cases(
    services: Services,
    rng: random.Random,
    records: list[EnterpriseRecord],
    today: date,
    progress: Progress,
) -> int:
    secret = services.settings.require_secret()
    cipher = Cipher(secret)
    rules = load_rules()
    departments = {d.code for d in services.registry}
    start = date(today.year - 2, today.month, 1)
    companies = [pool(records, fits) for *_, fits in CASE_TEXTS]
    added = 0
    async with services.sessions() as session:
        done = set(
            await session.scalars(
                select(Case.idempotency_key).where(Case.idempotency_key.like("demo-%"))
            )
        )
        progress.start("cases", N_CASES - len(done))
        staff = await _demo_staff(session, sorted(departments))
        batch: list[tuple[Draft, str, str, Plan]] = []
        for n in range(N_CASES):
            # every value is drawn before the existence check, so a second run draws the same
            key = f"demo-{n:05d}"
            which = rng.randrange(len(CASE_TEXTS))
            department, kind, category, template, _fits = CASE_TEXTS[which]
            company = rng.choice(companies[which])
            moment = _moment(rng, _case_day(rng, start, today))
            text = template.format(c=company.name, n=rng.randint(2, 9))
            anonymous = kind == "tip" and rng.random() < 0.5
            channel = rng.choice(("web", "web", "bot", "api", "open311"))
            phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            plan = Plan(
                rng.random(),
                rng.random(),
                rng.random(),
                rng.randint(1, 60),
                rng.randint(50, 20000),
                rng.randint(0, 3),
                rng.choices((1, 2, 3, 4, 5), weights=(4, 6, 12, 35, 43))[0],
                rng.choice((5000, 20000, 50000, 120000, 300000)),
            )
            if key in done:
                continue
            sub = Submission(
                text=text,
                channel=channel,
                kind=kind,
                company=company.name,
                contact=None if anonymous else phone,
                anonymous=anonymous,
                city=company.region,
                lang="en" if text[:1].isascii() else "zh",
                idempotency_key=key,
                received_at=moment,
            )
            try:
                draft = prepare(services.router, secret, sub, rules=rules)
            except IntakeError as exc:  # pragma: no cover - the demo texts are valid
                log.warning("demo case %s skipped: %s", key, exc)
                continue
            batch.append((draft, department, category, plan))
            if len(batch) == BATCH:
                added += await _store(session, cipher, secret, batch, staff, departments, today)
                progress.step(len(batch))
                batch = []
        added += await _store(session, cipher, secret, batch, staff, departments, today)
        progress.step(len(batch))
        # the demo's history is not news: nothing of it is to be delivered again
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None))
            .values(processed_at=utcnow())
        )
        await session.commit()
    return added


async def _store(
    session: Any,
    cipher: Cipher,
    secret: str,
    batch: list[tuple[Draft, str, str, Plan]],
    staff: dict[str, Staff],
    departments: set[str],
    today: date,
) -> int:
    if not batch:
        return 0
    filed = await store_many(session, cipher, secret, [draft for draft, *_ in batch])
    for one, (draft, department, category, plan) in zip(filed, batch, strict=True):
        one.case.category = category
        _lifecycle(session, one.case, department, staff, departments, plan, today, draft.rules)
    return len(filed)


async def _demo_staff(session: Any, codes: list[str]) -> dict[str, Staff]:
    """One staff account per department to sign the demo cases' events (no usable token)."""
    rows = {
        s.department: s
        for s in await session.scalars(select(Staff).where(Staff.name == DEMO_STAFF))
    }
    for code in codes:
        if code not in rows:
            staff = Staff(
                department=code,
                name=DEMO_STAFF,
                token_hash=hash_token(f"demo-{code}-{SEED}"),
                revoked_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            session.add(staff)
            rows[code] = staff
    await session.flush()
    return rows


def _at(day: date, hour: int = 3) -> datetime:
    return datetime.combine(day, time(hour, 30), tzinfo=UTC)


def _lifecycle(
    session: Any,
    case: Case,
    intended: str,
    staff: dict[str, Staff],
    departments: set[str],
    plan: Plan,
    today: date,
    rules: Rules,
) -> None:
    """Take a demo case along a plausible path with the desk's own actions: a transfer
    when the router missed, acceptance, progress, an outcome, closing, a rating."""
    received = china_day(case.created_at)

    def act_on(day: date, action: str, **params: object) -> None:
        record(
            session,
            staff[case.department],
            case,
            action,
            dict(params),
            departments=departments,
            now=_at(day),
            rules=rules,
        )

    day = received
    if case.department != intended:
        day = add_working_days(day, 1)
        if day >= today:
            return
        act_on(day, "transfer", department=intended, reason="不属于本部门职责，转交主管部门")
    age = (today - received).days
    if age < 5:
        return
    decide = add_working_days(day, 1 + plan.spread % (9 if plan.r1 < 0.1 else 6))
    if decide >= today:
        return
    if case.kind == "tip":
        act_on(decide, "accept")
        if age < 20:
            return
        finish = min(add_working_days(decide, 2 + plan.spread % 12), today - timedelta(days=1))
        if plan.r2 < 0.6:
            act_on(
                finish,
                "resolve",
                outcome="case_opened",
                penalty_yuan=plan.penalty_yuan,
                reward_level=1 + plan.spread % 3,
            )
        else:
            act_on(finish, "resolve", outcome="not_substantiated")
        act_on(finish, "close")
        return
    if plan.r1 < 0.08:
        act_on(decide, "reject", reason=REJECT_REASONS[plan.spread % len(REJECT_REASONS)])
        return
    act_on(decide, "accept")
    act_on(
        min(add_working_days(decide, 2), today - timedelta(days=1)),
        "progress",
        note="已联系经营者，正在调解",
        public=True,
    )
    if age < 45 or plan.r3 < 0.04:  # a few stay open, some of them past their deadline
        return
    finish = min(add_working_days(decide, 3 + (plan.spread * 7) % 48), today - timedelta(days=1))
    outcome = COMPLAINT_OUTCOMES[plan.spread % len(COMPLAINT_OUTCOMES)]
    if outcome == "mediation_failed" or (outcome == "mediated" and plan.r2 < 0.5):
        act_on(finish, "resolve", outcome=outcome)
    else:
        act_on(finish, "resolve", outcome=outcome, amount_yuan=plan.recovered_yuan)
    closed = finish + timedelta(days=plan.close_after)
    if closed >= today:
        return
    act_on(closed, "close")
    if plan.r2 < 0.8:
        record_rating(session, case, plan.rating, None, _at(closed, 9))
