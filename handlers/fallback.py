"""What nobody else handled: unknown commands and buttons get an answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.texts import Texts, texts_for
from handlers.common import answer, desk_of, guarded, language_of, reporter_for, say


def _texts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Texts:
    """The user's chosen language (stored), else Telegram's."""
    user = update.effective_user
    if user is None:
        return texts_for(None)
    with desk_of(context).work(update.update_id) as session:
        return texts_for(language_of(reporter_for(session, user)))


@guarded
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, _texts(update, context).unknown_command)


@guarded
async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forged, malformed or ancient callback_data."""
    await answer(update, _texts(update, context).stale_button, alert=True)
