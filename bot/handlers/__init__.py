"""One router per feature, and the command menu: a new command is a handler in a
feature module, that module's router below, and a line in ``command_menu``.

The order of ``feature_routers`` is the order in which the routers are tried.

May import: aiogram, the rest of ``bot``, and what ``bot`` may import.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import BotCommand


def feature_routers() -> list[Router]:
    from bot.handlers import (
        complaints,
        evidence,
        filing_buttons,
        forms,
        free_text,
        grades,
        language,
        menu,
        recalls,
        staff,
        start,
        subscriptions,
        tracking,
    )

    # photos and documents: kept during /complain and /tip, attached when it files
    evidence.wire(filing_buttons.router)
    # free text comes last: it answers whatever no command or conversation took
    return [
        forms.router,
        staff.router,
        start.router,
        menu.router,
        language.router,
        tracking.router,
        grades.router,
        recalls.router,
        subscriptions.router,
        evidence.router,
        complaints.router,
        filing_buttons.router,
        free_text.router,
    ]


def command_menu() -> list[BotCommand]:
    """The commands Telegram lists in its menu, in the current language."""
    from aiogram.utils.i18n import gettext as _

    return [
        BotCommand(command="start", description=_("Start")),
        BotCommand(command="help", description=_("What the bot does")),
        BotCommand(command="grade", description=_("A company's quality-credit grade")),
        BotCommand(command="recalls", description=_("Recall notices")),
        BotCommand(command="subscribe", description=_("Recall and company alerts")),
        BotCommand(command="unsubscribe", description=_("Stop alerts")),
        BotCommand(command="complain", description=_("File a quality complaint")),
        BotCommand(command="tip", description=_("Report a violation")),
        BotCommand(command="track", description=_("Follow your case")),
        BotCommand(command="cancel", description=_("Drop an unfinished form")),
        BotCommand(command="language", description="简体中文 / English"),
    ]
