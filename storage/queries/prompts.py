"""Queries on open prompts: the questions put to one person in a chat, until answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import OpenPrompt


def add_open_prompt(*, session: Session, prompt: OpenPrompt) -> OpenPrompt:
    """Record a question put to one person; it supersedes their earlier ones in that chat."""
    close_open_prompts(
        session=session, chat_id=prompt.chat_id, user_id=prompt.user_id, at=prompt.asked_at
    )
    session.add(prompt)
    session.flush()
    return prompt


def close_open_prompts(
    *,
    session: Session,
    chat_id: int,
    user_id: int,
    at: datetime,
    ticket_id: int | None = None,
    outbox_id: int | None = None,
) -> None:
    """Mark a person's open prompts in a chat answered (only one ticket's, or one row's)."""
    query = update(OpenPrompt).where(
        col(OpenPrompt.chat_id) == chat_id,
        col(OpenPrompt.user_id) == user_id,
        col(OpenPrompt.answered_at).is_(None),
    )
    if ticket_id is not None:
        query = query.where(col(OpenPrompt.ticket_id) == ticket_id)
    if outbox_id is not None:
        query = query.where(col(OpenPrompt.outbox_id) == outbox_id)
    session.execute(query.values(answered_at=at))


def open_prompts(
    *, session: Session, chat_id: int, thread_id: int | None, user_id: int, since: datetime
) -> list[OpenPrompt]:
    """A person's unanswered prompts in a chat (forum topic) asked since ``since``, newest first."""
    return list(
        session.exec(
            select(OpenPrompt)
            .where(
                OpenPrompt.chat_id == chat_id,
                OpenPrompt.thread_id == thread_id,
                OpenPrompt.user_id == user_id,
                col(OpenPrompt.answered_at).is_(None),
                OpenPrompt.asked_at >= since,
            )
            .order_by(col(OpenPrompt.id).desc())
        )
    )
