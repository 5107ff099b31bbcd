"""Membership changes: the bot's own (removed from a group, blocked by an enterprise, a group
upgraded) and other people's (left, removed, restricted: the cached membership is dropped).

Adapters only: each update about the bot becomes one call of bot/delivery/outbox.py in one
transaction.
"""

from __future__ import annotations

from telegram import Chat, ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.core import admin
from bot.delivery import outbox
from bot.render import admin_views
from bot.render.texts import texts_for
from handlers.common import desk_of, guarded, say

GONE = (ChatMember.LEFT, ChatMember.BANNED)  # "left", "kicked"


@guarded
async def my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot's status changed in a chat."""
    member, chat = update.my_chat_member, update.effective_chat
    if member is None or chat is None:
        return
    status = member.new_chat_member.status
    desk = desk_of(context)
    if chat.type == ChatType.PRIVATE:
        with desk.work(update.update_id) as session:
            if status in GONE:
                outbox.enterprise_blocked(
                    session=session, telegram_user_id=chat.id, now=desk.clock()
                )
            else:
                outbox.enterprise_back(session=session, telegram_user_id=chat.id)
        return
    if status not in GONE:
        await _added_to_group(update, context, chat)
        return
    t = texts_for(desk.settings.desk.default_language)
    remover = member.from_user.full_name if member.from_user else ""
    reason = t.delivery_removed.format(name=remover) if remover else t.delivery_removed_anonymous
    with desk.work(update.update_id) as session:
        outbox.chat_lost(session=session, settings=desk.settings, chat_id=chat.id, reason=reason)


async def _added_to_group(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat) -> None:
    """Added to a group no department is bound to: say what the bot is for, or leave."""
    member = update.my_chat_member
    if member is None or member.new_chat_member.status not in ("member", "administrator"):
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        served = admin.is_served_chat(session=session, chat_id=chat.id)
    if served:
        return
    if desk.settings.workflow.unknown_group == "leave":
        await context.bot.leave_chat(chat.id)
        return
    language = desk.settings.desk.default_language
    await say(update, context, admin_views.unknown_group_html(desk.settings.desk.name, language))


@guarded
async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: the service message in either chat moves the binding."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    with desk_of(context).work(update.update_id) as session:
        outbox.follow_migration(session=session, old_chat_id=old, new_chat_id=new)


async def member_left(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone left or was removed (service message): they no longer speak for the group."""
    message = update.effective_message
    gone = message.left_chat_member if message is not None else None
    if message is not None and gone is not None:
        desk_of(context).members.forget(message.chat_id, gone.id)


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A member's status changed (chat_member: only where the bot is an administrator)."""
    change = update.chat_member
    if change is not None:
        desk_of(context).members.forget(change.chat.id, change.new_chat_member.user.id)
