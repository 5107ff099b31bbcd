"""Human-readable chat transcripts, for the demo and for test failure messages."""

from __future__ import annotations

from collections.abc import Iterable

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.emulator.world import World


def describe(world: World, message: MessageRecord) -> str:
    """One message as a few lines: ``#id [sender] content`` plus its buttons."""
    sender = world.sender(message)
    who = "bot" if message.from_bot else sender.first_name
    parts: list[str] = []
    if message.thread_id is not None and message.service is None:
        parts.append(f"(topic {message.thread_id})")
    if message.reply_to_message_id is not None:
        parts.append(f"↩#{message.reply_to_message_id}")
    if message.forwarded:
        parts.append("[forwarded]")
    parts.extend(_content(message))
    if message.edit_count:
        parts.append(f"(edited ×{message.edit_count})")
    if message.deleted:
        parts.append("(deleted)")
    lines = [f"#{message.message_id} [{who}] " + " ".join(parts)]
    for row in message.inline_keyboard:
        lines.append(
            "    " + " ".join(f"[{b.text} → {b.callback_data or b.url or '…'}]" for b in row)
        )
    if message.reply_keyboard:
        lines.append("    keyboard: " + " | ".join(" ".join(row) for row in message.reply_keyboard))
    return "\n".join(lines)


def _content(message: MessageRecord) -> list[str]:
    parts: list[str] = []
    if message.service is not None:
        created = message.service.get("forum_topic_created")
        parts.append(f"[topic created: {created['name']}]" if created else f"[{message.service}]")
    if message.photo:
        parts.append("[photo]")
    if message.document:
        parts.append(f"[document {message.document.get('file_name', '')}]".replace(" ]", "]"))
    if message.sticker:
        parts.append(f"[sticker {message.sticker.get('emoji', '')}]")
    for kind in ("voice", "video", "video_note"):
        if getattr(message, kind):
            parts.append(f"[{kind.replace('_', ' ')}]")
    if message.location:
        parts.append(f"[location {message.location['latitude']}, {message.location['longitude']}]")
    if message.poll:
        parts.append(f"[poll {message.poll['question']}]")
    if message.contact:
        parts.append(f"[contact {message.contact['first_name']} {message.contact['phone_number']}]")
    if message.content:
        parts.append(message.content)
    return parts


def format_transcript(world: World, messages: Iterable[MessageRecord]) -> str:
    lines = [describe(world, m) for m in messages]
    return "\n".join(lines) if lines else "(no messages)"
