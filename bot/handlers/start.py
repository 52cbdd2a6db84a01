"""/start and /help: what the bot does, in the user's language."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.menu import main_menu
from bot.markup import quote
from campaigns.windows import active_campaign, announcement, china_today

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(F.chat.type == "private")


def help_text() -> str:
    return "\n".join(
        [
            _("What I can do:"),
            _("/grade NAME_OR_CODE — a company's quality-credit grade"),
            _("/recalls [KEYWORD] — the newest recall notices"),
            _("/subscribe — recall alerts by category, or for a company you follow"),
            _("/unsubscribe — stop alerts"),
            _("/complain — file a quality complaint"),
            _("/tip — report a violation (can be anonymous)"),
            _("/track TRACKING_NO — the status of your case"),
            _("/language — 简体中文 or English"),
            "",
            _("You can also just send a company name, or describe a problem."),
        ]
    )


def campaign_today() -> date:
    return china_today()


async def campaign_banner(session: AsyncSession, lang: str) -> str | None:
    """The running campaign (Quality Month, 3·15) and how to take part, if one runs."""
    day = campaign_today()
    try:
        campaign = await active_campaign(session, day)
    except Exception:  # a banner is never worth a failed /start
        log.warning("could not read the active campaign", exc_info=True)
        return None
    if campaign is None:
        return None
    return "📣 " + quote(announcement(campaign, day, lang))


@router.message(CommandStart())
async def start(message: Message, state: FSMContext, session: AsyncSession, lang: str) -> None:
    await state.clear()
    lines = [
        _("Hello! I am the Zhixin (质信) bot of Jiangsu's quality-credit service."),
        _(
            "I look up companies' quality-credit grades, show recall notices, and pass "
            "your quality complaints and tips to the department responsible."
        ),
    ]
    banner = await campaign_banner(session, lang)
    if banner:
        lines += ["", banner]
    lines += ["", help_text()]
    await message.answer("\n".join(lines), reply_markup=main_menu())


@router.message(Command("help"))
async def show_help(message: Message) -> None:
    await message.answer(help_text(), reply_markup=main_menu())


@router.message(Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    had = await state.get_state()
    await state.clear()
    if had:
        await message.answer(_("Cancelled. Nothing was sent."))
    else:
        await message.answer(_("There is nothing to cancel."))
