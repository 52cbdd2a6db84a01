"""/recalls [KEYWORD]: the newest recall notices, paged with inline buttons."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import recall_card, recall_line
from bot.keyboards import RecallCb, RecallPageCb, SubscriptionCb, category_name
from bot.markup import quote
from disclosure.recalls import BadCursor, RecallFilter, RecallNotFound, get_recall, list_recalls

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

PAGE = 5


def browsing(state: FSMContext) -> FSMContext:
    """The recall search a chat is paging through, kept apart from any conversation."""
    return FSMContext(storage=state.storage, key=replace(state.key, destiny="recalls"))


async def render_page(
    session: AsyncSession, keyword: str | None, page: int, cursors: list[str | None]
) -> tuple[str, InlineKeyboardMarkup | None, list[str | None]]:
    """Page ``page`` of the listing; ``cursors[i]`` is where page ``i`` starts."""
    page = min(max(page, 0), len(cursors) - 1)
    try:
        result = await list_recalls(session, RecallFilter(q=keyword), PAGE, cursors[page])
    except BadCursor:
        page, cursors = 0, [None]
        result = await list_recalls(session, RecallFilter(q=keyword), PAGE, None)
    if result.next_cursor is not None:
        cursors = [*cursors[: page + 1], result.next_cursor]
    if not result.items:
        if keyword:
            text = _("No recall notices match “{keyword}”.").format(keyword=quote(keyword))
        else:
            text = _("There are no recall notices yet.")
        return text, None, cursors
    title = (
        _("Recall notices matching “{keyword}”:").format(keyword=quote(keyword))
        if keyword
        else _("Newest recall notices:")
    )
    lines = [f"<b>{title}</b>"]
    builder = InlineKeyboardBuilder()
    first = page * PAGE + 1
    for i, recall in enumerate(result.items, first):
        lines.append(recall_line(i, recall))
        builder.button(text=str(i), callback_data=RecallCb(id=recall.id))
    paging = []
    if page > 0:
        paging.append(("◀ " + _("Newer"), page - 1))
    if result.next_cursor is not None:
        paging.append((_("Older") + " ▶", page + 1))
    for text, to in paging:
        builder.button(text=text, callback_data=RecallPageCb(page=to))
    builder.adjust(len(result.items), len(paging) or 1)
    return "\n".join(lines), builder.as_markup(), cursors


@router.message(Command("recalls"))
async def recalls_command(
    message: Message, command: CommandObject, state: FSMContext, session: AsyncSession
) -> None:
    keyword = (command.args or "").strip()[:50] or None
    await open_listing(message, state, session, keyword)


async def open_listing(
    message: Message, state: FSMContext, session: AsyncSession, keyword: str | None
) -> None:
    """The first page of the listing, remembered for paging."""
    text, keyboard, cursors = await render_page(session, keyword, 0, [None])
    await browsing(state).set_data({"keyword": keyword, "cursors": cursors})
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(RecallPageCb.filter())
async def turn_page(
    query: CallbackQuery, callback_data: RecallPageCb, state: FSMContext, session: AsyncSession
) -> None:
    context = browsing(state)
    data = await context.get_data()
    cursors = data.get("cursors") or [None]
    text, keyboard, cursors = await render_page(
        session, data.get("keyword"), callback_data.page, cursors
    )
    await context.update_data(cursors=cursors)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)


@router.callback_query(RecallCb.filter())
async def show_recall(query: CallbackQuery, callback_data: RecallCb, session: AsyncSession) -> None:
    try:
        recall = await get_recall(session, callback_data.id)
    except RecallNotFound:
        await query.answer(_("This recall notice is no longer published."), show_alert=True)
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔔 Alerts for {category} recalls").format(category=category_name(recall.category)),
        callback_data=SubscriptionCb(action="on", target=recall.category),
    )
    if isinstance(query.message, Message):
        await query.message.answer(recall_card(recall), reply_markup=builder.as_markup())
