"""Ticket state changes: each one checks the actor, moves the state, writes an event and
posts the notices it causes (bot/core/notices.py), inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.config import Settings
from bot.core import clocks, common_problems, conversation, desk_routing, notices, permissions
from bot.core.lifecycle import ACCEPTS_INFO, INTERNAL_ACTIONS, Action, Status
from bot.core.notices import (
    Buttons,
    CopyEvidence,
    DeskCard,
    EditInChat,
    Keys,
    PersonName,
    PostCard,
    RefreshCard,
    Say,
    ToChat,
    ToEnterprise,
    name_of,
    say,
)
from bot.core.permissions import Refused
from bot.core.routing import RoutingDecision
from bot.core.screens import Label, Name, Screen
from bot.core.transition import SYSTEM, Role, Who, check, transition
from storage import queries
from storage.models import Department, Draft, Purpose, Reporter, Ticket, TicketMessage


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
    due = clocks.starting(
        settings=settings, category=category.code, priority=category.priority, now=now
    )
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
    enterprise = Who.enterprise(reporter.telegram_user_id)
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.SUBMIT,
        who=enterprise,
        now=now,
        detail={"kind": ticket.kind},
    )
    if answered is not None:
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.ANSWER_CONDUCT,
            who=enterprise,
            now=now,
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
        ticket.department_id = department.id
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.ROUTE,
            who=SYSTEM,
            now=now,
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
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.LEAVE_UNROUTED,
            who=SYSTEM,
            now=now,
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
    # Before the card is posted, so that it shows the group (nothing is said to anyone).
    common_problems.link_on_filing(session=session, settings=settings, ticket=ticket, now=now)
    post = partial(notices.post, session=session, settings=settings)
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.ACK,
            _submitted(session, settings, ticket, department),
            Buttons(Keys.MAIN_MENU),
        )
    )
    post(PostCard(ticket, target))
    return ticket


def _submitted(
    session: Session, settings: Settings, ticket: Ticket, department: Department | None
) -> Say:
    """The acknowledgement: the ticket's number, who handles it and what the desk promises."""
    targets = clocks.ticket_targets(session=session, settings=settings, ticket=ticket)
    accept = say("promise_hours", n=targets.accept_hours)
    first_reply = say("promise_hours", n=targets.first_reply_hours)
    resolve = say("promise_days", n=targets.resolve_days)
    if department is None or department.role == "dispatcher":
        return say(
            "submitted_unrouted",
            number=ticket.number,
            accept=accept,
            first_reply=first_reply,
            resolve=resolve,
        )
    return say(
        "submitted",
        number=ticket.number,
        department=name_of(department),
        accept_due=ticket.accept_due,
        accept=accept,
        first_reply=first_reply,
        resolve=resolve,
    )


def _remember_profile(reporter: Reporter, data: dict[str, Any], now: datetime) -> None:
    """Keep the company details so the next ticket can reuse them in one tap."""
    reporter.company_name = data.get("company") or reporter.company_name
    reporter.uscc = data.get("uscc") or reporter.uscc
    reporter.contact_name = data.get("contact_name") or reporter.contact_name
    reporter.phone = data.get("phone") or reporter.phone
    reporter.updated_at = now


# --- the enterprise's own tickets ---------------------------------------------------------


def _own_ticket(session: Session, reporter: Reporter, ticket_id: int | None) -> Ticket | None:
    """A ticket only if it belongs to this reporter; others' tickets look just like missing."""
    ticket = queries.tickets.get_ticket(session=session, ticket_id=ticket_id) if ticket_id else None
    return ticket if permissions.owns(reporter, ticket) else None


def _department_label(session: Session, ticket: Ticket) -> Label | None:
    """The department handling the ticket; None while the dispatcher is choosing one."""
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    return None if department is None else name_of(department)


def my_tickets(*, session: Session, settings: Settings, reporter: Reporter) -> Screen:
    assert reporter.id is not None
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
                "updated": ticket.updated_at,
            }
        )
    return Screen(Name.MY_LIST, {"tickets": rows})


def ticket_detail(
    *, session: Session, settings: Settings, reporter: Reporter, ticket_id: int | None
) -> Screen:
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    assert category is not None
    departments = {
        d.code: Label(d.name, d.name_en) for d in queries.zone.list_departments(session=session)
    }
    history = []
    for event in queries.tickets.ticket_events(session=session, ticket_id=ticket.id or 0):
        if event.action in INTERNAL_ACTIONS:
            continue  # the desk's grouping names other enterprises' tickets
        detail: dict[str, Any] = dict(event.detail)
        if "department" in detail:
            detail["department"] = departments.get(detail["department"], detail["department"])
        history.append((event.at, event.action, detail))
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
            "accept_due": ticket.accept_due,
            "resolve_due": ticket.resolve_due,
            "description": ticket.description,
            "history": history,
            "can_withdraw": (status, Action.WITHDRAW) in _withdrawable(),
            "can_add_info": status in ACCEPTS_INFO,
        },
    )


def _withdrawable() -> set[tuple[Status, Action]]:
    from bot.core.lifecycle import TRANSITIONS

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
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.WITHDRAW,
            who=Who.enterprise(reporter.telegram_user_id),
            now=now,
        )
    except Refused:
        return Screen(Name.CANNOT_WITHDRAW, {"number": ticket.number, "status": ticket.status})
    tell_handlers(session, settings, ticket, say("dept_withdrawn", number=ticket.number))
    notices.post(RefreshCard(ticket), session=session, settings=settings)
    return Screen(Name.WITHDRAWN, {"number": ticket.number})


def _handling_department(session: Session, ticket: Ticket) -> tuple[Department, Purpose] | None:
    """Where the ticket's card is: its department, or the dispatcher while unrouted."""
    if ticket.department_id:
        department = queries.zone.get_department(
            session=session, department_id=ticket.department_id
        )
        if department is not None:
            return department, Purpose.CARD
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    return (dispatcher, Purpose.DISPATCH) if dispatcher else None


def tell_handlers(session: Session, settings: Settings, ticket: Ticket, said: Say) -> None:
    """A notice under the ticket's card, wherever the ticket is being handled."""
    found = _handling_department(session, ticket)
    if found is None:
        return
    department, purpose = found
    card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id or 0, purpose=purpose)
    notices.post(
        ToChat(department, ticket, Purpose.NOTICE, said, refers_to=card),
        session=session,
        settings=settings,
    )


# --- adding information later ---------------------------------------------------------------


def start_adding_info(*, session: Session, reporter: Reporter, ticket_id: int | None) -> Screen:
    ticket = _own_ticket(session, reporter, ticket_id)
    if ticket is None:
        return Screen(Name.UNKNOWN_TICKET)
    if Status(ticket.status) not in ACCEPTS_INFO:
        return Screen(Name.CANNOT_ADD_INFO, {"number": ticket.number, "status": ticket.status})
    assert ticket.id is not None
    conversation.set_awaiting(reporter, conversation.AddingInfo(ticket_id=ticket.id))
    session.add(reporter)
    return Screen(Name.ASK_ADD_INFO, {"number": ticket.number})


def enterprise_message(
    ticket_id: int, text: str | None, attachment: dict[str, Any] | None, now: datetime
) -> TicketMessage:
    """What the enterprise sent on its ticket: its words, or a file kept by reference."""
    return TicketMessage(
        ticket_id=ticket_id,
        author="enterprise",
        text=text,
        file_kind=attachment["kind"] if attachment else None,
        file_id=attachment["file_id"] if attachment else None,
        file_name=attachment.get("file_name") if attachment else None,
        source_chat_id=attachment["chat_id"] if attachment else None,
        source_message_id=attachment["message_id"] if attachment else None,
        created_at=now,
    )


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
    state = conversation.awaiting(reporter)
    ticket = _own_ticket(session, reporter, state.ticket_id) if state else None
    if ticket is None or state is None:
        conversation.set_awaiting(reporter, None)
        session.add(reporter)
        return Screen(Name.UNKNOWN_TICKET)
    if Status(ticket.status) not in ACCEPTS_INFO:
        conversation.set_awaiting(reporter, None)
        session.add(reporter)
        return Screen(Name.CANNOT_ADD_INFO, {"number": ticket.number, "status": ticket.status})
    if not text and attachment is None:
        return Screen(Name.UNSUPPORTED)
    assert ticket.id is not None
    message = enterprise_message(
        ticket.id, text or (attachment or {}).get("caption"), attachment, now
    )
    queries.tickets.add_ticket_messages(session=session, messages=[message])
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.ADD_INFO,
        who=Who.enterprise(reporter.telegram_user_id),
        now=now,
        detail={"text": text} if text else {},
    )
    found = _handling_department(session, ticket)
    if found is not None:
        department, purpose = found
        card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id, purpose=purpose)
        said = say("dept_info_added", body=text, number=ticket.number)
        notices.post(
            ToChat(department, ticket, Purpose.INFO, said, refers_to=card)
            if text
            else CopyEvidence(department, ticket, message, card),
            session=session,
            settings=settings,
        )
    state = state.added_one()
    conversation.set_awaiting(reporter, state)
    session.add(reporter)
    return Screen(Name.INFO_ADDED, {"number": ticket.number, "count": state.count, "more": True})


def finish_adding_info(*, session: Session, reporter: Reporter) -> Screen:
    state = conversation.awaiting(reporter)
    conversation.set_awaiting(reporter, None)
    session.add(reporter)
    if state is None or state.count == 0:
        return Screen(Name.INFO_NOTHING)
    ticket = queries.tickets.get_ticket(session=session, ticket_id=state.ticket_id)
    number = ticket.number if ticket else ""
    return Screen(Name.INFO_ADDED, {"number": number, "count": state.count, "more": False})


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
        raise Refused("unknown_department", ticket)
    refuse_excluded(ticket, department.code)
    check(ticket, Action.ASSIGN)
    ticket.department_id = department.id
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.ASSIGN,
        who=Who(Role.DISPATCHER, actor_id, actor_name),
        now=now,
        detail={"department": department.code},
    )
    post = partial(notices.post, session=session, settings=settings)
    dispatch_card = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=Purpose.DISPATCH
    )
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if dispatch_card is not None and dispatcher is not None:
        said = say(
            "dispatch_assigned",
            who=PersonName(actor_name),
            department=name_of(department),
            card=DeskCard(ticket),
        )
        post(EditInChat(dispatcher, dispatch_card, ticket, Purpose.DISPATCH_EDIT, said))
    post(PostCard(ticket, department))
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.ASSIGNED,
            say("enterprise_assigned", number=ticket.number, department=name_of(department)),
        )
    )
    return department
