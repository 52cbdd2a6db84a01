"""/complain and /tip: the guided conversation that files a case.

description (a long one may come in parts) → company (suggested from the register,
confirmed by a button) → city → contact, or anonymity for tips → a summary with the
department the router chose and why → confirm (``filing_buttons``) → tracking number
and access code. Each answer is checked for what its step asks.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.filing import (
    FORM_STATES,
    Filing,
    ask_city,
    ask_company,
    ask_contact,
    cities,
    match_city,
    show_summary,
)
from bot.form_checks import MAX_CITY, is_contact_only, is_sentence, looks_like_contact
from bot.keyboards import ComplaintCb
from bot.markup import quote
from complaints.intake import MAX_TEXT
from complaints.runtime import Services
from disclosure.service import search_enterprises

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

__all__ = ["FORM_STATES", "begin", "router"]

MIN_TEXT = 10
MAX_COMPANY = 200
MAX_CONTACT = 200
# Telegram splits a text longer than 4,096 characters; a part this long has more to come
LONG_PART = 3800


async def begin(
    message: Message,
    state: FSMContext,
    services: Services,
    kind: str,
    text: str | None = None,
) -> None:
    """Start a conversation; with ``text`` (from free text) the description is done."""
    await state.clear()
    # conv names the form's buttons; nonce makes the filing's idempotency key, and both
    # are random: nothing kept for the form is derived from who fills it in
    await state.set_data(
        {"conv": uuid.uuid4().hex[:12], "nonce": secrets.token_hex(16), "kind": kind}
    )
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


@router.message(Filing.more, _not_command())
async def description_part(message: Message, state: FSMContext, services: Services) -> None:
    part = (message.text or "").strip()
    parts = [*(await state.get_data()).get("parts", []), part]
    await state.update_data(parts=parts)
    if len(part) >= LONG_PART:
        await ask_more(message, state)
        return
    await finish_parts(message, state, services)


async def finish_parts(message: Message, state: FSMContext, services: Services) -> None:
    """Join the parts of a long description and go on with it."""
    parts = (await state.get_data()).get("parts") or []
    await state.update_data(parts=None)
    await take_text(message, state, services, "\n".join(parts), whole=True)


async def ask_more(message: Message, state: FSMContext) -> None:
    conv = (await state.get_data())["conv"]
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("That is all"), callback_data=ComplaintCb(action="more", value="done", conv=conv)
    )
    await state.set_state(Filing.more)
    await message.answer(
        _(
            "Your description is long, so Telegram may have split it. Send the rest, or "
            "press “That is all”."
        ),
        reply_markup=builder.as_markup(),
    )


@router.message(Filing.text)
@router.message(Filing.more)
async def description_not_text(message: Message) -> None:
    await message.answer(_("Please describe the problem in words."))


async def take_text(
    message: Message, state: FSMContext, services: Services, text: str, whole: bool = False
) -> None:
    text = text.strip()
    if is_contact_only(text):
        await state.set_state(Filing.text)
        await message.answer(
            _(
                "That looks like a phone number or an e-mail address. I will ask how to reach "
                "you later; first, please describe the problem."
            )
        )
        return
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
    if not whole and len(text) >= LONG_PART:
        await state.update_data(parts=[text])
        await ask_more(message, state)
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
    if is_contact_only(typed):
        await message.answer(
            _("That looks like a phone number, not a company. Which company is it about?")
        )
        return
    if is_sentence(typed):
        routing = await services.off_loop(services.router.route, typed)
        if not routing.company:
            await message.answer(_("Please type only the company's name, or press a button."))
            return
        # offer the name found in the sentence instead of taking the sentence as a name
        typed = routing.company[:MAX_COMPANY]
        await message.answer(
            _("That reads like a sentence, not a name. I found “{name}” in it.").format(
                name=quote(typed)
            )
        )
    items = [i for i in search_enterprises(services.published, typed, 3) if i.score >= 60]
    suggestions = [(i.uscc, i.name) for i in items]
    await state.update_data(suggestions=suggestions, typed=typed)
    if not items and not is_sentence(message.text or ""):
        await state.update_data(company=typed, company_uscc=None)
        await message.answer(
            _(
                "“{name}” is not in the register; the department will get the name as you wrote it."
            ).format(name=quote(typed))
        )
        await ask_city(message, state, lang)
        return
    await ask_company(message, state, suggestions, None, typed=typed)


def city_in(text: str) -> str | None:
    """The stored name of a Jiangsu city the answer names, alone or within a sentence."""
    found = match_city(text)
    if found:
        return found
    words = set(re.findall(r"[a-z]+", text.lower()))
    for name, short, en in cities():
        if short in text or name in text or en.lower() in words:
            return name
    return None


@router.message(Filing.city, _not_command())
async def city_typed(message: Message, state: FSMContext) -> None:
    typed = (message.text or "").strip()
    city = city_in(typed)
    if city is None:
        if is_contact_only(typed) or looks_like_contact(typed):
            await message.answer(
                _("That looks like a phone number, not a place. In which city did it happen?")
            )
            return
        if is_sentence(typed, MAX_CITY):
            await message.answer(_("Please type only the city's name, or press a button."))
            return
        city = typed
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
    if len(contact) > MAX_CONTACT or not looks_like_contact(contact):
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
