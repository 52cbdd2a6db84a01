"""A person talking to the bot through the Bot API emulator (``tests/e2e/emulator.js``)
over HTTP, as the end-to-end tests do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.fake_telegram import EXPECT_WITHIN


class EmulatorPerson:
    """Someone using the Bot API server emulator's person side (tests/e2e/emulator.js)."""

    def __init__(
        self,
        http: Any,
        base: str,
        token: str,
        user_id: int,
        language_code: str = "zh-hans",
        chat_id: int | None = None,
        username: str | None = "",
    ) -> None:
        self.http, self.base, self.token = http, base, token
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": language_code,
        }
        if username is not None:  # None: an account without a username
            self.user["username"] = username or f"user{user_id}"
        self.chat_id = chat_id if chat_id is not None else user_id
        kind = "private" if self.chat_id > 0 else "supergroup"
        self.chat = {"id": self.chat_id, "type": kind, "first_name": "Test"}
        if kind != "private":
            self.chat["title"] = "Desk"
        self.seen = 0
        self.history: list[dict[str, Any]] = []

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        import asyncio

        await asyncio.sleep(0.2)  # people take a moment between taps
        async with self.http.post(f"{self.base}{path}", json=body) as resp:
            assert resp.status == 200, await resp.text()

    async def send(self, text: str) -> None:
        body: dict[str, Any] = {
            "botToken": self.token,
            "from": self.user,
            "chat": self.chat,
            "date": int(datetime.now(UTC).timestamp()),
            "text": text,
        }
        if text.startswith("/"):
            body["entities"] = [
                {"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}
            ]
            await self._post("/sendCommand", body)
        else:
            await self._post("/sendMessage", body)

    async def messages(self, edits: bool = False) -> list[dict[str, Any]]:
        params = {"token": self.token, "chat": str(self.chat_id), "after": "0"}
        async with self.http.get(f"{self.base}/e2e/messages", params=params) as resp:
            return (await resp.json())["result"]

    async def answers(self) -> list[dict[str, Any]]:
        """The bot's answers to button presses (toasts and alerts), oldest first."""
        params = {"token": self.token}
        async with self.http.get(f"{self.base}/e2e/answers", params=params) as resp:
            return (await resp.json())["result"]

    async def expect_answer(self, needle: str, within: float = EXPECT_WITHIN) -> dict[str, Any]:
        """Wait for a press to be answered with a toast containing ``needle``."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for answer in await self.answers():
                if needle in answer["text"]:
                    return answer
            if loop.time() > deadline:
                raise AssertionError(f"no answer with {needle!r}")
            await asyncio.sleep(0.1)

    async def expect(self, *needles: str, within: float = EXPECT_WITHIN) -> dict[str, Any]:
        """Wait for a new bot message containing every needle; return it."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            fresh = [m for m in await self.messages() if m["message_id"] > self.seen]
            for message in fresh:
                self.seen = max(self.seen, message["message_id"])
                self.history.append(message)
                if all(n in message.get("text", "") for n in needles):
                    return message
            if loop.time() > deadline:
                got = [m.get("text", "")[:120] for m in self.history[-5:]]
                raise AssertionError(f"no message with {needles!r}; last: {got}")
            await asyncio.sleep(0.1)

    async def expect_edit(
        self, message_id: int, *needles: str, within: float = EXPECT_WITHIN
    ) -> dict:
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for message in await self.messages():
                rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
                text = message.get("text", "") + " ".join(b["text"] for r in rows for b in r)
                if message["message_id"] == message_id and message["edited"]:
                    if all(n in text for n in needles):
                        return message
            if loop.time() > deadline:
                raise AssertionError(f"message {message_id} was not edited to show {needles!r}")
            await asyncio.sleep(0.1)

    async def press(self, label: str, message: dict[str, Any] | None = None) -> None:
        """Press the button whose text contains ``label`` on ``message`` (default: the
        newest message with buttons)."""
        if message is None:
            with_buttons = [m for m in await self.messages() if m.get("reply_markup")]
            assert with_buttons, "no message with buttons"
            message = with_buttons[-1]
        rows = message["reply_markup"]["inline_keyboard"]
        found = [b for row in rows for b in row if label in b["text"]]
        assert found, f"no button {label!r} in {[b['text'] for r in rows for b in r]}"
        await self._post(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": self.user,
                "message": {
                    "message_id": message["message_id"],
                    "chat": self.chat,
                    "text": message.get("text", ""),
                },
                "data": found[0]["callback_data"],
            },
        )
