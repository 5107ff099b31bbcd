"""The desk in webhook mode, in this process, on the emulator's webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import User
from bot.service import serve

SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(
    settings: Settings, emulator: BotApiEmulator, database_url: str, port: int, admin: User
) -> Settings:
    """The example zone on this emulator, in webhook mode on ``port``."""
    return settings.model_copy(
        update={
            "telegram": settings.telegram.model_copy(
                update={
                    "token": emulator.token,
                    "base_url": emulator.bot_base_url,
                    "base_file_url": emulator.file_base_url,
                    "mode": "webhook",
                    "webhook_url": f"http://127.0.0.1:{port}/telegram",
                    "webhook_port": port,
                    "webhook_secret_token": SECRET,
                }
            ),
            "database": settings.database.model_copy(update={"url": database_url}),
            "desk": settings.desk.model_copy(update={"admins": [admin.id]}),
            "sender": settings.sender.model_copy(update={"interval_seconds": 0.2}),
            "ops": settings.ops.model_copy(update={"port": 0}),
        }
    )


@dataclass
class WebhookDesk:
    emulator: BotApiEmulator
    settings: Settings
    admin: User

    @property
    def url(self) -> str:
        return self.settings.telegram.webhook_url


@asynccontextmanager
async def webhook_desk(settings: Settings, database_url: str) -> AsyncIterator[WebhookDesk]:
    async with BotApiEmulator() as emulator:
        admin = emulator.add_user("王主任", username="zone_admin")
        configured = webhook_settings(settings, emulator, database_url, free_port(), admin)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(configured, stop))
        found = await emulator.world.wait_until(
            lambda: bool(emulator.world.webhook_url) or task.done() or None, 15
        )
        assert found and not task.done(), "the desk did not set its webhook"
        try:
            yield WebhookDesk(emulator, configured, admin)
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 20)
