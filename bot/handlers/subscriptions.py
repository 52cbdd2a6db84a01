"""/subscribe and /unsubscribe: recall alerts by category and followed companies."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.grades import show_lookup
from bot.keyboards import RECALL_CATEGORIES, SubscriptionCb, categories_keyboard, category_name
from bot.markup import quote
from bot.models import Subscription
from bot.queries import set_subscription, subscriptions_of
from complaints.runtime import Services

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

MAX_FOLLOWED = 50


def overview(subs: list[Subscription], services: Services) -> str:
    categories = [category_name(s.target) for s in subs if s.kind == "category"]
    companies = [
        (services.published.name_of(s.target) or s.target) for s in subs if s.kind == "enterprise"
    ]
    lines = [
        _("Choose the recall categories you want alerts for (press again to turn off)."),
        "",
        _("Categories: {list}").format(list=quote(", ".join(categories)) or _("none")),
        _("Followed companies: {list}").format(list=quote(", ".join(companies)) or _("none")),
        "",
        _("To follow a company, look it up with /grade and press “Follow”."),
    ]
    return "\n".join(lines)


@router.message(Command("subscribe"))
async def subscribe(
    message: Message, command: CommandObject, services: Services, session: AsyncSession
) -> None:
    if command.args and command.args.strip():
        await show_lookup(message, command.args, services, session)
        return
    await show_overview(message, message.chat.id, services, session)


async def show_overview(
    message: Message, chat_id: int, services: Services, session: AsyncSession
) -> None:
    """The categories keyboard with what the chat follows."""
    subs = await subscriptions_of(session, chat_id)
    on = {s.target for s in subs if s.kind == "category"}
    await message.answer(overview(subs, services), reply_markup=categories_keyboard(on))


def unsubscribe_keyboard(subs: list[Subscription], services: Services) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for s in subs:
        if s.kind == "category":
            label = _("✖ {category} recalls").format(category=category_name(s.target))
            builder.button(
                text=label, callback_data=SubscriptionCb(action="off", target=s.target, view="list")
            )
        else:
            name = services.published.name_of(s.target) or s.target
            builder.button(
                text="✖ " + name[:40],
                callback_data=SubscriptionCb(action="drop", target=s.target, view="list"),
            )
    builder.button(
        text=_("Stop all alerts"), callback_data=SubscriptionCb(action="all", view="list")
    )
    builder.adjust(1)
    return builder.as_markup()


@router.message(Command("unsubscribe"))
async def unsubscribe(message: Message, services: Services, session: AsyncSession) -> None:
    subs = await subscriptions_of(session, message.chat.id)
    if not subs:
        await message.answer(_("You have no alerts. /subscribe sets them up."))
        return
    await message.answer(
        _("Press an alert to stop it:"), reply_markup=unsubscribe_keyboard(subs, services)
    )


@router.callback_query(SubscriptionCb.filter())
async def change(
    query: CallbackQuery,
    callback_data: SubscriptionCb,
    services: Services,
    session: AsyncSession,
) -> None:
    chat_id = query.from_user.id
    action, target = callback_data.action, callback_data.target
    if action in ("on", "off") and target not in RECALL_CATEGORIES:
        await query.answer(_("Unknown category."), show_alert=True)
        return
    if action == "all":
        await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
        await session.commit()
        await query.answer(_("All alerts stopped."))
    elif action == "drop":
        await set_subscription(session, chat_id, "enterprise", target, False)
        await query.answer(_("You no longer follow this company."))
    else:
        if action == "on":
            subs = await subscriptions_of(session, chat_id)
            if len(subs) >= MAX_FOLLOWED + len(RECALL_CATEGORIES):
                await query.answer(_("You have too many alerts already."), show_alert=True)
                return
        await set_subscription(session, chat_id, "category", target, action == "on")
        name = category_name(target)
        await query.answer(
            _("Alerts on for {category} recalls.").format(category=name)
            if action == "on"
            else _("Alerts off for {category} recalls.").format(category=name)
        )
    if not isinstance(query.message, Message):
        return
    subs = await subscriptions_of(session, chat_id)
    if callback_data.view == "list":
        if subs:
            await query.message.edit_reply_markup(reply_markup=unsubscribe_keyboard(subs, services))
        else:
            await query.message.edit_text(_("You have no alerts. /subscribe sets them up."))
    elif callback_data.view == "cats":
        on = {s.target for s in subs if s.kind == "category"}
        await query.message.edit_text(
            overview(subs, services), reply_markup=categories_keyboard(on)
        )
