"""The buttons of the filing conversation: company, city, contact, confirm, cancel, "that
is all" of a long description, and what a department handles. A button of a finished or
replaced form gets a short, true answer."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing import (
    Filing,
    ask_city,
    ask_contact,
    cities,
    filed_text,
    idempotency_key,
    show_summary,
    telegram_contact,
)
from bot.handlers.complaints import finish_parts
from bot.keyboards import ComplaintCb, DepartmentCb
from bot.markup import quote
from complaints.intake import IntakeError, Submission
from complaints.models import Case
from complaints.runtime import Services
from complaints.service import submit
from infra.limits import RateLimited

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.callback_query.filter(F.message.chat.type == "private")

EXPECTED = {
    "company": Filing.company.state,
    "city": Filing.city.state,
    "contact": Filing.contact.state,
    "confirm": Filing.confirm.state,
    "more": Filing.more.state,
    "cancel": None,
}


@router.callback_query(ComplaintCb.filter())
async def button(
    query: CallbackQuery,
    callback_data: ComplaintCb,
    state: FSMContext,
    services: Services,
    session: AsyncSession,
    lang: str,
) -> None:
    data = await state.get_data()
    message = query.message if isinstance(query.message, Message) else None
    current = await state.get_state()
    action = callback_data.action
    if (
        message is None
        or data.get("conv") != callback_data.conv
        or (action in EXPECTED and EXPECTED[action] not in (None, current))
    ):
        await stale_button(query, callback_data, data, session)
        return
    if action == "contact" and callback_data.value != "anonymous":
        contact = telegram_contact(query)
        if contact is None:
            await query.answer()
            await message.answer(
                _(
                    "Your Telegram account has no username, so the department could not "
                    "write to you there. Please send a phone number or an e-mail address."
                )
            )
            return
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    if action == "cancel":
        await state.clear()
        await message.answer(_("Cancelled. Nothing was sent."))
    elif action == "more":
        await finish_parts(message, state, services)
    elif action == "company":
        await choose_company(message, state, data, callback_data.value, lang)
    elif action == "city":
        names = cities()
        value = callback_data.value
        city = (
            names[int(value)][0]
            if value.isascii() and value.isdigit() and int(value) < len(names)
            else None
        )
        await state.update_data(city=city)
        await ask_contact(message, state)
    elif action == "contact":
        if callback_data.value == "anonymous" and data["kind"] == "tip":
            await state.update_data(contact=None, anonymous=True)
        else:
            await state.update_data(contact=telegram_contact(query), anonymous=False)
        await show_summary(message, state, services, lang)
    elif action == "confirm":
        await confirm(query, message, state, services, lang)


async def choose_company(
    message: Message, state: FSMContext, data: dict[str, Any], value: str, lang: str
) -> None:
    suggestions = data.get("suggestions") or []
    if value.isascii() and value.isdigit() and int(value) < len(suggestions):
        uscc, name = suggestions[int(value)]
        await state.update_data(company=name, company_uscc=uscc)
    elif value == "typed" and data.get("typed"):
        await state.update_data(company=data["typed"], company_uscc=None)
    else:
        await state.update_data(company=None, company_uscc=None)
    await ask_city(message, state, lang)


async def stale_button(
    query: CallbackQuery, callback_data: ComplaintCb, data: dict[str, Any], session: AsyncSession
) -> None:
    """A button of a finished or replaced conversation (pressed twice, or much later)."""
    sent = data.get("sent") or {}
    if callback_data.action == "confirm" and sent.get("conv") == callback_data.conv:
        key = idempotency_key(sent.get("nonce", ""))
        number = await session.scalar(select(Case.tracking_no).where(Case.idempotency_key == key))
        if number is not None:
            await query.answer(
                _("Already sent: tracking number {no}.").format(no=number), show_alert=True
            )
            return
    await query.answer(
        _("This form is no longer open. Start again with /complain or /tip."), show_alert=True
    )


async def confirm(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    services: Services,
    lang: str,
) -> None:
    data = await state.get_data()
    user_id = query.from_user.id
    anonymous = bool(data.get("anonymous"))
    submission = Submission(
        text=data["text"],
        channel="bot",
        kind=data["kind"],
        company=data.get("company"),
        # the company the citizen pressed among the register's suggestions
        enterprise_uscc=data.get("company_uscc"),
        contact=data.get("contact"),
        anonymous=anonymous,
        city=data.get("city"),
        lang=lang,
        bot_chat_id=None if anonymous else user_id,
        idempotency_key=idempotency_key(data["nonce"]),
    )
    try:
        filed = await submit(services, submission, client=f"tg:{user_id}")
    except IntakeError as exc:
        await intake_refused(message, state, exc)
        return
    except RateLimited as exc:
        # the conversation stays open: the same button works once the wait is over
        await message.answer(
            _(
                "You have sent many reports in a short time. Please wait {minutes} minutes, "
                "then press the button again."
            ).format(minutes=exc.minutes)
        )
        await show_summary(message, state, services, lang)
        return
    await state.clear()
    # only the form's random values stay, in the chat's state, to answer a second press
    await state.set_data({"sent": {"conv": data["conv"], "nonce": data["nonce"]}})
    await message.answer(filed_text(filed, services, lang))


async def intake_refused(message: Message, state: FSMContext, exc: IntakeError) -> None:
    """Tell the citizen what to fix and go back to that step."""
    if exc.field == "contact":
        await message.answer(_("A complaint needs a way to reach you."))
        await ask_contact(message, state)
    elif exc.field == "company":
        await message.answer(_("The company name is too long."))
        await state.set_state(Filing.company)
    else:
        await message.answer(
            _("This could not be filed: {reason}").format(reason=quote(exc.localized()))
        )
        await state.set_state(Filing.text)
        await message.answer(_("Please describe the problem again."))


@router.callback_query(DepartmentCb.filter())
async def department_scope(
    query: CallbackQuery, callback_data: DepartmentCb, services: Services, lang: str
) -> None:
    """What a department handles, in the citizen's language."""
    department = services.departments.get(callback_data.code)
    await query.answer()
    if department is None or not isinstance(query.message, Message):
        return
    await query.message.answer(
        _("<b>{department}</b> handles: {scope}").format(
            department=quote(department.name(lang)), scope=quote(department.scope(lang))
        )
    )
