"""Queries on 同类诉求 groups (commongroup) and the tickets that search for similar ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from storage.models import CommonGroup, Ticket
from storage.statuses import Status


def indexable_tickets(
    *,
    session: Session,
    since: datetime,
    after_id: int = 0,
    below_id: int | None = None,
) -> list[tuple[int, int, datetime, str]]:
    """(id, reporter id, filed at, description) of the tickets filed since ``since`` with
    an id above ``after_id`` (and below ``below_id``), conduct complaints and withdrawn
    tickets left out, in id order."""
    statement = (
        select(Ticket.id, Ticket.reporter_id, Ticket.created_at, Ticket.description)
        .where(col(Ticket.created_at) >= since)
        .where(col(Ticket.id) > after_id)
        .where(col(Ticket.conduct).is_(False))
        .where(Ticket.status != Status.WITHDRAWN)
        .order_by(col(Ticket.id))
    )
    if below_id is not None:
        statement = statement.where(col(Ticket.id) < below_id)
    return [(int(i or 0), int(r), at, text) for i, r, at, text in session.exec(statement)]


def get_group(*, session: Session, group_id: int) -> CommonGroup | None:
    return session.get(CommonGroup, group_id)


def add_group(*, session: Session, group: CommonGroup) -> CommonGroup:
    session.add(group)
    session.flush()
    return group


def members(*, session: Session, group_id: int) -> list[Ticket]:
    """The group's tickets, oldest first."""
    return list(
        session.exec(
            select(Ticket).where(Ticket.common_group_id == group_id).order_by(col(Ticket.id))
        )
    )


class GroupMember(NamedTuple):
    """What a card says of a group's member: no ORM object, no text, no JSON."""

    id: int
    number: str
    status: str
    reporter_id: int
    department_id: int | None


_MEMBER_FACTS = (
    columns(
        col(Ticket.id),
        col(Ticket.number),
        col(Ticket.status),
        col(Ticket.reporter_id),
        col(Ticket.department_id),
    )
    .where(col(Ticket.common_group_id) == bindparam("group"))
    .order_by(col(Ticket.id))
)


def member_facts(*, session: Session, group_id: int) -> list[GroupMember]:
    """The group's tickets as :class:`GroupMember`, oldest first: every card refresh reads
    them, and loading a large group's full rows (descriptions, JSON) cost most of a relay."""
    return [
        GroupMember(int(i or 0), n, s, int(r), d)
        for i, n, s, r, d in session.execute(_MEMBER_FACTS, {"group": group_id})
    ]


def tickets_by_ids(*, session: Session, ticket_ids: Sequence[int]) -> list[Ticket]:
    if not ticket_ids:
        return []
    return list(session.exec(select(Ticket).where(col(Ticket.id).in_(list(ticket_ids)))))


def open_tickets_of_reporter(
    *, session: Session, reporter_id: int, statuses: Sequence[str]
) -> list[Ticket]:
    """The reporter's tickets in ``statuses``, newest first."""
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == reporter_id)
            .where(col(Ticket.status).in_(list(statuses)))
            .order_by(col(Ticket.id).desc())
        )
    )
