"""Free text outside a conversation, answered by what it means (``bot.intent``): a
greeting gets a short help, a question about the service its answer, a company name its
grade, a complaint or tip an offer to file it with the department the router chose."""

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
from bot.handlers.menu import main_menu
from bot.intent import classify, looks_like_name
from bot.keyboards import OfferCb
from bot.markup import quote
from complaints.runtime import Services
from disclosure.service import search_enterprises
from nlp import uscc as uscc_codes

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


def question_answer(topic: str) -> str:
    """The short answer to "how do I …?" about one part of the service."""
    answers = {
        "complain": _(
            "To file a quality complaint, send /complain (or press “File a complaint”) and "
            "describe what happened; I ask for the company, the city and how to reach you, "
            "then pass it to the department responsible."
        ),
        "tip": _(
            "To report a violation, send /tip. You may stay anonymous: then nothing that "
            "identifies you is kept, and you follow the tip with its tracking number and code."
        ),
        "track": _(
            "Send /track and your tracking number, e.g. /track ZX20260315ABC234. Cases you "
            "filed here need no access code."
        ),
        "grade": _(
            "Send a company's name (a part is enough) or its unified social credit code, "
            "or /grade and the name, to see its quality-credit grade."
        ),
        "recalls": _("Send /recalls for the newest recall notices, or /recalls and a keyword."),
        "subscribe": _(
            "Send /subscribe to get recall alerts by category; press “Follow” on a company's "
            "card to hear of its new recalls and grades."
        ),
    }
    return answers[topic]


@router.message(StateFilter(None), F.text & ~F.text.startswith("/"))
async def free_text(
    message: Message, state: FSMContext, services: Services, session: AsyncSession, lang: str
) -> None:
    text = (message.text or "").strip()
    is_code = uscc_codes.validate(text).acceptable
    score = 0.0
    if looks_like_name(text):
        items = search_enterprises(services.published, text, 1)
        score = items[0].score if items else 0.0
    routing = None
    if not is_code and (not looks_like_name(text) or score < 70):
        routing = await services.off_loop(services.router.route, text)
    intent = classify(text, score, routing.kind if routing else None, is_code)
    if intent.kind == "lookup":
        await show_lookup(message, text, services, session)
    elif intent.kind == "greeting":
        await message.answer(
            _("Hello! Send a company's name to see its grade, or describe a problem to file it."),
            reply_markup=main_menu(),
        )
    elif intent.kind == "thanks":
        await message.answer(_("You are welcome. Anything else? /help shows what I can do."))
    elif intent.kind == "question":
        await message.answer(question_answer(intent.topic), reply_markup=main_menu())
    elif intent.kind in ("complaint", "tip") and routing is not None:
        await offer_filing(message, state, services, text, intent.kind, routing.department, lang)
    else:
        await message.answer(
            _(
                "I did not understand. Send a company name to see its grade, describe a "
                "problem to file a complaint, or press a button."
            ),
            reply_markup=main_menu(),
        )


async def offer_filing(
    message: Message,
    state: FSMContext,
    services: Services,
    text: str,
    kind: str,
    department_code: str,
    lang: str,
) -> None:
    await state.update_data(offer_text=text[:5000])
    department = services.departments.get(department_code)
    name = department.name(lang) if department else department_code
    if kind == "tip":
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


@router.callback_query(OfferCb.filter())
async def offer(
    query: CallbackQuery, callback_data: OfferCb, state: FSMContext, services: Services
) -> None:
    text = (await state.get_data()).get("offer_text")
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        await query.answer()
        return
    if await state.get_state() is not None:
        # pressed again after the form began: it is open, one step further on
        await query.answer(_("Already started: answer the question above."))
        return
    if not text:
        await query.answer(_("This offer was already answered."))
        return
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    await state.update_data(offer_text=None)
    if callback_data.kind not in ("complaint", "tip"):
        await message.answer(_("All right. Send /help to see what I can do."))
        return
    await begin(message, state, services, callback_data.kind, text=text)
