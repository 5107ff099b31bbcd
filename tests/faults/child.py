"""The desk as a real child process (``python -m bot run``) on the emulator in this process.

For the crash tests: the child can be killed with SIGKILL (by itself at a crash point, see
bot/devtools/crashpoints.py, or by the test) and started again on the same SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import default_config_text
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import MessageRecord, User

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ChildDesk:
    def __init__(self, emulator: BotApiEmulator, folder: Path, admin: User) -> None:
        self.emulator = emulator
        self.database = folder / "desk.db"
        self.log = folder / "child.log"
        self.config = folder / "config.toml"
        text = default_config_text()
        for old, new in (
            ("admins = []", f"admins = [{admin.id}]"),
            ("interval_seconds = 1.0", "interval_seconds = 0.2"),
            ('url = "sqlite:///data/desk.db"', f'url = "{self.database_url}"'),
            # Its own /healthz port: two desks (another test worker's) cannot share 9090.
            ("port = 9090", f"port = {free_port()}"),
        ):
            assert old in text, old
            text = text.replace(old, new, 1)
        self.config.write_text(text, encoding="utf-8")
        self.process: asyncio.subprocess.Process | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    async def start(self, crash_at: str | None = None) -> None:
        """Start ``python -m bot run`` (``-m bot.devtools.crashpoints`` to crash) and wait until it
        polls."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
        env.update(
            DIANXIAOER_BOT_TOKEN=self.emulator.token,
            DIANXIAOER_BOT_API_URL=self.emulator.bot_base_url,
            DIANXIAOER_BOT_FILE_URL=self.emulator.file_base_url,
            DIANXIAOER_DATABASE_URL=self.database_url,
        )
        if crash_at:
            env["DIANXIAOER_CRASH_AT"] = crash_at
        bootstraps = len(self.emulator.calls("deleteWebhook"))
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n--- start (crash at {crash_at}) ---\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                # The crash points are a developer tool: the desk runs without them.
                "bot.devtools.crashpoints" if crash_at else "bot",
                "--config",
                str(self.config),
                "-v",
                "run",
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        # deleteWebhook is the polling bootstrap: updates sent from now on are fetched. (A
        # desk told to crash may die earlier, while its sender already works.)
        process = self.process

        def ready() -> bool | None:
            polling = len(self.emulator.calls("deleteWebhook")) > bootstraps
            return polling or process.returncode is not None or None

        waiter = asyncio.ensure_future(process.wait())
        waiter.add_done_callback(lambda _: self.emulator.world.changed(activity=False))
        try:
            found = await self.emulator.world.wait_until(ready, 15)
        finally:
            waiter.cancel()
        assert found, f"the desk did not start:\n{self.log_tail()}"

    async def exited(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the desk did not die:\n{self.log_tail()}") from None

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-lines:])


class RemotePerson:
    """Someone on Telegram talking to the child desk; each action waits for its answer."""

    def __init__(self, emulator: BotApiEmulator, user: User) -> None:
        self.emulator = emulator
        self.user = user

    @property
    def chat_id(self) -> int:
        return self.user.id

    def _last_id(self, chat_id: int) -> int:
        messages = self.emulator.messages(chat_id)
        return messages[-1].message_id if messages else 0

    async def _answered(self, chat_id: int, after: int) -> None:
        await self.emulator.wait_for(chat_id, after=after, timeout=10)
        await self.emulator.wait_idle(0.05, timeout=10)

    async def says(self, text: str, *, chat_id: int | None = None) -> None:
        chat = chat_id or self.chat_id
        sent = self.emulator.user_sends_text(self.user, chat, text)
        await self._answered(chat, sent["message_id"])

    async def sends_photo(self, caption: str) -> None:
        sent = self.emulator.user_sends_photo(self.user, self.chat_id, caption=caption)
        await self._answered(self.chat_id, sent["message_id"])

    async def shares_own_phone(self, phone: str) -> None:
        sent = self.emulator.user_shares_contact(
            self.user, self.chat_id, phone, self.user.first_name, contact_user_id=self.user.id
        )
        await self._answered(self.chat_id, sent["message_id"])

    def press(self, button_text: str, *, chat_id: int | None = None) -> None:
        chat = chat_id or self.chat_id
        for message in reversed(self.emulator.bot_messages(chat)):
            for button in message.buttons:
                if button.text == button_text and button.callback_data is not None:
                    self.emulator.user_presses(
                        self.user, chat, message.message_id, button.callback_data
                    )
                    return
        raise LookupError(f"no button {button_text!r} in chat {chat}")

    async def taps(self, button_text: str, *, chat_id: int | None = None) -> None:
        chat = chat_id or self.chat_id
        last = self._last_id(chat)
        self.press(button_text, chat_id=chat)
        await self._answered(chat, last)

    def replies(self) -> list[MessageRecord]:
        return self.emulator.bot_messages(self.chat_id)

    def last_reply(self) -> MessageRecord:
        return self.emulator.last_bot_message(self.chat_id)


async def up_to_confirmation(person: RemotePerson, evidence: Sequence[str] = ()) -> None:
    """A complaint up to its 提交 button; ``evidence``: the captions of photos to attach."""
    await person.says("/start")
    await person.says("📝 我要投诉")
    await person.taps("政策兑现")
    await person.says("厂区这周停电三次，供电所一直不给说法，生产线全停了。")
    for caption in evidence:
        await person.sends_photo(caption)
    await person.taps("下一步 ➡️")
    await person.says("厦门海沧精密机械有限公司")
    await person.taps("跳过")
    await person.says("林经理")
    await person.shares_own_phone("+8613800138000")
    await person.taps("只给企业名称")
