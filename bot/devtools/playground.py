"""The real desk running against the local Bot API emulator, with people to act in it.

Used by the no-token demo and by the end-to-end tests, so both exercise the same wiring:
real python-telegram-bot, real handlers, real sender, a real database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, menus_installed, start_running, stop_running
from bot.config import Settings
from bot.desk import Desk, prepare_database
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import Chat, MessageRecord, User

#: How often settle looks again while the desk works, and how long every source of work
#: must stay idle, with no Bot API call, before settle believes it (see Scene.settle).
POLL_SECONDS = 0.002
CONFIRM_SECONDS = 0.005


@dataclass
class Scene:
    emulator: BotApiEmulator
    desk: Desk
    application: Application  # type: ignore[type-arg]
    admin: User
    groups: dict[str, Chat] = field(default_factory=dict)

    busy: int = 0
    #: Update ids the desk has finished with: quiet on the wire is not enough on a loaded
    #: machine, where a fetched update may not have reached the handlers yet.
    handled: set[int] = field(default_factory=set)

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled everything and sent what it will send.

        Every source of the desk's work is asked directly instead of waiting out a quiet
        spell on the wire: the emulator (updates not yet fetched), PTB (its queue, the
        updates fetched but not yet handled, a handler running) and the outbox sender
        (kicked, or sending). A handler doing database work makes no Bot API call for a
        while, which is why quiet on the wire alone was never enough. Once all of them are
        idle, a few turns of the event loop with no Bot API call confirm it, for anything
        already on its way (a kicked sender's first call, a reply in flight).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        world = self.emulator.world
        while True:
            if self._idle():
                seen = world.version
                await asyncio.sleep(CONFIRM_SECONDS)
                if self._idle() and world.version == seen:
                    return
                continue
            if loop.time() > deadline:
                if world.updates.has_undelivered:
                    raise TimeoutError(
                        f"the bot did not fetch its pending updates within {timeout}s "
                        "(is it polling?)"
                    )
                raise TimeoutError(f"the desk was still busy after {timeout}s")
            await asyncio.sleep(POLL_SECONDS)

    def _idle(self) -> bool:
        """Nothing to fetch, nothing being handled, nothing for the sender to send now."""
        sender = self.desk.sender
        return (
            not self.emulator.world.updates.has_undelivered
            and self.busy == 0
            and self.application.update_queue.empty()
            and self.emulator.world.updates.fetched_ids <= self.handled
            and (sender is None or sender.idle)
        )

    async def handled_through(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the desk has handled this update, but not for its sender: a test may
        be holding one of its sends (``bot.devtools.emulator.held``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update_id not in self.handled or self.busy:
            if loop.time() > deadline:
                raise TimeoutError(f"update {update_id} was not handled within {timeout}s")
            await asyncio.sleep(POLL_SECONDS)

    def track(self) -> None:
        """Count updates in progress (see settle)."""
        application = self.application
        process = application.process_update

        async def tracked(update: object) -> None:
            self.busy += 1
            try:
                await process(update)
            finally:
                self.busy -= 1
                if isinstance(update, Update):
                    self.handled.add(update.update_id)

        application.process_update = tracked  # type: ignore[method-assign]

    def person(self, first_name: str, **kwargs: Any) -> Person:
        return Person(self, self.emulator.add_user(first_name, **kwargs))

    async def department_group(self, code: str, title: str) -> Chat:
        """A group for ``code``, bound by the admin with /bind as a real admin would."""
        group = self.emulator.add_group(title, members=[self.admin], supergroup=True)
        self.emulator.user_sends_text(self.admin, group.id, f"/bind {code}")
        self.groups[code] = group
        await self.settle()
        return group

    def chat_log(self, chat_id: int) -> list[MessageRecord]:
        return self.emulator.messages(chat_id)

    async def chase_at(self, moment: datetime) -> None:
        """Move the desk's clock and run the scheduled chaser job now, as APScheduler would."""
        self.desk.clock = lambda: moment
        job_queue = self.application.job_queue
        assert job_queue is not None
        [job] = job_queue.get_jobs_by_name("chaser")
        await job.run(self.application)
        await self.settle()

    async def restart(self) -> None:
        """Stop the desk and start a fresh process-like instance on the same database."""
        await stop_running(self.application)
        self.desk.engine.dispose()
        self.desk = Desk(settings=self.desk.settings, engine=prepare_database(self.desk.settings))
        self.application = build_application(self.desk)
        self.track()
        await start_running(
            self.application,
            poll_timeout=1,
            poll_interval=self.desk.settings.telegram.poll_interval_seconds,
        )
        await self.desk.routing_ready.wait()
        await menus_installed(self.application)


@dataclass
class Person:
    """Someone using Telegram: each action waits until the desk has answered."""

    scene: Scene
    user: User

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def says(
        self, text: str, *, chat_id: int | None = None, reply_to: int | None = None
    ) -> None:
        self.scene.emulator.user_sends_text(
            self.user, chat_id or self.chat_id, text, reply_to=reply_to
        )
        await self.scene.settle()

    async def sends_photo(self, *, caption: str | None = None, data: bytes = b"\x89PNG...") -> None:
        self.scene.emulator.user_sends_photo(self.user, self.chat_id, caption=caption, data=data)
        await self.scene.settle()

    async def sends_document(self, file_name: str, data: bytes, mime_type: str) -> None:
        self.scene.emulator.user_sends_document(
            self.user, self.chat_id, file_name=file_name, data=data, mime_type=mime_type
        )
        await self.scene.settle()

    async def shares_own_phone(self, phone: str) -> None:
        self.scene.emulator.user_shares_contact(
            self.user, self.chat_id, phone, self.user.first_name, contact_user_id=self.user.id
        )
        await self.scene.settle()

    async def taps(self, button_text: str, *, chat_id: int | None = None) -> None:
        """Press the newest button with this label in the chat (as a person would)."""
        chat = chat_id or self.chat_id
        for message in reversed(self.scene.emulator.bot_messages(chat)):
            for button in message.buttons:
                if button.text == button_text and button.callback_data is not None:
                    self.scene.emulator.user_presses(
                        self.user, chat, message.message_id, button.callback_data
                    )
                    await self.scene.settle()
                    return
        labels = [b.text for m in self.scene.emulator.bot_messages(chat) for b in m.buttons]
        raise LookupError(f"no button {button_text!r} in chat {chat}; buttons: {labels}")

    def last_reply(self, chat_id: int | None = None) -> MessageRecord:
        return self.scene.emulator.last_bot_message(chat_id or self.chat_id)

    def replies(self, chat_id: int | None = None) -> list[MessageRecord]:
        return self.scene.emulator.bot_messages(chat_id or self.chat_id)


@asynccontextmanager
async def desk_on_emulator(
    settings: Settings, *, database_url: str, admin_name: str = "王主任"
) -> AsyncIterator[Scene]:
    """Start the emulator and the desk on it; stop both afterwards."""
    async with BotApiEmulator() as emulator:
        admin = emulator.add_user(admin_name, username="zone_admin")
        configured = settings.model_copy(
            update={
                "telegram": settings.telegram.model_copy(
                    update={
                        "token": emulator.token,
                        "base_url": emulator.bot_base_url,
                        "base_file_url": emulator.file_base_url,
                        "poll_timeout_seconds": 1,
                    }
                ),
                "database": settings.database.model_copy(update={"url": database_url}),
                "desk": settings.desk.model_copy(
                    update={"admins": [*settings.desk.admins, admin.id]}
                ),
                # Telegram's ceilings in bursts (PTB's default limiter): stories in tests
                # and the sandbox run many group calls in seconds, far from any flood.
                "sender": settings.sender.model_copy(
                    update={
                        "interval_seconds": 0.2,
                        "overall_burst": 30,
                        "overall_per_second": 30.0,
                        "group_burst": 20,
                        "group_per_minute": 20.0,
                    }
                ),
            }
        )
        desk = Desk(settings=configured, engine=prepare_database(configured))
        scene = Scene(
            emulator=emulator, desk=desk, application=build_application(desk), admin=admin
        )
        scene.track()
        await start_running(
            scene.application,
            poll_timeout=1,
            poll_interval=configured.telegram.poll_interval_seconds,
        )
        # Stories start once the routing model is stored and the menus are set, as on a
        # desk that has run a while.
        await desk.routing_ready.wait()
        await menus_installed(scene.application)
        try:
            yield scene
        finally:
            await stop_running(scene.application)
            scene.desk.engine.dispose()
