"""What nobody else handled: unknown commands, buttons and edits get an answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import group_replies, private_messages
from bot.render.texts import Texts, texts_for
from handlers.common import desk_of, guarded, is_private, refuse_button, say, show
from handlers.turn import language_for, private_turn

#: Commands of the enterprise's private chat; in a group they point to the private chat.
PRIVATE_COMMANDS = frozenset({"start", "my", "cancel", "lang"})


def _texts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Texts:
    """The user's chosen language (stored), else Telegram's."""
    if update.effective_user is None:
        return texts_for(None)
    return texts_for(language_for(update, context))


@guarded
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, _texts(update, context).unknown_command)


@guarded
async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forged, malformed or ancient callback_data."""
    await refuse_button(update, context)


@guarded
async def group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command in a group that no handler took.

    The enterprise's commands point to the private chat; an unknown command addressed to
    this bot (``/foo@bot``) gets the list; a bare unknown one may be another bot's, so the
    desk stays quiet (无事不扰).
    """
    message = update.effective_message
    if message is None or not message.text:
        return
    name, _, addressee = message.text.split(maxsplit=1)[0][1:].partition("@")
    ours = addressee.lower() == (context.bot.username or "").lower()
    if addressee and not ours:
        return
    t = texts_for(desk_of(context).settings.desk.default_language)
    if name.lower() in PRIVATE_COMMANDS:
        await say(update, context, t.private_only)
    elif ours:
        await say(update, context, t.unknown_command)


@guarded
async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit changes nothing that was sent on (a ticket, a relayed reply, a command).

    In private the enterprise hears how to correct instead; in a group only an edited
    reply about a ticket is answered (the enterprise keeps the original).
    """
    message, user = update.edited_message, update.effective_user
    if message is None or user is None:
        return
    desk = desk_of(context)
    if is_private(update):
        with private_turn(update, context) as turn:
            screen = private_messages.on_edit(session=turn.session, reporter=turn.reporter)
        await show(update, context, [screen], turn.language, reply_to=message.message_id)
        return
    replied = message.reply_to_message
    if replied is None:
        return
    with desk.work(update.update_id) as session:
        about_ticket = group_replies.edit_is_about_ticket(
            session=session, chat_id=message.chat_id, replied_message_id=replied.message_id
        )
    if about_ticket:
        t = texts_for(desk.settings.desk.default_language)
        await say(update, context, t.edit_in_group, reply_to=message.message_id)
