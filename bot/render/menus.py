"""Command menus per audience: enterprises in private, staff in groups, admins everywhere.

Telegram shows the most specific scope that matches, so admins see their commands in
their private chat and in every bound department chat, while staff and enterprises see
only their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
)
from telegram.error import TelegramError

from bot.config import Settings
from bot.render.texts import texts_for

log = logging.getLogger(__name__)

ENTERPRISE = ("start", "my", "cancel", "lang", "help")
STAFF = ("help", "link", "unlink")
ADMIN = ("bind", "unbind", "departments", "assign", "ticket", "summary", "block", "unblock")


def commands(names: Iterable[str], language: str) -> list[BotCommand]:
    described = texts_for(language).command_descriptions
    return [BotCommand(name, described[name]) for name in names]


async def install(bot: Bot, settings: Settings, bound_chats: Iterable[int]) -> bool:
    """Set every audience's menu; False (logged) if Telegram refused, the desk runs anyway."""
    try:
        for language, code in (("zh", ""), ("en", "en")):
            await bot.set_my_commands(
                commands(ENTERPRISE, language),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code,
            )
            await bot.set_my_commands(
                commands(STAFF, language), scope=BotCommandScopeAllGroupChats(), language_code=code
            )
        desk_language = settings.desk.default_language
        for admin_id in settings.desk.admins:
            await bot.set_my_commands(
                commands((*ENTERPRISE, *ADMIN), desk_language), scope=BotCommandScopeChat(admin_id)
            )
        for chat_id in set(bound_chats):
            await install_for_chat(bot, settings, chat_id)
    except TelegramError as exc:
        log.warning("could not set the command menus: %s", exc)
        return False
    return True


async def install_for_chat(bot: Bot, settings: Settings, chat_id: int) -> None:
    """A bound chat's menus: staff commands for all, admin commands for the admins in it."""
    language = settings.desk.default_language
    await bot.set_my_commands(commands(STAFF, language), scope=BotCommandScopeChat(chat_id))
    for admin_id in settings.desk.admins:
        try:
            await bot.set_my_commands(
                commands((*STAFF, *ADMIN), language),
                scope=BotCommandScopeChatMember(chat_id, admin_id),
            )
        except TelegramError as exc:  # the admin is not a member of that chat
            log.info("no admin menu for %s in %s: %s", admin_id, chat_id, exc)
