"""What department staff do to a ticket from their group, re-authorised on every action.

Each function checks that the chat is bound to the ticket's current department, that the
person may act for it (``bot/permissions.for_department``: a current member of the bound chat,
on the staff list if there is one), and that the lifecycle allows the move; then it writes the
new state, a TicketEvent and the outbox rows (card edit, message to the enterprise).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import callbacks as cb
from bot import notices, notify, prompts
from bot.config import Settings
from bot.lifecycle import (
    RELAYS_STAFF_REPLIES,
    Action,
    IllegalTransition,
    Status,
    check_transition,
)
from bot.notices import RefreshCard, ToEnterprise, name_of, say
from bot.permissions import Actor, Refused, for_department
from bot.sla import Schedule, add_working_time
from bot.texts import Texts, texts_for
from bot.views import (
    CAPTION_LIMIT,
    CAPTIONED_KINDS,
    card_text,
    choice_keyboard,
    fmt_time,
    force_reply,
    message_parts,
    rating_keyboard,
)
from storage import queries
from storage.models import (
    Department,
    Outbox,
    Purpose,
    Reporter,
    Ticket,
    TicketMessage,
    TicketRequest,
)

TRANSFER_REASONS = ("not_ours", "wrong_area", "overlap", "other")


def _move(ticket: Ticket, action: Action, now: datetime, previous: Status | None = None) -> Status:
    before = Status(ticket.status)
    try:
        ticket.status = check_transition(before, action, previous=previous)
    except IllegalTransition:
        raise Refused("state", ticket) from None
    ticket.updated_at = now
    return before


def _event(
    session: Session, ticket: Ticket, actor: Actor, action: str, before: str | None, **detail: Any
) -> None:
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="staff",
        actor_id=actor.user_id,
        action=action,
        from_status=before,
        detail={"by": actor.name, **detail},
    )


def refuse_conduct_transfer(ticket: Ticket) -> None:
    """A conduct ticket is moved only by the dispatcher: a department asking to pass it on
    could steer it to the people complained about."""
    if ticket.conduct:
        raise Refused("conduct_transfer", ticket)


def accept(
    *, session: Session, settings: Settings, ticket: Ticket, actor: Actor, now: datetime
) -> None:
    """签收: record who accepted; the enterprise hears only "the department"."""
    department = for_department(session=session, ticket=ticket, actor=actor)
    before = _move(ticket, Action.ACCEPT, now)
    ticket.accepted_at, ticket.accepted_by, ticket.accepted_by_name = now, actor.user_id, actor.name
    session.add(ticket)
    _event(session, ticket, actor, "accepted", before, department=department.code)
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
    """The question ``asked`` was put to this actor here (see bot/prompts.py)."""
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
    for_department(session=session, ticket=ticket, actor=actor)
    language = settings.desk.default_language
    t = texts_for(language)
    needs = {
        "ask_info": (Action.ASK_INFO, t.ask_question, "ask_question"),
        "resolve": (Action.RESOLVE, t.ask_resolution, "ask_resolution"),
        "transfer": (Action.REQUEST_TRANSFER, t.ask_transfer_reason, "transfer_reasons"),
        "extension": (Action.REQUEST_EXTENSION, t.ask_extension_days, "extension_days"),
    }
    if action not in needs:
        raise Refused("stale", ticket)
    if action == "transfer":
        refuse_conduct_transfer(ticket)
    lifecycle_action, template, purpose = needs[action]
    try:
        check_transition(Status(ticket.status), lifecycle_action)
    except IllegalTransition:
        raise Refused("state", ticket) from None

    markup: dict[str, Any]
    if action == "transfer":
        markup = choice_keyboard(
            [
                (t.transfer_reasons[r], cb.make(cb.TRANSFER_REASON, ticket.id or 0, r))
                for r in TRANSFER_REASONS
            ]
        ).to_dict()
    elif action == "extension":
        markup = choice_keyboard(
            [
                (str(d), cb.make(cb.EXTENSION_DAYS, ticket.id or 0, d))
                for d in settings.workflow.extension_days
            ],
            5,
        ).to_dict()
    else:
        markup = force_reply(language)
    asked = notify.under_card(
        session=session,
        settings=settings,
        ticket=ticket,
        purpose=purpose,
        text=template.format(number=ticket.number),
        reply_markup=markup,
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
    department = for_department(session=session, ticket=ticket, actor=actor)
    before = _move(ticket, Action.ASK_INFO, now)
    ticket.waiting_since = now
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now  # a question to the enterprise is a first answer too
    session.add(ticket)
    _store_staff_message(session, ticket, department, actor, question, now)
    _event(session, ticket, actor, "asked_info", before, text=question, department=department.code)
    _tell_enterprise(
        session,
        ticket,
        department,
        purpose="question",
        text=question,
        template=lambda t: t.ent_question,
        markup=lambda language: force_reply(language),
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)


def _tell_enterprise(
    session: Session,
    ticket: Ticket,
    department: Department,
    *,
    purpose: str,
    text: str,
    template: Callable[[Texts], str],
    markup: Callable[[str], dict[str, Any]],
) -> None:
    """A staff text to the enterprise in the department's name, with its buttons."""
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    language = reporter.language or "zh"
    notify.to_reporter(
        session=session,
        reporter=reporter,
        ticket=ticket,
        purpose=purpose,
        text=message_parts(
            template(texts_for(language)),
            text,
            department=escape(department.local_name(language)),
            number=ticket.number,
        ),
        reply_markup=markup(language),
    )


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
    department = for_department(session=session, ticket=ticket, actor=actor)
    before = _move(ticket, Action.RESOLVE, now)
    ticket.resolution, ticket.resolved_at, ticket.waiting_since = resolution, now, None
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now
    session.add(ticket)
    _store_staff_message(session, ticket, department, actor, resolution, now)
    _event(session, ticket, actor, "resolved", before, text=resolution, department=department.code)
    _tell_enterprise(
        session,
        ticket,
        department,
        purpose="resolution",
        text=resolution,
        template=lambda t: t.ent_resolved,
        markup=lambda language: rating_keyboard(ticket.id or 0, language).to_dict(),
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)


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

    department = for_department(session=session, ticket=ticket, actor=actor)
    refuse_conduct_transfer(ticket)
    if reason_code not in TRANSFER_REASONS:
        raise Refused("stale", ticket)
    before = _move(ticket, Action.REQUEST_TRANSFER, now)
    session.add(ticket)
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
    language = settings.desk.default_language
    t = texts_for(language)
    reason = t.transfer_reasons[reason_code] if reason_code != "other" else ""
    reason = "；".join(part for part in (reason, reason_text or "") if part)
    _event(
        session,
        ticket,
        actor,
        "transfer_requested",
        before,
        reason=reason,
        department=department.code,
    )
    view = notify.card_view(session=session, ticket=ticket, for_desk=True)
    choices = [
        (
            d.local_name(language),
            cb.make(cb.TRANSFER_TO, request.id or 0, d.code),
        )
        for d in queries.zone.handling_departments(session=session)
        if d.id != department.id
    ]
    choices.append((t.btn_reject, cb.make(cb.DECIDE, request.id or 0, "reject")))
    notify.to_dispatcher(
        session=session,
        ticket=ticket,
        purpose="transfer_request",
        meta={"request_id": request.id},
        text=message_parts(
            t.transfer_request,
            reason,
            slot="reason",
            number=ticket.number,
            department=escape(department.local_name(language)),
            who=escape(actor.name),
            card=card_text(view, language, ZoneInfo(settings.desk.timezone)),
        ),
        reply_markup=choice_keyboard(choices).to_dict(),
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return request


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

    department = for_department(session=session, ticket=ticket, actor=actor)
    if days not in settings.workflow.extension_days:
        raise Refused("stale", ticket)
    before = _move(ticket, Action.REQUEST_EXTENSION, now)
    session.add(ticket)
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
    _event(
        session,
        ticket,
        actor,
        "extension_requested",
        before,
        days=days,
        reason=reason,
        department=department.code,
    )
    language = settings.desk.default_language
    t = texts_for(language)
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    new_due = add_working_time(ticket.resolve_due, days * schedule.hours_per_day, schedule)
    zone = ZoneInfo(settings.desk.timezone)
    notify.to_dispatcher(
        session=session,
        ticket=ticket,
        purpose="extension_request",
        meta={"request_id": request.id},
        text=message_parts(
            t.extension_request,
            reason,
            slot="reason",
            number=ticket.number,
            department=escape(department.local_name(language)),
            who=escape(actor.name),
            days=days,
            old_due=fmt_time(ticket.resolve_due, zone),
            new_due=fmt_time(new_due, zone),
        ),
        reply_markup=choice_keyboard(
            [
                (t.btn_approve, cb.make(cb.DECIDE, request.id or 0, "approve")),
                (t.btn_reject, cb.make(cb.DECIDE, request.id or 0, "reject")),
            ]
        ).to_dict(),
    )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
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
    department = for_department(session=session, ticket=ticket, actor=actor)
    if Status(ticket.status) is Status.ASSIGNED:
        accept(session=session, settings=settings, ticket=ticket, actor=actor, now=now)
    if Status(ticket.status) not in RELAYS_STAFF_REPLIES:
        raise Refused("closed", ticket)
    _store_staff_message(session, ticket, department, actor, text, now, attachment)
    first = ticket.first_reply_at is None
    if first:
        ticket.first_reply_at = now
    ticket.updated_at = now
    session.add(ticket)
    _event(
        session,
        ticket,
        actor,
        "replied",
        ticket.status,
        text=text or "",
        first=first,
        department=department.code,
    )
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    t = texts_for(reporter.language)
    name = escape(department.local_name(reporter.language))
    if attachment is None:
        notify.to_reporter(
            session=session,
            reporter=reporter,
            ticket=ticket,
            purpose="relay",
            text=message_parts(t.ent_relay, text or "", department=name, number=ticket.number),
        )
    elif attachment["kind"] in CAPTIONED_KINDS:
        # The first part is the copy's caption (1024 at most); the rest follows as text.
        caption, *rest = message_parts(
            t.ent_relay,
            text or "",
            first_limit=CAPTION_LIMIT,
            department=name,
            number=ticket.number,
        )
        queries.outbox.add_outbox(
            session=session, row=_copy_to_reporter(reporter, ticket, attachment, caption)
        )
        if rest:
            notify.to_reporter(
                session=session, reporter=reporter, ticket=ticket, purpose="relay", text=rest
            )
    else:
        # A video note cannot carry a caption: the words first, then the copy.
        notify.to_reporter(
            session=session,
            reporter=reporter,
            ticket=ticket,
            purpose="relay",
            text=message_parts(t.ent_relay, text or "", department=name, number=ticket.number),
        )
        queries.outbox.add_outbox(
            session=session, row=_copy_to_reporter(reporter, ticket, attachment)
        )
    notify.refresh_card(session=session, settings=settings, ticket=ticket)


def _copy_to_reporter(
    reporter: Reporter, ticket: Ticket, attachment: dict[str, Any], caption: str | None = None
) -> Outbox:
    payload: dict[str, Any] = {
        "from_chat_id": attachment["chat_id"],
        "message_id": attachment["message_id"],
    }
    if caption is not None:
        payload.update(caption=caption, parse_mode="HTML")
    return Outbox(
        method="copyMessage",
        chat_id=reporter.telegram_user_id,
        ticket_id=ticket.id,
        purpose="relay",
        payload=payload,
    )
