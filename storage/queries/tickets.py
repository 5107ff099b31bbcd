"""Queries on tickets: numbers, events, messages, pending requests, and counts over them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from storage.models import (
    Department,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketMessage,
    TicketRequest,
)
from storage.queries._common import IDS_PER_QUERY, upsert_insert
from storage.statuses import OPEN_STATES


def next_ticket_sequence(*, session: Session, day: str) -> int:
    """Atomically take the next number of ``day`` (safe across processes)."""
    insert = upsert_insert(session)
    statement = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(
            index_elements=["day"],
            set_={"last": TicketCounter.last + 1},
        )
        .returning(col(TicketCounter.last))
    )
    value = session.execute(statement).scalar_one()
    return int(value)


def get_ticket(*, session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def get_ticket_by_number(*, session: Session, number: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.number == number)).first()


def tickets_of_reporter(*, session: Session, reporter_id: int, limit: int = 10) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == reporter_id)
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
            .limit(limit)
        )
    )


def ticket_events(*, session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.at), col(TicketEvent.id))
        )
    )


def ticket_messages(*, session: Session, ticket_id: int) -> list[TicketMessage]:
    return list(
        session.exec(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(col(TicketMessage.id))
        )
    )


def ticket_messages_of(
    *, session: Session, ticket_ids: Sequence[int]
) -> dict[int, list[TicketMessage]]:
    """:func:`ticket_messages` for many tickets in one query per few hundred."""
    found: dict[int, list[TicketMessage]] = {ticket_id: [] for ticket_id in ticket_ids}
    for start in range(0, len(ticket_ids), IDS_PER_QUERY):
        rows = session.exec(
            select(TicketMessage)
            .where(
                col(TicketMessage.ticket_id).in_(list(ticket_ids[start : start + IDS_PER_QUERY]))
            )
            .order_by(col(TicketMessage.id))
        )
        for row in rows:
            found.setdefault(row.ticket_id, []).append(row)
    return found


def add_ticket_messages(*, session: Session, messages: Sequence[TicketMessage]) -> None:
    session.add_all(messages)
    session.flush()


def get_ticket_message(*, session: Session, message_id: int) -> TicketMessage | None:
    return session.get(TicketMessage, message_id)


def delete_ticket_message(*, session: Session, message: TicketMessage) -> None:
    session.delete(message)
    session.flush()


def add_event(
    *,
    session: Session,
    ticket: Ticket,
    actor: str,
    actor_id: int | None,
    action: str,
    from_status: str | None,
    detail: dict[str, Any] | None = None,
) -> TicketEvent:
    assert ticket.id is not None
    event = TicketEvent(
        ticket_id=ticket.id,
        actor=actor,
        actor_id=actor_id,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        detail=detail or {},
    )
    session.add(event)
    return event


def pending_request(*, session: Session, ticket_id: int) -> TicketRequest | None:
    return session.exec(
        select(TicketRequest).where(
            TicketRequest.ticket_id == ticket_id, TicketRequest.status == "pending"
        )
    ).first()


def pending_requests_of(*, session: Session, ticket_ids: Sequence[int]) -> dict[int, TicketRequest]:
    """:func:`pending_request` for many tickets in one query per few hundred."""
    found: dict[int, TicketRequest] = {}
    for start in range(0, len(ticket_ids), IDS_PER_QUERY):
        rows = session.exec(
            select(TicketRequest)
            .where(
                col(TicketRequest.ticket_id).in_(list(ticket_ids[start : start + IDS_PER_QUERY])),
                TicketRequest.status == "pending",
            )
            .order_by(col(TicketRequest.id))
        )
        for row in rows:
            found.setdefault(row.ticket_id, row)
    return found


def get_request(*, session: Session, request_id: int) -> TicketRequest | None:
    return session.get(TicketRequest, request_id)


def tickets_waiting_for(*, session: Session, reporter_id: int) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket).where(Ticket.reporter_id == reporter_id, Ticket.status == "waiting_info")
        )
    )


def tickets_asking(*, session: Session, reporter_id: int) -> list[Ticket]:
    """The reporter's tickets whose department's latest act was a question to it (ask_info):
    still waiting for the answer, or answered and not yet taken up again."""
    latest = (
        select(
            col(TicketEvent.ticket_id).label("ticket_id"),
            func.max(TicketEvent.id).label("last_id"),
        )
        .where(TicketEvent.actor == "staff")
        .group_by(col(TicketEvent.ticket_id))
        .subquery()
    )
    return list(
        session.exec(
            select(Ticket)
            .join(latest, latest.c.ticket_id == Ticket.id)
            .join(TicketEvent, col(TicketEvent.id) == latest.c.last_id)
            .where(
                Ticket.reporter_id == reporter_id,
                col(Ticket.status).in_(("waiting_info", "accepted")),
                TicketEvent.action == "ask_info",  # bot.core.lifecycle.Action.ASK_INFO
            )
            .order_by(col(Ticket.id))
        )
    )


def open_ticket_counts(*, session: Session) -> dict[int, int]:
    rows = session.exec(
        select(Ticket.department_id, func.count())
        .where(col(Ticket.status).in_([s.value for s in OPEN_STATES]))
        .group_by(col(Ticket.department_id))
    )
    return {dept: count for dept, count in rows if dept is not None}


def ticket_counts_by_status(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(Ticket.status, func.count()).group_by(col(Ticket.status)))
    return {status: int(count) for status, count in rows}


def overdue_counts(*, session: Session, now: datetime) -> list[tuple[str | None, str, int]]:
    """(department code, clock, open tickets past that deadline), as bot/core/clocks counts them.

    One query per clock, each bounded by its indexed deadline column (as chase_candidates).
    """
    open_states = [s.value for s in OPEN_STATES]
    running = [s for s in open_states if s != "waiting_info"]
    clocks = {
        "accept": and_(col(Ticket.accepted_at).is_(None), col(Ticket.accept_due) <= now),
        "first_reply": and_(
            col(Ticket.first_reply_at).is_(None), col(Ticket.first_reply_due) <= now
        ),
        "resolve": and_(col(Ticket.status).in_(running), col(Ticket.resolve_due) <= now),
    }
    found: list[tuple[str | None, str, int]] = []
    for clock, condition in clocks.items():
        rows = session.exec(
            select(Department.code, func.count())
            .select_from(Ticket)
            .join(Department, col(Department.id) == col(Ticket.department_id), isouter=True)
            .where(condition, col(Ticket.status).in_(open_states))
            .group_by(col(Department.code))
        )
        found.extend((code, clock, int(count)) for code, count in rows)
    return found


def chase_candidates(*, session: Session, horizon: datetime) -> list[Ticket]:
    """Open tickets with a clock running out before ``horizon`` (indexed on each deadline)."""
    open_states = [s.value for s in OPEN_STATES]
    running = [s for s in open_states if s != "waiting_info"]
    query = (
        select(Ticket)
        .where(
            col(Ticket.status).in_(open_states),
            or_(
                and_(col(Ticket.accepted_at).is_(None), col(Ticket.accept_due) <= horizon),
                and_(col(Ticket.first_reply_at).is_(None), col(Ticket.first_reply_due) <= horizon),
                and_(col(Ticket.status).in_(running), col(Ticket.resolve_due) <= horizon),
            ),
        )
        .order_by(col(Ticket.id))
    )
    return list(session.exec(query))


def resolved_before(*, session: Session, before: datetime) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket).where(Ticket.status == "resolved", col(Ticket.resolved_at) <= before)
        )
    )
