"""The page's side of the sandbox API, as the tests use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

JsonDict = dict[str, Any]


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]

    async def get(self, path: str, status: int = 200) -> JsonDict:
        response = await self.client.get(path)
        assert response.status == status, await response.text()
        body: JsonDict = await response.json()
        return body

    async def post(self, path: str, body: JsonDict, status: int = 200) -> JsonDict:
        response = await self.client.post(path, json=body)
        answer: JsonDict = await response.json()
        assert response.status == status, answer
        return answer

    async def state(self) -> JsonDict:
        return await self.get("/api/state")

    async def messages(self, chat_id: int) -> list[JsonDict]:
        found: list[JsonDict] = (await self.get(f"/api/chats/{chat_id}/messages"))["messages"]
        return found

    async def bot_messages(self, chat_id: int) -> list[JsonDict]:
        return [m for m in await self.messages(chat_id) if m["from"]["is_bot"]]

    async def last_bot_html(self, chat_id: int) -> str:
        html: str = (await self.bot_messages(chat_id))[-1]["html"]
        return html

    async def group(self, code: str) -> JsonDict:
        found: JsonDict = next(g for g in (await self.state())["groups"] if g["code"] == code)
        return found

    async def enterprise(self, name: str) -> JsonDict:
        found: JsonDict = next(e for e in (await self.state())["enterprises"] if e["name"] == name)
        return found

    async def says(self, chat_id: int, user_id: int, text: str, reply_to: int | None = None) -> int:
        body = {"chat_id": chat_id, "user_id": user_id, "text": text, "reply_to": reply_to}
        message_id: int = (await self.post("/api/send", body))["message_id"]
        return message_id

    async def taps(self, chat_id: int, user_id: int, label: str) -> str | None:
        """Press the newest button with this label in the chat, as the page would."""
        for message in reversed(await self.messages(chat_id)):
            for row in message["inline_keyboard"] or []:
                for button in row:
                    if button["text"] == label and button["callback_data"]:
                        body = {
                            "chat_id": chat_id,
                            "user_id": user_id,
                            "message_id": message["message_id"],
                            "callback_data": button["callback_data"],
                        }
                        answer: str | None = (await self.post("/api/press", body))["answer"]
                        return answer
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    async def uploads(
        self,
        chat_id: int,
        user_id: int,
        *,
        data: bytes,
        file_name: str,
        content_type: str,
        caption: str | None = None,
        status: int = 200,
    ) -> JsonDict:
        form = FormData(quote_fields=False)  # as browsers send names: raw UTF-8
        form.add_field("chat_id", str(chat_id))
        form.add_field("user_id", str(user_id))
        if caption is not None:
            form.add_field("caption", caption)
        form.add_field("file", data, filename=file_name, content_type=content_type)
        response = await self.client.post("/api/upload", data=form)
        answer: JsonDict = await response.json()
        assert response.status == status, answer
        return answer

    async def file_complaint(self, enterprise: JsonDict, *, category: str, text: str) -> None:
        """The enterprise files a complaint through the page, button by button."""
        chat, user = enterprise["chat_id"], enterprise["user_id"]
        await self.says(chat, user, "/start")
        await self.says(chat, user, "📝 我要投诉")
        await self.taps(chat, user, category)
        await self.says(chat, user, text)
        await self.taps(chat, user, "下一步 ➡️")
        await self.says(chat, user, enterprise["company"])
        await self.taps(chat, user, "跳过")
        await self.says(chat, user, enterprise["name"])
        await self.post("/api/contact", {"chat_id": chat, "user_id": user})
        await self.taps(chat, user, "只给企业名称")
        await self.taps(chat, user, "✅ 提交")
