"""Files people send to the bot in the tests: photos and documents for the recording
session (``send_file``) and for the emulator (``emulator_send_file``)."""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram.methods import SendMessage
from aiogram.types import Document, File, Message, PhotoSize, Update

from tests.support.emulator_person import EmulatorPerson
from tests.support.fake_telegram import Person

_ids = itertools.count(900_000)


def file_of(files: dict[str, bytes], file_id: str) -> File:
    """What getFile answers for a file a person sent."""
    return File(
        file_id=file_id,
        file_unique_id=file_id,
        file_size=len(files[file_id]),
        file_path=f"files/{file_id}",
    )


async def send_file(
    person: Person,
    data: bytes,
    caption: str | None = None,
    *,
    filename: str | None = None,
    mime_type: str = "application/pdf",
) -> list[SendMessage]:
    """Send a photo (``filename`` None) or a document; return the bot's answers."""
    file_id = f"f{next(_ids)}"
    person.session.files[file_id] = data
    fields: dict[str, Any] = {}
    if filename is None:
        fields["photo"] = [
            PhotoSize(file_id=file_id, file_unique_id=file_id, width=64, height=48),
        ]
    else:
        fields["document"] = Document(
            file_id=file_id,
            file_unique_id=file_id,
            file_name=filename,
            mime_type=mime_type,
            file_size=len(data),
        )
    message = Message(
        message_id=next(_ids),
        date=datetime.now(UTC),
        chat=person.chat,
        from_user=person.user,
        caption=caption,
        **fields,
    )
    await person.feed(Update(update_id=next(_ids), message=message))
    return person.replies()


async def emulator_send_file(
    person: EmulatorPerson,
    data: bytes,
    caption: str | None = None,
    *,
    filename: str | None = None,
    mime_type: str = "application/pdf",
) -> None:
    """Send a photo (``filename`` None) or a document, with an optional caption."""
    async with person.http.post(
        f"{person.base}/e2e/files", json={"data": base64.b64encode(data).decode()}
    ) as resp:
        stored = (await resp.json())["result"]
    body: dict[str, Any] = {
        "botToken": person.token,
        "from": person.user,
        "chat": person.chat,
        "date": int(datetime.now(UTC).timestamp()),
    }
    if caption:
        body["caption"] = caption
    if filename is None:
        body["photo"] = [{**stored, "width": 640, "height": 480}]
    else:
        body["document"] = {**stored, "file_name": filename, "mime_type": mime_type}
    await person._post("/sendMessage", body)
