"""Methods that change what is already there: edits, deletions, reactions, callback answers."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.api_common import ApiGroup, Handler
from bot.devtools.emulator.compose import Formatted
from bot.devtools.emulator.errors import bad_request
from bot.devtools.emulator.markup import parse_reply_markup
from bot.devtools.emulator.params import Params
from bot.devtools.emulator.records import CallbackAnswer, MessageRecord
from bot.devtools.emulator.render import message_json

JsonDict = dict[str, Any]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


class EditApi(ApiGroup):
    def handlers(self) -> dict[str, Handler]:
        return {
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "setMessageReaction": self.set_message_reaction,
            "answerCallbackQuery": self.answer_callback_query,
        }

    def editable(self, p: Params) -> MessageRecord:
        if p.has("inline_message_id"):
            raise bad_request("the emulator does not implement inline messages")
        chat = self.world.chat_or_error(p.chat_id())
        self.world.check_bot_can_write(chat)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self.world.message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot or message.service is not None:
            raise bad_request("message can't be edited")
        return message

    @staticmethod
    def new_markup(message: MessageRecord, p: Params) -> JsonDict | None:
        """Edits replace the inline keyboard; leaving reply_markup out removes it."""
        markup = parse_reply_markup(p.get_json("reply_markup"), inline_only=True)
        current = message.reply_markup
        if markup is None and current is not None and "inline_keyboard" not in current:
            return current  # a reply keyboard belongs to the chat, edits leave it alone
        return markup

    def commit(self, message: MessageRecord, markup: JsonDict | None) -> JsonDict:
        message.reply_markup = markup
        message.edit_date = self.world.now()
        message.edit_count += 1
        self.world.changed()
        return message_json(self.world, message)

    async def edit_message_text(self, p: Params) -> JsonDict:
        message = self.editable(p)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = self.formatted(p, caption=False)
        markup = self.new_markup(message, p)
        if (text.text, text.entities, markup) == (
            message.text,
            message.entities,
            message.reply_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities, message.html = text.text, text.entities, text.html
        return self.commit(message, markup)

    async def edit_message_caption(self, p: Params) -> JsonDict:
        message = self.editable(p)
        captionless = (message.contact, message.sticker, message.video_note, message.location)
        if message.text is not None or any(captionless) or message.poll:
            raise bad_request("there is no caption in the message to edit")
        caption: Formatted = self.formatted(p, caption=True)
        markup = self.new_markup(message, p)
        if (caption.text or None, caption.entities, markup) == (
            message.caption,
            message.caption_entities,
            message.reply_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        message.caption = caption.text or None
        message.caption_entities = caption.entities
        message.caption_html = caption.html
        return self.commit(message, markup)

    async def edit_message_reply_markup(self, p: Params) -> JsonDict:
        message = self.editable(p)
        markup = self.new_markup(message, p)
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        return self.commit(message, markup)

    async def delete_message(self, p: Params) -> bool:
        chat = self.world.chat_or_error(p.chat_id())
        message = self.world.message(chat.id, p.require_int("message_id"))
        if message is None:
            raise bad_request("message to delete not found")
        if chat.type != "private" and not message.from_bot and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        message.deleted = True
        self.world.changed()
        return True

    async def set_message_reaction(self, p: Params) -> bool:
        chat = self.world.chat_or_error(p.chat_id())
        message = self.world.message(chat.id, p.require_int("message_id"))
        if message is None:
            raise bad_request("MESSAGE_ID_INVALID")
        reaction = p.get_json("reaction") or []
        valid = isinstance(reaction, list) and all(
            isinstance(r, dict) and r.get("type") in ("emoji", "custom_emoji", "paid")
            for r in reaction
        )
        if not valid:
            raise bad_request("REACTION_INVALID")
        message.reactions = list(reaction)
        self.world.changed()
        return True

    async def answer_callback_query(self, p: Params) -> bool:
        query_id = p.get_str("callback_query_id") or ""
        if self.world.callback_queries.get(query_id) is not False:
            raise bad_request(_QUERY_INVALID)  # unknown, or answered already
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.world.callback_queries[query_id] = True
        self.world.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=p.get_bool("show_alert"),
                url=p.get_str("url"),
                cache_time=p.get_int("cache_time") or 0,
            )
        )
        self.world.changed()
        return True
