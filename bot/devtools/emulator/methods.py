"""The Bot API method table: lowercased name -> (official name, handler)."""

from __future__ import annotations

from bot.devtools.emulator.api_bot import BotApi
from bot.devtools.emulator.api_common import Handler
from bot.devtools.emulator.api_edit import EditApi
from bot.devtools.emulator.api_send import SendApi
from bot.devtools.emulator.world import World

MethodTable = dict[str, tuple[str, Handler]]


def build_methods(world: World, *, strict_html: bool) -> MethodTable:
    # Telegram matches method names case-insensitively.
    table: MethodTable = {}
    for group in (BotApi, SendApi, EditApi):
        for name, handler in group(world, strict_html=strict_html).handlers().items():
            table[name.lower()] = (name, handler)
    return table
