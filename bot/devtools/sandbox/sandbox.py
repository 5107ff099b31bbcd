"""The sandbox: the real desk on the emulator, the seeded people, and what the page can do.

Every action checks its input first and changes nothing when it is refused; then it acts
through the emulator as a Telegram client would and waits until the desk has settled, so the
page sees the bot's answer on its next fetch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.devtools.emulator.compose import MAX_TEXT
from bot.devtools.emulator.errors import EmulatorError
from bot.devtools.emulator.records import Chat, MessageRecord, User
from bot.devtools.emulator.text import utf16_len
from bot.devtools.playground import Scene, desk_on_emulator
from bot.devtools.sandbox.clock import SandboxClock
from bot.devtools.sandbox.messages import chat_title, display_name
from bot.devtools.sandbox.seeding import (
    Enterprise,
    StaffGroup,
    new_enterprise,
    phone_for,
    seed_enterprises,
    seed_groups,
)
from bot.devtools.sandbox.settling import settle_fully

JsonDict = dict[str, Any]

MAX_CAPTION = 1024
MAX_NAME = 64
MAX_COMPANY = 128
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
SETTLE_SECONDS = 60.0


class SandboxError(Exception):
    """A request the sandbox refuses: an HTTP status and a sentence for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Sandbox:
    scene: Scene
    clock: SandboxClock
    groups: list[StaffGroup]
    enterprises: list[Enterprise]
    #: One action at a time: each waits for the desk to settle before the next starts.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- reading ------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return self.scene.emulator.world.version

    def state(self) -> JsonDict:
        desk = self.scene.desk.settings.desk
        return {
            "desk": {"name": desk.name, "name_en": desk.name_en},
            "clock": self.clock.to_json(),
            "version": self.version,
            "enterprises": [self._enterprise_json(e) for e in self.enterprises],
            "groups": [
                {
                    "code": g.department.code,
                    "name": g.department.name,
                    "name_en": g.department.name_en,
                    "role": g.department.role,
                    "chat_id": g.chat_id,
                    "title": g.title,
                    "staff": {"user_id": g.staff.id, "name": display_name(g.staff)},
                    "last_message_id": self._last_message_id(g.chat_id),
                }
                for g in self.groups
            ],
        }

    def chat(self, chat_id: int) -> Chat:
        chat = self.scene.emulator.world.chats.get(chat_id)
        if chat is None:
            raise SandboxError(404, f"There is no chat {chat_id} in the sandbox.")
        return chat

    # -- acting -------------------------------------------------------------------------

    async def send(self, chat_id: int, user_id: int, text: str, reply_to: int | None) -> int:
        async with self.lock:
            chat, user = self._actor(chat_id, user_id)
            if not text.strip():
                raise SandboxError(400, "The message is empty: type something to send.")
            if utf16_len(text) > MAX_TEXT:
                raise SandboxError(
                    400, f"A message holds at most {MAX_TEXT} characters; send it in parts."
                )
            self._check_reply_to(chat, reply_to)
            sent = self._emulate(
                lambda: self.scene.emulator.user_sends_text(user, chat.id, text, reply_to=reply_to)
            )
            await self._settle()
            return int(sent["message_id"])

    async def press(
        self, chat_id: int, user_id: int, message_id: int, callback_data: str
    ) -> str | None:
        async with self.lock:
            chat, user = self._actor(chat_id, user_id)
            message = self._message(chat, message_id)
            if callback_data not in {b.callback_data for b in message.buttons}:
                raise SandboxError(400, f"Message {message_id} has no such button.")
            query = self._emulate(
                lambda: self.scene.emulator.user_presses(user, chat.id, message_id, callback_data)
            )
            await self._settle()
            answers = self.scene.emulator.callback_answers
            found = [a for a in answers if a.callback_query_id == query["id"]]
            return found[-1].text if found else None

    async def contact(self, chat_id: int, user_id: int) -> int:
        """The person shares their own phone number (a request_contact button does this)."""
        async with self.lock:
            chat, user = self._actor(chat_id, user_id)
            sent = self._emulate(
                lambda: self.scene.emulator.user_shares_contact(
                    user,
                    chat.id,
                    self._phone(user),
                    user.first_name,
                    last_name=user.last_name,
                    contact_user_id=user.id,
                )
            )
            await self._settle()
            return int(sent["message_id"])

    async def upload(
        self,
        chat_id: int,
        user_id: int,
        *,
        data: bytes,
        file_name: str,
        content_type: str,
        caption: str | None,
        reply_to: int | None,
    ) -> int:
        """An image is sent as a photo, anything else as a document."""
        async with self.lock:
            chat, user = self._actor(chat_id, user_id)
            if not data:
                raise SandboxError(400, "The file is empty: choose another one.")
            caption = caption if caption and caption.strip() else None
            if caption is not None and utf16_len(caption) > MAX_CAPTION:
                raise SandboxError(400, f"A caption holds at most {MAX_CAPTION} characters.")
            self._check_reply_to(chat, reply_to)
            emulator = self.scene.emulator
            if content_type.lower() in PHOTO_TYPES:
                sent = self._emulate(
                    lambda: emulator.user_sends_photo(
                        user, chat.id, caption=caption, data=data, reply_to=reply_to
                    )
                )
            else:
                sent = self._emulate(
                    lambda: emulator.user_sends_document(
                        user,
                        chat.id,
                        file_name=file_name or "file",
                        data=data,
                        mime_type=content_type or "application/octet-stream",
                        caption=caption,
                        reply_to=reply_to,
                    )
                )
            await self._settle()
            return int(sent["message_id"])

    async def add_enterprise(self, name: str, company: str) -> JsonDict:
        name, company = name.strip(), company.strip()
        if not name or not company:
            raise SandboxError(400, "Give both the person's name and the company's name.")
        if len(name) > MAX_NAME or len(company) > MAX_COMPANY:
            raise SandboxError(
                400,
                f"Names hold at most {MAX_NAME} characters, company names {MAX_COMPANY}.",
            )
        async with self.lock:
            enterprise = new_enterprise(self.scene, name, company, len(self.enterprises) + 1)
            self.enterprises.append(enterprise)
            self.scene.emulator.world.changed()
            return self._enterprise_json(enterprise)

    async def advance(self, moment: datetime) -> JsonDict:
        """Move the clock to ``moment`` and run the chaser there, as its schedule would."""
        async with self.lock:
            self.clock.move_to(moment)
            await self._run_chaser()
            return self.clock.to_json()

    async def weekly(self) -> tuple[JsonDict, int | None]:
        """Jump to the next weekly-summary time and let the chaser post the summary."""
        async with self.lock:
            self.clock.move_to(self.clock.next_weekly_summary())
            await self._run_chaser()
            return self.clock.to_json(), self.summary_chat_id()

    def summary_chat_id(self) -> int | None:
        """The leadership's group, else the dispatcher's (as bot.reports.weekly.audience picks)."""
        for role in ("leadership", "dispatcher"):
            for group in self.groups:
                if group.department.role == role:
                    return group.chat_id
        return None

    # -- helpers ------------------------------------------------------------------------

    async def _run_chaser(self) -> None:
        job_queue = self.scene.application.job_queue
        if job_queue is None:
            raise SandboxError(503, "The desk's scheduler is not running.")
        for job in job_queue.get_jobs_by_name("chaser"):
            await job.run(self.scene.application)
        await self._settle()

    async def _settle(self) -> None:
        try:
            await settle_fully(self.scene, SETTLE_SECONDS)
        except TimeoutError:
            raise SandboxError(
                503, "The desk is still busy; its answer will show up in a moment."
            ) from None

    def _actor(self, chat_id: int, user_id: int) -> tuple[Chat, User]:
        chat = self.chat(chat_id)
        user = self.scene.emulator.world.users.get(user_id)
        if user is None:
            raise SandboxError(404, f"There is no person {user_id} in the sandbox.")
        if chat.type == "private" and chat.id != user.id:
            raise SandboxError(
                403, f"{display_name(user)} cannot write in {chat_title(chat)}'s private chat."
            )
        if chat.type != "private" and user.id not in chat.members:
            raise SandboxError(403, f"{display_name(user)} is not in {chat_title(chat)}.")
        return chat, user

    def _message(self, chat: Chat, message_id: int) -> MessageRecord:
        message = self.scene.emulator.world.message(chat.id, message_id)
        if message is None:
            raise SandboxError(404, f"There is no message {message_id} in this chat.")
        return message

    def _check_reply_to(self, chat: Chat, reply_to: int | None) -> None:
        if reply_to is not None and self.scene.emulator.world.message(chat.id, reply_to) is None:
            raise SandboxError(400, f"There is no message {reply_to} in this chat to reply to.")

    def _phone(self, user: User) -> str:
        for enterprise in self.enterprises:
            if enterprise.user.id == user.id:
                return enterprise.phone
        return phone_for(user.id % 10**8)

    @staticmethod
    def _emulate(action: Any) -> JsonDict:
        """Run an emulator action; what it refuses becomes a polite 400."""
        try:
            result: JsonDict = action()
        except EmulatorError as exc:
            reason = str(exc).rstrip(".")
            raise SandboxError(400, f"Telegram would not allow that: {reason}.") from None
        return result

    def _enterprise_json(self, enterprise: Enterprise) -> JsonDict:
        return {
            "user_id": enterprise.user.id,
            "chat_id": enterprise.user.id,
            "name": display_name(enterprise.user),
            "company": enterprise.company,
            "last_message_id": self._last_message_id(enterprise.user.id),
        }

    def _last_message_id(self, chat_id: int) -> int | None:
        """The newest message in the chat, so the page can mark chats with news."""
        chat = self.scene.emulator.world.chats.get(chat_id)
        return chat.last_message_id or None if chat is not None else None


def sandbox_settings(settings: Settings) -> Settings:
    """The configured zone without its real admins: the seeded 王主任 administers the sandbox."""
    return settings.model_copy(update={"desk": settings.desk.model_copy(update={"admins": []})})


@asynccontextmanager
async def open_sandbox(settings: Settings, *, database_url: str) -> AsyncIterator[Sandbox]:
    """Start the emulator and the desk, seed the world; stop everything afterwards."""
    async with desk_on_emulator(sandbox_settings(settings), database_url=database_url) as scene:
        clock = SandboxClock(scene.desk.settings, scene.emulator.world)
        scene.desk.clock = clock.now
        groups = await seed_groups(scene)
        enterprises = seed_enterprises(scene)
        yield Sandbox(scene=scene, clock=clock, groups=groups, enterprises=enterprises)
