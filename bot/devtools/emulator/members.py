"""Who is in a group, as Telegram reports it: ChatMember objects for getChatMember and
``chat_member`` updates, from the membership state kept on each :class:`Chat`."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.errors import bad_request
from bot.devtools.emulator.records import Chat
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]

ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}

_SEND_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
)
_OTHER_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)


def status_of(chat: Chat, user_id: int) -> str:
    """creator | administrator | member | restricted | left | kicked."""
    if user_id in chat.kicked:
        return "kicked"
    if user_id not in chat.members:
        return "left"
    if user_id in chat.muted:
        return "restricted"
    if user_id == chat.creator:
        return "creator"
    return "administrator" if user_id in chat.admins else "member"


def member_json(world: World, chat: Chat, user_id: int, status: str | None = None) -> JsonDict:
    """A ChatMember object; ``status`` overrides the current one (an update's old state)."""
    user = world.user_json(user_id)
    if user is None:
        raise bad_request("user not found")
    status = status or status_of(chat, user_id)
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(ADMIN_RIGHTS)
    elif status == "restricted":
        member.update(
            {"is_member": True, "until_date": 0}
            | dict.fromkeys(_SEND_RIGHTS, False)
            | dict.fromkeys(_OTHER_RIGHTS, False)
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def get_chat_member(world: World, chat: Chat, user_id: int) -> JsonDict:
    """getChatMember: the bot itself, a private chat's own user, or a group's participant."""
    if user_id == world.bot.id:
        if chat.type == "private" or (chat.bot_is_member and not chat.bot_is_admin):
            return {"status": "member", "user": world.bot.to_api()}
        return member_json(world, chat, user_id, "administrator" if chat.bot_is_admin else "left")
    if chat.type == "private":
        if user_id != chat.id:
            raise bad_request("user not found")
        return {"status": "member", "user": world.user_json(user_id)}
    return member_json(world, chat, user_id)
