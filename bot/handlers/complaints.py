"""/complain and /tip: the guided conversation that files a case.

description → company (suggested from the register, confirmed by a button) →
city → contact, or anonymity for tips → a summary with the department the
router chose and why → confirm → tracking number and access code.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing import (
    Filing,
    ask_city,
    ask_company,
    ask_contact,
    cities,
    filed_text,
    idempotency_key,
    match_city,
    show_summary,
    telegram_contact,
)
from bot.keyboards import ComplaintCb
from bot.markup import quote
from complaints.intake import MAX_TEXT, IntakeError, Submission
from complaints.models import Case
from complaints.runtime import Services
from complaints.service import submit
from disclosure.service import search_enterprises
from infra.limits import RateLimited

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

MIN_TEXT = 10
MAX_COMPANY = 200
MAX_CONTACT = 200
_PHONE_OR_MAIL = re.compile(r"(\d[\d\s\-+()]{5,}\d)|([^@\s]+@[^@\s]+\.[^@\s]+)")


async def begin(
    message: Message,
    state: FSMContext,
    services: Services,
    kind: str,
    text: str | None = None,
) -> None:
    """Start a conversation; with ``text`` (from free text) the description is done."""
    await state.clear()
    await state.set_data({"conv": uuid.uuid4().hex[:12], "kind": kind})
    if text:
        await take_text(message, state, services, text)
        return
    await state.set_state(Filing.text)
    if kind == "tip":
        prompt = _(
            "Report a violation. Describe what you saw: which company, which product or "
            "shop, where and when. Send /cancel to stop."
        )
    else:
        prompt = _(
            "File a complaint. Describe the problem: what you bought or used, what went "
            "wrong, when, and what you want (refund, repair…). Send /cancel to stop."
        )
    await message.answer(prompt)


@router.message(Command("complain"))
async def complain(message: Message, state: FSMContext, services: Services) -> None:
    await begin(message, state, services, "complaint")


@router.message(Command("tip"))
async def tip(message: Message, state: FSMContext, services: Services) -> None:
    await begin(message, state, services, "tip")


def _not_command() -> Any:
    return F.text & ~F.text.startswith("/")


@router.message(Filing.text, _not_command())
async def description(message: Message, state: FSMContext, services: Services) -> None:
    await take_text(message, state, services, message.text or "")


@router.message(Filing.text)
async def description_not_text(message: Message) -> None:
    await message.answer(_("Please describe the problem in words."))


async def take_text(message: Message, state: FSMContext, services: Services, text: str) -> None:
    text = text.strip()
    if len(text) < MIN_TEXT:
        await state.set_state(Filing.text)
        await message.answer(
            _("That is too short. Please describe what happened (at least {n} characters).").format(
                n=MIN_TEXT
            )
        )
        return
    if len(text) > MAX_TEXT:
        await state.set_state(Filing.text)
        await message.answer(
            _("That is too long ({n} characters). Please keep it under {max}.").format(
                n=len(text), max=MAX_TEXT
            )
        )
        return
    data = await state.get_data()
    routing = await services.off_loop(services.router.route, text, kind_hint=data.get("kind"))
    suggestions: list[tuple[str, str]] = []
    known = services.published.name_of(routing.enterprise) if routing.enterprise else None
    if known is not None:
        suggestions.append((routing.enterprise, known))
    if routing.company:
        for item in search_enterprises(services.published, routing.company, 3):
            if item.uscc not in {u for u, _ in suggestions} and item.score >= 60:
                suggestions.append((item.uscc, item.name))
    await state.update_data(text=text, suggestions=suggestions[:3], typed=None)
    await state.set_state(Filing.company)
    await ask_company(message, state, suggestions[:3], routing.company)


@router.message(Filing.company, _not_command())
async def company_typed(message: Message, state: FSMContext, services: Services, lang: str) -> None:
    typed = (message.text or "").strip()[:MAX_COMPANY]
    items = [i for i in search_enterprises(services.published, typed, 3) if i.score >= 60]
    if not items:
        await state.update_data(company=typed, company_uscc=None)
        await message.answer(
            _(
                "“{name}” is not in the register; the department will get the name as you wrote it."
            ).format(name=quote(typed))
        )
        await ask_city(message, state, lang)
        return
    suggestions = [(i.uscc, i.name) for i in items]
    await state.update_data(suggestions=suggestions, typed=typed)
    await ask_company(message, state, suggestions, None, typed=typed)


@router.message(Filing.city, _not_command())
async def city_typed(message: Message, state: FSMContext) -> None:
    typed = (message.text or "").strip()
    city = match_city(typed) or typed[:20]
    await state.update_data(city=city)
    await ask_contact(message, state)


@router.message(Filing.contact, F.contact)
async def contact_shared(
    message: Message, state: FSMContext, services: Services, lang: str
) -> None:
    assert message.contact is not None
    await state.update_data(contact=message.contact.phone_number, anonymous=False)
    await show_summary(message, state, services, lang)


@router.message(Filing.contact, _not_command())
async def contact_typed(message: Message, state: FSMContext, services: Services, lang: str) -> None:
    contact = (message.text or "").strip()
    if len(contact) > MAX_CONTACT or not _PHONE_OR_MAIL.search(contact):
        await message.answer(
            _(
                "That does not look like a phone number or an e-mail address. "
                "Send one, or press a button."
            )
        )
        return
    await state.update_data(contact=contact, anonymous=False)
    await show_summary(message, state, services, lang)


@router.message(Filing.company)
@router.message(Filing.city)
@router.message(Filing.contact)
@router.message(Filing.confirm)
async def expecting_button(message: Message) -> None:
    await message.answer(_("Please answer with a button above, or send /cancel to stop."))


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
    expected = {
        "company": Filing.company.state,
        "city": Filing.city.state,
        "contact": Filing.contact.state,
        "confirm": Filing.confirm.state,
        "cancel": None,
    }
    if (
        message is None
        or data.get("conv") != callback_data.conv
        or (
            callback_data.action in expected
            and expected[callback_data.action] not in (None, current)
        )
    ):
        await stale_button(query, callback_data, session)
        return
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    if callback_data.action == "cancel":
        await state.clear()
        await message.answer(_("Cancelled. Nothing was sent."))
    elif callback_data.action == "company":
        await choose_company(message, state, data, callback_data.value, lang)
    elif callback_data.action == "city":
        names = cities()
        value = callback_data.value
        city = (
            names[int(value)][0]
            if value.isascii() and value.isdigit() and int(value) < len(names)
            else None
        )
        await state.update_data(city=city)
        await ask_contact(message, state)
    elif callback_data.action == "contact":
        if callback_data.value == "anonymous" and data["kind"] == "tip":
            await state.update_data(contact=None, anonymous=True)
        else:
            await state.update_data(contact=telegram_contact(query), anonymous=False)
        await show_summary(message, state, services, lang)
    elif callback_data.action == "confirm":
        await confirm(query, message, state, services, session, lang)


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
    query: CallbackQuery, callback_data: ComplaintCb, session: AsyncSession
) -> None:
    """A button of a finished or replaced conversation (pressed twice, or much later)."""
    if callback_data.action == "confirm" and callback_data.conv:
        key = idempotency_key(query.from_user.id, callback_data.conv)
        case = await session.scalar(select(Case).where(Case.idempotency_key == key))
        if case is not None:
            await query.answer(
                _("Already sent: tracking number {no}.").format(no=case.tracking_no),
                show_alert=True,
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
    session: AsyncSession,
    lang: str,
) -> None:
    data = await state.get_data()
    chat_id = query.from_user.id
    submission = Submission(
        text=data["text"],
        channel="bot",
        kind=data["kind"],
        company=data.get("company"),
        # the company the citizen pressed among the register's suggestions
        enterprise_uscc=data.get("company_uscc"),
        contact=data.get("contact"),
        anonymous=bool(data.get("anonymous")),
        city=data.get("city"),
        lang=lang,
        bot_chat_id=chat_id,
        idempotency_key=idempotency_key(chat_id, data["conv"]),
    )
    try:
        filed = await submit(services, submission, client=f"tg:{chat_id}")
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
