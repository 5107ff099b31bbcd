"""Queries on reporters: the enterprise users, their drafts, and what limits them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, inspect, update
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from storage.models import Draft, RateEvent, Reporter, Ticket
from storage.types import utcnow

#: Read for every private update: built once.
_BY_USER = select(Reporter).where(col(Reporter.telegram_user_id) == bindparam("user"))


def get_reporter(*, session: Session, telegram_user_id: int) -> Reporter | None:
    return session.exec(_BY_USER, params={"user": telegram_user_id}).first()


def create_reporter(
    *, session: Session, telegram_user_id: int, language: str | None = None, flush: bool = True
) -> Reporter:
    """A new reporter with its language. ``flush=False`` leaves the INSERT for the commit
    (or :func:`stored`), so what the turn sets on it goes into that one statement."""
    reporter = Reporter(telegram_user_id=telegram_user_id, language=language)
    session.add(reporter)
    if flush:
        session.flush()
    return reporter


def stored(*, session: Session, reporter: Reporter) -> Reporter:
    """The reporter with its id: a new one not yet written is written now."""
    if reporter.id is None:
        session.flush()
    return reporter


def get_or_create_reporter(*, session: Session, telegram_user_id: int) -> Reporter:
    reporter = get_reporter(session=session, telegram_user_id=telegram_user_id)
    if reporter is None:
        reporter = create_reporter(session=session, telegram_user_id=telegram_user_id)
    return reporter


def get_draft(*, session: Session, reporter_id: int) -> Draft | None:
    return session.get(Draft, reporter_id)


def save_draft(*, session: Session, draft: Draft) -> None:
    draft.updated_at = utcnow()
    # The JSON column is edited in place, which SQLAlchemy cannot see by itself.
    if inspect(draft).persistent:
        flag_modified(draft, "data")
    session.add(draft)


def delete_draft(*, session: Session, reporter_id: int) -> None:
    draft = session.get(Draft, reporter_id)
    if draft is not None:
        session.delete(draft)


def reporter_of(*, session: Session, ticket: Ticket) -> Reporter:
    """The enterprise user who filed the ticket (always there: tickets keep their filer)."""
    reporter = session.get(Reporter, ticket.reporter_id)
    assert reporter is not None
    return reporter


def set_reporter_unreachable(
    *, session: Session, telegram_user_id: int, since: datetime | None
) -> Reporter | None:
    """Mark (``since`` set) or clear (None) that the enterprise blocked the bot."""
    reporter = get_reporter(session=session, telegram_user_id=telegram_user_id)
    if reporter is None:
        return None
    if since is None or reporter.unreachable_since is None:
        reporter.unreachable_since = since
        session.add(reporter)
    return reporter


def clear_reporter_unreachable(*, session: Session, telegram_user_id: int) -> None:
    """A message reached the enterprise again: it no longer blocks the bot."""
    session.execute(
        update(Reporter)
        .where(
            col(Reporter.telegram_user_id) == telegram_user_id,
            col(Reporter.unreachable_since).is_not(None),
        )
        .values(unreachable_since=None)
    )


#: Run by the sender for every round that reached enterprises: built once (its session
#: holds no reporter to refresh).
_REACHED = (
    update(Reporter)
    .where(
        col(Reporter.telegram_user_id).in_(bindparam("users", expanding=True)),
        col(Reporter.unreachable_since).is_not(None),
    )
    .values(unreachable_since=None)
    .execution_options(synchronize_session=False)
)


def clear_reporters_unreachable(*, session: Session, telegram_user_ids: Sequence[int]) -> None:
    """Messages reached these enterprises again: none of them blocks the bot any more."""
    if telegram_user_ids:
        session.execute(_REACHED, {"users": list(telegram_user_ids)})


def ticket_times_after(*, session: Session, reporter_id: int, after: datetime) -> list[datetime]:
    """When this reporter filed each ticket later than ``after``, oldest first."""
    return list(
        session.exec(
            select(Ticket.created_at)
            .where(Ticket.reporter_id == reporter_id, col(Ticket.created_at) > after)
            .order_by(col(Ticket.created_at))
        )
    )


def count_rate_events(
    *, session: Session, telegram_user_id: int, since: datetime
) -> list[datetime]:
    """When this user's counted messages arrived after ``since``, oldest first."""
    return list(
        session.exec(
            select(RateEvent.at)
            .where(
                RateEvent.telegram_user_id == telegram_user_id,
                RateEvent.kind == "message",
                col(RateEvent.at) > since,
            )
            .order_by(col(RateEvent.at))
        )
    )


def add_rate_event(*, session: Session, telegram_user_id: int, kind: str, at: datetime) -> None:
    session.add(RateEvent(telegram_user_id=telegram_user_id, kind=kind, at=at))
    session.flush()


def quiet_until(*, session: Session, telegram_user_id: int) -> datetime | None:
    """Until when this user was last told to wait (None: never, or forgotten)."""
    return session.exec(
        select(func.max(RateEvent.at)).where(
            RateEvent.telegram_user_id == telegram_user_id, RateEvent.kind == "told"
        )
    ).one()


def prune_rate_events(*, session: Session, telegram_user_id: int, before: datetime) -> None:
    session.execute(
        delete(RateEvent).where(
            col(RateEvent.telegram_user_id) == telegram_user_id, col(RateEvent.at) <= before
        )
    )
