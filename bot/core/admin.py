"""Admin actions and look-ups, as data: binding chats, the departments, a ticket's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.core.refusals import Refused
from storage import queries
from storage.models import Category, Department, Reporter, Ticket, TicketEvent


@dataclass(frozen=True)
class BindResult:
    department: Department
    released: int
    topic: bool  # a forum topic was bound, not the whole group


def bind(
    *,
    session: Session,
    settings: Settings,
    department_code: str,
    chat_id: int,
    thread_id: int | None,
    actor_id: int,
    now: datetime,
) -> BindResult:
    """Bind a chat (or forum topic) to a department; messages held for it are released.

    A chat can serve one department, so an earlier binding of the same chat is undone.
    """
    department = queries.zone.get_department_by_code(session=session, code=department_code.lower())
    if department is None or not department.active:
        raise Refused("unknown_department")
    previous = queries.zone.get_department_by_chat(
        session=session, chat_id=chat_id, thread_id=thread_id
    )
    if previous is not None and previous.id != department.id:
        previous.chat_id, previous.thread_id = None, None
        session.add(previous)
    department.chat_id, department.thread_id = chat_id, thread_id
    department.bound_at, department.bound_by = now, actor_id
    session.add(department)
    assert department.id is not None
    released = queries.outbox.release_held_outbox(
        session=session, department_id=department.id, chat_id=chat_id, thread_id=thread_id
    )
    return BindResult(department, released, thread_id is not None)


def departments(*, session: Session) -> list[Department]:
    """The zone's departments, as /bind and /assign list their codes."""
    return list(queries.zone.list_departments(session=session))


@dataclass(frozen=True)
class DepartmentRow:
    """One line of /departments: a department, where it is bound, its open tickets."""

    department: Department
    open_tickets: int


def departments_overview(*, session: Session) -> list[DepartmentRow]:
    counts = queries.tickets.open_ticket_counts(session=session)
    return [
        DepartmentRow(d, counts.get(d.id or 0, 0))
        for d in queries.zone.list_departments(session=session)
    ]


def unbind(*, session: Session, chat_id: int, thread_id: int | None) -> Department | None:
    """Unbind the department bound to this chat (topic); its new messages are held."""
    department = queries.zone.get_department_by_chat(
        session=session, chat_id=chat_id, thread_id=thread_id
    )
    if department is None:
        return None
    department.chat_id = department.thread_id = None
    session.add(department)
    return department


def is_served_chat(*, session: Session, chat_id: int) -> bool:
    """Whether any department is bound to this chat (or one of its topics)."""
    return any(d.chat_id == chat_id for d in queries.zone.list_departments(session=session))


@dataclass(frozen=True)
class TicketOverview:
    """What /ticket shows: the ticket, its audit trail, and what this chat may see of it."""

    ticket: Ticket
    category: Category | None
    department: Department | None
    telegram_user_id: int | None  # the enterprise's Telegram id, only where it may be shown
    show_company: bool
    show_contact: bool
    events: list[TicketEvent]


def ticket_overview(
    *,
    session: Session,
    number: str,
    reveal_identity: bool,
    for_desk: bool = False,
) -> TicketOverview | None:
    """/ticket: what the desk knows, with the audit trail.

    The enterprise's Telegram id only with ``reveal_identity`` (an admin's private chat);
    company and contact in full only ``for_desk`` (private, or the dispatcher's chat) —
    elsewhere as the enterprise allowed departments to see them, like its card.
    """
    ticket = queries.tickets.get_ticket_by_number(session=session, number=number.upper())
    if ticket is None:
        return None
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    reporter = session.get(Reporter, ticket.reporter_id)
    return TicketOverview(
        ticket=ticket,
        category=category,
        department=department,
        telegram_user_id=(
            reporter.telegram_user_id if reveal_identity and reporter is not None else None
        ),
        show_company=for_desk or ticket.share_company,
        show_contact=for_desk or ticket.share_contact,
        events=list(queries.tickets.ticket_events(session=session, ticket_id=ticket.id or 0)),
    )
