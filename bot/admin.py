"""Admin actions: binding chats to departments and the department overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlmodel import Session

from bot.config import Settings
from bot.texts import texts_for
from storage import queries


def is_admin(settings: Settings, user_id: int | None) -> bool:
    return user_id is not None and user_id in settings.desk.admins


@dataclass(frozen=True)
class BindResult:
    department_name: str
    released: int


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
        raise LookupError(department_code)
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
    language = settings.desk.default_language
    return BindResult(department.local_name(language), released)


def department_codes(*, session: Session, settings: Settings) -> str:
    language = settings.desk.default_language
    return "\n".join(
        f"{d.code} — {escape(d.local_name(language))}"
        for d in queries.zone.list_departments(session=session)
    )


def departments_overview(*, session: Session, settings: Settings) -> str:
    t = texts_for(settings.desk.default_language)
    counts = queries.tickets.open_ticket_counts(session=session)
    lines = [t.departments_header]
    for d in queries.zone.list_departments(session=session):
        chat = t.departments_unbound
        if d.chat_id is not None:
            chat = f"{d.chat_id}" + (f"/{d.thread_id}" if d.thread_id else "")
        name = d.local_name(settings.desk.default_language)
        lines.append(
            t.departments_row.format(
                code=d.code, name=escape(name), chat=chat, open=counts.get(d.id or 0, 0)
            )
        )
    return "\n".join(lines)


def unbind(*, session: Session, chat_id: int, thread_id: int | None) -> str | None:
    """Unbind the department bound to this chat (topic); its new messages are held."""
    department = queries.zone.get_department_by_chat(
        session=session, chat_id=chat_id, thread_id=thread_id
    )
    if department is None:
        return None
    department.chat_id = department.thread_id = None
    session.add(department)
    return department.name


def is_served_chat(*, session: Session, chat_id: int) -> bool:
    """Whether any department is bound to this chat (or one of its topics)."""
    return any(d.chat_id == chat_id for d in queries.zone.list_departments(session=session))


def ticket_overview(
    *,
    session: Session,
    settings: Settings,
    number: str,
    reveal_identity: bool,
    for_desk: bool = False,
) -> str | None:
    """/ticket: what the desk knows, with the audit trail.

    The enterprise's Telegram id only with ``reveal_identity`` (an admin's private chat);
    company and contact in full only ``for_desk`` (private, or the dispatcher's chat) —
    elsewhere as the enterprise allowed departments to see them, like its card.
    """
    from zoneinfo import ZoneInfo

    from bot.views import clip, fmt_time
    from storage.models import Reporter

    ticket = queries.tickets.get_ticket_by_number(session=session, number=number.upper())
    if ticket is None:
        return None
    language = settings.desk.default_language
    t = texts_for(language)
    zone = ZoneInfo(settings.desk.timezone)
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    reporter = session.get(Reporter, ticket.reporter_id)
    telegram = "—"
    if reveal_identity and reporter is not None:
        telegram = f"id {reporter.telegram_user_id}"
    visibility = "all" if ticket.share_contact else "company" if ticket.share_company else "none"
    show_company = for_desk or ticket.share_company
    show_contact = for_desk or ticket.share_contact
    trail = []
    for event in queries.tickets.ticket_events(session=session, ticket_id=ticket.id or 0):
        who = event.detail.get("by") or event.actor
        extra = {k: v for k, v in event.detail.items() if k != "by"}
        line = f"{fmt_time(event.at, zone)} · {event.action} · {who}"
        if extra:
            line += " · " + ", ".join(f"{k}={clip(str(v), 80)}" for k, v in extra.items())
        trail.append(escape(line))

    def when(moment: datetime | None) -> str:
        return fmt_time(moment, zone) if moment else "—"

    text = t.ticket_admin.format(
        number=ticket.number,
        kind=t.kind_names.get(ticket.kind, ticket.kind),
        status=t.status_names.get(ticket.status, ticket.status),
        category=escape(category.name if category else ""),
        department=escape(department.name if department else t.unrouted_department),
        company=escape(ticket.company_name) if show_company else "—",
        uscc=escape(ticket.uscc or "—") if show_company else "—",
        contact=escape(ticket.contact_name) if show_contact else "—",
        phone=escape(ticket.phone) if show_contact else "—",
        telegram=telegram,
        visibility=t.visibility[visibility],
        accepted=escape(
            f"{ticket.accepted_by_name} {when(ticket.accepted_at)}"
            if ticket.accepted_by_name
            else "—"
        ),
        first_reply=when(ticket.first_reply_at),
        accept_due=when(ticket.accept_due),
        first_reply_due=when(ticket.first_reply_due),
        resolve_due=when(ticket.resolve_due),
        rating=t.ratings.get(ticket.rating or 0, "—"),
        reopens=ticket.reopen_count,
        description=escape(clip(ticket.description, 1500)),
        trail="\n".join(trail[-40:]),
    )
    return text
