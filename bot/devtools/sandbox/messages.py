"""Emulator messages as the page's Message JSON (see SANDBOX_API.md)."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.records import Chat, MessageRecord, User
from bot.devtools.emulator.world import World
from bot.devtools.sandbox.richtext import entities_to_html, plain_to_html

JsonDict = dict[str, Any]

SNIPPET_CHARS = 60


def display_name(user: User) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part)


def chat_title(chat: Chat) -> str:
    if chat.type == "private":
        return " ".join(part for part in (chat.first_name, chat.last_name) if part)
    return chat.title or ""


def file_url(file_id: str) -> str:
    return f"/api/files/{file_id}"


def message_html(message: MessageRecord) -> str:
    """The text or caption as safe HTML, from the stored plain text and entities."""
    if message.text is not None:
        text, entities = message.text, message.entities
    elif message.caption is not None:
        text, entities = message.caption, message.caption_entities
    else:
        return ""
    if message.from_bot:
        return entities_to_html(text, entities)
    # People type plain text; their auto-detected commands need no markup.
    return plain_to_html(text)


def other_line(message: MessageRecord) -> str | None:
    """Content with no text of its own, as one short line (None if there is none)."""
    if message.service is not None:
        created = message.service.get("forum_topic_created")
        if created:
            return f"🗂 {created.get('name', '')}"
        if "migrate_to_chat_id" in message.service:
            return "⬆️ supergroup"
        if "migrate_from_chat_id" in message.service:
            return "⬆️ group → supergroup"
        return "ℹ️"
    # Language-neutral lines: the page switches 中文/English, these are not translated.
    if message.sticker:
        return f"🏷 {message.sticker.get('emoji', '')}".strip()
    if message.contact:
        contact = message.contact
        name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
        return f"📱 {name} {contact.get('phone_number', '')}".strip()
    if message.location:
        return f"📍 {message.location['latitude']}, {message.location['longitude']}"
    if message.voice:
        return f"🎤 {message.voice.get('duration', 0)}″"
    if message.video:
        return f"🎬 {message.video.get('duration', 0)}″"
    if message.video_note:
        return "📹"
    if message.poll:
        return f"📊 {message.poll.get('question', '')}"
    return None


def snippet(message: MessageRecord) -> str:
    """A short plain-text preview of a message, for a reply's quote."""
    text = message.content or other_line(message) or ""
    if not text:
        text = "Photo" if message.photo else "File" if message.document else ""
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def _reply_to(world: World, message: MessageRecord) -> JsonDict | None:
    if message.reply_to_message_id is None:
        return None
    target = world.chat_log.get(message.chat_id, {}).get(message.reply_to_message_id)
    if target is None:
        return None
    return {
        "message_id": target.message_id,
        "from_name": display_name(world.sender(target)),
        "snippet": "" if target.deleted else snippet(target),
    }


def _inline_keyboard(message: MessageRecord) -> list[list[JsonDict]] | None:
    rows = message.inline_keyboard
    if not rows:
        return None
    return [
        [{"text": b.text, "callback_data": b.callback_data, "url": b.url} for b in row]
        for row in rows
    ]


def _reply_keyboard(message: MessageRecord) -> list[list[JsonDict]] | None:
    rows = (message.reply_markup or {}).get("keyboard")
    if not rows:
        return None
    return [
        [
            {"text": button, "request_contact": False}
            if isinstance(button, str)
            else {
                "text": str(button.get("text", "")),
                "request_contact": bool(button.get("request_contact")),
            }
            for button in row
        ]
        for row in rows
    ]


def _document(message: MessageRecord) -> JsonDict | None:
    if not message.document:
        return None
    return {
        "url": file_url(message.document["file_id"]),
        "file_name": message.document.get("file_name") or "file",
        "mime_type": message.document.get("mime_type") or "application/octet-stream",
    }


def message_json(world: World, message: MessageRecord) -> JsonDict:
    sender = world.sender(message)
    photo = message.photo_file_id
    return {
        "message_id": message.message_id,
        "date": message.date,
        "edited": message.edit_count > 0,
        "from": {"id": sender.id, "name": display_name(sender), "is_bot": sender.is_bot},
        "html": message_html(message),
        "reply_to": _reply_to(world, message),
        "inline_keyboard": _inline_keyboard(message),
        "reply_keyboard": _reply_keyboard(message),
        "remove_keyboard": bool((message.reply_markup or {}).get("remove_keyboard")),
        "one_time_keyboard": bool((message.reply_markup or {}).get("one_time_keyboard")),
        "force_reply": bool((message.reply_markup or {}).get("force_reply")),
        "photo": {"url": file_url(photo)} if photo else None,
        "document": _document(message),
        "other": other_line(message),
        # The bot's 👍 under a relayed staff reply: the only sign the reply reached the enterprise.
        "reactions": [r["emoji"] for r in message.reactions if r.get("type") == "emoji"],
    }


def chat_messages(world: World, chat: Chat) -> JsonDict:
    """GET /api/chats/{id}/messages: the chat, the world's version and its messages."""
    log = world.chat_log.get(chat.id, {})
    return {
        "chat": {"id": chat.id, "type": chat.type, "title": chat_title(chat)},
        "version": world.version,
        "messages": [message_json(world, m) for m in log.values() if not m.deleted],
    }
