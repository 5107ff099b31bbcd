"""What nobody else handled: unknown commands and buttons get an answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.texts import language_from_telegram, texts_for
from handlers.common import answer, guarded, say


def _texts(update: Update):  # type: ignore[no-untyped-def]
    user = update.effective_user
    return texts_for(language_from_telegram(user.language_code if user else None))


@guarded
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, _texts(update).unknown_command)


@guarded
async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forged, malformed or ancient callback_data."""
    await answer(update, _texts(update).stale_button, alert=True)
