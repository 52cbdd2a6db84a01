"""The main actions as buttons (on /start, after a greeting or a question), so a citizen
never has to remember a command. Each button does what its command does."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.keyboards import MenuCb
from complaints.runtime import Services

router = Router(name=__name__)
router.callback_query.filter(F.message.chat.type == "private")

ACTIONS = ("grade", "recalls", "complain", "tip", "track", "subscribe")


def main_menu() -> InlineKeyboardMarkup:
    """Look up a grade, recalls, complain, tip, track, alerts: two to a row."""
    labels = {
        "grade": _("🔍 Company grade"),
        "recalls": _("⚠️ Recalls"),
        "complain": _("📝 File a complaint"),
        "tip": _("🕵️ Report a violation"),
        "track": _("📦 Track my case"),
        "subscribe": _("🔔 Alerts"),
    }
    builder = InlineKeyboardBuilder()
    for action in ACTIONS:
        builder.button(text=labels[action], callback_data=MenuCb(action=action))
    builder.adjust(2)
    return builder.as_markup()


@router.callback_query(MenuCb.filter())
async def pressed(
    query: CallbackQuery,
    callback_data: MenuCb,
    state: FSMContext,
    services: Services,
    session: AsyncSession,
    lang: str,
) -> None:
    from bot.handlers import complaints, grades, recalls, subscriptions, tracking

    message = query.message if isinstance(query.message, Message) else None
    if message is None or callback_data.action not in ACTIONS:
        await query.answer()
        return
    await query.answer()
    chat_id = query.from_user.id
    action = callback_data.action
    if action in ("complain", "tip"):
        if await state.get_state() in complaints.FORM_STATES:
            await message.answer(
                _("You have an unfinished form: answer the question above, or /cancel to drop it.")
            )
            return
        await complaints.begin(
            message, state, services, "complaint" if action == "complain" else "tip"
        )
    elif action == "grade":
        await state.set_state(grades.Lookup.query)
        await message.answer(_("Send the company's name (a part is enough) or its code."))
    elif action == "recalls":
        await recalls.open_listing(message, state, session, None)
    elif action == "track":
        await message.answer(await tracking.own_cases_text(session, chat_id))
    elif action == "subscribe":
        await subscriptions.show_overview(message, chat_id, services, session)
