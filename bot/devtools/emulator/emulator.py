"""BotApiEmulator: a local Telegram Bot API server plus the controls to script the people."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

from bot.devtools.emulator.actions import UserActions, UserRef
from bot.devtools.emulator.errors import EmulatorError
from bot.devtools.emulator.faults import FaultHook
from bot.devtools.emulator.members import ADMIN_RIGHTS, member_json
from bot.devtools.emulator.methods import build_methods
from bot.devtools.emulator.records import ApiCall, CallbackAnswer, Chat, MessageRecord, User
from bot.devtools.emulator.server import ApiServer
from bot.devtools.emulator.transcript import format_transcript
from bot.devtools.emulator.webhook import Delivery, WebhookDelivery
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]
MessagePredicate = Callable[[MessageRecord], bool]

DEFAULT_TOPIC_COLOR = 0x6FB9F0


class BotApiEmulator(UserActions):
    """Telegram for one bot, in process.

    Point python-telegram-bot at :attr:`bot_base_url` / :attr:`file_base_url`, then script
    users with ``add_user``/``user_sends_text``/... and read what the bot did with
    ``messages``/``wait_for``/``api_calls``.

    ``privacy_mode`` is Telegram's default for bots: in groups where the bot is not an
    admin it only gets commands, replies to its messages and service messages.
    ``strict_html`` also rejects a bare ``>``/``&`` in HTML (see ``html_check``).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "dianxiaoer_bot",
        *,
        bot_name: str = "店小二",
        privacy_mode: bool = True,
        strict_html: bool = True,
    ) -> None:
        self.world = World(token, bot_username, bot_name, privacy_mode=privacy_mode)
        self.faults: list[FaultHook] = []
        methods = build_methods(self.world, strict_html=strict_html)
        self._server = ApiServer(self.world, methods, self.faults)
        #: Delivers updates by POST while a webhook is set (bot/devtools/emulator/webhook.py).
        self.webhooks = WebhookDelivery(self.world)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world.updates.reopen()
        await self._server.start(host, port)
        await self.webhooks.start()

    async def stop(self) -> None:
        await self.webhooks.stop()
        await self._server.stop()

    @property
    def webhook_targets(self) -> list[str]:
        """Test hook: deliver webhook updates round robin to these URLs (several instances
        behind one reverse proxy) instead of the URL the bot set."""
        return self.webhooks.targets

    @webhook_targets.setter
    def webhook_targets(self, urls: list[str]) -> None:
        self.webhooks.targets = list(urls)

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Every webhook POST made so far, with its outcome."""
        return self.webhooks.log

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- outages --------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._server.online

    async def go_offline(self) -> None:
        """Telegram unreachable: the port refuses connections and open ones are cut.

        Updates that happen meanwhile wait in the queue, as they do on Telegram.
        """
        await self._server.go_offline()
        self.world.changed()

    async def come_online(self) -> None:
        await self._server.come_online()
        self.world.changed()

    @asynccontextmanager
    async def offline(self) -> AsyncIterator[None]:
        """``async with emu.offline():`` — unreachable inside the block."""
        await self.go_offline()
        try:
            yield
        finally:
            await self.come_online()

    def offline_for(self, seconds: float) -> asyncio.Task[None]:
        """Go offline now and come back after ``seconds`` (returns the task doing it)."""

        async def outage() -> None:
            async with self.offline():
                await asyncio.sleep(seconds)

        return asyncio.get_running_loop().create_task(outage(), name="emulator-outage")

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> User:
        return self.world.bot

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; empty until started."""
        return self._server.base_url

    @property
    def bot_base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``."""
        return f"{self.base_url}/file/bot"

    # -- setting the scene ----------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        last_name: str | None = None,
        started: bool = True,
    ) -> User:
        """A person, with their private chat (id == user id) with the bot.

        ``started=False``: they never pressed Start, so the bot cannot message them yet.
        """
        user = User(
            id=user_id if user_id is not None else self.world.new_user_id(),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        if user.id in self.world.users or user.id in self.world.chats:
            raise EmulatorError(f"id {user.id} is taken")
        self.world.users[user.id] = user
        self.world.add_chat(
            Chat(
                id=user.id,
                type="private",
                first_name=first_name,
                last_name=last_name,
                username=username,
                started=started,
            )
        )
        return user

    def add_group(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        forum: bool = False,
        supergroup: bool = False,
        members: Iterable[UserRef] = (),
        username: str | None = None,
        bot_is_admin: bool = False,
    ) -> Chat:
        """A group with the bot in it; ``forum=True`` makes a supergroup with topics."""
        is_super = supergroup or forum
        chat = Chat(
            id=chat_id if chat_id is not None else self.world.new_chat_id(is_super),
            type="supergroup" if is_super else "group",
            title=title,
            username=username,
            is_forum=forum,
            members={self._user(m).id for m in members},
            bot_is_admin=bot_is_admin,
        )
        if chat.id in self.world.chats:
            raise EmulatorError(f"chat {chat.id} exists already")
        return self.world.add_chat(chat)

    def add_member(self, chat_id: int, user: UserRef) -> None:
        """Make ``user`` a member, silently (setting the scene: no service message)."""
        chat, person = self.chat(chat_id), self._user(user)
        chat.members.add(person.id)
        chat.former.discard(person.id)
        chat.kicked.discard(person.id)

    # -- people joining, leaving, muted (getChatMember answers from this state) ----------

    def member_joins(self, chat_id: int, user: UserRef) -> JsonDict:
        """``user`` joins: a ``new_chat_members`` service message, and ``chat_member``."""
        chat, person = self.chat(chat_id), self._user(user)
        before = member_json(self.world, chat, person.id)
        self.add_member(chat_id, person)
        note = self.world.add_message(chat, person, service={"new_chat_members": [person.to_api()]})
        payload = self._deliver(chat, note, "message")
        self._chat_member(chat, person, person, before)
        return payload

    def member_leaves(self, chat_id: int, user: UserRef) -> JsonDict:
        """``user`` leaves: a ``left_chat_member`` service message, and ``chat_member``.

        Their client still shows the group's old messages, so they can still press buttons.
        """
        chat, person = self.chat(chat_id), self._user(user)
        return self._remove(chat, person, by=person, kicked=False)

    def kick_member(self, chat_id: int, user: UserRef, *, by: UserRef) -> JsonDict:
        """An admin removes ``user``: like leaving, but they cannot come back by themselves."""
        chat, person = self.chat(chat_id), self._user(user)
        return self._remove(chat, person, by=self._user(by), kicked=True)

    def restrict_member(
        self, chat_id: int, user: UserRef, *, by: UserRef, can_send_messages: bool = False
    ) -> None:
        """An admin mutes ``user`` (or lets them speak again): only ``chat_member`` says so."""
        chat, person = self.chat(chat_id), self._user(user)
        if person.id not in chat.members:
            raise EmulatorError(f"{person.first_name} is not a member of {chat.title!r}")
        before = member_json(self.world, chat, person.id)
        if can_send_messages:
            chat.muted.discard(person.id)
        else:
            chat.muted.add(person.id)
        self._chat_member(chat, self._user(by), person, before)

    def set_admin(self, chat_id: int, user: UserRef, *, admin: bool = True) -> None:
        """Promote a member to administrator (or demote), silently."""
        chat, person = self.chat(chat_id), self._user(user)
        if admin:
            chat.admins.add(person.id)
        else:
            chat.admins.discard(person.id)

    def _remove(self, chat: Chat, person: User, *, by: User, kicked: bool) -> JsonDict:
        if person.id not in chat.members:
            raise EmulatorError(f"{person.first_name} is not a member of {chat.title!r}")
        before = member_json(self.world, chat, person.id)
        chat.members.discard(person.id)
        chat.muted.discard(person.id)
        chat.admins.discard(person.id)
        (chat.kicked if kicked else chat.former).add(person.id)
        note = self.world.add_message(chat, by, service={"left_chat_member": person.to_api()})
        payload = self._deliver(chat, note, "message")
        self._chat_member(chat, by, person, before)
        return payload

    def _chat_member(self, chat: Chat, actor: User, person: User, before: JsonDict) -> None:
        """Telegram tells a bot about other people's status only where it is an admin
        (and only if it asked for ``chat_member`` in allowed_updates)."""
        if not (chat.bot_is_member and chat.bot_is_admin):
            return
        update = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self.world.now(),
            "old_chat_member": before,
            "new_chat_member": member_json(self.world, chat, person.id),
        }
        self.world.updates.push("chat_member", update)
        self.world.changed()

    def add_topic(
        self,
        chat_id: int,
        name: str,
        *,
        icon_color: int = DEFAULT_TOPIC_COLOR,
        creator: UserRef | None = None,
    ) -> int:
        """Open a forum topic and return its thread id.

        By default the bot opens it (no update). With a ``creator`` the bot gets the
        ``forum_topic_created`` service message as an update, like on Telegram.
        """
        chat = self.chat(chat_id)
        if not chat.is_forum:
            raise EmulatorError(f"chat {chat_id} is not a forum")
        opener = self._user(creator) if creator is not None else self.world.bot
        root = self.world.add_topic(chat, name, icon_color, opener)
        if creator is not None:
            self._deliver(chat, root, "message")
        return root.message_id

    def block_bot(self, user: UserRef, *, notify: bool = True) -> None:
        """The user blocks the bot: sends to them fail with 403 from now on."""
        chat = self.chat(self._user(user).id)
        chat.blocked = True
        if notify:
            self._my_chat_member(chat, self._user(user), "member", "kicked")

    def unblock_bot(self, user: UserRef, *, notify: bool = True) -> None:
        chat = self.chat(self._user(user).id)
        chat.blocked = False
        if notify:
            self._my_chat_member(chat, self._user(user), "kicked", "member")

    def remove_bot_from(
        self, chat_id: int, *, by: UserRef | None = None, notify: bool = True
    ) -> None:
        """Someone removes the bot from a group: sends there fail with 403."""
        chat = self.chat(chat_id)
        was = "administrator" if chat.bot_is_admin else "member"
        chat.bot_is_member = chat.bot_is_admin = False
        remover = self._user(by) if by is not None else None
        if remover is None and chat.members:
            remover = self.world.users[min(chat.members)]
        if notify and remover is not None:
            self._my_chat_member(chat, remover, was, "left")

    def add_bot_to(self, chat_id: int, *, by: UserRef, notify: bool = True) -> None:
        """Someone adds the bot to a group (again): the bot hears my_chat_member."""
        chat = self.chat(chat_id)
        chat.bot_is_member = True
        adder = self._user(by)
        chat.members.add(adder.id)
        if notify:
            self._my_chat_member(chat, adder, "left", "member")

    def migrate_group(
        self, chat_id: int, *, by: UserRef | None = None, notify: bool = True
    ) -> Chat:
        """Upgrade a basic group to a supergroup, as Telegram does (new id, same people).

        The old group gets a service message with ``migrate_to_chat_id``, the new one a
        message with ``migrate_from_chat_id`` (both reach the bot unless ``notify=False``,
        e.g. to test a bot that learns it from a failed send); from now on a send to the
        old id fails with 400 and ``parameters.migrate_to_chat_id`` (PTB: ChatMigrated).
        """
        old = self.chat(chat_id)
        if old.type != "group" or old.migrated_to is not None:
            raise EmulatorError(f"chat {chat_id} is not a basic group")
        new = self.add_group(
            old.title or "",
            supergroup=True,
            members=sorted(old.members),
            bot_is_admin=old.bot_is_admin,
        )
        new.bot_is_member = old.bot_is_member
        actor = self._user(by) if by is not None else self.world.users[min(old.members)]
        note = self.world.add_message(old, actor, service={"migrate_to_chat_id": new.id})
        if notify:
            self._deliver(old, note, "message")
        old.migrated_to = new.id
        note = self.world.add_message(new, actor, service={"migrate_from_chat_id": old.id})
        if notify:
            self._deliver(new, note, "message")
        return new

    def _my_chat_member(self, chat: Chat, actor: User, old: str, new: str) -> None:
        bot = self.world.bot.to_api()
        new_member: JsonDict = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JsonDict = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        if old == "administrator":
            old_member.update(ADMIN_RIGHTS)
        update = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self.world.now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        self.world.updates.push("my_chat_member", update)
        self.world.changed()

    # -- reading what happened ------------------------------------------------------------

    def chat(self, chat_id: int) -> Chat:
        chat = self.world.chats.get(chat_id)
        if chat is None:
            raise EmulatorError(f"unknown chat {chat_id}")
        return chat

    def user(self, user_id: int) -> User:
        return self._user(user_id)

    def messages(
        self, chat_id: int, *, thread_id: int | None = None, include_deleted: bool = False
    ) -> list[MessageRecord]:
        """Every message in the chat, the users' included, oldest first."""
        self.chat(chat_id)
        return [
            m
            for m in self.world.chat_log[chat_id].values()
            if (include_deleted or not m.deleted)
            and (thread_id is None or m.thread_id == thread_id)
        ]

    def bot_messages(self, chat_id: int, *, thread_id: int | None = None) -> list[MessageRecord]:
        """The bot's messages (service messages such as topic creation left out)."""
        return [
            m
            for m in self.messages(chat_id, thread_id=thread_id)
            if m.from_bot and m.service is None
        ]

    def last_bot_message(self, chat_id: int, *, thread_id: int | None = None) -> MessageRecord:
        found = self.bot_messages(chat_id, thread_id=thread_id)
        if not found:
            raise LookupError(f"the bot sent nothing to chat {chat_id}\n{self.transcript(chat_id)}")
        return found[-1]

    def message(self, chat_id: int, message_id: int) -> MessageRecord:
        """A message by id, deleted ones included (check ``.deleted``)."""
        found = self.world.chat_log.get(chat_id, {}).get(message_id)
        if found is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return found

    def transcript(self, chat_id: int, *, thread_id: int | None = None) -> str:
        return format_transcript(self.world, self.messages(chat_id, thread_id=thread_id))

    @property
    def last_update_id(self) -> int:
        """The id of the newest update the people caused (to re-deliver it in a test)."""
        return self.world.updates.last_id

    @property
    def api_calls(self) -> list[ApiCall]:
        return self.world.api_calls

    def calls(self, method: str) -> list[ApiCall]:
        """The logged calls of one method (name case-insensitive)."""
        return [c for c in self.world.api_calls if c.method.lower() == method.lower()]

    @property
    def internal_errors(self) -> list[Exception]:
        """Exceptions the emulator itself raised while serving (should stay empty)."""
        return self.world.internal_errors

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.world.callback_answers

    def commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The bot's command list for a scope (default scope if None), as (command, text)."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True, ensure_ascii=False)
        stored = self.world.commands.get((key, language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    def menu_button(self, chat_id: int | None = None) -> JsonDict | None:
        return self.world.menu_buttons.get(chat_id)

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None:
            raise LookupError(f"no file {file_id}")
        return stored.data

    # -- waiting --------------------------------------------------------------------------

    async def wait_for(
        self,
        chat_id: int,
        predicate: MessagePredicate | None = None,
        *,
        # A timeout argument (not asyncio.timeout) lets the error describe the chat.
        timeout: float = 5.0,  # noqa: ASYNC109
        from_bot: bool | None = True,
        thread_id: int | None = None,
        after: int | None = None,
    ) -> MessageRecord:
        """The first message in the chat matching ``predicate``, waiting for it if needed.

        Sender filter: ``from_bot=True`` the bot, ``False`` users, ``None`` anyone.
        ``after``: only messages with a higher id (e.g. the user's message you answer).
        Edits count: a predicate on ``edit_count``/``text`` sees messages change.
        """

        def check() -> MessageRecord | None:
            for message in self.messages(chat_id, thread_id=thread_id):
                if after is not None and message.message_id <= after:
                    continue
                if from_bot is not None and (message.from_bot != from_bot or message.service):
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        found = await self.world.wait_until(check, timeout)
        if found is None:
            raise TimeoutError(
                f"no matching message in chat {chat_id} within {timeout}s.\n"
                f"The chat contains:\n{self.transcript(chat_id)}{self._recent_failures()}"
            )
        return found

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """The first logged call of ``method`` matching ``predicate``, waiting if needed."""

        def check() -> ApiCall | None:
            return next((c for c in self.calls(method) if predicate is None or predicate(c)), None)

        found = await self.world.wait_until(check, timeout)
        if found is None:
            made = sorted({c.method for c in self.world.api_calls})
            raise TimeoutError(
                f"the bot made no matching {method} call in {timeout}s; it called {made}"
            )
        return found

    async def wait_idle(self, quiet: float = 0.2, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until the bot has fetched every update and made no call for ``quiet`` seconds.

        Use it before asserting that something did *not* happen.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle_for = now - self.world.last_activity
            if not self.world.updates.has_undelivered and idle_for >= quiet:
                return
            if now >= deadline:
                if self.world.updates.has_undelivered:
                    raise TimeoutError(
                        f"the bot did not fetch its pending updates within {timeout}s "
                        "(is it polling?)"
                    )
                raise TimeoutError(f"the bot was still making calls after {timeout}s")
            await self.world.wait_until(lambda: None, min(quiet, deadline - now))

    def _recent_failures(self) -> str:
        failed = [c for c in self.world.api_calls if not c.ok][-5:]
        if not failed:
            return ""
        lines = [f"  {c.method}: {c.error_code} {c.description}" for c in failed]
        return "\nRecent failed Bot API calls:\n" + "\n".join(lines)
