"""The dispatcher's decisions on departments' requests: transfers and extensions."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlmodel import Session

from bot import notify, permissions
from bot.clocks import ticket_targets
from bot.config import Settings
from bot.lifecycle import Action, Status
from bot.permissions import Actor, Refused
from bot.sla import Schedule, add_working_time
from bot.staff import _move, record_prompt
from bot.texts import texts_for
from bot.tickets import refuse_excluded
from bot.views import fmt_time, force_reply, message_parts
from storage import queries
from storage.models import Department, Ticket, TicketRequest


def _open_request(
    session: Session, settings: Settings, request_id: int | None, actor: Actor, kind: str
) -> tuple[TicketRequest, Ticket]:
    permissions.for_dispatcher(session=session, settings=settings, actor=actor)
    request = queries.tickets.get_request(session=session, request_id=request_id or 0)
    if request is None or request.kind != kind or request.status != "pending":
        raise Refused("stale")
    ticket = queries.tickets.get_ticket(session=session, ticket_id=request.ticket_id)
    assert ticket is not None
    return request, ticket


def _close_request(
    session: Session,
    settings: Settings,
    request: TicketRequest,
    ticket: Ticket,
    actor: Actor,
    decision: str,
    note: str | None,
    now: datetime,
) -> None:
    request.status, request.decided_by, request.decided_by_name = (
        decision,
        actor.user_id,
        actor.name,
    )
    request.decided_at, request.decision_note = now, note
    session.add(request)
    t = texts_for(settings.desk.default_language)
    label = t.btn_approve if decision == "approved" else t.btn_reject
    message = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=f"{request.kind}_request"
    )
    if message is not None:
        # Take the buttons off the request and say under it who decided.
        notify.to_dispatcher(
            session=session,
            ticket=ticket,
            purpose="decision",
            text=t.request_decided.format(decision=label, who=escape(actor.name)),
            refers_to=message,
        )
        queries.outbox.add_outbox(session=session, row=notify.edit_markup(message))


def ask_reject_reason(
    *,
    session: Session,
    settings: Settings,
    request_id: int | None,
    actor: Actor,
    now: datetime,
) -> None:
    """Rejecting needs a reason: ask for it under the request (ForceReply)."""
    # Checked before saying whether the request exists.
    permissions.for_dispatcher(session=session, settings=settings, actor=actor)
    request = queries.tickets.get_request(session=session, request_id=request_id or 0)
    if request is None:
        raise Refused("stale")
    request, ticket = _open_request(session, settings, request_id, actor, request.kind)
    message = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=f"{request.kind}_request"
    )
    t = texts_for(settings.desk.default_language)
    asked = notify.to_dispatcher(
        session=session,
        ticket=ticket,
        purpose="ask_reject_reason",
        text=t.ask_reject_reason.format(number=ticket.number),
        reply_markup=force_reply(settings.desk.default_language),
        meta={"request_id": request.id},
        refers_to=message,
    )
    record_prompt(session=session, asked=asked, actor=actor, now=now)


def _department(session: Session, department_id: int | None) -> Department:
    department = (
        queries.zone.get_department(session=session, department_id=department_id)
        if department_id
        else None
    )
    assert department is not None
    return department


def approve_transfer(
    *,
    session: Session,
    settings: Settings,
    request_id: int | None,
    department_code: str,
    actor: Actor,
    now: datetime,
) -> Department:
    """Re-route to the chosen department: old card marked, new card posted, enterprise told."""
    request, ticket = _open_request(session, settings, request_id, actor, "transfer")
    new = queries.zone.get_department_by_code(session=session, code=department_code)
    if (
        new is None
        or not new.active
        or new.role not in queries.zone.HANDLING_ROLES
        or new.id == request.department_id
    ):
        raise Refused("stale")
    refuse_excluded(ticket, new.code)
    old = _department(session, request.department_id)
    before = _move(ticket, Action.APPROVE_TRANSFER, now)
    notify.refresh_card(session=session, settings=settings, ticket=ticket, transferred_to=new)
    ticket.department_id = new.id
    ticket.accepted_at = ticket.accepted_by = ticket.accepted_by_name = None
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    targets = ticket_targets(session=session, settings=settings, ticket=ticket)
    ticket.accept_due = add_working_time(now, targets.accept_hours, schedule)
    session.add(ticket)
    request.new_department_id = new.id
    _close_request(session, settings, request, ticket, actor, "approved", None, now)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="dispatcher",
        actor_id=actor.user_id,
        action="transfer_approved",
        from_status=before,
        detail={"department": new.code, "from": old.code, "by": actor.name},
    )
    language = settings.desk.default_language
    old_notice = texts_for(language).transfer_approved_old.format(
        number=ticket.number, department=escape(new.local_name(language))
    )
    card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id or 0, purpose="card")
    notify.to_department(
        session=session,
        department=old,
        ticket=ticket,
        purpose="notice",
        method="sendMessage",
        refers_to=card,
        payload={"text": old_notice, "parse_mode": "HTML"},
    )
    notify.post_card(session=session, settings=settings, ticket=ticket, department=new)
    notify.tell_reporter_department(
        session=session,
        ticket=ticket,
        department=new,
        purpose="transferred",
        template=lambda t: t.ent_transferred,
    )
    return new


def reject(
    *,
    session: Session,
    settings: Settings,
    request_id: int | None,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Ticket:
    """Reject a transfer (the department keeps it) or an extension (the deadline stays)."""
    permissions.for_dispatcher(session=session, settings=settings, actor=actor)
    request = queries.tickets.get_request(session=session, request_id=request_id or 0)
    if request is None:
        raise Refused("stale")
    request, ticket = _open_request(session, settings, request_id, actor, request.kind)
    if request.kind == "transfer":
        before = _move(
            ticket, Action.REJECT_TRANSFER, now, previous=Status(request.previous_status)
        )
    else:
        before = _move(ticket, Action.DECIDE_EXTENSION, now)
    session.add(ticket)
    _close_request(session, settings, request, ticket, actor, "rejected", reason, now)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="dispatcher",
        actor_id=actor.user_id,
        action=f"{request.kind}_rejected",
        from_status=before,
        detail={"reason": reason, "by": actor.name},
    )
    t = texts_for(settings.desk.default_language)
    zone = Schedule.from_settings(settings.sla, settings.desk.timezone).zone
    text = (
        message_parts(t.transfer_rejected_dept, reason, slot="reason", number=ticket.number)
        if request.kind == "transfer"
        else message_parts(
            t.extension_rejected_dept,
            reason,
            slot="reason",
            number=ticket.number,
            due=fmt_time(ticket.resolve_due, zone),
        )
    )
    notify.under_card(
        session=session, settings=settings, ticket=ticket, text=text, purpose="notice"
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return ticket


def approve_extension(
    *, session: Session, settings: Settings, request_id: int | None, actor: Actor, now: datetime
) -> Ticket:
    """Move the resolve deadline by the granted working days; tell department and enterprise."""
    request, ticket = _open_request(session, settings, request_id, actor, "extension")
    before = _move(ticket, Action.DECIDE_EXTENSION, now)
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    days = request.days or 0
    ticket.resolve_due = add_working_time(
        ticket.resolve_due, days * schedule.hours_per_day, schedule
    )
    session.add(ticket)
    _close_request(session, settings, request, ticket, actor, "approved", None, now)
    due = fmt_time(ticket.resolve_due, schedule.zone)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="dispatcher",
        actor_id=actor.user_id,
        action="extension_approved",
        from_status=before,
        detail={"days": days, "due": due, "by": actor.name},
    )
    t = texts_for(settings.desk.default_language)
    notify.under_card(
        session=session,
        settings=settings,
        ticket=ticket,
        purpose="notice",
        text=t.extension_approved_dept.format(number=ticket.number, due=due),
    )
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    notify.to_reporter(
        session=session,
        reporter=reporter,
        ticket=ticket,
        purpose="extension",
        text=message_parts(
            texts_for(reporter.language).ent_extension,
            request.reason_text or "",
            slot="reason",
            number=ticket.number,
            due=due,
        ),
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return ticket
