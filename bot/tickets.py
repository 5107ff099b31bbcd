"""Ticket state changes: each one checks the actor, moves the state, writes an event and
the outbox rows it causes, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import desk_routing, notify
from bot.config import Settings
from bot.lifecycle import ACCEPTS_INFO, Action, IllegalTransition, Status, check_transition
from bot.permissions import Refused
from bot.routing import RoutingDecision
from bot.screens import Label, Name, Screen
from bot.sla import Schedule, deadlines
from bot.texts import texts_for
from bot.views import NAME_LIMIT, clip, fmt_time, message_parts
from storage import queries
from storage.models import Department, Draft, Reporter, Ticket, TicketMessage


class NotAllowed(Exception):
    """The actor may not do this; the handler answers with a refusal."""


def ticket_number(*, session: Session, settings: Settings, now: datetime) -> str:
    day = now.astimezone(ZoneInfo(settings.desk.timezone)).strftime("%Y%m%d")
    sequence = queries.tickets.next_ticket_sequence(session=session, day=day)
    return f"{settings.desk.ticket_prefix}-{day}-{sequence:04d}"


def conduct_answer(draft: Draft) -> bool | None:
    """The enterprise's answer to the conduct question (None: not asked or not answered)."""
    answer = draft.data.get("conduct_answer")
    return answer if isinstance(answer, bool) else None


def draft_decision(*, session: Session, settings: Settings, draft: Draft) -> RoutingDecision:
    """Where the draft would go now, with the enterprise's conduct answer if it gave one."""
    return desk_routing.decide(
        session=session,
        settings=settings,
        text=draft.data.get("description") or "",
        category=draft.data.get("category"),
        conduct_answer=conduct_answer(draft),
    )


def submit_ticket(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    draft: Draft,
    now: datetime,
    decision: RoutingDecision | None = None,
) -> Ticket:
    """Turn a confirmed draft into a routed ticket, its events and its notifications.

    A conduct complaint goes to the discipline office and records the departments it must
    never reach; a decision without a department leaves the ticket to the dispatcher,
    whose card offers the model's best three.
    """
    assert reporter.id is not None
    data = draft.data
    category = queries.zone.get_category_by_code(session=session, code=data["category"])
    assert category is not None and category.id is not None
    description: str = data["description"]
    if decision is None:
        decision = draft_decision(session=session, settings=settings, draft=draft)
    department = (
        queries.zone.get_department_by_code(session=session, code=decision.department)
        if decision.department
        else None
    )
    if department is not None and not department.active:
        department = None
    answered = conduct_answer(draft)
    targets = settings.sla.targets(category=category.code, priority=category.priority)
    due = deadlines(now, targets, Schedule.from_settings(settings.sla, settings.desk.timezone))
    visibility = data.get("visibility", "none")
    ticket = Ticket(
        number=ticket_number(session=session, settings=settings, now=now),
        kind=data.get("kind", "complaint"),
        priority=category.priority,
        status=Status.SUBMITTED,
        category_id=category.id,
        department_id=None,
        reporter_id=reporter.id,
        description=description,
        company_name=data.get("company") or "",
        uscc=data.get("uscc"),
        contact_name=data.get("contact_name") or "",
        phone=data.get("phone") or "",
        share_company=visibility in ("all", "company"),
        share_contact=visibility == "all",
        route_reason=decision.reason.value,
        route_keyword=decision.rule,
        route_confidence=decision.confidence,
        route_top=[[code, round(p, 4)] for code, p in decision.top],
        conduct=decision.is_conduct,
        conduct_answer=answered,
        route_excluded=sorted(decision.excluded),
        accept_due=due.accept_due,
        first_reply_due=due.first_reply_due,
        resolve_due=due.resolve_due,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    assert ticket.id is not None
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="submitted",
        from_status=None,
        detail={"kind": ticket.kind},
    )
    if answered is not None:
        queries.tickets.add_event(
            session=session,
            ticket=ticket,
            actor="enterprise",
            actor_id=reporter.telegram_user_id,
            action="conduct_answered",
            from_status=Status.SUBMITTED,
            detail={"answer": "yes" if answered else "no"},
        )
    queries.tickets.add_ticket_messages(
        session=session,
        messages=[
            TicketMessage(
                ticket_id=ticket.id,
                author="enterprise",
                text=item.get("caption"),
                file_kind=item["kind"],
                file_id=item["file_id"],
                file_name=item.get("file_name"),
                source_chat_id=item["chat_id"],
                source_message_id=item["message_id"],
                created_at=now,
            )
            for item in data.get("evidence") or []
        ],
    )
    if department is not None:
        _move(session, ticket, Action.ROUTE, now)
        ticket.department_id = department.id
        queries.tickets.add_event(
            session=session,
            ticket=ticket,
            actor="system",
            actor_id=None,
            action="routed",
            from_status=Status.SUBMITTED,
            detail={
                "department": department.code,
                "reason": decision.reason.value,
                "keyword": decision.rule,
                "confidence": round(decision.confidence, 4),
                "conduct": ticket.conduct,
            },
        )
        target = department
    else:
        _move(session, ticket, Action.LEAVE_UNROUTED, now)
        queries.tickets.add_event(
            session=session,
            ticket=ticket,
            actor="system",
            actor_id=None,
            action="unrouted",
            from_status=Status.SUBMITTED,
            detail={"reason": decision.reason.value, "top": ticket.route_top},
        )
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        assert dispatcher is not None, "the zone has no dispatcher department"
        target = dispatcher
    session.add(ticket)
    session.flush()
    _remember_profile(reporter, data, now)
    session.add(reporter)
    session.delete(draft)
    notify.submitted_ack(
        session=session, settings=settings, reporter=reporter, ticket=ticket, department=department
    )
    notify.post_card(session=session, settings=settings, ticket=ticket, department=target)
    return ticket


def _remember_profile(reporter: Reporter, data: dict[str, Any], now: datetime) -> None:
    """Keep the company details so the next ticket can reuse them in one tap."""
    reporter.company_name = data.get("company") or reporter.company_name
    reporter.uscc = data.get("uscc") or reporter.uscc
    reporter.contact_name = data.get("contact_name") or reporter.contact_name
    reporter.phone = data.get("phone") or reporter.phone
    reporter.updated_at = now


def _move(session: Session, ticket: Ticket, action: Action, now: datetime) -> Status:
    previous = Status(ticket.status)
    ticket.status = check_transition(previous, action)
    ticket.updated_at = now
    return previous


# --- the enterprise's own tickets ---------------------------------------------------------


def _own_ticket(session: Session, reporter: Reporter, ticket_id: int | None) -> Ticket | None:
    """A ticket only if it belongs to this reporter; others' tickets look just like missing."""
    ticket = queries.tickets.get_ticket(session=session, ticket_id=ticket_id) if ticket_id else None
    if ticket is None or ticket.reporter_id != reporter.id:
        return None
    return ticket


def _department_label(session: Session, ticket: Ticket) -> Label:
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    if department is None:
        zh, en = texts_for("zh"), texts_for("en")
        return Label(zh.unrouted_department, en.unrouted_department)
    return Label(department.name, department.name_en)


def my_tickets(*, session: Session, settings: Settings, reporter: Reporter) -> Screen:
    assert reporter.id is not None
    zone = ZoneInfo(settings.desk.timezone)
    rows = []
    for ticket in queries.tickets.tickets_of_reporter(session=session, reporter_id=reporter.id):
        category = queries.zone.get_category(session=session, category_id=ticket.category_id)
        assert category is not None
        rows.append(
            {
                "id": ticket.id,
                "number": ticket.number,
                "category": Label(category.name, category.name_en),
                "department": _department_label(session, ticket),
                "status": ticket.status,
                "updated": fmt_time(ticket.updated_at, zone),
            }
        )
    return Screen(Name.MY_LIST, {"tickets": rows})


def ticket_detail(
    *, session: Session, settings: Settings, reporter: Reporter, ticket_id: int | None
) -> Screen:
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    zone = ZoneInfo(settings.desk.timezone)
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    assert category is not None
    departments = {
        d.code: Label(d.name, d.name_en) for d in queries.zone.list_departments(session=session)
    }
    history = []
    for event in queries.tickets.ticket_events(session=session, ticket_id=ticket.id or 0):
        detail: dict[str, Any] = dict(event.detail)
        if "department" in detail:
            detail["department"] = departments.get(detail["department"], detail["department"])
        history.append((fmt_time(event.at, zone), event.action, detail))
    status = Status(ticket.status)
    return Screen(
        Name.TICKET_DETAIL,
        {
            "id": ticket.id,
            "number": ticket.number,
            "kind": ticket.kind,
            "category": Label(category.name, category.name_en),
            "department": _department_label(session, ticket),
            "status": ticket.status,
            "accept_due": fmt_time(ticket.accept_due, zone),
            "resolve_due": fmt_time(ticket.resolve_due, zone),
            "description": ticket.description,
            "history": history,
            "can_withdraw": (status, Action.WITHDRAW) in _withdrawable(),
            "can_add_info": status in ACCEPTS_INFO,
        },
    )


def _withdrawable() -> set[tuple[Status, Action]]:
    from bot.lifecycle import TRANSITIONS

    return {key for key in TRANSITIONS if key[1] is Action.WITHDRAW}


def ask_withdraw(*, session: Session, reporter: Reporter, ticket_id: int | None) -> Screen:
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    if (Status(ticket.status), Action.WITHDRAW) not in _withdrawable():
        return Screen(Name.CANNOT_WITHDRAW, {"number": ticket.number, "status": ticket.status})
    return Screen(Name.CONFIRM_WITHDRAW, {"number": ticket.number, "ticket_id": ticket.id})


def withdraw(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    ticket_id: int | None,
    now: datetime,
) -> Screen:
    """The enterprise withdraws its ticket; the department (or dispatcher) is told."""
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    try:
        previous = _move(session, ticket, Action.WITHDRAW, now)
    except IllegalTransition:
        return Screen(Name.CANNOT_WITHDRAW, {"number": ticket.number, "status": ticket.status})
    session.add(ticket)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="withdrawn",
        from_status=previous,
    )
    text = texts_for(settings.desk.default_language).dept_withdrawn.format(number=ticket.number)
    tell_handlers(session, ticket, text)
    notify.refresh_card(session=session, settings=settings, ticket=ticket)
    return Screen(Name.WITHDRAWN, {"number": ticket.number})


def _handling_department(session: Session, ticket: Ticket) -> tuple[Department, str] | None:
    """Where the ticket's card is: its department, or the dispatcher while unrouted."""
    if ticket.department_id:
        department = queries.zone.get_department(
            session=session, department_id=ticket.department_id
        )
        if department is not None:
            return department, "card"
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    return (dispatcher, "dispatch") if dispatcher else None


def tell_handlers(session: Session, ticket: Ticket, text: str) -> None:
    """A notice under the ticket's card, wherever the ticket is being handled."""
    found = _handling_department(session, ticket)
    if found is None:
        return
    department, purpose = found
    card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id or 0, purpose=purpose)
    notify.to_department(
        session=session,
        department=department,
        ticket=ticket,
        purpose="notice",
        method="sendMessage",
        payload={"text": text, "parse_mode": "HTML"},
        refers_to=card,
    )


# --- adding information later ---------------------------------------------------------------

INFO_PREFIX = "info"


def start_adding_info(*, session: Session, reporter: Reporter, ticket_id: int | None) -> Screen:
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    if Status(ticket.status) not in ACCEPTS_INFO:
        return Screen(Name.CANNOT_ADD_INFO, {"number": ticket.number, "status": ticket.status})
    reporter.awaiting = f"{INFO_PREFIX}:{ticket.id}:0"
    session.add(reporter)
    return Screen(Name.ASK_ADD_INFO, {"number": ticket.number})


def adding_info_to(reporter: Reporter) -> tuple[int, int] | None:
    """(ticket id, items so far) while the reporter is adding information."""
    if not reporter.awaiting or not reporter.awaiting.startswith(INFO_PREFIX + ":"):
        return None
    _, ticket_id, count = reporter.awaiting.split(":")
    return int(ticket_id), int(count)


def add_info(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    text: str | None,
    attachment: dict[str, Any] | None,
    now: datetime,
) -> Screen:
    """One message of additional information: stored, then relayed to whoever handles it."""
    state = adding_info_to(reporter)
    ticket = _own_ticket(session, reporter, state[0]) if state else None
    if ticket is None or state is None:
        reporter.awaiting = None
        session.add(reporter)
        return Screen(Name.UNKNOWN_TICKET)
    if Status(ticket.status) not in ACCEPTS_INFO:
        reporter.awaiting = None
        session.add(reporter)
        return Screen(Name.CANNOT_ADD_INFO, {"number": ticket.number, "status": ticket.status})
    if not text and attachment is None:
        return Screen(Name.UNSUPPORTED)
    assert ticket.id is not None
    message = TicketMessage(
        ticket_id=ticket.id,
        author="enterprise",
        text=text or (attachment or {}).get("caption"),
        file_kind=attachment["kind"] if attachment else None,
        file_id=attachment["file_id"] if attachment else None,
        file_name=attachment.get("file_name") if attachment else None,
        source_chat_id=attachment["chat_id"] if attachment else None,
        source_message_id=attachment["message_id"] if attachment else None,
        created_at=now,
    )
    queries.tickets.add_ticket_messages(session=session, messages=[message])
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="enterprise",
        actor_id=reporter.telegram_user_id,
        action="info_added",
        from_status=ticket.status,
        detail={"text": text} if text else {},
    )
    ticket.updated_at = now
    session.add(ticket)
    found = _handling_department(session, ticket)
    if found is not None:
        department, purpose = found
        card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id, purpose=purpose)
        t = texts_for(settings.desk.default_language)
        if text:
            notify.to_chat(
                session=session,
                department=department,
                ticket=ticket,
                purpose="info",
                refers_to=card,
                text=message_parts(t.dept_info_added, text, number=ticket.number),
            )
        else:
            notify.copy_evidence(
                session=session,
                settings=settings,
                department=department,
                ticket=ticket,
                message=message,
                card=card,
            )
    count = state[1] + 1
    reporter.awaiting = f"{INFO_PREFIX}:{ticket.id}:{count}"
    session.add(reporter)
    return Screen(Name.INFO_ADDED, {"number": ticket.number, "count": count, "more": True})


def finish_adding_info(*, session: Session, reporter: Reporter) -> Screen:
    state = adding_info_to(reporter)
    reporter.awaiting = None
    session.add(reporter)
    if state is None or state[1] == 0:
        return Screen(Name.INFO_NOTHING)
    ticket = queries.tickets.get_ticket(session=session, ticket_id=state[0])
    number = ticket.number if ticket else ""
    return Screen(Name.INFO_ADDED, {"number": number, "count": state[1], "more": False})


# --- dispatching ------------------------------------------------------------------------------


def refuse_excluded(ticket: Ticket, department_code: str) -> None:
    """A conduct ticket never goes to a department it names or to its category's: that
    would expose the complainant to the people complained about."""
    if ticket.conduct and department_code in ticket.route_excluded:
        raise Refused("conduct_excluded", ticket)


def assign(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    department_code: str,
    actor_id: int,
    actor_name: str,
    now: datetime,
) -> Department:
    """The dispatcher sends an unrouted ticket to a department (or re-assigns one not yet
    accepted); a conduct ticket is refused for the departments it must never reach."""
    department = queries.zone.get_department_by_code(session=session, code=department_code)
    if (
        department is None
        or not department.active
        or department.role not in queries.zone.HANDLING_ROLES
    ):
        raise LookupError(department_code)
    refuse_excluded(ticket, department.code)
    previous = _move(session, ticket, Action.ASSIGN, now)
    ticket.department_id = department.id
    session.add(ticket)
    queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor="dispatcher",
        actor_id=actor_id,
        action="assigned",
        from_status=previous,
        detail={"department": department.code, "by": actor_name},
    )
    language = settings.desk.default_language
    dispatch_card = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose="dispatch"
    )
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if dispatch_card is not None and dispatcher is not None:
        zone = ZoneInfo(settings.desk.timezone)
        from bot.views import card_text

        view = notify.card_view(session=session, ticket=ticket, for_desk=True)
        label = department.local_name(language)
        notify.to_department(
            session=session,
            department=dispatcher,
            ticket=ticket,
            purpose="dispatch_edit",
            method="editMessageText",
            refers_to=dispatch_card,
            payload={
                "text": texts_for(language).dispatch_assigned.format(
                    who=escape(clip(actor_name, NAME_LIMIT)),
                    department=escape(label),
                    card=card_text(view, language, zone),
                ),
                "parse_mode": "HTML",
            },
        )
    notify.post_card(session=session, settings=settings, ticket=ticket, department=department)
    notify.tell_reporter_department(
        session=session,
        ticket=ticket,
        department=department,
        purpose="assigned",
        template=lambda t: t.enterprise_assigned,
    )
    return department
