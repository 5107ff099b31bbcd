"""Methods about the bot and its connection: identity, updates, commands, chats, files."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.devtools.emulator.api_common import ApiGroup, Handler
from bot.devtools.emulator.errors import ApiError, bad_request
from bot.devtools.emulator.members import get_chat_member
from bot.devtools.emulator.params import Params
from bot.devtools.emulator.render import chat_full_info, file_json

JsonDict = dict[str, Any]

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_POLL_SECONDS = 50.0
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_DEFAULT_TOPIC_COLOR = 0x6FB9F0


class BotApi(ApiGroup):
    def handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getFile": self.get_file,
            "createForumTopic": self.create_forum_topic,
            "close": self.always_true,
            "logOut": self.always_true,
        }

    async def always_true(self, p: Params) -> bool:
        return True

    async def get_me(self, p: Params) -> JsonDict:
        return {
            **self.world.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, p: Params) -> list[JsonDict]:
        if self.world.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.world.updates.set_allowed([str(kind) for kind in allowed])
        limit = p.get_int("limit") or 100
        return await self.world.updates.fetch(
            p.get_int("offset"),
            min(max(limit, 1), 100),
            min(p.get_float("timeout", 0.0), MAX_POLL_SECONDS),
        )

    async def set_webhook(self, p: Params) -> bool:
        # From now on updates are POSTed to the URL (bot/devtools/emulator/webhook.py) and
        # getUpdates conflicts, like on Telegram. (http:// is accepted: tests run locally.)
        url = p.get_str("url") or ""
        if url and not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get_str("secret_token") or ""
        if secret and not _SECRET.match(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        max_connections = p.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.world.updates.set_allowed([str(kind) for kind in allowed])
        if p.get_bool("drop_pending_updates"):
            self.world.updates.drop_pending()
        self.world.webhook_url = url
        self.world.webhook_secret = secret
        self.world.webhook_max_connections = max_connections
        self.world.updates.wake()
        return True

    async def delete_webhook(self, p: Params) -> bool:
        self.world.webhook_url = ""
        self.world.webhook_secret = ""
        if p.get_bool("drop_pending_updates"):
            self.world.updates.drop_pending()
        self.world.updates.wake()
        return True

    async def get_webhook_info(self, p: Params) -> JsonDict:
        info: JsonDict = {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.world.updates.pending_count,
        }
        if self.world.webhook_url:
            info["max_connections"] = self.world.webhook_max_connections
        return info

    def commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse scope JSON object")
        for key in ("chat_id", "user_id"):
            if isinstance(scope.get(key), str) and scope[key].lstrip("-").isdigit():
                scope = {**scope, key: int(scope[key])}
        if "chat_id" in scope:
            self.world.chat_or_error(scope["chat_id"])
        language = p.get_str("language_code") or ""
        if language and not _LANGUAGE.match(language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True, ensure_ascii=False), language

    async def set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        cleaned: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(item.get("description", ""))
            if not description:
                raise bad_request("command description is empty")
            if len(description) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": item["command"], "description": description})
        key = self.commands_key(p)
        if cleaned:
            self.world.commands[key] = cleaned
        else:
            self.world.commands.pop(key, None)
        return True

    async def get_my_commands(self, p: Params) -> list[JsonDict]:
        return list(self.world.commands.get(self.commands_key(p), []))

    async def delete_my_commands(self, p: Params) -> bool:
        self.world.commands.pop(self.commands_key(p), None)
        return True

    async def set_chat_menu_button(self, p: Params) -> bool:
        chat_id = self.world.chat_or_error(p.chat_id()).id if p.has("chat_id") else None
        button = p.get_json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise bad_request("can't parse menu button JSON object")
        self.world.menu_buttons[chat_id] = button
        return True

    async def get_chat_menu_button(self, p: Params) -> JsonDict:
        chat_id = self.world.chat_or_error(p.chat_id()).id if p.has("chat_id") else None
        stored = self.world.menu_buttons.get(chat_id) or self.world.menu_buttons.get(None)
        if stored is None or stored.get("type") == "default":
            return {"type": "commands"}
        return stored

    async def get_chat(self, p: Params) -> JsonDict:
        return chat_full_info(self.world.chat_or_error(p.chat_id()))

    async def get_chat_member(self, p: Params) -> JsonDict:
        chat = self.world.chat_or_error(p.chat_id())
        return get_chat_member(self.world, chat, p.require_int("user_id"))

    async def get_file(self, p: Params) -> JsonDict:
        stored = self.world.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return file_json(stored)

    async def create_forum_topic(self, p: Params) -> JsonDict:
        chat = self.world.chat_or_error(p.chat_id())
        self.world.check_bot_can_write(chat)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if not chat.bot_is_admin:
            raise bad_request("not enough rights to create a topic")
        name = p.get_str("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        color = p.get_int("icon_color") or _DEFAULT_TOPIC_COLOR
        root = self.world.add_topic(chat, name, color, self.world.bot)
        return {"message_thread_id": root.message_id, "name": name, "icon_color": color}
