"""A local Telegram Bot API emulator for end-to-end tests, demos and the sandbox.

Run the real python-telegram-bot Application against it::

    async with BotApiEmulator() as emu:
        app = (
            Application.builder()
            .token(emu.token)
            .base_url(emu.bot_base_url)
            .base_file_url(emu.file_base_url)
            .build()
        )
        ...
        user = emu.add_user("张三")
        emu.user_sends_text(user, user.id, "/start")
        reply = await emu.wait_for(user.id)
"""

from bot.devtools.emulator.emulator import BotApiEmulator
from bot.devtools.emulator.errors import ApiError, EmulatorError
from bot.devtools.emulator.faults import (
    Fault,
    FaultHook,
    cut_off,
    flood_limits,
    flood_wait,
    front_end_page,
    held,
    late,
    server_error,
    slow,
    to_chat,
)
from bot.devtools.emulator.html_check import HtmlParseError, html_to_text, parse_html
from bot.devtools.emulator.records import ApiCall, Button, CallbackAnswer, Chat, MessageRecord, User

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "Button",
    "CallbackAnswer",
    "Chat",
    "EmulatorError",
    "Fault",
    "FaultHook",
    "HtmlParseError",
    "MessageRecord",
    "User",
    "cut_off",
    "flood_limits",
    "flood_wait",
    "front_end_page",
    "held",
    "html_to_text",
    "late",
    "parse_html",
    "server_error",
    "slow",
    "to_chat",
]
