"""In-memory state of the emulated Telegram: people, chats, messages, files, the update queue.

Mutations are synchronous and happen on the event loop; every one calls :meth:`changed`,
which wakes anything waiting in :meth:`wait_until`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, Literal, TypeVar

from bot.devtools.emulator.errors import bad_request, forbidden, migrated
from bot.devtools.emulator.records import (
    ApiCall,
    CallbackAnswer,
    Chat,
    FileKind,
    MessageRecord,
    StoredFile,
    Topic,
    User,
)
from bot.devtools.emulator.updates import UpdateQueue

JsonDict = dict[str, Any]
T = TypeVar("T")

# Real ids no longer fit in 32 bits; neither do these, so storage bugs show up in tests.
_FIRST_USER_ID = 7_000_000_001
_FIRST_GROUP_ID = 4_000_000_001
_FIRST_SUPERGROUP_ID = 1_002_000_000_001
_FILE_ID_PREFIX = {
    "photo": "AgACAgUAAx",
    "document": "BQACAgUAAx",
    "sticker": "CAACAgUAAx",
    "voice": "AwACAgUAAx",
    "video": "BAACAgUAAx",
    "video_note": "DQACAgUAAx",
}


class World:
    def __init__(self, token: str, bot_username: str, bot_name: str, *, privacy_mode: bool) -> None:
        self.token = token
        self.bot = User(
            id=int(token.split(":", 1)[0]),
            first_name=bot_name,
            username=bot_username,
            is_bot=True,
        )
        self.privacy_mode = privacy_mode
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.chat_log: dict[int, dict[int, MessageRecord]] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates = UpdateQueue()
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}  # (scope key, language)
        self.menu_buttons: dict[int | None, JsonDict] = {}  # None = the default button
        self.webhook_url = ""
        self.webhook_secret = ""  # sent back in X-Telegram-Bot-Api-Secret-Token
        self.webhook_max_connections = 40
        self.api_calls: list[ApiCall] = []
        self.internal_errors: list[Exception] = []  # emulator bugs hit while serving
        self.last_activity = time.monotonic()
        self.clock_offset = 0.0  # seconds added to message dates (the sandbox's time control)
        self.version = 0  # bumps on every change people could see (the sandbox's live view)
        self._counters = {"user": 0, "group": 0, "supergroup": 0, "file": 0, "callback": 0}
        self._changed = asyncio.Event()

    # -- ids and clocks -------------------------------------------------------------------

    def now(self) -> int:
        """Unix time as messages are dated; the sandbox moves it with ``clock_offset``."""
        return int(time.time() + self.clock_offset)

    def next_id(self, kind: Literal["user", "group", "supergroup", "file", "callback"]) -> int:
        self._counters[kind] += 1
        return self._counters[kind]

    def new_user_id(self) -> int:
        return _FIRST_USER_ID + self.next_id("user") - 1

    def new_chat_id(self, supergroup: bool) -> int:
        if supergroup:
            return -(_FIRST_SUPERGROUP_ID + self.next_id("supergroup") - 1)
        return -(_FIRST_GROUP_ID + self.next_id("group") - 1)

    # -- change notification --------------------------------------------------------------

    def changed(self, *, activity: bool = True) -> None:
        if activity:
            self.last_activity = time.monotonic()
            self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], seconds: float) -> T | None:
        """Re-run ``check`` after every change until it returns non-None or time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            event = self._changed
            found = check()
            remaining = deadline - loop.time()
            if found is not None or remaining <= 0:
                return found
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # -- lookups --------------------------------------------------------------------------

    def find_chat(self, chat_ref: int | str) -> Chat | None:
        if isinstance(chat_ref, str):
            name = chat_ref.removeprefix("@").lower()
            for chat in self.chats.values():
                if chat.type != "private" and (chat.username or "").lower() == name:
                    return chat
            return None
        return self.chats.get(chat_ref)

    def chat_or_error(self, chat_ref: int | str) -> Chat:
        chat = self.find_chat(chat_ref)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def sender(self, message: MessageRecord) -> User:
        return self.bot if message.from_bot else self.users[message.sender_id]

    def message(self, chat_id: int, message_id: int) -> MessageRecord | None:
        """A message that exists (was sent and not deleted)."""
        found = self.chat_log.get(chat_id, {}).get(message_id)
        return None if found is None or found.deleted else found

    def user_json(self, user_id: int) -> JsonDict | None:
        user = self.bot if user_id == self.bot.id else self.users.get(user_id)
        return user.to_api() if user else None

    # -- mutations ------------------------------------------------------------------------

    def add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        self.chat_log[chat.id] = {}
        return chat

    def add_message(self, chat: Chat, sender: User, **fields: Any) -> MessageRecord:
        chat.last_message_id += 1
        record = MessageRecord(
            message_id=chat.last_message_id,
            chat_id=chat.id,
            sender_id=sender.id,
            from_bot=sender.id == self.bot.id,
            date=self.now(),
            **fields,
        )
        self.chat_log[chat.id][record.message_id] = record
        self.changed()
        return record

    def add_file(
        self,
        kind: FileKind,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        claimed_size: int | None = None,
    ) -> StoredFile:
        n = self.next_id("file")
        suffix = {
            "photo": ".jpg",
            "sticker": ".webp",
            "voice": ".oga",
            "video": ".mp4",
            "video_note": ".mp4",
        }.get(kind) or (PurePosixPath(file_name).suffix if file_name else "")
        stored = StoredFile(
            file_id=f"{_FILE_ID_PREFIX[kind]}{n:08d}",
            file_unique_id=f"AQAD{n:08d}",
            kind=kind,
            data=data,
            file_path=f"{kind}s/file_{n}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            claimed_size=claimed_size,
        )
        self.files[stored.file_id] = stored
        return stored

    def add_topic(self, chat: Chat, name: str, icon_color: int, creator: User) -> MessageRecord:
        """Open a forum topic: a service message whose id becomes the thread id."""
        created = {"forum_topic_created": {"name": name, "icon_color": icon_color}}
        root = self.add_message(chat, creator, service=created)
        root.thread_id = root.message_id
        chat.topics[root.message_id] = Topic(root.message_id, name, icon_color)
        return root

    def record_call(self, call: ApiCall) -> None:
        self.api_calls.append(call)
        # An empty long poll is the bot idling, not doing something.
        idle_poll = call.method == "getUpdates" and call.ok and not call.result
        self.changed(activity=not idle_poll)

    # -- Telegram's rules -----------------------------------------------------------------

    def check_bot_can_write(self, chat: Chat) -> None:
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        if chat.type == "private":
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif not chat.bot_is_member:
            raise forbidden(f"bot is not a member of the {chat.type} chat")

    def check_thread(self, chat: Chat, thread_id: int | None) -> int | None:
        """The thread a new message goes to; only forum topics have one here."""
        if thread_id is None or not chat.is_forum:
            return None
        if thread_id not in chat.topics:
            raise bad_request("message thread not found")
        return thread_id

    def bot_sees(self, chat: Chat, message: MessageRecord) -> bool:
        """Whether the bot gets an update for a user's message (group privacy mode)."""
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if not self.privacy_mode or chat.bot_is_admin or message.service:
            return True
        target_id = message.reply_to_message_id or message.thread_id
        target = self.message(chat.id, target_id) if target_id else None
        if target is not None and target.from_bot:
            return True
        text = message.content
        if not text.startswith("/"):
            return False
        command = text.split(maxsplit=1)[0]
        _, _, addressee = command.partition("@")
        return not addressee or addressee.lower() == (self.bot.username or "").lower()
