"""/grade NAME_OR_CODE: a company's quality-credit grade, from a partial name too."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import candidates_text, closest_text, enterprise_card, recall_line
from bot.keyboards import EnterpriseCb, RecallCb
from bot.markup import quote
from bot.models import Subscription
from bot.queries import set_subscription
from complaints.runtime import Services
from complaints.service import counts_by_outcome
from disclosure.recalls import RecallFilter, list_recalls
from disclosure.service import BadCode, NotFound, SearchItem, enterprise_detail, search_enterprises
from nlp import uscc as uscc_codes

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

CANDIDATES = 5
CLOSEST = 3
STRONG_MATCH = 75  # below this a name is only "close", not a match
MAX_QUERY = 100


class Lookup(StatesGroup):
    query = State()


def is_clear_winner(items: list[SearchItem], query: str) -> bool:
    """Show the card at once when the query is a code or one match stands out."""
    check = uscc_codes.validate(query)
    if check.acceptable and items[0].uscc == check.code:
        return True
    if len(items) == 1:
        return items[0].score >= 50
    return items[0].score >= 90 and items[0].score - items[1].score >= 8


async def card_keyboard(
    session: AsyncSession, chat_id: int, uscc: str, n_recalls: int
) -> InlineKeyboardMarkup:
    following = await session.scalar(
        select(Subscription.id).where(
            Subscription.chat_id == chat_id,
            Subscription.kind == "enterprise",
            Subscription.target == uscc,
        )
    )
    builder = InlineKeyboardBuilder()
    if n_recalls:
        builder.button(
            text=_("Recalls of this company ({n})").format(n=n_recalls),
            callback_data=EnterpriseCb(action="recalls", uscc=uscc),
        )
    if following:
        builder.button(
            text=_("🔕 Stop following"), callback_data=EnterpriseCb(action="unfollow", uscc=uscc)
        )
    else:
        builder.button(
            text=_("🔔 Follow this company"), callback_data=EnterpriseCb(action="follow", uscc=uscc)
        )
    builder.adjust(1)
    return builder.as_markup()


async def card(
    services: Services, session: AsyncSession, chat_id: int, uscc: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    try:
        detail = await enterprise_detail(
            session, services.published, uscc, complaint_counts=counts_by_outcome
        )
    except (NotFound, BadCode):
        return None
    keyboard = await card_keyboard(session, chat_id, uscc, len(detail["recalls"]))
    return enterprise_card(detail), keyboard


async def show_lookup(
    message: Message, query: str, services: Services, session: AsyncSession
) -> None:
    """Answer a name or code with the company's card, or up to five candidates."""
    query = query.strip()[:MAX_QUERY]
    items = search_enterprises(services.published, query, CANDIDATES) if query else []
    if not items:
        await message.answer(
            _(
                "No company found for “{query}”. Check the name, try a part of it, "
                "or send the unified social credit code."
            ).format(query=quote(query))
        )
        return
    if is_clear_winner(items, query):
        shown = await card(services, session, message.chat.id, items[0].uscc)
        if shown is not None:
            await message.answer(shown[0], reply_markup=shown[1])
            return
    strong = [i for i in items if i.score >= STRONG_MATCH]
    if len(strong) == 1 and (len(items) == 1 or items[1].score < STRONG_MATCH):
        # one name stands out among weak ones: its card, not a choice
        shown = await card(services, session, message.chat.id, strong[0].uscc)
        if shown is not None:
            await message.answer(shown[0], reply_markup=shown[1])
            return
    if strong:
        items, text = strong, candidates_text(query)
    else:
        items, text = items[:CLOSEST], closest_text(query)
    builder = InlineKeyboardBuilder()
    for item in items:
        label = f"{item.name} · {item.grade or '—'}"
        builder.button(text=label[:60], callback_data=EnterpriseCb(action="show", uscc=item.uscc))
    builder.adjust(1)
    await message.answer(text, reply_markup=builder.as_markup())


@router.message(Command("grade"))
async def grade_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    services: Services,
    session: AsyncSession,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(Lookup.query)
        await message.answer(_("Send the company's name (a part is enough) or its code."))
        return
    await show_lookup(message, command.args, services, session)


@router.message(Lookup.query, F.text & ~F.text.startswith("/"))
async def grade_query(
    message: Message, state: FSMContext, services: Services, session: AsyncSession
) -> None:
    await state.clear()
    await show_lookup(message, message.text or "", services, session)


@router.callback_query(EnterpriseCb.filter(F.action == "show"))
async def show_candidate(
    query: CallbackQuery, callback_data: EnterpriseCb, services: Services, session: AsyncSession
) -> None:
    shown = await card(services, session, query.from_user.id, callback_data.uscc)
    if shown is None:
        await query.answer(_("This company is no longer in the register."), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(shown[0], reply_markup=shown[1])


@router.callback_query(EnterpriseCb.filter(F.action == "recalls"))
async def company_recalls(
    query: CallbackQuery, callback_data: EnterpriseCb, services: Services, session: AsyncSession
) -> None:
    await query.answer()
    recalls = (await list_recalls(session, RecallFilter(q=callback_data.uscc), 10)).items
    if not recalls or not isinstance(query.message, Message):
        return
    name = services.published.name_of(callback_data.uscc) or recalls[0].producer
    lines = [_("Recalls of {name}:").format(name=f"<b>{quote(name)}</b>")]
    builder = InlineKeyboardBuilder()
    for i, recall in enumerate(recalls, 1):
        lines.append(recall_line(i, recall))
        builder.button(text=str(i), callback_data=RecallCb(id=recall.id))
    builder.adjust(5)
    await query.message.answer("\n".join(lines), reply_markup=builder.as_markup())


@router.callback_query(EnterpriseCb.filter(F.action.in_({"follow", "unfollow"})))
async def follow(
    query: CallbackQuery, callback_data: EnterpriseCb, services: Services, session: AsyncSession
) -> None:
    chat_id = query.from_user.id
    on = callback_data.action == "follow"
    if on and services.published.name_of(callback_data.uscc) is None:
        await query.answer(_("This company is no longer in the register."), show_alert=True)
        return
    await set_subscription(session, chat_id, "enterprise", callback_data.uscc, on)
    await query.answer(
        _("You will hear about this company's new recalls and grade changes.")
        if on
        else _("You no longer follow this company."),
        show_alert=False,
    )
    if isinstance(query.message, Message):
        shown = await card(services, session, chat_id, callback_data.uscc)
        if shown is not None:
            await query.message.edit_reply_markup(reply_markup=shown[1])
