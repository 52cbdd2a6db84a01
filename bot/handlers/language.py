"""/language: 简体中文 or English, remembered per user."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import speaking
from bot.keyboards import LanguageCb, language_keyboard
from bot.models import BotUser
from infra.i18n import LANGS

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


@router.message(Command("language"))
async def language(message: Message) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard())


@router.callback_query(LanguageCb.filter())
async def choose(
    query: CallbackQuery, callback_data: LanguageCb, session: AsyncSession, i18n: I18n
) -> None:
    lang = callback_data.lang
    if lang not in LANGS:
        await query.answer()
        return
    user = await session.get(BotUser, query.from_user.id)
    if user is None:
        user = BotUser(chat_id=query.from_user.id)
        session.add(user)
    user.lang, user.lang_chosen = lang, True
    await session.commit()
    with speaking(i18n, lang):
        done = _("I will speak English with you from now on. /help shows what I can do.")
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(done)
