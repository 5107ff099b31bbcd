"""Routing's storage: trained models and the desk's own labelled history.

Keyword-only queries returning plain storage types; nothing here knows the classifier
(bot/core/routing turns bytes into a model and history into training examples).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Category, RoutingModelRow, Ticket, TicketEvent

#: The events by which a person chose the department: the dispatcher assigning a ticket
#: (unrouted, or re-assigned) and an approved transfer. A rejected transfer chooses nothing.
#: (bot.core.lifecycle.Action.ASSIGN and APPROVE_TRANSFER.)
LABELLING_ACTIONS = ("assign", "approve_transfer")
#: Tickets whose department is not settled (or was never handled) give no label.
UNSETTLED_STATUSES = ("submitted", "unrouted", "transfer_requested", "withdrawn")


@dataclass(frozen=True)
class StoredModel:
    """One stored model version: its facts and (when loaded) its bytes."""

    id: int
    version: str
    trained_at: datetime
    accuracy: float
    n_examples: int
    sklearn_version: str
    data: bytes


@dataclass(frozen=True)
class HistoryExample:
    """A ticket the desk has labelled itself: its text, category and final department."""

    ticket_number: str
    text: str
    category: str
    department: str
    conduct: bool


def save_model(
    *,
    session: Session,
    version: str,
    trained_at: datetime,
    accuracy: float,
    n_examples: int,
    sklearn_version: str,
    data: bytes,
) -> StoredModel:
    """Store a new version and make it the active one (older versions stay, inactive).

    A version already stored (the same examples trained again within a second) is made
    active again rather than stored twice.
    """
    session.execute(update(RoutingModelRow).where(col(RoutingModelRow.active)).values(active=False))
    existing = session.exec(
        select(RoutingModelRow).where(col(RoutingModelRow.version) == version)
    ).first()
    if existing is not None:
        existing.active = True
        session.add(existing)
        session.flush()
        return _stored(existing)
    row = RoutingModelRow(
        version=version,
        trained_at=trained_at,
        accuracy=accuracy,
        n_examples=n_examples,
        sklearn_version=sklearn_version,
        data=data,
        active=True,
    )
    session.add(row)
    session.flush()
    return _stored(row)


def active_model_version(*, session: Session) -> str | None:
    """The version every instance should route with: the newest active row (cheap: no bytes).

    Two instances training at once may both leave a row active; the newest wins for all.
    """
    return session.exec(
        select(RoutingModelRow.version)
        .where(col(RoutingModelRow.active))
        .order_by(col(RoutingModelRow.id).desc())
        .limit(1)
    ).first()


def active_model(*, session: Session) -> StoredModel | None:
    """The active model with its bytes, or None on a fresh install."""
    row = session.exec(
        select(RoutingModelRow)
        .where(col(RoutingModelRow.active))
        .order_by(col(RoutingModelRow.id).desc())
        .limit(1)
    ).first()
    return _stored(row) if row is not None else None


def routing_history_examples(*, session: Session, limit: int = 10_000) -> list[HistoryExample]:
    """The newest ``limit`` tickets whose department a person chose, labelled with it.

    Label = the department of the last dispatcher assignment or approved transfer, for a
    ticket whose department is settled now (not withdrawn, unrouted or awaiting a transfer
    decision). A ticket only ever routed by the desk itself teaches nothing new.
    """
    labelled = (
        select(TicketEvent.ticket_id)
        .where(col(TicketEvent.action).in_(LABELLING_ACTIONS))
        .distinct()
    )
    tickets = session.execute(
        sa_select(
            col(Ticket.id),
            col(Ticket.number),
            col(Ticket.description),
            col(Ticket.conduct),
            col(Category.code),
        )
        .join(Category, col(Category.id) == col(Ticket.category_id))
        .where(col(Ticket.id).in_(labelled))
        .where(col(Ticket.status).not_in(UNSETTLED_STATUSES))
        .order_by(col(Ticket.id).desc())
        .limit(limit)
    ).all()
    if not tickets:
        return []
    final: dict[int, str] = {}
    events = session.exec(
        select(TicketEvent.ticket_id, TicketEvent.detail)
        .where(col(TicketEvent.ticket_id).in_([t[0] for t in tickets]))
        .where(col(TicketEvent.action).in_(LABELLING_ACTIONS))
        .order_by(col(TicketEvent.id))
    ).all()
    for ticket_id, detail in events:
        department = (detail or {}).get("department")
        if isinstance(department, str) and department:
            final[ticket_id] = department  # later events overwrite earlier ones
    return [
        HistoryExample(
            ticket_number=number,
            text=text,
            category=category,
            department=final[ticket_id],
            conduct=conduct,
        )
        for ticket_id, number, text, conduct, category in reversed(tickets)
        if ticket_id in final
    ]


def _stored(row: RoutingModelRow) -> StoredModel:
    assert row.id is not None
    return StoredModel(
        id=row.id,
        version=row.version,
        trained_at=row.trained_at,
        accuracy=row.accuracy,
        n_examples=row.n_examples,
        sklearn_version=row.sklearn_version,
        data=row.data,
    )


__all__ = [
    "HistoryExample",
    "StoredModel",
    "active_model",
    "active_model_version",
    "routing_history_examples",
    "save_model",
]
