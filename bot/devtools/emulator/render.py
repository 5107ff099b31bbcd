"""Records rendered as Bot API JSON objects (Message, Chat, File, ...)."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.records import Chat, MessageRecord, StoredFile
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]

PHOTO_SIZE = (800, 600)  # uploads are not decoded; every photo claims this size


def message_json(world: World, message: MessageRecord, *, nested: bool = False) -> JsonDict:
    """A Message object as Telegram returns it from send* methods and in updates."""
    chat = world.chats[message.chat_id]
    data: JsonDict = {
        "message_id": message.message_id,
        "from": world.sender(message).to_api(),
        "chat": chat.to_api(),
        "date": message.date,
    }
    if message.thread_id is not None:
        data["message_thread_id"] = message.thread_id
        data["is_topic_message"] = True
    if message.forward_origin is not None:
        data["forward_origin"] = message.forward_origin
    if not nested:
        # Telegram nests the replied-to message one level deep. In a forum topic a message
        # that replies to nothing still carries the topic's creation message here.
        target_id = message.reply_to_message_id
        if target_id is None and message.thread_id not in (None, message.message_id):
            target_id = message.thread_id
        target = world.message(message.chat_id, target_id) if target_id else None
        if target is not None:
            data["reply_to_message"] = message_json(world, target, nested=True)
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    _add_content(data, message)
    markup = message.reply_markup or {}
    if "inline_keyboard" in markup:
        data["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    return data


def _add_content(data: JsonDict, message: MessageRecord) -> None:
    if message.text is not None:
        data["text"] = message.text
        if message.entities:
            data["entities"] = message.entities
    if message.caption:
        data["caption"] = message.caption
        if message.caption_entities:
            data["caption_entities"] = message.caption_entities
    optional = {
        "photo": message.photo,
        "document": message.document,
        "sticker": message.sticker,
        "contact": message.contact,
        "voice": message.voice,
        "video": message.video,
        "video_note": message.video_note,
        "location": message.location,
        "poll": message.poll,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    if message.service:
        data.update(message.service)


def photo_sizes(stored: StoredFile) -> list[JsonDict]:
    width, height = PHOTO_SIZE
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        }
    ]


def document_json(stored: StoredFile) -> JsonDict:
    data: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def media_json(stored: StoredFile, **fields: Any) -> JsonDict:
    """Voice, video and video note objects: the file plus what describes the medium."""
    data: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        **fields,
    }
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def sticker_json(stored: StoredFile, emoji: str) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": stored.size,
    }


def file_json(stored: StoredFile) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def chat_full_info(chat: Chat) -> JsonDict:
    """getChat's ChatFullInfo; the fields PTB requires plus what the emulator knows."""
    return {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
