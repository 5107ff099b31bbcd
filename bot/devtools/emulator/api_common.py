"""What every Bot API method group shares: the world, the HTML mode, and send helpers."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any, Literal

from bot.devtools.emulator.compose import Formatted, format_text
from bot.devtools.emulator.errors import bad_request
from bot.devtools.emulator.params import Params, Upload
from bot.devtools.emulator.records import Chat, StoredFile
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]
Handler = Callable[[Params], Awaitable[Any]]
FileKind = Literal["photo", "document", "sticker"]


class ApiGroup:
    """A set of Bot API methods; :meth:`handlers` maps official names to coroutines."""

    def __init__(self, world: World, *, strict_html: bool) -> None:
        self.world = world
        self.strict_html = strict_html

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def formatted(self, p: Params, *, caption: bool) -> Formatted:
        name = "caption" if caption else "text"
        return format_text(
            p.get_str(name),
            p.get_str("parse_mode"),
            p.get_json(f"{name}_entities" if caption else "entities"),
            caption=caption,
            strict_html=self.strict_html,
            lookup_user=self.world.user_json,
        )

    def target(self, p: Params) -> tuple[Chat, int | None, int | None]:
        """The chat, thread and replied-to message id for a new bot message."""
        world = self.world
        chat = world.chat_or_error(p.chat_id())
        world.check_bot_can_write(chat)
        thread_id = world.check_thread(chat, p.get_int("message_thread_id"))
        reply_to, reply_thread = self.reply_target(chat, p)
        if thread_id is None and reply_thread is not None and chat.is_forum:
            thread_id = reply_thread  # a reply lands in the replied message's topic
        return chat, thread_id, reply_to

    def reply_target(self, chat: Chat, p: Params) -> tuple[int | None, int | None]:
        reply = p.get_json("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            # Cross-chat replies (reply_parameters.chat_id) are not emulated: same chat only.
            fields = Params(reply)
            message_id: int | None = fields.get_int("message_id")
            allow_missing = fields.get_bool("allow_sending_without_reply")
        else:
            message_id = p.get_int("reply_to_message_id")
            allow_missing = p.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None, None
        target = self.world.message(chat.id, message_id)
        if target is None:
            if allow_missing:
                return None, None
            raise bad_request("message to be replied not found")
        return target.message_id, target.thread_id

    def stored_file(self, value: Upload | str | None, kind: FileKind) -> StoredFile:
        """The file a send method refers to: a fresh upload, a known file_id, or a URL."""
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            mime = value.mime_type
            if kind == "document" and (not mime or mime == "application/octet-stream"):
                mime = mimetypes.guess_type(value.file_name or "")[0] or mime
            name = value.file_name if kind == "document" else None
            return self.world.add_file(kind, value.data, file_name=name, mime_type=mime)
        known = self.world.files.get(value)
        if known is not None:
            if known.kind != kind:
                raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
            return known
        if value.startswith(("http://", "https://")):
            # The emulator cannot fetch URLs; it keeps an empty file under the URL's name.
            name = PurePosixPath(value.split("?", 1)[0]).name or None
            return self.world.add_file(kind, b"", file_name=name)
        raise bad_request("wrong file identifier/HTTP URL specified")
