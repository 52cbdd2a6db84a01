"""The bundled demo data set (``zhixin demo``): deterministic and idempotent.

2,400 Jiangsu enterprises across the 13 cities, grade histories for a few
hundred, 72 recall notices and 1,200 cases over two years with their whole
lifecycle, so every page, report and bot answer has real content on first run.

May import: every project package (it is part of the composition root).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from complaints.casework import act
from complaints.deadlines import Rules, add_working_days, load_rules
from complaints.intake import IntakeError, Submission
from complaints.intake_store import file_case
from complaints.models import Case, OutboxEvent
from complaints.service import record_rating
from complaints.workflow import COMPLAINT_OUTCOMES, REJECT_REASONS
from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from disclosure.namegen import generate_enterprises
from infra.accounts import Staff
from infra.db import utcnow
from infra.security import Cipher, hash_token
from zhixin.demo.credit import load_credit_demo
from zhixin.demo.recalls import BRANDS, RECALL_TEMPLATES
from zhixin.demo.texts import CASE_TEXTS

if TYPE_CHECKING:
    from complaints.runtime import Services

log = logging.getLogger(__name__)
SEED = 2012  # the year of the quality-strong-province policy
N_ENTERPRISES = 2400
N_GRADED = 450
N_RECALLS = 72
N_CASES = 1200
DEMO_STAFF = "示范值班员"
LEVELS = ("一级", "二级", "三级")
GRADE_WEIGHTS = {"AAA": 8, "AA": 17, "A": 40, "B": 22, "C": 9, "D": 4}


async def load_demo(services: Services, today: date | None = None) -> int:
    """Load what is missing of the demo set; running it again changes nothing."""
    today = today or date.today()
    rng = random.Random(SEED)
    records = list(generate_enterprises(N_ENTERPRISES, seed=SEED))
    async with services.sessions() as session:
        known = set(await session.scalars(select(Enterprise.uscc)))
        new = [r for r in records if r.uscc not in known]
        for r in new:
            session.add(
                Enterprise(
                    uscc=r.uscc,
                    name=r.name,
                    aliases=list(r.aliases),
                    region=r.region,
                    industry=r.industry,
                    status=r.status,
                )
            )
        graded = rng.sample(records, N_GRADED)
        rows = await session.execute(select(CreditGrade.uscc, CreditGrade.year))
        existing = {(uscc, year) for uscc, year in rows}
        n_grades = 0
        for r in graded:
            first = rng.choice((2022, 2023, 2024, 2025))
            grade = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]
            for year in range(first, 2027):
                grade = _drift(rng, grade)
                if (r.uscc, year) in existing:
                    continue
                session.add(
                    CreditGrade(
                        uscc=r.uscc,
                        grade=grade,
                        year=year,
                        valid_from=date(year, 4, 1),
                        valid_until=date(year + 1, 3, 31),
                        authority=f"{r.region}市场监督管理局质量信用评价委员会",
                        source=f"{year}年度{r.region}企业质量信用等级评价结果公告",
                    )
                )
                n_grades += 1
        n_recalls = await _recalls(session, random.Random(SEED + 1), records, today)
        mark_change(session, "enterprises", "grades", "recalls")
        await session.commit()
    async with services.sessions() as session:
        await services.published.refresh(session)
    n_cases = await _cases(services, random.Random(SEED + 2), records, today)
    n_objections, n_proposals = await load_credit_demo(services, today)
    print(
        f"demo: {len(new)} enterprises, {n_grades} grades, {n_recalls} recalls, "
        f"{n_cases} cases, {n_objections} objections added ({len(records)} enterprises in "
        f"the demo set); {n_proposals} grade proposals for {today.year} await decision"
    )
    return 0


def _drift(rng: random.Random, grade: str) -> str:
    order = list(GRADE_WEIGHTS)
    i = order.index(grade) + rng.choice((-1, 0, 0, 0, 1))
    return order[min(max(i, 0), len(order) - 1)]


async def _recalls(session, rng: random.Random, records, today: date) -> int:
    known = set(await session.scalars(select(RecallNotice.recall_no)))
    producers = [
        r for r in records if r.industry in {"食品", "电子", "机械", "汽车", "医药", "化工", "日化"}
    ]
    producers = producers or records
    categories = list(RECALL_TEMPLATES)
    added = 0
    for i in range(N_RECALLS):
        # every value is drawn before the existence check, so a second run draws the same
        category = categories[i % len(categories)]
        product, reason, hazard, remedy = rng.choice(RECALL_TEMPLATES[category])
        published = today - timedelta(days=rng.randint(0, 720))
        linked = rng.random() < 0.8
        producer = rng.choice(producers)
        brand = rng.choice(BRANDS)
        extra = [rng.randint(1, 9), rng.random(), rng.random(), rng.randint(200, 50000)]
        extra += [rng.random(), rng.randint(0, 5), rng.choice(("ongoing", "ongoing", "completed"))]
        recall_no = f"JS-DEMO-{category.upper()}-{i + 1:04d}"
        if recall_no in known:
            continue
        age = (today - published).days
        session.add(
            RecallNotice(
                recall_no=recall_no,
                title=f"关于召回{brand}牌{product}的公告",
                product=product,
                brand=brand,
                model=f"批次 {published:%Y%m%d}{extra[0]}",
                category=category,
                level=LEVELS[int(extra[1] * 3)] if category in ("food", "drug") else None,
                producer_uscc=producer.uscc if linked else None,
                producer=producer.name if linked else f"{brand}（香港）贸易有限公司",
                reason=reason,
                hazard=hazard,
                remedy=remedy,
                quantity=extra[3],
                region="江苏省" if extra[4] < 0.6 else "全国",
                start_date=published - timedelta(days=extra[5]),
                published=published,
                status="completed" if age > 240 else extra[6],
                url=None,
            )
        )
        added += 1
    return added


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


async def _cases(services: Services, rng: random.Random, records, today: date) -> int:
    secret = services.settings.require_secret()
    cipher = Cipher(secret)
    rules = load_rules()
    departments = {d.code for d in services.registry}
    start = date(today.year - 2, today.month, 1)
    added = 0
    async with services.sessions() as session:
        done = set(
            await session.scalars(
                select(Case.idempotency_key).where(Case.idempotency_key.like("demo-%"))
            )
        )
        staff = await _demo_staff(session, sorted(departments))
        for n in range(N_CASES):
            # every value is drawn before the existence check, so a second run draws the same
            key = f"demo-{n:05d}"
            department, kind, category, template = rng.choice(CASE_TEXTS)
            company = rng.choice(records)
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
                filed = await file_case(session, services.router, cipher, secret, sub, rules=rules)
            except IntakeError as exc:  # pragma: no cover - the demo texts are valid
                log.warning("demo case %s skipped: %s", key, exc)
                continue
            filed.case.category = category
            await _lifecycle(
                session, filed.case, department, staff, departments, plan, today, rules
            )
            added += 1
        # the demo's history is not news: nothing of it is to be delivered again
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None))
            .values(processed_at=utcnow())
        )
        await session.commit()
    return added


async def _demo_staff(session, codes: list[str]) -> dict[str, Staff]:
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


def _at(day: date, hour: int = 3) -> datetime:
    return datetime.combine(day, time(hour, 30), tzinfo=UTC)


async def _lifecycle(
    session,
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
    received = case.created_at.date()

    async def act_on(day: date, action: str, **params: object) -> None:
        await act(
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
        await act_on(day, "transfer", department=intended, reason="不属于本部门职责，转交主管部门")
    age = (today - received).days
    if age < 5:
        return
    decide = add_working_days(day, 1 + plan.spread % (9 if plan.r1 < 0.1 else 6))
    if decide >= today:
        return
    if case.kind == "tip":
        await act_on(decide, "accept")
        if age < 20:
            return
        finish = min(add_working_days(decide, 2 + plan.spread % 12), today - timedelta(days=1))
        if plan.r2 < 0.6:
            await act_on(
                finish,
                "resolve",
                outcome="case_opened",
                penalty_yuan=plan.penalty_yuan,
                reward_level=1 + plan.spread % 3,
            )
        else:
            await act_on(finish, "resolve", outcome="not_substantiated")
        await act_on(finish, "close")
        return
    if plan.r1 < 0.08:
        await act_on(decide, "reject", reason=REJECT_REASONS[plan.spread % len(REJECT_REASONS)])
        return
    await act_on(decide, "accept")
    await act_on(
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
        await act_on(finish, "resolve", outcome=outcome)
    else:
        await act_on(finish, "resolve", outcome=outcome, amount_yuan=plan.recovered_yuan)
    closed = finish + timedelta(days=plan.close_after)
    if closed >= today:
        return
    await act_on(closed, "close")
    if plan.r2 < 0.8:
        record_rating(session, case, plan.rating, None, _at(closed, 9))
