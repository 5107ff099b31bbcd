"""The desk's questions to one person in a group, and which of them a reply answers.

A prompt is posted through the outbox, so its Telegram message id is known only once the
sender has posted it — a quick reply can arrive first, and a send cut off by a crash never
records one. Each prompt is therefore also recorded as an :class:`OpenPrompt` (who, where,
which ticket, which outbox row) in the same transaction as the press that asked it, and
a reply to a desk message the desk cannot identify is matched to the person's latest open
prompt there whose id is still unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import queries
from storage.models import OpenPrompt, Outbox, Purpose

#: Prompts answered in words: a reply to one is consumed by it, never relayed.
TEXT = (
    Purpose.ASK_QUESTION,
    Purpose.ASK_RESOLUTION,
    Purpose.ASK_TRANSFER_REASON,
    Purpose.ASK_EXTENSION_REASON,
    Purpose.ASK_REJECT_REASON,
    Purpose.ASK_COMMON_REPLY,
)
#: Prompts answered with their buttons: a reply to one is not relayed either.
BUTTONS = (Purpose.TRANSFER_REASONS, Purpose.EXTENSION_DAYS)
#: How long an unanswered prompt may still be matched to a reply it cannot be tied to by
#: message id (a crash and restart take minutes; a day-old prompt is forgotten).
MATCH_WINDOW = timedelta(days=1)


def record(
    *,
    session: Session,
    asked: Outbox | None,
    user_id: int,
    chat_id: int,
    thread_id: int | None,
    now: datetime,
) -> None:
    """Remember that ``asked`` (an outbox row about a ticket) put a question to this person
    in the chat it is posted to (where they pressed, if that chat is not bound yet)."""
    if asked is None or asked.ticket_id is None or asked.id is None:
        return
    if asked.chat_id is not None:
        chat_id, thread_id = asked.chat_id, asked.thread_id
    queries.prompts.add_open_prompt(
        session=session,
        prompt=OpenPrompt(
            chat_id=chat_id,
            thread_id=thread_id,
            user_id=user_id,
            ticket_id=asked.ticket_id,
            outbox_id=asked.id,
            purpose=asked.purpose,
            asked_at=now,
        ),
    )


def answered(*, session: Session, row: Outbox, user_id: int, chat_id: int, now: datetime) -> None:
    """The person answered the prompt ``row`` posted: it is no longer open."""
    queries.prompts.close_open_prompts(
        session=session, chat_id=chat_id, user_id=user_id, at=now, outbox_id=row.id
    )


def done_with(
    *, session: Session, ticket_id: int, user_id: int, chat_id: int, now: datetime
) -> None:
    """The person answered with a button: their prompts about this ticket are closed."""
    queries.prompts.close_open_prompts(
        session=session, chat_id=chat_id, user_id=user_id, at=now, ticket_id=ticket_id
    )


def match(
    *,
    session: Session,
    chat_id: int,
    thread_id: int | None,
    user_id: int,
    quotes: Callable[[Outbox], bool],
    now: datetime,
) -> Outbox | None:
    """The prompt a reply answers when the desk message it replies to is unknown.

    The person's latest open prompt in this chat (topic) whose message id the desk does not
    know yet (still being sent, or its send cut off) and that the reply ``quotes``: when
    the replied message's text came with the reply, as Telegram sends it, the prompt's
    text is it (what a desk message shows is the render layer's to say:
    ``bot.render.notify.quoting``). Never a prompt whose id is known: the reply then answers some
    other message.
    """
    for prompt in queries.prompts.open_prompts(
        session=session,
        chat_id=chat_id,
        thread_id=thread_id,
        user_id=user_id,
        since=now - MATCH_WINDOW,
    ):
        row = queries.outbox.get_outbox(session=session, outbox_id=prompt.outbox_id)
        if row is None or row.telegram_message_id is not None:
            continue
        if not quotes(row):
            continue
        return row
    return None
