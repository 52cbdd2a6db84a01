"""The bundled demo data set (``zhixin demo``): deterministic and idempotent.

2,400 Jiangsu enterprises across the 13 cities, grade histories for a few
hundred, 72 recall notices and 1,200 cases over two years with their whole
lifecycle, so every page, report and bot answer has real content on first run.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from disclosure.namegen import generate_enterprises
from sqlalchemy import select

from complaints.deadlines import add_working_days, load_rules, working_days_between
from complaints.intake import IntakeError, Submission, file_case
from complaints.models import Case, CaseEvent, Staff
from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from zhixin.demo.recalls import BRANDS, RECALL_TEMPLATES
from zhixin.demo.texts import CASE_TEXTS, COMPLAINT_OUTCOMES, REJECT_REASONS
from zhixin.security import Cipher, hash_token

if TYPE_CHECKING:
    from zhixin.services import Services

log = logging.getLogger(__name__)
SEED = 2012  # the year of the quality-strong-province policy
N_ENTERPRISES = 2400
N_GRADED = 450
N_RECALLS = 72
N_CASES = 1200
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
        existing = set((await session.execute(select(CreditGrade.uscc, CreditGrade.year))).tuples())
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
        n_recalls = await _recalls(session, rng, records, today)
        mark_change(session, "enterprises", "grades", "recalls")
        await session.commit()
    async with services.sessions() as session:
        await services.published.refresh(session)
    n_cases = await _cases(services, rng, records, today)
    print(
        f"demo: {len(new)} enterprises, {n_grades} grades, {n_recalls} recalls, "
        f"{n_cases} cases added ({len(records)} enterprises in the demo set)"
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
        category = categories[i % len(categories)]
        product, reason, hazard, remedy = rng.choice(RECALL_TEMPLATES[category])
        published = today - timedelta(days=rng.randint(0, 720))
        recall_no = f"JS-{published:%Y}-{category[:2].upper()}-{i + 1:04d}"
        if recall_no in known:
            rng.random()
            continue
        linked = rng.random() < 0.8
        producer = rng.choice(producers)
        brand = rng.choice(BRANDS)
        age = (today - published).days
        session.add(
            RecallNotice(
                recall_no=recall_no,
                title=f"关于召回{brand}牌{product}的公告",
                product=product,
                brand=brand,
                model=f"批次 {published:%Y%m%d}{rng.randint(1, 9)}",
                category=category,
                level=rng.choice(("一级", "二级", "三级"))
                if category in ("food", "drug")
                else None,
                producer_uscc=producer.uscc if linked else None,
                producer=producer.name if linked else f"{brand}（香港）贸易有限公司",
                reason=reason,
                hazard=hazard,
                remedy=remedy,
                quantity=rng.randint(200, 50000),
                region="江苏省" if rng.random() < 0.6 else "全国",
                start_date=published - timedelta(days=rng.randint(0, 5)),
                published=published,
                status="completed"
                if age > 240
                else rng.choice(("ongoing", "ongoing", "completed")),
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
    by_region: dict[str, list] = {}
    for r in records:
        by_region.setdefault(r.region, []).append(r)
    start = date(today.year - 2, today.month, 1)
    added = 0
    async with services.sessions() as session:
        done = set(
            await session.scalars(
                select(Case.idempotency_key).where(Case.idempotency_key.like("demo-%"))
            )
        )
        staff = await _demo_staff(session, [d.code for d in services.registry])
        for n in range(N_CASES):
            key = f"demo-{n:05d}"
            department, kind, category, template = rng.choice(CASE_TEXTS)
            company = rng.choice(records)
            day = _case_day(rng, start, today)
            moment = _moment(rng, day)
            text = template.format(c=company.name, n=rng.randint(2, 9))
            anonymous = kind == "tip" and rng.random() < 0.5
            plan = rng.random(), rng.random(), rng.random(), rng.randint(1, 60)
            if key in done:
                continue
            sub = Submission(
                text=text,
                channel=rng.choice(("web", "web", "bot", "api", "open311")),
                kind=kind,
                company=company.name,
                contact=None
                if anonymous
                else f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
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
            case = filed.case
            case.category = category
            _lifecycle(case, department, staff, rng, plan, today, rules, session)
            added += 1
        await session.commit()
    return added


async def _demo_staff(session, codes: list[str]) -> dict[str, int]:
    """One staff account per department to sign the demo cases' events (no usable token)."""
    rows = {
        s.department: s.id
        for s in await session.scalars(select(Staff).where(Staff.name == "示范值班员"))
    }
    for code in codes:
        if code not in rows:
            staff = Staff(
                department=code, name="示范值班员", token_hash=hash_token(f"demo-{code}-{SEED}")
            )
            staff.revoked_at = datetime(2026, 1, 1, tzinfo=UTC)
            session.add(staff)
            await session.flush()
            rows[code] = staff.id
    return rows


def _at(day: date, hour: int = 3) -> datetime:
    return datetime.combine(day, time(hour, 30), tzinfo=UTC)


def _lifecycle(
    case: Case,
    intended: str,
    staff: dict[str, int],
    rng: random.Random,
    plan: tuple[float, float, float, int],
    today: date,
    rules,
    session,
) -> None:
    """Advance a demo case along a plausible path: transfer, acceptance, outcome, rating."""
    r1, r2, r3, spread = plan
    received = case.created_at.date()
    events: list[CaseEvent] = []

    def log_event(day: date, actor_dept: str, action: str, to: str | None, **data: object) -> None:
        events.append(
            CaseEvent(
                case_id=case.id,
                at=_at(day),
                actor=f"staff:{staff[actor_dept]}",
                action=action,
                from_status=case.status,
                to_status=to,
                data=dict(data),
            )
        )
        if to:
            case.status = to

    day = received
    if case.department != intended:
        day = add_working_days(day, 1)
        if day >= today:
            return
        log_event(
            day,
            case.department,
            "transferred",
            None,
            from_department=case.department,
            to_department=intended,
            reason="不属于本部门职责",
        )
        case.department = intended
    age = (today - received).days
    if age < 5:
        return
    decide = add_working_days(received, 1 + spread % (9 if r1 < 0.1 else 6))
    if decide >= today:
        return
    if case.kind == "tip":
        if age < 20:
            log_event(decide, intended, "accepted", "accepted")
            case.accepted_at = _at(decide)
            return
        finish = add_working_days(received, 3 + spread % 14)
        if finish >= today:
            finish = today - timedelta(days=1)
        substantiated = r2 < 0.6
        penalty = rng.choice((5000, 20000, 50000, 120000, 300000)) * 100 if substantiated else 0
        level = 1 + spread % 3
        reward = rules.reward_fen(penalty, level) if substantiated and not case.anonymous else 0
        log_event(decide, intended, "accepted", "accepted")
        case.accepted_at = _at(decide)
        log_event(
            finish,
            intended,
            "resolved",
            "resolved",
            outcome="case_opened" if substantiated else "not_substantiated",
            penalty_yuan=penalty // 100,
            reward_yuan=reward // 100,
            reward_level=level,
        )
        case.outcome = "case_opened" if substantiated else "not_substantiated"
        case.penalty_fen, case.reward_fen = penalty, reward
        case.resolved_at = _at(finish)
        case.working_days = working_days_between(received, finish)
        log_event(finish, intended, "closed", "closed")
        case.closed_at = _at(finish)
        session.add_all(events)
        return
    if r1 < 0.08:
        log_event(decide, intended, "rejected", "rejected", reason=REJECT_REASONS[spread % 6])
        case.reject_reason = REJECT_REASONS[spread % 6]
        case.working_days = working_days_between(received, decide)
        session.add_all(events)
        return
    log_event(decide, intended, "accepted", "accepted")
    case.accepted_at = _at(decide)
    if age < 45 or r3 < 0.04:  # a few stay open, some of them past their deadline
        log_event(
            add_working_days(decide, 2),
            intended,
            "progress",
            "in_progress",
            note="已联系经营者，正在调解",
        )
        session.add_all(events)
        return
    finish = add_working_days(decide, 3 + (spread * 7) % 48)
    if finish >= today:
        finish = today - timedelta(days=1)
    outcome = COMPLAINT_OUTCOMES[spread % len(COMPLAINT_OUTCOMES)]
    recovered = 0 if outcome == "mediated" and r2 < 0.5 else rng.randint(50, 20000) * 100
    log_event(
        finish, intended, "resolved", "resolved", outcome=outcome, recovered_yuan=recovered // 100
    )
    case.outcome, case.recovered_fen = outcome, recovered
    case.resolved_at = _at(finish)
    case.working_days = working_days_between(received, finish)
    closed = finish + timedelta(days=rng.randint(0, 3))
    if closed < today:
        log_event(closed, intended, "closed", "closed")
        case.closed_at = _at(closed)
        if r2 < 0.8:
            case.rating = rng.choices((1, 2, 3, 4, 5), weights=(4, 6, 12, 35, 43))[0]
            case.rated_at = _at(closed, 9)
    session.add_all(events)
