"""Photos and documents as evidence, during the filing conversation and after it.

During /complain or /tip a photo or a PDF is checked at once (``complaints.evidence``),
stored, and kept in the conversation; a caption counts as the description when one is
still wanted. When the conversation files its case, ``AttachAfterFiling`` attaches what
was kept. Outside a conversation, a file goes to the sender's newest open case (or the
one whose tracking number the caption names): an entry in the case log that reaches
the department.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select

from bot.filing import Filing, idempotency_key
from bot.markup import quote
from complaints import evidence_store
from complaints.evidence import (
    FINISHED,
    MAX_FILE_BYTES,
    MAX_FILES_PER_CASE,
    EvidenceRefused,
    Stored,
    prepare,
    too_large,
)
from complaints.models import Case
from complaints.runtime import Services

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

MEDIA = F.photo | F.document
PENDING = "evidence"
_TRACKING = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{8}[A-Z0-9]{6})(?![A-Z0-9])")


async def _download(bot: Bot, message: Message) -> bytes:
    """The file's bytes (the largest size of a photo); ``EvidenceRefused`` when too big."""
    if message.photo:
        item: Any = message.photo[-1]
    else:
        item = message.document
    if item is None:
        raise EvidenceRefused("empty_file", "The file is empty.")
    if item.file_size and item.file_size > MAX_FILE_BYTES:
        raise too_large()
    buffer = io.BytesIO()
    await bot.download(item.file_id, destination=buffer)
    data = buffer.getvalue()
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    return data


async def _checked(message: Message, bot: Bot, services: Services, note: str | None):
    """The checked and stored file, or None after telling the sender why not."""
    try:
        data = await _download(bot, message)
        prepared = await services.off_loop(prepare, data, note)
    except EvidenceRefused as exc:
        await message.answer(
            _("This file was not taken: {reason}").format(reason=quote(exc.localized()))
        )
        return None
    return await evidence_store.store_blobs(services.evidence_store, prepared)


@router.message(StateFilter(Filing), MEDIA)
async def during_filing(message: Message, state: FSMContext, services: Services, bot: Bot) -> None:
    data = await state.get_data()
    pending = list(data.get(PENDING) or [])
    if len(pending) >= MAX_FILES_PER_CASE:
        await message.answer(
            _("A case may have at most {limit} files; this one has them all.").format(
                limit=MAX_FILES_PER_CASE
            )
        )
        return
    caption = (message.caption or "").strip()
    wants_text = await state.get_state() == Filing.text.state
    stored = await _checked(message, bot, services, None if wants_text else caption or None)
    if stored is None:
        return
    pending.append(stored.to_dict())
    await state.update_data({PENDING: pending})
    received = _("📎 Received ({n} of at most {limit}); it will go with your report.").format(
        n=len(pending), limit=MAX_FILES_PER_CASE
    )
    if wants_text and caption:
        from bot.handlers.complaints import take_text

        await message.answer(received)
        await take_text(message, state, services, caption)
    elif wants_text:
        await message.answer(
            received + "\n" + _("Now describe the problem in words, or send more photos.")
        )
    else:
        await message.answer(received)


@router.message(StateFilter(None), MEDIA)
async def after_filing(message: Message, services: Services, bot: Bot) -> None:
    chat_id = message.chat.id
    caption = (message.caption or "").strip()
    wanted = _TRACKING.search(caption.upper())
    async with services.sessions() as session:
        stmt = select(Case).where(Case.bot_chat_id == chat_id, Case.status.not_in(FINISHED))
        if wanted:
            stmt = stmt.where(Case.tracking_no == wanted.group(1))
        case = await session.scalar(stmt.order_by(Case.id.desc()).limit(1))
        if case is None:
            await message.answer(
                _(
                    "I found no open case of yours to add this to. Send /complain or /tip "
                    "first; for an anonymous tip, add files on the website with the tracking "
                    "number and access code."
                )
            )
            return
        count, _total = await evidence_store.usage(session, case.id)
        if count >= MAX_FILES_PER_CASE:
            await message.answer(
                _("A case may have at most {limit} files; this one has them all.").format(
                    limit=MAX_FILES_PER_CASE
                )
            )
            return
        number = case.tracking_no
    stored = await _checked(message, bot, services, caption or None)
    if stored is None:
        return
    added = await attach(services, number, [stored], announce_it=True)
    if added is None:
        return
    await message.answer(
        _(
            "📎 Added to case {no} as evidence ({n} of at most {limit}). "
            "The department will see it."
        ).format(no=f"<code>{quote(number)}</code>", n=added, limit=MAX_FILES_PER_CASE)
    )


async def attach(
    services: Services, tracking_no: str, files: list[Stored], *, announce_it: bool
) -> int | None:
    """Attach stored files to a case; the case's file count afterwards (None: refused)."""
    async with services.sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == tracking_no))
        if case is None:
            return None
        try:
            await evidence_store.attach(
                session,
                services.evidence_store,
                case,
                files,
                actor="citizen",
                channel="bot",
                announce_it=announce_it,
            )
        except EvidenceRefused:
            return None
        count, _total = await evidence_store.usage(session, case.id)
        await session.commit()
    return count


class AttachAfterFiling(BaseMiddleware):
    """Around the filing conversation's buttons: once a conversation that kept files has
    filed its case, the files are attached to it."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        if state is None or not isinstance(event, CallbackQuery):
            return await handler(event, data)
        before = await state.get_data()
        result = await handler(event, data)
        pending = before.get(PENDING)
        if not pending or (await state.get_data()).get("conv") == before.get("conv"):
            return result
        services: Services = data["services"]
        key = idempotency_key(str(before.get("nonce", "")))
        async with services.sessions() as session:
            number = await session.scalar(
                select(Case.tracking_no).where(Case.idempotency_key == key)
            )
        if number is None:
            return result  # cancelled: the stored files are swept as orphans
        files = [Stored.from_dict(item) for item in pending]
        count = await attach(services, number, files, announce_it=False)
        if count and isinstance(event.message, Message):
            await event.message.answer(
                _("📎 {n} files were added to case {no} as evidence.").format(
                    n=len(files), no=f"<code>{quote(number)}</code>"
                )
            )
        return result


def wire(conversation: Router) -> None:
    """Attach kept files when ``conversation`` (the /complain and /tip router) files;
    once, however many dispatchers a process builds."""
    observer = conversation.callback_query
    if not any(isinstance(m, AttachAfterFiling) for m in observer.middleware):
        observer.middleware(AttachAfterFiling())
