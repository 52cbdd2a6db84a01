"""Department staff bind a group chat to their department with their token; the chat
then receives the department's new cases and overdue alerts."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.markup import quote
from bot.models import BotUser, DepartmentChat
from complaints.runtime import Services
from infra.accounts import staff_for_token

log = logging.getLogger(__name__)
router = Router(name=__name__)
GROUPS = {"group", "supergroup"}


async def forget_token_message(bot: Bot, message: Message) -> bool:
    """Delete the message that carries a token, so the group does not keep it."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
        return True
    except TelegramAPIError as exc:  # not an admin, or too old to delete
        log.info("could not delete a token message in chat %s: %s", message.chat.id, exc)
        return False


@router.message(Command("bind", "unbind"), F.chat.type.in_(GROUPS))
async def bind(
    message: Message,
    command: CommandObject,
    bot: Bot,
    services: Services,
    session: AsyncSession,
    lang: str,
) -> None:
    token = (command.args or "").strip()
    deleted = await forget_token_message(bot, message) if token else True
    lines: list[str] = []
    staff = await staff_for_token(session, token[:200]) if token else None
    if not token:
        lines.append(
            _(
                "Send /{command} followed by your staff token, here in the department's group."
            ).format(command=command.command)
        )
    elif staff is None:
        lines.append(_("This token is not valid, or it has been revoked."))
    else:
        department = services.departments.get(staff.department)
        name = department.name(lang) if department else staff.department
        if command.command == "bind":
            row = await session.get(DepartmentChat, message.chat.id)
            if row is None:
                session.add(
                    DepartmentChat(
                        chat_id=message.chat.id, department=staff.department, bound_by=staff.id
                    )
                )
            else:
                row.department, row.bound_by = staff.department, staff.id
            # alerts to the group speak the language of whoever bound it
            chat = await session.get(BotUser, message.chat.id)
            if chat is None:
                session.add(BotUser(chat_id=message.chat.id, lang=lang, lang_chosen=True))
            else:
                chat.lang, chat.lang_chosen = lang, True
            lines.append(
                _("This chat now receives new cases and overdue alerts of {department}.").format(
                    department=f"<b>{quote(name)}</b>"
                )
            )
        else:
            await session.execute(
                delete(DepartmentChat).where(
                    DepartmentChat.chat_id == message.chat.id,
                    DepartmentChat.department == staff.department,
                )
            )
            lines.append(
                _("This chat no longer receives alerts of {department}.").format(
                    department=f"<b>{quote(name)}</b>"
                )
            )
        await session.commit()
    if not deleted:
        lines.append(
            _("Please delete your message with the token: I could not (make me an admin so I can).")
        )
    await message.answer("\n".join(lines))


@router.message(Command("bind", "unbind"), F.chat.type == "private")
async def bind_in_private(message: Message, command: CommandObject, bot: Bot) -> None:
    if command.args:
        await forget_token_message(bot, message)
    await message.answer(
        _("Add me to your department's group chat and send /bind with your staff token there.")
    )


@router.message(Command("start", "help"), F.chat.type.in_(GROUPS))
async def group_help(message: Message) -> None:
    await message.answer(
        _(
            "Department staff: send /bind followed by your staff token to receive your "
            "department's new cases and overdue alerts in this group. /unbind with the token "
            "stops them."
        )
    )
