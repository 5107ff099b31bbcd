"""Methods that put new messages into chats: send*, copyMessage, forwardMessage."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.api_common import ApiGroup, Handler
from bot.devtools.emulator.compose import MAX_CAPTION
from bot.devtools.emulator.errors import bad_request
from bot.devtools.emulator.markup import parse_reply_markup
from bot.devtools.emulator.params import Params
from bot.devtools.emulator.records import MessageRecord
from bot.devtools.emulator.render import document_json, message_json, photo_sizes
from bot.devtools.emulator.text import utf16_len

JsonDict = dict[str, Any]

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip


class SendApi(ApiGroup):
    def handlers(self) -> dict[str, Handler]:
        return {
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "sendChatAction": self.send_chat_action,
        }

    async def send_message(self, p: Params) -> JsonDict:
        chat, thread_id, reply_to = self.target(p)
        text = self.formatted(p, caption=False)
        markup = parse_reply_markup(p.get_json("reply_markup"))
        record = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            text=text.text,
            html=text.html,
            entities=text.entities,
            reply_to_message_id=reply_to,
            reply_markup=markup,
        )
        return message_json(self.world, record)

    async def send_photo(self, p: Params) -> JsonDict:
        chat, thread_id, reply_to = self.target(p)
        caption = self.formatted(p, caption=True)
        markup = parse_reply_markup(p.get_json("reply_markup"))
        stored = self.stored_file(p.file("photo"), "photo")
        record = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            photo=photo_sizes(stored),
            caption=caption.text or None,
            caption_html=caption.html,
            caption_entities=caption.entities,
            reply_to_message_id=reply_to,
            reply_markup=markup,
        )
        return message_json(self.world, record)

    async def send_document(self, p: Params) -> JsonDict:
        chat, thread_id, reply_to = self.target(p)
        caption = self.formatted(p, caption=True)
        markup = parse_reply_markup(p.get_json("reply_markup"))
        stored = self.stored_file(p.file("document"), "document")
        record = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            document=document_json(stored),
            caption=caption.text or None,
            caption_html=caption.html,
            caption_entities=caption.entities,
            reply_to_message_id=reply_to,
            reply_markup=markup,
        )
        return message_json(self.world, record)

    def source(self, p: Params, missing: str) -> MessageRecord:
        from_chat = self.world.chat_or_error(p.chat_id("from_chat_id"))
        message_id = p.get_int("message_id")
        source = self.world.message(from_chat.id, message_id) if message_id else None
        if source is None:
            raise bad_request(missing)
        if source.service is not None:
            raise bad_request("message can't be copied")
        return source

    async def copy_message(self, p: Params) -> JsonDict:
        """A new message with the same content; unlike a forward it names no origin."""
        chat, thread_id, reply_to = self.target(p)
        source = self.source(p, "message to copy not found")
        markup = parse_reply_markup(p.get_json("reply_markup"))
        content = self.copied_content(source)
        if p.has("caption") and source.text is None:
            caption = self.formatted(p, caption=True)
            content.update(
                caption=caption.text or None,
                caption_html=caption.html,
                caption_entities=caption.entities,
            )
        elif utf16_len(source.caption or "") > MAX_CAPTION:
            # A Premium user's long caption: a bot may not send it, so the copy fails.
            raise bad_request("message caption is too long")
        record = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            reply_to_message_id=reply_to,
            reply_markup=markup,
            copied_from=(source.chat_id, source.message_id),
            **content,
        )
        return {"message_id": record.message_id}

    async def forward_message(self, p: Params) -> JsonDict:
        chat, thread_id, _ = self.target(p)
        source = self.source(p, "message to forward not found")
        origin = source.forward_origin or {
            "type": "user",
            "sender_user": self.world.sender(source).to_api(),
            "date": source.date,
        }
        record = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            forward_origin=origin,
            **self.copied_content(source),
        )
        return message_json(self.world, record)

    @staticmethod
    def copied_content(source: MessageRecord) -> dict[str, Any]:
        return {
            "text": source.text,
            "html": source.html,
            "entities": list(source.entities),
            "caption": source.caption,
            "caption_html": source.caption_html,
            "caption_entities": list(source.caption_entities),
            "photo": source.photo,
            "document": source.document,
            "sticker": source.sticker,
            "contact": source.contact,
            "voice": source.voice,
            "video": source.video,
            "video_note": source.video_note,
            "location": source.location,
            "poll": source.poll,
        }

    async def send_chat_action(self, p: Params) -> bool:
        chat = self.world.chat_or_error(p.chat_id())
        self.world.check_bot_can_write(chat)
        self.world.check_thread(chat, p.get_int("message_thread_id"))
        if p.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True
