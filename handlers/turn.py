"""Opening one turn of the desk for an update: the transaction, who acts, and in which language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core.permissions import Actor
from bot.desk import Desk
from bot.render import callbacks as cb
from handlers.common import (
    answer,
    desk_of,
    is_private,
    language_of,
    private_work,
    refuse_button,
    thread_of,
)
from storage.models import Reporter


@dataclass
class Turn:
    """One update's work in the enterprise's private chat, inside one transaction."""

    desk: Desk
    session: Session
    reporter: Reporter
    #: The reporter's language, read again as the turn closes (a new choice shows at once).
    language: str
    #: The reporter was created by this update: nothing of theirs exists yet.
    first_contact: bool = False

    @property
    def settings(self) -> Settings:
        return self.desk.settings

    def now(self) -> datetime:
        return self.desk.clock()


@contextmanager
def private_turn(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, store_new: bool = True
) -> Iterator[Turn]:
    """The one transaction for this update (its id claimed in it, a message gated in it:
    ``common.private_work``) and the reporter behind its user, read once (``store_new``:
    see ``common.known_or_new``)."""
    with private_work(update, context, store_new=store_new) as (session, reporter, first_contact):
        turn = Turn(desk_of(context), session, reporter, language_of(reporter), first_contact)
        yield turn
        turn.language = language_of(reporter)


async def private_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> cb.Parsed | None:
    """A press of an enterprise's button, answered at once; None when there is nothing to do
    (a forged enterprise button in a group is refused with an alert)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    if not is_private(update):
        await refuse_button(update, context)
        return None
    await answer(update)
    return cb.parse(query.data)


async def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor | None:
    """Who acts, where, and whether Telegram counts them a current member there."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None:
        return None
    posted = message if isinstance(message, Message) else None
    actor = Actor(
        user_id=user.id,
        name=user.full_name,
        chat_id=chat.id,
        thread_id=thread_of(posted),
        # An anonymous admin or a channel posts with sender_chat set.
        anonymous=posted is not None and posted.sender_chat is not None,
    )
    return await desk_of(context).members.resolve(context.bot, actor)


async def group_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Actor, cb.Parsed] | None:
    """A press of a department's or the dispatcher's button: who pressed, and what."""
    query = update.callback_query
    actor = await actor_of(update, context) if query is not None else None
    if query is None or actor is None:
        return None
    return actor, cb.parse(query.data)


def language_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A turn that only needs to know the user's language (the update is claimed all the same)."""
    with private_turn(update, context) as turn:
        pass
    return turn.language
