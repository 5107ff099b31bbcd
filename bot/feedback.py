"""The enterprise's side of the conversation: replies to the department, ratings, comments."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from sqlmodel import Session

from bot import notify, tickets
from bot.clocks import ticket_targets
from bot.config import Settings
from bot.lifecycle import ACCEPTS_INFO, Action, Status
from bot.metrics import SATISFIED_FROM
from bot.permissions import Refused
from bot.screens import Name, Screen
from bot.sla import Schedule, add_working_time, deadlines, working_time_between
from bot.staff import _move
from bot.texts import texts_for
from bot.views import clip, fmt_time, force_reply, message_parts
from storage import queries
from storage.models import Outbox, Reporter, Ticket, TicketMessage


def _own(session: Session, reporter: Reporter, ticket_id: int | None) -> Ticket | None:
    ticket = queries.tickets.get_ticket(session=session, ticket_id=ticket_id) if ticket_id else None
    return ticket if ticket is not None and ticket.reporter_id == reporter.id else None


def reply_target(
    *, session: Session, reporter: Reporter, replied_message_id: int | None
) -> Outbox | None:
    """The desk's message the enterprise answered, if it belongs to one of its tickets."""
    if replied_message_id is None:
        return None
    row = queries.outbox.outbox_for_message(
        session=session, chat_id=reporter.telegram_user_id, message_id=replied_message_id
    )
    if row is None or _own(session, reporter, row.ticket_id) is None:
        return None
    return row


def asking_ticket(*, session: Session, reporter: Reporter) -> Ticket | None:
    """The one ticket whose department last asked this enterprise for information — still
    waiting, or answered and not yet taken up again — if exactly one is. While it asks, the
    enterprise's loose messages belong to it (with a way out: :func:`take_back`)."""
    asking = queries.tickets.tickets_asking(session=session, reporter_id=reporter.id or 0)
    return asking[0] if len(asking) == 1 else None


def enterprise_reply(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    ticket: Ticket,
    text: str | None,
    attachment: dict[str, Any] | None,
    now: datetime,
    answering: Outbox | None = None,
) -> Screen:
    """Text or files from the enterprise on a ticket, relayed under the department's card."""
    status = Status(ticket.status)
    if answering is not None and answering.purpose == "ask_comment" and text:
        return comment(
            session=session, settings=settings, reporter=reporter, ticket=ticket, text=text, now=now
        )
    if status not in ACCEPTS_INFO:
        return Screen(Name.TICKET_OVER, {"number": ticket.number, "status": ticket.status})
    if not text and attachment is None:
        return Screen(Name.UNSUPPORTED)
    message = TicketMessage(
        ticket_id=ticket.id or 0,
        author="enterprise",
        text=text,
        file_kind=attachment["kind"] if attachment else None,
        file_id=attachment["file_id"] if attachment else None,
        file_name=attachment.get("file_name") if attachment else None,
        source_chat_id=attachment["chat_id"] if attachment else None,
        source_message_id=attachment["message_id"] if attachment else None,
        created_at=now,
    )
    queries.tickets.add_ticket_messages(session=session, messages=[message])
    action = "enterprise_replied"
    if status is Status.WAITING_INFO:
        _move(ticket, Action.INFO_RECEIVED, now)
        resume_clock(ticket, settings, now)
        action = "info_received"
    ticket.updated_at = now
    session.add(ticket)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action=action,
        from_status=status,
        detail={"text": text} if text else {},
    )
    _relay_to_handlers(session, settings, ticket, message)
    if action == "info_received":
        notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return Screen(Name.INFO_FORWARDED, {"number": ticket.number, "message_id": message.id})


def own_addition(
    *, session: Session, reporter: Reporter, message_id: int | None
) -> tuple[Ticket, TicketMessage] | None:
    """A message this enterprise added to one of its tickets after filing it, if it still is."""
    message = (
        queries.tickets.get_ticket_message(session=session, message_id=message_id)
        if message_id
        else None
    )
    ticket = _own(session, reporter, message.ticket_id) if message is not None else None
    if message is None or ticket is None or message.author != "enterprise":
        return None
    if message.created_at <= ticket.created_at:
        return None  # the filing's own evidence was never a loose message
    return ticket, message


def take_back(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    message_id: int | None,
    now: datetime,
) -> tuple[Ticket, TicketMessage] | None:
    """这是新问题，另起工单: the enterprise's message leaves the ticket it was added to.

    Only that message: the ticket's state and everything else on it stay. The department
    hears it under the card (the copy it already received stays in its chat). None when the
    message is not the enterprise's own, or already taken back.
    """
    found = own_addition(session=session, reporter=reporter, message_id=message_id)
    if found is None:
        return None
    ticket, message = found
    taken = TicketMessage(**message.model_dump(exclude={"id"}))
    queries.tickets.delete_ticket_message(session=session, message=message)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="info_taken_back",
        from_status=ticket.status,
        detail={"text": taken.text} if taken.text else {},
    )
    t = texts_for(settings.desk.default_language)
    what = escape(clip(taken.text, 200)) if taken.text else t.dept_taken_back_file
    tickets.tell_handlers(
        session, ticket, t.dept_info_taken_back.format(number=ticket.number, what=what)
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return ticket, taken


def resume_clock(ticket: Ticket, settings: Settings, now: datetime) -> None:
    """Waiting for the enterprise pauses the resolve clock: move the deadline by the pause."""
    if ticket.waiting_since is not None:
        schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
        paused = working_time_between(ticket.waiting_since, now, schedule)
        ticket.resolve_due = add_working_time(
            ticket.resolve_due, paused.total_seconds() / 3600, schedule
        )
    ticket.waiting_since = None


def _relay_to_handlers(
    session: Session, settings: Settings, ticket: Ticket, message: TicketMessage
) -> None:
    t = texts_for(settings.desk.default_language)
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else queries.zone.get_department_by_role(session=session, role="dispatcher")
    )
    if department is None:
        return
    purpose = "card" if ticket.department_id else "dispatch"
    card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id or 0, purpose=purpose)
    if message.file_id:
        row = notify.copy_evidence(
            session=session,
            settings=settings,
            department=department,
            ticket=ticket,
            message=message,
            card=card,
        )
        row.purpose = "enterprise_file"
        return
    notify.to_chat(
        session=session,
        department=department,
        ticket=ticket,
        purpose="enterprise_reply",
        refers_to=card,
        text=message_parts(t.enterprise_says, message.text or "", number=ticket.number),
    )


def rate(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    ticket_id: int | None,
    stars: int,
    now: datetime,
) -> Screen:
    """满意度: satisfied closes; 差评 reopens to the same department, up to the limit."""
    ticket = _own(session, reporter, ticket_id)
    if ticket is None or stars not in range(1, 6):
        return Screen(Name.UNKNOWN_TICKET)
    t = texts_for(reporter.language)
    group = texts_for(settings.desk.default_language)
    try:
        if stars >= SATISFIED_FROM:
            before = _move(ticket, Action.RATE_SATISFIED, now)
            ticket.closed_at = now
        elif ticket.reopen_count < settings.workflow.max_reopens:
            before = _move(ticket, Action.REOPEN, now)
        else:
            before = _move(ticket, Action.REOPEN_TO_DISPATCHER, now)
    except Refused:
        return Screen(Name.STALE_BUTTON)
    ticket.rating = stars
    session.add(ticket)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="rated",
        from_status=before,
        detail={"rating": stars},
    )
    zone = Schedule.from_settings(settings.sla, settings.desk.timezone).zone
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    name = ""
    if department is not None:
        name = department.local_name(reporter.language)
    if Status(ticket.status) is Status.CLOSED:
        text = t.ent_thanks.format(number=ticket.number)
        notify.refresh_card(session=session, settings=settings, ticket=ticket)
    elif Status(ticket.status) is Status.ACCEPTED:
        ticket.reopen_count += 1
        ticket.resolution = ticket.resolved_at = None
        schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
        targets = ticket_targets(session=session, settings=settings, ticket=ticket)
        ticket.resolve_due = deadlines(now, targets, schedule).resolve_due
        queries.tickets.add_event(
            session=session,
            ticket=ticket,
            actor="enterprise",
            actor_id=reporter.telegram_user_id,
            action="reopened",
            from_status=Status.RESOLVED,
            detail={"count": ticket.reopen_count},
        )
        due = fmt_time(ticket.resolve_due, zone)
        notify.under_card(
            session=session,
            settings=settings,
            ticket=ticket,
            purpose="notice",
            text=group.reopened_dept.format(
                number=ticket.number, due=due, rating=group.ratings[stars]
            ),
        )
        notify.to_dispatcher(
            session=session,
            ticket=ticket,
            purpose="notice",
            text=group.reopened_dispatch.format(
                number=ticket.number,
                count=ticket.reopen_count,
                department=escape(department.name if department else ""),
            ),
        )
        notify.refresh_card(session=session, settings=settings, ticket=ticket)
        text = t.ent_reopened.format(number=ticket.number, due=due, department=escape(name))
    else:
        notify.refresh_card(session=session, settings=settings, ticket=ticket)
        ticket.department_id = None
        queries.tickets.add_event(
            session=session,
            ticket=ticket,
            actor="system",
            actor_id=None,
            action="reopened_to_dispatcher",
            from_status=Status.RESOLVED,
        )
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        assert dispatcher is not None
        card = notify.post_card(
            session=session, settings=settings, ticket=ticket, department=dispatcher
        )
        notify.to_dispatcher(
            session=session,
            ticket=ticket,
            purpose="notice",
            refers_to=card,
            text=group.reopen_limit_dispatch.format(
                number=ticket.number, count=ticket.reopen_count, rating=group.ratings[stars]
            ),
        )
        text = t.ent_reopen_limit.format(number=ticket.number)
    session.add(ticket)
    notify.to_reporter(
        session=session, reporter=reporter, ticket=ticket, purpose="rated", text=text
    )
    ask = notify.to_reporter(
        session=session,
        reporter=reporter,
        ticket=ticket,
        purpose="ask_comment",
        text=t.ent_ask_comment,
    )
    ask.payload = {**ask.payload, "reply_markup": force_reply(reporter.language or "zh")}
    return Screen(Name.RATED)


def comment(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    ticket: Ticket,
    text: str,
    now: datetime,
) -> Screen:
    ticket.rating_comment = (
        text if not ticket.rating_comment else f"{ticket.rating_comment}\n{text}"
    )
    ticket.updated_at = now
    session.add(ticket)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="rating_comment",
        from_status=ticket.status,
        detail={"text": text},
    )
    group = texts_for(settings.desk.default_language)
    body = message_parts(group.enterprise_comment_dept, text, number=ticket.number)
    if ticket.department_id:
        notify.under_card(
            session=session, settings=settings, ticket=ticket, text=body, purpose="notice"
        )
    else:
        notify.to_dispatcher(session=session, ticket=ticket, text=body, purpose="notice")
    return Screen(Name.COMMENT_SAVED)
