"""Department groups: card buttons, answers to the bot's questions, replies to relay."""

from __future__ import annotations

import logging

from telegram import Message, ReactionTypeEmoji, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import common_problems, group_replies, staff
from bot.core.permissions import Refused
from bot.core.validation import clean_text
from bot.render import callbacks as cb
from bot.render import notify
from handlers.common import answer, desk_of, guarded, incoming_from, refusal_text, say
from handlers.turn import actor_of, group_press
from storage import queries
from storage.models import Purpose

log = logging.getLogger(__name__)


@guarded
async def card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """st:<ticket>:<action>, tr:<ticket>:<reason>, ex:<ticket>:<days> from a department chat."""
    pressed = await group_press(update, context)
    if pressed is None:
        return
    actor, data = pressed
    desk = desk_of(context)
    try:
        with desk.work(update.update_id) as session:
            ticket = queries.tickets.get_ticket(session=session, ticket_id=data.int_arg(0) or 0)
            if ticket is None:
                raise Refused("stale")
            if data.prefix == cb.STAFF and data.arg(1) == "accept":
                staff.accept(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    now=desk.clock(),
                )
            elif data.prefix == cb.STAFF and data.arg(1) == "together":
                common_problems.ask_together(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    now=desk.clock(),
                )
            elif data.prefix == cb.STAFF and data.arg(1) == "unlink":
                common_problems.unlink(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    now=desk.clock(),
                )
            elif data.prefix == cb.STAFF:
                staff.prompt(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    action=data.arg(1) or "",
                    now=desk.clock(),
                )
            elif data.prefix == cb.TRANSFER_REASON and data.arg(1) == "other":
                group_replies.ask_for_text(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    purpose=Purpose.ASK_TRANSFER_REASON,
                    meta={},
                    now=desk.clock(),
                )
            elif data.prefix == cb.TRANSFER_REASON:
                staff.request_transfer(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    reason_code=data.arg(1) or "",
                    reason_text=None,
                    now=desk.clock(),
                )
            else:
                days = data.int_arg(1) or 0
                staff.check_extension_days(desk.settings, days, ticket)
                group_replies.ask_for_text(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    purpose=Purpose.ASK_EXTENSION_REASON,
                    meta={"days": days},
                    now=desk.clock(),
                )
    except Refused as refused:
        log.info(
            "refused %s%s by %s in %s: %s",
            data.prefix,
            data.args,
            actor.user_id,
            actor.chat_id,
            refused.code,
        )
        await answer(update, refusal_text(context, refused), alert=True)
        return
    await answer(update)


@guarded
async def group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply in a group to one of the desk's messages about a ticket."""
    message = update.effective_message
    answered = message.reply_to_message if message is not None else None
    author = answered.from_user if answered is not None else None
    # Only the desk's own messages are about tickets: chat among people costs no lookup.
    if answered is None or (author is not None and author.id != context.bot.id):
        return
    if answered.forum_topic_created is not None:
        return  # a message in a topic the bot opened, answering nothing
    actor = await actor_of(update, context)
    if message is None or actor is None:
        return
    desk = desk_of(context)
    incoming = incoming_from(message)
    attachment = incoming.attachment
    text = clean_text(incoming.text or (attachment.caption if attachment else "") or "")
    try:
        with desk.work(update.update_id) as session:
            row = group_replies.answered_row(
                session=session,
                actor=actor,
                message_id=answered.message_id,
                quotes=notify.quoting(answered.text or answered.caption or ""),
                now=desk.clock(),
            )
            if row is None or row.ticket_id is None:
                return  # a chat the desk does not serve: stay quiet
            ticket = queries.tickets.get_ticket(session=session, ticket_id=row.ticket_id)
            assert ticket is not None
            relayed = group_replies.on_reply(
                session=session,
                settings=desk.settings,
                answering=row,
                ticket=ticket,
                actor=actor,
                text=text,
                attachment=attachment,
                now=desk.clock(),
            )
    except Refused as refused:
        # In reply: in a busy group the refusal must say whose message it is about.
        await say(update, context, refusal_text(context, refused), reply_to=message.message_id)
        return
    if relayed:
        await _confirm(message)


async def _confirm(message: Message) -> None:
    """A short reaction under the staff's message: relayed, nothing more to say."""
    try:
        await message.set_reaction(ReactionTypeEmoji("👍"))
    except TelegramError as exc:
        log.info("could not react to a relayed message: %s", exc)


STAFF_PREFIXES = (cb.STAFF, cb.TRANSFER_REASON, cb.EXTENSION_DAYS)
