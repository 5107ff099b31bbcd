"""The dispatcher's decisions on departments' requests: transfers and extensions."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.config import Settings
from bot.core import clocks, notices, permissions
from bot.core.lifecycle import Action, Status
from bot.core.notices import (
    Buttons,
    Keys,
    PostCard,
    RefreshCard,
    RemoveButtons,
    ToChat,
    ToDispatcher,
    ToEnterprise,
    UnderCard,
    Words,
    name_of,
    say,
)
from bot.core.permissions import Act, Actor, Refused
from bot.core.staff import record_prompt
from bot.core.tickets import refuse_excluded
from bot.core.transition import Who, transition
from storage import queries
from storage.models import Department, Purpose, Ticket, TicketRequest


def _request_purpose(request: TicketRequest) -> Purpose:
    """The purpose of the message that put ``request`` to the dispatcher."""
    return Purpose.TRANSFER_REQUEST if request.kind == "transfer" else Purpose.EXTENSION_REQUEST


def _open_request(
    session: Session,
    settings: Settings,
    request_id: int | None,
    actor: Actor,
    kind: str,
    act: Act,
) -> tuple[TicketRequest, Ticket]:
    permissions.for_dispatcher(act, session=session, settings=settings, actor=actor)
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
    label = say("btn_approve" if decision == "approved" else "btn_reject")
    message = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=_request_purpose(request)
    )
    if message is not None:
        # Take the buttons off the request and say under it who decided.
        post = partial(notices.post, session=session, settings=settings)
        post(
            ToDispatcher(
                ticket,
                Purpose.DECISION,
                say("request_decided", decision=label, who=actor.name),
                refers_to=message,
            )
        )
        post(RemoveButtons(message))


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
    permissions.for_dispatcher(Act.REJECT_REQUEST, session=session, settings=settings, actor=actor)
    request = queries.tickets.get_request(session=session, request_id=request_id or 0)
    if request is None:
        raise Refused("stale")
    request, ticket = _open_request(
        session, settings, request_id, actor, request.kind, Act.REJECT_REQUEST
    )
    message = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=_request_purpose(request)
    )
    asked = notices.post(
        ToDispatcher(
            ticket,
            Purpose.ASK_REJECT_REASON,
            say("ask_reject_reason", number=ticket.number),
            Buttons(Keys.FORCE_REPLY),
            meta={"request_id": request.id},
            refers_to=message,
        ),
        session=session,
        settings=settings,
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
    request, ticket = _open_request(
        session, settings, request_id, actor, "transfer", Act.APPROVE_TRANSFER
    )
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
    # The old department's card keeps what it knew (who accepted, its deadline), as moved.
    as_it_was = Ticket(**ticket.model_dump())
    ticket.department_id = new.id
    done = transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.APPROVE_TRANSFER,
        who=Who.dispatcher(actor),
        now=now,
        detail={"department": new.code, "from": old.code},
    )
    as_it_was.status = done.after
    post = partial(notices.post, session=session, settings=settings)
    post(RefreshCard(as_it_was, transferred_to=new))
    request.new_department_id = new.id
    _close_request(session, settings, request, ticket, actor, "approved", None, now)
    card = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=Purpose.CARD
    )
    moved = say("transfer_approved_old", number=ticket.number, department=name_of(new))
    post(ToChat(old, ticket, Purpose.NOTICE, moved, refers_to=card))
    post(PostCard(ticket, new))
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.TRANSFERRED,
            say("ent_transferred", number=ticket.number, department=name_of(new)),
        )
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
    permissions.for_dispatcher(Act.REJECT_REQUEST, session=session, settings=settings, actor=actor)
    request = queries.tickets.get_request(session=session, request_id=request_id or 0)
    if request is None:
        raise Refused("stale")
    request, ticket = _open_request(
        session, settings, request_id, actor, request.kind, Act.REJECT_REQUEST
    )
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.REJECT_TRANSFER if request.kind == "transfer" else Action.REJECT_EXTENSION,
        who=Who.dispatcher(actor),
        now=now,
        previous=Status(request.previous_status),
        detail={"reason": reason},
    )
    _close_request(session, settings, request, ticket, actor, "rejected", reason, now)
    rejected = (
        say("transfer_rejected_dept", reason=Words(reason), number=ticket.number)
        if request.kind == "transfer"
        else say(
            "extension_rejected_dept",
            reason=Words(reason),
            number=ticket.number,
            due=ticket.resolve_due,
        )
    )
    post = partial(notices.post, session=session, settings=settings)
    post(UnderCard(ticket, Purpose.NOTICE, rejected))
    post(RefreshCard(ticket))
    return ticket


def approve_extension(
    *, session: Session, settings: Settings, request_id: int | None, actor: Actor, now: datetime
) -> Ticket:
    """Move the resolve deadline by the granted working days; tell department and enterprise."""
    request, ticket = _open_request(
        session, settings, request_id, actor, "extension", Act.APPROVE_EXTENSION
    )
    days = request.days or 0
    # The record keeps the new deadline as the desk reads it, in its own time zone.
    zone = clocks.schedule_of(settings).zone
    due = clocks.extended_due(ticket, settings, days).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.APPROVE_EXTENSION,
        who=Who.dispatcher(actor),
        now=now,
        days=days,
        detail={"days": days, "due": due},
    )
    _close_request(session, settings, request, ticket, actor, "approved", None, now)
    post = partial(notices.post, session=session, settings=settings)
    post(
        UnderCard(
            ticket,
            Purpose.NOTICE,
            say("extension_approved_dept", number=ticket.number, due=ticket.resolve_due),
        )
    )
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.EXTENSION,
            say(
                "ent_extension",
                reason=Words(request.reason_text or ""),
                number=ticket.number,
                due=ticket.resolve_due,
            ),
        )
    )
    post(RefreshCard(ticket))
    return ticket
