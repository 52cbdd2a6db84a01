"""What citizens do, for every channel (web pages, JSON API, bot, Open311): file a case,
follow it with the tracking number and access code, and rate the handling.

A status read shows the status, the department, the deadlines, the public progress
and the outcome: never staff-only notes, the contact, or which staff member acted.
A wrong access code and an unknown tracking number give the same answer.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from complaints import intake, publication, workflow
from complaints.duplicates import comparable
from complaints.intake import Filed, Submission, china_date, is_overdue
from complaints.models import Case, CaseEvent
from infra import limits
from infra.accounts import Department
from infra.db import utcnow
from infra.ratelimit import RateLimiter
from infra.security import keyed_hash

if TYPE_CHECKING:
    from complaints.runtime import Services

_DUMMY_HASH = "0" * 64


class CaseUnavailable(LookupError):
    """No case with this tracking number and access code (the two are not told apart)."""


@dataclass(frozen=True, slots=True)
class PublicEvent:
    at: datetime
    action: str
    status: str | None
    department: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "action": self.action,
            "status": self.status,
            "department": self.department,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CitizenView:
    """A case as the holder of its access code sees it."""

    tracking_no: str
    kind: str
    status: str
    department: str
    department_name: str
    text: str
    company: str | None
    filed_at: datetime
    accept_due: date | None
    resolve_due: date | None
    overdue: bool
    reject_reason: str | None
    outcome: str | None
    amount_fen: int
    reward_fen: int
    rating: int | None
    rating_comment: str | None
    can_rate: bool
    events: list[PublicEvent] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "tracking_no": self.tracking_no,
            "kind": self.kind,
            "status": self.status,
            "department": {"code": self.department, "name": self.department_name},
            "text": self.text,
            "company": self.company,
            "filed_at": self.filed_at.isoformat(),
            "deadlines": {"accept": day(self.accept_due), "resolve": day(self.resolve_due)},
            "overdue": self.overdue,
            "reject_reason": self.reject_reason,
            "outcome": self.outcome,
            "amount_yuan": self.amount_fen / 100 if self.amount_fen else None,
            "reward_yuan": self.reward_fen / 100 if self.reward_fen else None,
            "rating": self.rating,
            "rating_comment": self.rating_comment,
            "can_rate": self.can_rate,
            "events": [e.to_dict() for e in self.events],
        }


async def submit(services: Services, sub: Submission, *, client: str | None = None) -> Filed:
    """File a case in its own transaction and count it; safe against a concurrent retry
    with the same idempotency key. ``client`` (an address, ``tg:<user id>``) is held to
    ``limits.FILING``: ``limits.RateLimited`` beyond it."""
    if client is not None:
        await limits.check_filing(services.limiter, client)
    secret = services.settings.require_secret()
    for attempt in (1, 2):
        # the session is closed before routing: a filing waiting for the worker thread
        # holds no database connection
        async with services.sessions() as session:
            filed = await intake.replay(session, sub, secret)
        if filed is None:
            # routing is CPU work, done here (off the event loop): the group writer
            # only writes
            draft = await services.off_loop(_prepare, services, secret, sub)
            try:
                filed = await services.intake.store(draft)
            except IntegrityError:
                # the same idempotency key committed by a parallel request: read it back
                if attempt == 2 or not sub.idempotency_key:
                    raise
                continue
        if not filed.replayed:
            for case in (filed.case, *filed.related):
                services.metrics.cases_filed.labels(case.channel, case.kind).inc()
        return filed
    raise AssertionError("unreachable")


def _prepare(services: Services, secret: str, sub: Submission) -> intake.Draft:
    draft = intake.prepare(services.router, secret, sub)
    comparable(draft.text)  # warms the duplicate check's memo, which runs on the loop
    return draft


def public_events(events: list[CaseEvent]) -> list[PublicEvent]:
    """The log entries a citizen may see: status changes and public progress notes."""
    out = []
    for event in events:
        if not event.public:
            continue
        department = None
        if event.action == "filed":
            department = event.data.get("department")
        elif event.action == "transfer":
            department = (event.data.get("changes", {}).get("department") or [None, None])[1]
        note = event.data.get("note") if event.action == "progress" else None
        out.append(PublicEvent(event.at, event.action, event.to_status, department, note))
    return out


@dataclass(frozen=True, slots=True)
class Asker:
    """Who checks an access code, for the per-client and per-case limits."""

    limiter: RateLimiter
    client: str


async def _find(
    session: AsyncSession,
    tracking_no: str,
    access_code: str,
    secret_key: str,
    asker: Asker | None = None,
) -> Case:
    if not isinstance(tracking_no, str) or not isinstance(access_code, str):
        raise CaseUnavailable(tracking_no)
    attempt = None
    if asker is not None:
        attempt = await limits.code_attempt(asker.limiter, asker.client, tracking_no)
    number = tracking_no.strip().upper()
    # the same work whether the number exists or not: one query, one keyed hash, one
    # comparison (against a dummy hash when there is no case); the log is read only
    # once the code is right
    row = None
    if 0 < len(number) <= 32 and 0 < len(access_code) <= 64:
        # two small columns, not the whole row: building a case object would take time
        # only when the number exists
        row = (
            await session.execute(
                select(Case.id, Case.access_code_hash).where(Case.tracking_no == number)
            )
        ).first()
    given = keyed_hash(secret_key, access_code[:64])
    stored = row[1] if row is not None else _DUMMY_HASH
    if not hmac.compare_digest(given, stored) or row is None:
        if attempt is not None:
            await limits.code_refused(attempt)
        raise CaseUnavailable(tracking_no)
    if attempt is not None:
        await limits.code_accepted(attempt)
    case = await session.scalar(
        select(Case).where(Case.id == row[0]).options(selectinload(Case.events))
    )
    assert case is not None
    return case


async def find_case(
    session: AsyncSession,
    tracking_no: str,
    access_code: str,
    secret_key: str,
    asker: Asker | None = None,
) -> Case:
    """The case for its tracking number and access code (``CaseUnavailable`` otherwise)."""
    return await _find(session, tracking_no, access_code, secret_key, asker)


async def _view(session: AsyncSession, case: Case, lang: str, today: date) -> CitizenView:
    dept = await session.get(Department, case.department)
    name = dept.name(lang) if dept is not None else case.department
    return CitizenView(
        tracking_no=case.tracking_no,
        kind=case.kind,
        status=case.status,
        department=case.department,
        department_name=name,
        text=case.text,
        company=case.company,
        filed_at=case.created_at,
        accept_due=case.accept_due,
        resolve_due=case.resolve_due,
        overdue=is_overdue(case, today),
        reject_reason=case.reject_reason,
        outcome=case.outcome,
        amount_fen=case.recovered_fen or 0,
        reward_fen=0 if case.anonymous else (case.reward_fen or 0),
        rating=case.rating,
        rating_comment=case.rating_comment,
        can_rate=case.rating is None and case.status in workflow.RATEABLE,
        events=public_events(case.events),
    )


async def receipt_case(
    session: AsyncSession,
    tracking_no: str,
    access_code: str,
    secret_key: str,
    asker: Asker | None = None,
) -> Case:
    """The case behind a filing receipt, for showing the receipt again (in another
    language); ``CaseUnavailable`` for a wrong number or code, as for tracking."""
    return await _find(session, tracking_no, access_code, secret_key, asker)


async def track(
    session: AsyncSession,
    tracking_no: str,
    access_code: str,
    secret_key: str,
    lang: str = "zh",
    asker: Asker | None = None,
) -> CitizenView:
    """The citizen's view of a case; ``CaseUnavailable`` for a wrong number or code,
    ``limits.RateLimited`` when ``asker`` tried too many wrong codes."""
    case = await _find(session, tracking_no, access_code, secret_key, asker)
    return await _view(session, case, lang, china_date(utcnow()))


def record_rating(
    session: AsyncSession, case: Case, rating: int, comment: Any, at: datetime
) -> None:
    """Store a checked rating on the case and log it (a public event)."""
    case.rating = rating
    case.rating_comment = comment.strip() if isinstance(comment, str) and comment.strip() else None
    case.rated_at = at
    session.add(
        CaseEvent(
            case_id=case.id,
            at=at,
            actor="citizen",
            action="rate",
            from_status=case.status,
            to_status=case.status,
            data={"rating": rating},
            public=True,
        )
    )


async def rate(
    session: AsyncSession,
    tracking_no: str,
    access_code: str,
    secret_key: str,
    rating: Any,
    comment: Any = None,
    lang: str = "zh",
    asker: Asker | None = None,
) -> CitizenView:
    """Record the citizen's 1-5 rating once the case is finished (once); caller commits."""
    case = await _find(session, tracking_no, access_code, secret_key, asker)
    workflow.check_rating(case.status, case.rating is not None, rating, comment)
    now = utcnow()
    # claim the rating in the database: of ratings sent at once, one row update wins
    # (the others wait for its lock, then find the rating taken)
    claimed = await session.execute(
        update(Case)
        .where(Case.id == case.id, Case.rating.is_(None))
        .values(rating=rating, rated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        await session.rollback()
        raise workflow.IllegalTransition("already_rated", "this case has already been rated")
    record_rating(session, case, rating, comment, now)
    await session.flush()
    view = await _view(session, case, lang, china_date(now))
    return view


async def counts_by_outcome(session: AsyncSession, uscc: str) -> dict[str, int]:
    """Complaints and tips publicly counted against an enterprise, by outcome (or status
    while handled): only what ``complaints.publication`` allows to be published."""
    return await publication.public_counts_by_outcome(session, uscc)
