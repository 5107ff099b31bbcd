"""Desk instances as real child processes (``python -m bot run``) in webhook mode, on one
PostgreSQL database, behind the emulator's webhook delivery (the emulator in this process
plays Telegram and the reverse proxy: ``webhook_targets``)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import default_config_text
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import User
from tests.instances.webhook_desk import SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


def instance_config(admin: User, database_url: str, port: int) -> str:
    """The example zone in webhook mode, with deadlines and a chaser fast enough for a test:
    every moment is working time today, the acceptance deadline is seconds away, the chaser
    runs every three seconds and the weekly summary is due since this morning."""
    today = datetime.now(UTC).date()
    days = ", ".join(str(today + timedelta(days=n)) for n in range(2))
    text = default_config_text()
    for old, new in (
        ("admins = []", f"admins = [{admin.id}]"),
        ('timezone = "Asia/Shanghai"', 'timezone = "UTC"'),
        ("interval_seconds = 1.0", "interval_seconds = 0.2"),
        ('url = "sqlite:///data/desk.db"', f'url = "{database_url}"'),
        ('mode = "polling"', 'mode = "webhook"'),
        ('webhook_url = ""', f'webhook_url = "http://127.0.0.1:{port}/telegram"'),
        ("webhook_port = 8443", f"webhook_port = {port}"),
        ('webhook_secret_token = ""', f'webhook_secret_token = "{SECRET}"'),
        ("port = 9090", "port = 0"),
        ('working_hours = ["09:00-12:00", "13:30-17:30"]', 'working_hours = ["00:00-23:59"]'),
        ("extra_workdays = []", f"extra_workdays = [{days}]"),
        ("accept_hours = 2", "accept_hours = 0.002"),  # seven seconds
        ("interval_minutes = 5", "interval_minutes = 0.05"),
        ("weekday = 1", f"weekday = {today.isoweekday()}"),
        ('time = "09:00"', 'time = "00:00"'),
        # Ten enterprises file one text here: linked, their cards' 同类诉求 edits would queue
        # behind the group's 20/min limit and the story would time the limiter, not the
        # instances (linking across instances: tests/common/test_linking.py).
        ("auto_link = true", "auto_link = false"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


class WebhookChild:
    """One instance: its own port and config file, the shared database."""

    def __init__(
        self, emulator: BotApiEmulator, folder: Path, admin: User, database_url: str, name: str
    ) -> None:
        self.emulator = emulator
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram"
        self.log = folder / f"{name}.log"
        self.config = folder / f"{name}.toml"
        self.config.write_text(instance_config(admin, database_url, self.port), encoding="utf-8")
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start ``python -m bot run``; wait until it listens and has set its webhook."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
        env.update(
            DIANXIAOER_BOT_TOKEN=self.emulator.token,
            DIANXIAOER_BOT_API_URL=self.emulator.bot_base_url,
            DIANXIAOER_BOT_FILE_URL=self.emulator.file_base_url,
        )
        registered = len(self.emulator.calls("setWebhook"))
        with self.log.open("a", encoding="utf-8") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(self.config),
                "-v",
                "run",
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        process = self.process

        def ready() -> bool | None:
            listening = len(self.emulator.calls("setWebhook")) > registered
            return listening or process.returncode is not None or None

        found = await self.emulator.world.wait_until(ready, 30)
        assert found and process.returncode is None, f"did not start:\n{self.log_tail()}"

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def terminate(self) -> int | None:
        """SIGTERM: a graceful stop; the exit status."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-lines:])
