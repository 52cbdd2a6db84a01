"""Case intake: the one service every channel (web, API, bot, Open311) calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nlp.router import Router, RoutingResult
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import Rules, add_working_days, load_rules
from complaints.models import CHANNELS, KINDS, Case, CaseEvent, OutboxEvent
from zhixin.db import utcnow
from zhixin.security import Cipher, keyed_hash, readable_code

CHINA = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 5000


class IntakeError(ValueError):
    """The submission cannot be accepted as it is; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(slots=True)
class Submission:
    text: str
    channel: str
    kind: str | None = None  # the citizen's own choice; the router decides when None
    company: str | None = None
    contact: str | None = None
    reporter_name: str | None = None
    anonymous: bool = False
    city: str | None = None
    lang: str = "zh"
    bot_chat_id: int | None = None
    idempotency_key: str | None = None
    received_at: datetime | None = None  # demo data and imports set this; else now
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Filed:
    case: Case
    access_code: str | None  # None when an idempotent retry returned an existing case
    routing: RoutingResult | None


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def tracking_number(moment: datetime) -> str:
    """``ZX`` + the date in China + six random characters: not guessable in sequence."""
    return f"ZX{china_date(moment):%Y%m%d}{readable_code(6)}"


def _clean_text(text: str) -> str:
    # control characters other than newlines and tabs carry no meaning in a complaint
    return "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f")).strip()


def validate(sub: Submission) -> None:
    if sub.channel not in CHANNELS:
        raise IntakeError("channel", f"unknown channel {sub.channel!r}")
    if not isinstance(sub.text, str) or not sub.text.strip():
        raise IntakeError("text", "describe the problem")
    if len(sub.text) > MAX_TEXT:
        raise IntakeError("text", f"the description is longer than {MAX_TEXT} characters")
    if sub.kind is not None and sub.kind not in ("complaint", "tip"):
        raise IntakeError("kind", "kind must be complaint or tip")
    if sub.company is not None and len(sub.company) > 200:
        raise IntakeError("company", "the company name is longer than 200 characters")
    if sub.contact is not None and len(sub.contact) > 200:
        raise IntakeError("contact", "the contact is longer than 200 characters")


def deadlines(kind: str, received: date, rules: Rules) -> tuple[date | None, date | None]:
    """(acceptance or decision deadline, resolution deadline) from the day of receipt."""
    if kind == "complaint":
        accept = add_working_days(received, rules.accept_complaint)
        return accept, add_working_days(accept, rules.resolve_complaint)
    if kind == "tip":
        return add_working_days(received, rules.decide_tip), None
    return None, None


async def file_case(
    session: AsyncSession,
    router: Router,
    cipher: Cipher,
    secret_key: str,
    sub: Submission,
    *,
    rules: Rules | None = None,
) -> Filed:
    """Route, store and log a new case in the caller's transaction (caller commits).

    A complaint needs a way to reach the complainant; a tip may be anonymous.
    Retries with the same idempotency key return the first case.
    """
    validate(sub)
    if sub.idempotency_key:
        existing = await session.scalar(
            select(Case).where(Case.idempotency_key == sub.idempotency_key)
        )
        if existing is not None:
            return Filed(existing, None, None)
    text = _clean_text(sub.text)
    routing = router.route(text, kind_hint=sub.kind, company_hint=sub.company)
    kind = sub.kind or routing.kind
    anonymous = bool(sub.anonymous) and kind == "tip"
    if kind == "complaint" and not (sub.contact and sub.contact.strip()):
        raise IntakeError("contact", "a complaint needs a way to reach you (phone or e-mail)")
    if kind not in KINDS:
        raise IntakeError("kind", f"unknown kind {kind!r}")
    now = sub.received_at or utcnow()
    accept_due, resolve_due = deadlines(kind, china_date(now), rules or load_rules())
    code = readable_code(8)
    case = Case(
        tracking_no=tracking_number(now),
        access_code_hash=keyed_hash(secret_key, code),
        kind=kind,
        channel=sub.channel,
        text=text,
        lang=sub.lang,
        company=sub.company or routing.company,
        enterprise_uscc=routing.enterprise,
        city=sub.city,
        department=routing.department,
        routed_department=routing.department,
        routing_confidence=routing.confidence,
        routing_reasons=list(routing.reasons),
        status="received",
        anonymous=anonymous,
        contact_enc=None if anonymous else cipher.encrypt(sub.contact),
        reporter_name_enc=None if anonymous else cipher.encrypt(sub.reporter_name),
        bot_chat_id=sub.bot_chat_id,
        idempotency_key=sub.idempotency_key,
        created_at=now,
        accept_due=accept_due,
        resolve_due=resolve_due,
    )
    session.add(case)
    await session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=f"citizen:{sub.channel}",
            action="filed",
            to_status="received",
            data={"department": case.department, "kind": kind},
        )
    )
    session.add(
        OutboxEvent(
            topic="case.filed",
            created_at=now,
            payload={"case_id": case.id, "department": case.department, "kind": kind},
        )
    )
    return Filed(case, code, routing)


def is_overdue(case: Case, today: date) -> bool:
    """Past the deadline that applies to the case's current status."""
    if case.status == "received" and case.accept_due:
        return today > case.accept_due
    if case.status in ("accepted", "in_progress") and case.resolve_due:
        return today > case.resolve_due
    return False
