"""Free text outside a conversation: a company name gets its grade; a complaint gets an
offer to file it with the department the router chose."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.complaints import begin
from bot.handlers.grades import show_lookup
from bot.keyboards import OfferCb
from bot.markup import quote
from complaints.runtime import Services
from disclosure.service import search_enterprises
from nlp import uscc as uscc_codes

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

NAME_LENGTH = 30  # longer text is read as a description, not a name
NAME_SCORE = 70
MIN_COMPLAINT = 8
_SENTENCE_MARKS = set("。！？!?，,；;")


def looks_like_name(text: str) -> bool:
    return len(text) <= NAME_LENGTH and not (_SENTENCE_MARKS & set(text))


@router.message(StateFilter(None), F.text & ~F.text.startswith("/"))
async def free_text(
    message: Message, state: FSMContext, services: Services, session: AsyncSession, lang: str
) -> None:
    text = (message.text or "").strip()
    if uscc_codes.validate(text).acceptable:
        await show_lookup(message, text, services, session)
        return
    if looks_like_name(text):
        items = search_enterprises(services.published, text, 1)
        if items and items[0].score >= NAME_SCORE:
            await show_lookup(message, text, services, session)
            return
    routing = await services.off_loop(services.router.route, text)
    if routing.kind in ("complaint", "tip") and len(text) >= MIN_COMPLAINT:
        await state.update_data(offer_text=text[:5000])
        department = services.departments.get(routing.department)
        name = department.name(lang) if department else routing.department
        if routing.kind == "tip":
            intro = _("This sounds like a report of a violation.")
        else:
            intro = _("This sounds like a complaint.")
        builder = InlineKeyboardBuilder()
        builder.button(text=_("File a complaint"), callback_data=OfferCb(kind="complaint"))
        builder.button(text=_("Report it as a tip"), callback_data=OfferCb(kind="tip"))
        builder.button(text=_("No, thanks"), callback_data=OfferCb(kind="no"))
        builder.adjust(2, 1)
        await message.answer(
            intro
            + " "
            + _("It would go to {department}. Shall I file it?").format(
                department=f"<b>{quote(name)}</b>"
            ),
            reply_markup=builder.as_markup(),
        )
        return
    if looks_like_name(text):
        await show_lookup(message, text, services, session)
        return
    await message.answer(
        _(
            "I did not understand. Send a company name to see its grade, describe a "
            "problem to file a complaint, or see /help."
        )
    )


@router.callback_query(OfferCb.filter())
async def offer(
    query: CallbackQuery, callback_data: OfferCb, state: FSMContext, services: Services
) -> None:
    text = (await state.get_data()).get("offer_text")
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    await message.edit_reply_markup(reply_markup=None)
    if callback_data.kind not in ("complaint", "tip"):
        await state.update_data(offer_text=None)
        await message.answer(_("All right. Send /help to see what I can do."))
        return
    if not text or await state.get_state() is not None:
        await message.answer(_("This offer has expired. Describe the problem again, please."))
        return
    await begin(message, state, services, callback_data.kind, text=text)
