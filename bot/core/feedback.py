"""The enterprise's side of the conversation: replies to the department, ratings, comments."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core import notices, permissions, tickets
from bot.core.lifecycle import ACCEPTS_INFO, SATISFIED_FROM, Action, Status
from bot.core.notices import (
    Buttons,
    CopyEvidence,
    Excerpt,
    Keys,
    PostCard,
    RefreshCard,
    ToChat,
    ToDispatcher,
    ToEnterprise,
    UnderCard,
    name_of,
    say,
)
from bot.core.permissions import Refused
from bot.core.screens import Name, Screen
from bot.core.transition import SYSTEM, Who, transition
from storage import queries
from storage.models import Outbox, Purpose, Reporter, Ticket, TicketMessage


def _own(session: Session, reporter: Reporter, ticket_id: int | None) -> Ticket | None:
    ticket = queries.tickets.get_ticket(session=session, ticket_id=ticket_id) if ticket_id else None
    return ticket if permissions.owns(reporter, ticket) else None


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
    if answering is not None and answering.purpose == Purpose.ASK_COMMENT and text:
        return comment(
            session=session, settings=settings, reporter=reporter, ticket=ticket, text=text, now=now
        )
    if status not in ACCEPTS_INFO:
        return Screen(Name.TICKET_OVER, {"number": ticket.number, "status": ticket.status})
    if not text and attachment is None:
        return Screen(Name.UNSUPPORTED)
    message = tickets.enterprise_message(ticket.id or 0, text, attachment, now)
    queries.tickets.add_ticket_messages(session=session, messages=[message])
    answered = status is Status.WAITING_INFO
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.INFO_RECEIVED if answered else Action.ENTERPRISE_REPLY,
        who=Who.enterprise(reporter.telegram_user_id),
        now=now,
        detail={"text": text} if text else {},
    )
    _relay_to_handlers(session, settings, ticket, message)
    if answered:
        notices.post(RefreshCard(ticket), session=session, settings=settings)
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
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.TAKE_BACK_INFO,
        who=Who.enterprise(reporter.telegram_user_id),
        now=now,
        detail={"text": taken.text} if taken.text else {},
    )
    what = Excerpt(taken.text, 200) if taken.text else say("dept_taken_back_file")
    tickets.tell_handlers(
        session, settings, ticket, say("dept_info_taken_back", number=ticket.number, what=what)
    )
    notices.post(RefreshCard(ticket), session=session, settings=settings)
    return ticket, taken


def _relay_to_handlers(
    session: Session, settings: Settings, ticket: Ticket, message: TicketMessage
) -> None:
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else queries.zone.get_department_by_role(session=session, role="dispatcher")
    )
    if department is None:
        return
    purpose = Purpose.CARD if ticket.department_id else Purpose.DISPATCH
    card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id or 0, purpose=purpose)
    post = partial(notices.post, session=session, settings=settings)
    if message.file_id:
        row = post(CopyEvidence(department, ticket, message, card))
        assert row is not None
        row.purpose = Purpose.ENTERPRISE_FILE
        return
    said = say("enterprise_says", body=message.text or "", number=ticket.number)
    post(ToChat(department, ticket, Purpose.ENTERPRISE_REPLY, said, refers_to=card))


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
    enterprise = Who.enterprise(reporter.telegram_user_id)
    satisfied = stars >= SATISFIED_FROM
    try:
        # A satisfied rating closes the ticket; a poor one is recorded, then reopens it.
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.RATE_SATISFIED if satisfied else Action.RATE_POOR,
            who=enterprise,
            now=now,
            detail={"rating": stars},
        )
    except Refused:
        return Screen(Name.STALE_BUTTON)
    ticket.rating = stars
    if not satisfied:
        again = ticket.reopen_count < settings.workflow.max_reopens
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.REOPEN if again else Action.REOPEN_TO_DISPATCHER,
            who=enterprise if again else SYSTEM,
            now=now,
        )
    post = partial(notices.post, session=session, settings=settings)
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    rating = say(f"ratings.{stars}")
    if Status(ticket.status) is Status.CLOSED:
        said = say("ent_thanks", number=ticket.number)
        post(RefreshCard(ticket))
    elif Status(ticket.status) is Status.ACCEPTED:
        due = ticket.resolve_due
        post(
            UnderCard(
                ticket,
                Purpose.NOTICE,
                say("reopened_dept", number=ticket.number, due=due, rating=rating),
            )
        )
        post(
            ToDispatcher(
                ticket,
                Purpose.NOTICE,
                say(
                    "reopened_dispatch",
                    number=ticket.number,
                    count=ticket.reopen_count,
                    department=department.name if department else "",
                ),
            )
        )
        post(RefreshCard(ticket))
        said = say(
            "ent_reopened",
            number=ticket.number,
            due=due,
            department=name_of(department) if department is not None else "",
        )
    else:
        post(RefreshCard(ticket))
        ticket.department_id = None
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        assert dispatcher is not None
        card = post(PostCard(ticket, dispatcher))
        limit = say(
            "reopen_limit_dispatch",
            number=ticket.number,
            count=ticket.reopen_count,
            rating=rating,
        )
        post(ToDispatcher(ticket, Purpose.NOTICE, limit, refers_to=card))
        said = say("ent_reopen_limit", number=ticket.number)
    session.add(ticket)
    post(ToEnterprise(reporter, ticket, Purpose.RATED, said))
    post(
        ToEnterprise(
            reporter,
            ticket,
            Purpose.ASK_COMMENT,
            say("ent_ask_comment"),
            Buttons(Keys.FORCE_REPLY),
        )
    )
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
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.COMMENT_RATING,
        who=Who.enterprise(reporter.telegram_user_id),
        now=now,
        detail={"text": text},
    )
    said = say("enterprise_comment_dept", body=text, number=ticket.number)
    notices.post(
        UnderCard(ticket, Purpose.NOTICE, said)
        if ticket.department_id
        else ToDispatcher(ticket, Purpose.NOTICE, said),
        session=session,
        settings=settings,
    )
    return Screen(Name.COMMENT_SAVED)
