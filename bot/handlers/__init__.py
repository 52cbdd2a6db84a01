"""One router per feature; the order here is the order in which they are tried.

May import: aiogram, the rest of ``bot``, and what ``bot`` may import.
"""

from __future__ import annotations

from aiogram import Router


def feature_routers() -> list[Router]:
    from bot.handlers import (
        complaints,
        free_text,
        grades,
        language,
        recalls,
        staff,
        start,
        subscriptions,
        tracking,
    )

    # free text comes last: it answers whatever no command or conversation took
    return [
        staff.router,
        start.router,
        language.router,
        tracking.router,
        grades.router,
        recalls.router,
        subscriptions.router,
        complaints.router,
        free_text.router,
    ]
