"""A command sent while a form is open: /cancel, /help, /language and /recalls leave the
form as it is; any other command closes it (saying so) and then runs, so what is typed
next answers the new command, never the old form's question."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.filing import FORM_STATES

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

# these take no typed answer afterwards, so the form can wait
KEEP_FORM = {"/cancel", "/help", "/language", "/recalls"}


def command_of(text: str) -> str:
    return text.split()[0].split("@")[0].lower() if text.strip() else ""


@router.message(StateFilter(*FORM_STATES), F.text.startswith("/"))
async def command_during_form(message: Message, state: FSMContext) -> None:
    if command_of(message.text or "") not in KEEP_FORM:
        kind = (await state.get_data()).get("kind")
        await state.clear()
        if kind == "tip":
            note = _("Your unfinished tip was closed; nothing was sent.")
        else:
            note = _("Your unfinished complaint was closed; nothing was sent.")
        await message.answer(note)
    raise SkipHandler()
