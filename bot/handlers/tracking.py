"""/track TRACKING_NO [ACCESS_CODE]: a case's status; and the 1–5 rating when it is done.

The chat a case was filed from needs no access code: the bot derives it from the
conversation's idempotency key (a random value), as the intake service does; the second
case of a split message shares the first one's. Anyone else gives the
code, and a wrong code and an unknown number get the same answer.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import status_name
from bot.keyboards import RateCb, rating_keyboard
from bot.markup import quote
from complaints.intake import code_for_key
from complaints.labels import label
from complaints.models import Case
from complaints.runtime import Services
from complaints.service import Asker, CaseUnavailable, CitizenView, rate, track
from complaints.workflow import WorkflowError
from infra.formatting import format_date
from infra.limits import RateLimited

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class Tracking(StatesGroup):
    code = State()


async def own_code(session: AsyncSession, case: Case, chat_id: int, secret: str) -> str | None:
    """The access code of a case this chat filed through the bot, else None. The second
    case of a split message shares the first one's code."""
    if case.bot_chat_id != chat_id:
        return None
    key = case.idempotency_key
    if key is None and case.split_from_id is not None:
        key = await session.scalar(
            select(Case.idempotency_key).where(Case.id == case.split_from_id)
        )
    return code_for_key(secret, key) if key else None


def view_text(view: CitizenView) -> str:
    lines = [
        _("Case <code>{no}</code>").format(no=quote(view.tracking_no)),
        _("Status: <b>{status}</b>").format(status=quote(status_name(view.status))),
        _("Department: {department}").format(department=quote(view.department_name)),
        _("Filed: {date}").format(date=format_date(view.filed_at)),
    ]
    if view.status == "received" and view.accept_due:
        lines.append(_("To be accepted by: {date}").format(date=format_date(view.accept_due)))
    if view.status in ("accepted", "in_progress") and view.resolve_due:
        lines.append(_("To be resolved by: {date}").format(date=format_date(view.resolve_due)))
    if view.overdue:
        lines.append(_("⏰ The deadline has passed; the department has been reminded."))
    if view.reject_reason:
        lines.append(
            _("Reason: {reason}").format(reason=quote(label("reject_reason", view.reject_reason)))
        )
    if view.outcome:
        lines.append(_("Outcome: {outcome}").format(outcome=quote(label("outcome", view.outcome))))
    if view.amount_fen:
        lines.append(_("Money recovered: ¥{amount:.2f}").format(amount=view.amount_fen / 100))
    if view.rating:
        lines.append(_("Your rating: {stars}").format(stars="★" * view.rating))
    events = [e for e in view.events if e.status or e.note][-6:]
    if events:
        lines += ["", _("Progress:")]
        for event in events:
            what = quote(label("action", event.action))
            if event.note:
                what += ": " + quote(event.note)
            lines.append(f"• {format_date(event.at)} {what}")
    if view.can_rate:
        lines += ["", _("How satisfied are you with how it was handled? (1–5 stars)")]
    return "\n".join(lines)


def slow_down_text(exc: RateLimited) -> str:
    return _(
        "Too many tries with wrong access codes. Please wait {minutes} minutes and try again."
    ).format(minutes=exc.minutes)


async def show_case(
    message: Message,
    session: AsyncSession,
    number: str,
    code: str,
    services: Services,
    lang: str,
) -> bool:
    """The case's status for the holder of its code; False for a wrong number or code."""
    user_id = message.from_user.id if message.from_user else message.chat.id
    asker = Asker(services.limiter, f"tg:{user_id}")
    secret = services.settings.require_secret()
    try:
        view = await track(session, number, code, secret, lang, asker)
    except CaseUnavailable:
        return False
    except RateLimited as exc:
        await message.answer(slow_down_text(exc))
        return True
    case_id = await session.scalar(select(Case.id).where(Case.tracking_no == view.tracking_no))
    keyboard = rating_keyboard(case_id) if view.can_rate and case_id else None
    await message.answer(view_text(view), reply_markup=keyboard)
    return True


async def own_cases(session: AsyncSession, chat_id: int) -> list[Case]:
    stmt = (
        select(Case).where(Case.bot_chat_id == chat_id).order_by(Case.created_at.desc()).limit(10)
    )
    return list(await session.scalars(stmt))


async def own_cases_text(session: AsyncSession, chat_id: int) -> str:
    """How to track, and the cases this chat filed (not its anonymous tips)."""
    cases = await own_cases(session, chat_id)
    lines = [_("Send /track and the tracking number, e.g. /track ZX20260315ABC234.")]
    if cases:
        lines += ["", _("Your cases:")]
        lines += [
            f"• <code>{quote(c.tracking_no)}</code> — {quote(status_name(c.status))}" for c in cases
        ]
    return "\n".join(lines)


@router.message(Command("track"))
async def track_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    services: Services,
    session: AsyncSession,
    lang: str,
) -> None:
    args = (command.args or "").split()
    if not args:
        await message.answer(await own_cases_text(session, message.chat.id))
        return
    number = args[0].strip().upper()[:32]
    secret = services.settings.require_secret()
    code = args[1] if len(args) > 1 else None
    if code is None:
        case = await session.scalar(select(Case).where(Case.tracking_no == number))
        code = await own_code(session, case, message.chat.id, secret) if case else None
    if code is None:
        await state.set_state(Tracking.code)
        await state.update_data(tracking_no=number)
        await message.answer(_("Send the access code you received with the tracking number."))
        return
    if not await show_case(message, session, number, code, services, lang):
        await message.answer(_("No case matches this tracking number and access code."))


@router.message(Tracking.code, F.text & ~F.text.startswith("/"))
async def access_code(
    message: Message, state: FSMContext, services: Services, session: AsyncSession, lang: str
) -> None:
    number = (await state.get_data()).get("tracking_no", "")
    await state.clear()
    code = (message.text or "").strip()[:64]
    if not await show_case(message, session, number, code, services, lang):
        await message.answer(_("No case matches this tracking number and access code."))


@router.callback_query(RateCb.filter())
async def rate_case(
    query: CallbackQuery,
    callback_data: RateCb,
    services: Services,
    session: AsyncSession,
    lang: str,
) -> None:
    case = await session.get(Case, callback_data.case_id)
    secret = services.settings.require_secret()
    code = await own_code(session, case, query.from_user.id, secret) if case else None
    if case is None or code is None:
        await query.answer(_("Only the person who filed the case can rate it."), show_alert=True)
        return
    try:
        await rate(session, case.tracking_no, code, secret, callback_data.score, lang=lang)
        await session.commit()
    except WorkflowError as exc:
        await session.rollback()
        if getattr(exc, "code", "") == "already_rated":
            text = _("You have already rated this case. Thank you!")
        elif getattr(exc, "code", "") == "not_finished":
            text = _("The case can be rated once it is resolved or closed.")
        else:
            text = _("This rating could not be saved.")
        await query.answer(text, show_alert=True)
        return
    except CaseUnavailable:
        await query.answer(_("Only the person who filed the case can rate it."), show_alert=True)
        return
    await query.answer(_("Thank you!"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("Thank you for rating case {no}: {stars}").format(
                no=f"<code>{quote(case.tracking_no)}</code>", stars="★" * callback_data.score
            )
        )
