"""What department staff do to a ticket from their group, re-authorised on every action.

Each function checks that the chat is bound to the ticket's current department, that the
person may act for it (``bot/core/permissions.for_department``: a current member of the bound chat,
on the staff list if there is one), and that the lifecycle allows the move; then it writes the
new state, a TicketEvent and the outbox rows (card edit, message to the enterprise).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core import clocks, notices, prompts
from bot.core.lifecycle import RELAYS_STAFF_REPLIES, Action, Status
from bot.core.notices import (
    Buttons,
    CopyToEnterprise,
    DeskCard,
    Keys,
    RefreshCard,
    Say,
    ToDispatcher,
    ToEnterprise,
    UnderCard,
    Words,
    name_of,
    say,
)
from bot.core.permissions import Act, Actor, Refused, for_department
from bot.core.transition import Who, check, transition
from storage import queries
from storage.models import (
    Department,
    Outbox,
    Purpose,
    Ticket,
    TicketMessage,
    TicketRequest,
)

TRANSFER_REASONS = ("not_ours", "wrong_area", "overlap", "other")


def _act(
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    action: Action,
    now: datetime,
    **detail: Any,
) -> Status:
    """A department's transition; the state it left."""
    return transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=action,
        who=Who.staff(actor),
        now=now,
        detail=detail,
    ).before


def refuse_conduct_transfer(ticket: Ticket) -> None:
    """A conduct ticket is moved only by the dispatcher: a department asking to pass it on
    could steer it to the people complained about."""
    if ticket.conduct:
        raise Refused("conduct_transfer", ticket)


def accept(
    *, session: Session, settings: Settings, ticket: Ticket, actor: Actor, now: datetime
) -> None:
    """签收: record who accepted; the enterprise hears only "the department"."""
    department = for_department(Act.ACCEPT, session=session, ticket=ticket, actor=actor)
    _act(session, settings, ticket, actor, Action.ACCEPT, now, department=department.code)
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    post = partial(notices.post, session=session, settings=settings)
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.ACCEPTED,
            say("ent_accepted", number=ticket.number, department=name_of(department)),
        )
    )
    post(RefreshCard(ticket))


def record_prompt(*, session: Session, asked: Outbox | None, actor: Actor, now: datetime) -> None:
    """The question ``asked`` was put to this actor here (see bot/core/prompts.py)."""
    prompts.record(
        session=session,
        asked=asked,
        user_id=actor.user_id,
        chat_id=actor.chat_id,
        thread_id=actor.thread_id,
        now=now,
    )


def prompt(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    action: str,
    now: datetime,
) -> None:
    """A button that needs more first: post a question under the card (ForceReply for
    words, or the buttons to choose from), recorded as the actor's open prompt."""
    for_department(Act.PROMPT, session=session, ticket=ticket, actor=actor)
    ticket_id = ticket.id or 0
    needs = {
        "ask_info": (
            Action.ASK_INFO,
            "ask_question",
            Purpose.ASK_QUESTION,
            Buttons(Keys.FORCE_REPLY),
        ),
        "resolve": (
            Action.RESOLVE,
            "ask_resolution",
            Purpose.ASK_RESOLUTION,
            Buttons(Keys.FORCE_REPLY),
        ),
        "transfer": (
            Action.REQUEST_TRANSFER,
            "ask_transfer_reason",
            Purpose.TRANSFER_REASONS,
            Buttons(Keys.TRANSFER_REASONS, ticket_id, TRANSFER_REASONS),
        ),
        "extension": (
            Action.REQUEST_EXTENSION,
            "ask_extension_days",
            Purpose.EXTENSION_DAYS,
            Buttons(Keys.EXTENSION_DAYS, ticket_id, tuple(settings.workflow.extension_days)),
        ),
    }
    if action not in needs:
        raise Refused("stale", ticket)
    if action == "transfer":
        refuse_conduct_transfer(ticket)
    lifecycle_action, key, purpose, buttons = needs[action]
    check(ticket, lifecycle_action)
    asked = notices.post(
        UnderCard(ticket, purpose, say(key, number=ticket.number), buttons),
        session=session,
        settings=settings,
    )
    record_prompt(session=session, asked=asked, actor=actor, now=now)


def ask_info(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    question: str,
    now: datetime,
) -> None:
    """需补充材料: the question goes to the enterprise; the resolve clock pauses."""
    department = for_department(Act.ASK_INFO, session=session, ticket=ticket, actor=actor)
    check(ticket, Action.ASK_INFO)
    _store_staff_message(session, ticket, department, actor, question, now)
    _act(
        session,
        settings,
        ticket,
        actor,
        Action.ASK_INFO,
        now,
        text=question,
        department=department.code,
    )
    post = partial(notices.post, session=session, settings=settings)
    post(
        _tell_enterprise(
            session,
            ticket,
            Purpose.QUESTION,
            _in_the_name_of(department, ticket, "ent_question", question),
            Buttons(Keys.FORCE_REPLY),
        )
    )
    post(RefreshCard(ticket))


def _tell_enterprise(
    session: Session, ticket: Ticket, purpose: Purpose, said: Say, buttons: Buttons | None = None
) -> ToEnterprise:
    """A staff text to the enterprise, with its buttons."""
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    return ToEnterprise(reporter, ticket, purpose, said, buttons)


def _in_the_name_of(department: Department, ticket: Ticket, key: str, text: str) -> Say:
    """Staff's own words in the department's name (never a person's)."""
    return say(key, body=text, department=name_of(department), number=ticket.number)


def resolve(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    resolution: str,
    now: datetime,
) -> None:
    """办结: the enterprise receives the resolution with the five rating buttons."""
    department = for_department(Act.RESOLVE, session=session, ticket=ticket, actor=actor)
    check(ticket, Action.RESOLVE)
    ticket.resolution = resolution
    _store_staff_message(session, ticket, department, actor, resolution, now)
    _act(
        session,
        settings,
        ticket,
        actor,
        Action.RESOLVE,
        now,
        text=resolution,
        department=department.code,
    )
    post = partial(notices.post, session=session, settings=settings)
    post(
        _tell_enterprise(
            session,
            ticket,
            Purpose.RESOLUTION,
            _in_the_name_of(department, ticket, "ent_resolved", resolution),
            Buttons(Keys.RATING, ticket.id or 0),
        )
    )
    post(RefreshCard(ticket))


def request_transfer(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    reason_code: str,
    reason_text: str | None,
    now: datetime,
) -> TicketRequest:
    """转办/退单: goes to the dispatcher with a department picker and a reject button."""

    department = for_department(Act.REQUEST_TRANSFER, session=session, ticket=ticket, actor=actor)
    refuse_conduct_transfer(ticket)
    if reason_code not in TRANSFER_REASONS:
        raise Refused("stale", ticket)
    # The record keeps the reason as it came: a reason's code, or the words given for "other".
    reason = reason_text or reason_code
    before = _act(
        session,
        settings,
        ticket,
        actor,
        Action.REQUEST_TRANSFER,
        now,
        reason=reason,
        department=department.code,
    )
    prompts.done_with(
        session=session,
        ticket_id=ticket.id or 0,
        user_id=actor.user_id,
        chat_id=actor.chat_id,
        now=now,
    )
    request = TicketRequest(
        ticket_id=ticket.id or 0,
        kind="transfer",
        department_id=department.id or 0,
        previous_status=before,
        reason_code=reason_code,
        reason_text=reason_text,
        requested_by=actor.user_id,
        requested_by_name=actor.name,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    # A listed reason is shown by its name, what was written after it.
    named = () if reason_code == "other" else (say(f"transfer_reasons.{reason_code}"),)
    targets = [
        (d.code, name_of(d))
        for d in queries.zone.handling_departments(session=session)
        if d.id != department.id
    ]
    post = partial(notices.post, session=session, settings=settings)
    post(
        ToDispatcher(
            ticket,
            Purpose.TRANSFER_REQUEST,
            say(
                "transfer_request",
                reason=Words(reason_text or "", lead=named),
                number=ticket.number,
                department=name_of(department),
                who=actor.name,
                card=DeskCard(ticket),
            ),
            Buttons(Keys.TRANSFER_TO, options=(request.id or 0, *targets)),
            meta={"request_id": request.id},
        )
    )
    post(RefreshCard(ticket))
    return request


def check_extension_days(settings: Settings, days: int, ticket: Ticket) -> None:
    """Only the working days the desk offers (callback_data is untrusted)."""
    if days not in settings.workflow.extension_days:
        raise Refused("stale", ticket)


def request_extension(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    days: int,
    reason: str,
    now: datetime,
) -> TicketRequest:
    """申请延期: the dispatcher approves or rejects; the enterprise hears the outcome."""

    department = for_department(Act.REQUEST_EXTENSION, session=session, ticket=ticket, actor=actor)
    check_extension_days(settings, days, ticket)
    before = _act(
        session,
        settings,
        ticket,
        actor,
        Action.REQUEST_EXTENSION,
        now,
        days=days,
        reason=reason,
        department=department.code,
    )
    request = TicketRequest(
        ticket_id=ticket.id or 0,
        kind="extension",
        department_id=department.id or 0,
        previous_status=before,
        reason_code="extension",
        reason_text=reason,
        days=days,
        requested_by=actor.user_id,
        requested_by_name=actor.name,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    new_due = clocks.extended_due(ticket, settings, days)
    post = partial(notices.post, session=session, settings=settings)
    post(
        ToDispatcher(
            ticket,
            Purpose.EXTENSION_REQUEST,
            say(
                "extension_request",
                reason=Words(reason),
                number=ticket.number,
                department=name_of(department),
                who=actor.name,
                days=days,
                old_due=ticket.resolve_due,
                new_due=new_due,
            ),
            Buttons(Keys.APPROVE_REJECT, options=(request.id or 0,)),
            meta={"request_id": request.id},
        )
    )
    post(RefreshCard(ticket))
    return request


def _store_staff_message(
    session: Session,
    ticket: Ticket,
    department: Department,
    actor: Actor,
    text: str | None,
    now: datetime,
    attachment: dict[str, Any] | None = None,
) -> TicketMessage:
    message = TicketMessage(
        ticket_id=ticket.id or 0,
        author="department",
        author_id=actor.user_id,
        author_name=actor.name,
        department_id=department.id,
        text=text,
        file_kind=attachment["kind"] if attachment else None,
        file_id=attachment["file_id"] if attachment else None,
        file_name=attachment.get("file_name") if attachment else None,
        source_chat_id=attachment["chat_id"] if attachment else None,
        source_message_id=attachment["message_id"] if attachment else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def reply(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    text: str | None,
    attachment: dict[str, Any] | None,
    now: datetime,
) -> None:
    """A staff member's Telegram reply, relayed to the enterprise as 【部门】…

    The first one is the first answer (首次答复); answering an assigned ticket accepts it.
    """
    department = for_department(Act.REPLY, session=session, ticket=ticket, actor=actor)
    if Status(ticket.status) is Status.ASSIGNED:
        accept(session=session, settings=settings, ticket=ticket, actor=actor, now=now)
    if Status(ticket.status) not in RELAYS_STAFF_REPLIES:
        raise Refused("closed", ticket)
    _store_staff_message(session, ticket, department, actor, text, now, attachment)
    _act(
        session,
        settings,
        ticket,
        actor,
        Action.REPLY,
        now,
        text=text or "",
        first=ticket.first_reply_at is None,
        department=department.code,
    )
    post = partial(notices.post, session=session, settings=settings)
    relayed = _in_the_name_of(department, ticket, "ent_relay", text or "")
    if attachment is None:
        post(_tell_enterprise(session, ticket, Purpose.RELAY, relayed))
    else:
        post(
            CopyToEnterprise(
                queries.reporters.reporter_of(session=session, ticket=ticket),
                ticket,
                Purpose.RELAY,
                relayed,
                file_kind=attachment["kind"],
                from_chat_id=attachment["chat_id"],
                message_id=attachment["message_id"],
            )
        )
    post(RefreshCard(ticket))
