"""Who hears of an outbox event, and what they read."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import grade_line, kind_name, recall_card, shorten, status_name
from bot.keyboards import EnterpriseCb, SubscriptionCb, category_name, rating_keyboard
from bot.markup import quote
from bot.models import BotUser, DepartmentChat, Subscription
from complaints.labels import label
from complaints.models import Case, CaseEvent
from complaints.runtime import Services
from complaints.workflow import RATEABLE
from disclosure.grades import GradeRecord
from disclosure.models import CreditGrade, RecallNotice
from disclosure.service import grade_dict
from infra.accounts import Staff
from infra.formatting import format_date

Rendered = tuple[str, InlineKeyboardMarkup | None]
DEPARTMENT_TOPICS = ("case.filed", "case.transferred", "case.overdue", "case.evidence")


async def recipients(session: AsyncSession, topic: str, payload: dict[str, Any]) -> list[int]:
    """The chats an event goes to (blocked users left out), in a stable order."""
    chats: list[int] = []
    if topic in DEPARTMENT_TOPICS:
        department = payload.get("department")
        rows = (
            await session.execute(
                select(DepartmentChat.chat_id, Staff)
                .outerjoin(Staff, Staff.id == DepartmentChat.bound_by)
                .where(DepartmentChat.department == department)
                .order_by(DepartmentChat.chat_id)
            )
        ).all()
        # a chat bound with a token since revoked or expired hears nothing more
        stale = [chat for chat, staff in rows if staff is not None and not staff.active()]
        if stale:
            await session.execute(delete(DepartmentChat).where(DepartmentChat.chat_id.in_(stale)))
            await session.commit()
        chats = [chat for chat, _staff in rows if chat not in stale]
    elif topic == "case.status":
        if payload.get("public", True):
            chat = await session.scalar(
                select(Case.bot_chat_id).where(Case.id == payload.get("case_id"))
            )
            chats = [chat] if chat else []
    elif topic == "recall.published":
        wanted = [("category", str(payload.get("category")))]
        if payload.get("producer_uscc"):
            wanted.append(("enterprise", str(payload["producer_uscc"])))
        chats = await _subscribers(session, wanted)
    elif topic == "grade.changed":
        chats = await _subscribers(session, [("enterprise", str(payload.get("uscc")))])
    if not chats:
        return []
    blocked = set(
        await session.scalars(
            select(BotUser.chat_id).where(
                BotUser.chat_id.in_(chats), BotUser.blocked_at.is_not(None)
            )
        )
    )
    return [c for c in dict.fromkeys(chats) if c not in blocked]


async def _subscribers(session: AsyncSession, wanted: list[tuple[str, str]]) -> list[int]:
    out: list[int] = []
    for kind, target in wanted:
        out += list(
            await session.scalars(
                select(Subscription.chat_id)
                .where(Subscription.kind == kind, Subscription.target == target)
                .order_by(Subscription.chat_id)
            )
        )
    return out


async def reasons(
    session: AsyncSession, topic: str, payload: dict[str, Any], chats: list[int]
) -> dict[int, str]:
    """Why each chat hears of a recall: ``enterprise`` (it follows the producer) or
    ``category``; empty for other topics."""
    if topic != "recall.published" or not chats:
        return {}
    following: set[int] = set()
    if payload.get("producer_uscc"):
        following = set(
            await session.scalars(
                select(Subscription.chat_id).where(
                    Subscription.kind == "enterprise",
                    Subscription.target == str(payload["producer_uscc"]),
                    Subscription.chat_id.in_(chats),
                )
            )
        )
    return {c: "enterprise" if c in following else "category" for c in chats}


async def render(
    session: AsyncSession,
    services: Services,
    topic: str,
    payload: dict[str, Any],
    chat_id: int,
    lang: str,
    reason: str = "",
) -> Rendered | None:
    """The message for ``topic`` in the current language; None when nothing is to be said.
    ``reason`` (from ``reasons``) says why the chat gets it and picks the fitting button."""
    if topic == "case.status":
        return await _case_news(session, services, payload, chat_id, lang)
    if topic in DEPARTMENT_TOPICS:
        return await _department_alert(session, services, topic, payload, lang)
    if topic == "recall.published":
        recall = await session.get(RecallNotice, payload.get("recall_id"))
        if recall is None:
            return None
        builder = InlineKeyboardBuilder()
        if reason == "enterprise" and recall.producer_uscc:
            name = services.published.name_of(recall.producer_uscc) or recall.producer
            why = _("You get this because you follow {company}.").format(company=quote(name))
            builder.button(
                text=_("🔕 Stop following"),
                callback_data=EnterpriseCb(action="unfollow", uscc=recall.producer_uscc),
            )
        else:
            category = category_name(recall.category)
            why = _("You get this because you asked for {category} recall alerts.").format(
                category=quote(category)
            )
            builder.button(
                text=_("Stop {category} alerts").format(category=category),
                callback_data=SubscriptionCb(action="off", target=recall.category),
            )
        text = _("🔔 New recall notice") + "\n\n" + recall_card(recall) + "\n\n" + why
        return text, builder.as_markup()
    if topic == "grade.changed":
        return await _grade_news(session, services, payload)
    return None


async def _case_news(
    session: AsyncSession, services: Services, payload: dict[str, Any], chat_id: int, lang: str
) -> Rendered | None:
    """The news of one status event, as it was then: its status, its note, its outcome;
    the rating buttons once per case, with the first event that finishes it."""
    from bot.handlers.tracking import own_code

    case = await session.get(Case, payload.get("case_id"))
    if case is None:
        return None
    if await own_code(session, case, chat_id, services.settings.require_secret()) is None:
        return None
    event = await session.get(CaseEvent, payload["event_id"]) if payload.get("event_id") else None
    data = (event.data if event is not None else None) or {}
    changes = data.get("changes") or {}

    def new(name: str) -> Any:
        value = changes.get(name)
        return value[1] if isinstance(value, list) and len(value) == 2 else None

    status = payload.get("to_status") or case.status
    department = services.departments.get(payload.get("department") or case.department)
    lines = [
        _("📬 News about your case {no}: {what}").format(
            no=f"<code>{quote(case.tracking_no)}</code>",
            what=quote(label("action", payload.get("action"))),
        ),
        "",
        _("Status: <b>{status}</b>").format(status=quote(status_name(status))),
        _("Department: {department}").format(
            department=quote(department.name(lang) if department else case.department)
        ),
    ]
    if new("reject_reason"):
        reason = label("reject_reason", new("reject_reason"))
        lines.append(_("Reason: {reason}").format(reason=quote(reason)))
    if new("outcome"):
        lines.append(
            _("Outcome: {outcome}").format(outcome=quote(label("outcome", new("outcome"))))
        )
    if new("recovered_fen"):
        lines.append(_("Money recovered: ¥{amount:.2f}").format(amount=new("recovered_fen") / 100))
    if status in ("accepted", "in_progress") and new("resolve_due"):
        due = date.fromisoformat(str(new("resolve_due")))
        lines.append(_("To be resolved by: {date}").format(date=format_date(due)))
    if data.get("note") and payload.get("public", True):
        lines.append(_("From the department: {note}").format(note=quote(data["note"])))
    keyboard = None
    if status in RATEABLE and case.rating is None and await _first_finish(session, case, event):
        lines += ["", _("How satisfied are you with how it was handled? (1–5 stars)")]
        keyboard = rating_keyboard(case.id)
    lines += ["", _("/track {no} shows the whole case.").format(no=case.tracking_no)]
    return "\n".join(lines), keyboard


async def _first_finish(session: AsyncSession, case: Case, event: CaseEvent | None) -> bool:
    """Is ``event`` the first that made the case rateable (one rating request per case)?"""
    first = await session.scalar(
        select(CaseEvent.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_status.in_(RATEABLE))
        .order_by(CaseEvent.id)
        .limit(1)
    )
    return event is None or first is None or first == event.id


async def _department_alert(
    session: AsyncSession, services: Services, topic: str, payload: dict[str, Any], lang: str
) -> Rendered | None:
    case = await session.get(Case, payload.get("case_id"))
    if case is None:
        return None
    department = services.departments.get(case.department)
    name = department.name(lang) if department else case.department
    number = f"<code>{quote(case.tracking_no)}</code>"
    if topic == "case.overdue":
        lines = [
            _("⏰ Case {no} is past its deadline for the {deadline} (due {due}).").format(
                no=number,
                deadline=quote(label("deadline", payload.get("deadline"))),
                due=_day(payload.get("due")),
            )
        ]
    elif topic == "case.transferred":
        source = services.departments.get(str(payload.get("from_department")))
        lines = [
            _("↪️ Case {no} was transferred to {department} from {source}.").format(
                no=number,
                department=quote(name),
                source=quote(source.name(lang) if source else payload.get("from_department")),
            )
        ]
    elif topic == "case.evidence":
        lines = [
            _(
                "📎 Evidence added to case {no}: {count} new, {total} in all; "
                "the files are on the desk."
            ).format(
                no=number,
                count=int(payload.get("count") or 0),
                total=int(payload.get("total") or 0),
            )
        ]
    else:
        lines = [
            _("🆕 New {kind} {no} for {department}.").format(
                kind=quote(kind_name(case.kind).lower()), no=number, department=quote(name)
            )
        ]
    if case.company:
        lines.append(_("Company: {company}").format(company=quote(case.company)))
    if case.city:
        lines.append(_("City: {city}").format(city=quote(case.city)))
    if case.accept_due and case.status == "received":
        lines.append(_("Decide by: {date}").format(date=format_date(case.accept_due)))
    if case.duplicate_of_id:
        lines.append(_("Possibly a duplicate of an earlier case."))
    lines += ["", quote(shorten(case.text, 300))]
    lines += [
        "",
        _("This group gets it because it is bound to {department}.").format(department=quote(name)),
    ]
    return "\n".join(lines), None


def _day(value: Any) -> str:
    """An ISO day from a payload, as people read dates; anything else as it is."""
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return quote(str(value or ""))


async def _grade_news(
    session: AsyncSession, services: Services, payload: dict[str, Any]
) -> Rendered | None:
    uscc = str(payload.get("uscc"))
    row = await session.get(CreditGrade, payload.get("grade_id"))
    if row is None:
        return None
    name = services.published.name_of(uscc) or uscc
    record = GradeRecord(row.grade, row.year, row.valid_from, row.valid_until, row.authority)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔕 Stop following"), callback_data=EnterpriseCb(action="unfollow", uscc=uscc)
    )
    text = "\n".join(
        [
            _("📊 New quality-credit grade for {name}:").format(name=f"<b>{quote(name)}</b>"),
            grade_line(grade_dict(record)),
            "",
            _("You get this because you follow {company}.").format(company=quote(name)),
        ]
    )
    return text, builder.as_markup()


async def unbind_staff(session: AsyncSession, staff_id: int) -> int:
    """Unbind every chat bound with this staff member's token (caller commits)."""
    result = await session.execute(
        delete(DepartmentChat).where(DepartmentChat.bound_by == staff_id)
    )
    return int(result.rowcount or 0)
