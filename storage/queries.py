"""Queries as keyword-only functions; the only module (with storage.seed) that writes SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, inspect, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from bot.lifecycle import OPEN_STATES
from bot.routing import CategoryRoute, RoutingTable
from bot.routing import RoutingRule as Rule
from storage.models import (
    Category,
    Department,
    DeskSetting,
    Draft,
    JobRun,
    JobState,
    OpenPrompt,
    Outbox,
    ProcessedUpdate,
    RateEvent,
    ReminderSent,
    Reporter,
    RoutingRule,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketMessage,
    TicketRequest,
)
from storage.types import utcnow

# --- reporters and drafts -------------------------------------------------------------


def _upsert_insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def get_reporter(*, session: Session, telegram_user_id: int) -> Reporter | None:
    return session.exec(
        select(Reporter).where(Reporter.telegram_user_id == telegram_user_id)
    ).first()


def get_or_create_reporter(*, session: Session, telegram_user_id: int) -> Reporter:
    reporter = get_reporter(session=session, telegram_user_id=telegram_user_id)
    if reporter is None:
        reporter = Reporter(telegram_user_id=telegram_user_id)
        session.add(reporter)
        session.flush()
    return reporter


def get_draft(*, session: Session, reporter_id: int) -> Draft | None:
    return session.get(Draft, reporter_id)


def save_draft(*, session: Session, draft: Draft) -> None:
    draft.updated_at = utcnow()
    # The JSON column is edited in place, which SQLAlchemy cannot see by itself.
    if inspect(draft).persistent:
        flag_modified(draft, "data")
    session.add(draft)


def delete_draft(*, session: Session, reporter_id: int) -> None:
    draft = session.get(Draft, reporter_id)
    if draft is not None:
        session.delete(draft)


# --- departments, categories, routing -------------------------------------------------


def list_departments(*, session: Session) -> list[Department]:
    return list(
        session.exec(select(Department).where(col(Department.active)).order_by(col(Department.id)))
    )


#: Roles that handle tickets (the dispatcher dispatches, the leadership only reads reports).
HANDLING_ROLES = ("department", "discipline")


def handling_departments(*, session: Session) -> list[Department]:
    """Departments a ticket can be assigned or transferred to."""
    return [d for d in list_departments(session=session) if d.role in HANDLING_ROLES]


def get_department(*, session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def get_department_by_code(*, session: Session, code: str) -> Department | None:
    return session.exec(select(Department).where(Department.code == code)).first()


def get_department_by_role(*, session: Session, role: str) -> Department | None:
    return session.exec(
        select(Department).where(Department.role == role, col(Department.active))
    ).first()


def get_department_by_chat(
    *, session: Session, chat_id: int, thread_id: int | None
) -> Department | None:
    query = select(Department).where(Department.chat_id == chat_id, col(Department.active))
    found = list(session.exec(query))
    exact = [d for d in found if d.thread_id == thread_id]
    return exact[0] if exact else None


def list_categories(*, session: Session) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .where(col(Category.active))
            .order_by(col(Category.sort_order), col(Category.id))
        )
    )


def get_category_by_code(*, session: Session, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code)).first()


def get_category(*, session: Session, category_id: int) -> Category | None:
    return session.get(Category, category_id)


def get_setting(*, session: Session, key: str, default: Any = None) -> Any:
    row = session.get(DeskSetting, key)
    return default if row is None else row.value


def load_routing_table(*, session: Session) -> RoutingTable:
    """The routing rules as the pure router needs them (see bot.routing)."""
    departments = {d.id: d.code for d in session.exec(select(Department))}
    categories = {
        c.code: CategoryRoute(
            code=c.code,
            department=departments.get(c.department_id) if c.department_id else None,
            conduct=c.conduct,
        )
        for c in session.exec(select(Category))
    }
    rules = [
        Rule(
            keywords=tuple(r.keywords),
            department=departments[r.department_id],
            priority=r.priority,
            categories=frozenset(r.categories),
            always=r.always,
        )
        for r in session.exec(select(RoutingRule).order_by(col(RoutingRule.position)))
    ]
    discipline = get_department_by_role(session=session, role="discipline")
    return RoutingTable(
        categories=categories,
        rules=rules,
        conduct_keywords=tuple(get_setting(session=session, key="conduct_keywords", default=[])),
        discipline_department=discipline.code if discipline else "",
    )


def category_hints(*, session: Session) -> dict[str, tuple[str, ...]]:
    return {c.code: tuple(c.hint_keywords) for c in list_categories(session=session)}


# --- tickets --------------------------------------------------------------------------


def next_ticket_sequence(*, session: Session, day: str) -> int:
    """Atomically take the next number of ``day`` (safe across processes)."""
    insert = _upsert_insert(session)
    statement = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(
            index_elements=["day"],
            set_={"last": TicketCounter.last + 1},
        )
        .returning(col(TicketCounter.last))
    )
    value = session.execute(statement).scalar_one()
    return int(value)


def reporter_of(*, session: Session, ticket: Ticket) -> Reporter:
    """The enterprise user who filed the ticket (always there: tickets keep their filer)."""
    reporter = session.get(Reporter, ticket.reporter_id)
    assert reporter is not None
    return reporter


def get_ticket(*, session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def get_ticket_by_number(*, session: Session, number: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.number == number)).first()


def tickets_of_reporter(*, session: Session, reporter_id: int, limit: int = 10) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == reporter_id)
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
            .limit(limit)
        )
    )


def ticket_events(*, session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.at), col(TicketEvent.id))
        )
    )


def ticket_messages(*, session: Session, ticket_id: int) -> list[TicketMessage]:
    return list(
        session.exec(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(col(TicketMessage.id))
        )
    )


def ticket_messages_of(
    *, session: Session, ticket_ids: Sequence[int]
) -> dict[int, list[TicketMessage]]:
    """:func:`ticket_messages` for many tickets in one query per few hundred."""
    found: dict[int, list[TicketMessage]] = {ticket_id: [] for ticket_id in ticket_ids}
    for start in range(0, len(ticket_ids), _IDS_PER_QUERY):
        rows = session.exec(
            select(TicketMessage)
            .where(
                col(TicketMessage.ticket_id).in_(list(ticket_ids[start : start + _IDS_PER_QUERY]))
            )
            .order_by(col(TicketMessage.id))
        )
        for row in rows:
            found.setdefault(row.ticket_id, []).append(row)
    return found


def open_ticket_counts(*, session: Session) -> dict[int, int]:
    rows = session.exec(
        select(Ticket.department_id, func.count())
        .where(col(Ticket.status).in_([s.value for s in OPEN_STATES]))
        .group_by(col(Ticket.department_id))
    )
    return {dept: count for dept, count in rows if dept is not None}


def add_event(
    *,
    session: Session,
    ticket: Ticket,
    actor: str,
    actor_id: int | None,
    action: str,
    from_status: str | None,
    detail: dict[str, Any] | None = None,
) -> TicketEvent:
    assert ticket.id is not None
    event = TicketEvent(
        ticket_id=ticket.id,
        actor=actor,
        actor_id=actor_id,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        detail=detail or {},
    )
    session.add(event)
    return event


def pending_request(*, session: Session, ticket_id: int) -> TicketRequest | None:
    return session.exec(
        select(TicketRequest).where(
            TicketRequest.ticket_id == ticket_id, TicketRequest.status == "pending"
        )
    ).first()


def pending_requests_of(*, session: Session, ticket_ids: Sequence[int]) -> dict[int, TicketRequest]:
    """:func:`pending_request` for many tickets in one query per few hundred."""
    found: dict[int, TicketRequest] = {}
    for start in range(0, len(ticket_ids), _IDS_PER_QUERY):
        rows = session.exec(
            select(TicketRequest)
            .where(
                col(TicketRequest.ticket_id).in_(list(ticket_ids[start : start + _IDS_PER_QUERY])),
                TicketRequest.status == "pending",
            )
            .order_by(col(TicketRequest.id))
        )
        for row in rows:
            found.setdefault(row.ticket_id, row)
    return found


def get_request(*, session: Session, request_id: int) -> TicketRequest | None:
    return session.get(TicketRequest, request_id)


def tickets_waiting_for(*, session: Session, reporter_id: int) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket).where(Ticket.reporter_id == reporter_id, Ticket.status == "waiting_info")
        )
    )


def tickets_asking(*, session: Session, reporter_id: int) -> list[Ticket]:
    """The reporter's tickets whose department's latest act was a question to it (ask_info):
    still waiting for the answer, or answered and not yet taken up again."""
    latest = (
        select(
            col(TicketEvent.ticket_id).label("ticket_id"),
            func.max(TicketEvent.id).label("last_id"),
        )
        .where(TicketEvent.actor == "staff")
        .group_by(col(TicketEvent.ticket_id))
        .subquery()
    )
    return list(
        session.exec(
            select(Ticket)
            .join(latest, latest.c.ticket_id == Ticket.id)
            .join(TicketEvent, col(TicketEvent.id) == latest.c.last_id)
            .where(
                Ticket.reporter_id == reporter_id,
                col(Ticket.status).in_(("waiting_info", "accepted")),
                TicketEvent.action == "ask_info",  # bot.lifecycle.Action.ASK_INFO
            )
            .order_by(col(Ticket.id))
        )
    )


def get_ticket_message(*, session: Session, message_id: int) -> TicketMessage | None:
    return session.get(TicketMessage, message_id)


def delete_ticket_message(*, session: Session, message: TicketMessage) -> None:
    session.delete(message)
    session.flush()


# --- outbox ---------------------------------------------------------------------------


def add_outbox(*, session: Session, row: Outbox) -> Outbox:
    session.add(row)
    session.flush()
    return row


def due_outbox(*, session: Session, now: datetime, limit: int) -> list[Outbox]:
    """Rows ready to send, oldest first; held rows (no chat yet) wait for /bind."""
    return list(
        session.exec(
            select(Outbox)
            .where(
                Outbox.status == "pending",
                col(Outbox.chat_id).is_not(None),
                Outbox.next_attempt_at <= now,
            )
            .order_by(col(Outbox.id))
            .limit(limit)
        )
    )


def get_outbox(*, session: Session, outbox_id: int) -> Outbox | None:
    return session.get(Outbox, outbox_id)


#: Calls that change a message another row posted (they record that message's id too).
EDIT_METHODS = ("editMessageText", "editMessageReplyMarkup")


def outbox_for_message(*, session: Session, chat_id: int, message_id: int) -> Outbox | None:
    """The row that posted this message (not one of the edits that carry its id too)."""
    return session.exec(
        select(Outbox)
        .where(
            Outbox.chat_id == chat_id,
            Outbox.telegram_message_id == message_id,
            col(Outbox.method).not_in(EDIT_METHODS),
        )
        .order_by(col(Outbox.id))
    ).first()


# --- open prompts -----------------------------------------------------------------------


def add_open_prompt(*, session: Session, prompt: OpenPrompt) -> OpenPrompt:
    """Record a question put to one person; it supersedes their earlier ones in that chat."""
    close_open_prompts(
        session=session, chat_id=prompt.chat_id, user_id=prompt.user_id, at=prompt.asked_at
    )
    session.add(prompt)
    session.flush()
    return prompt


def close_open_prompts(
    *,
    session: Session,
    chat_id: int,
    user_id: int,
    at: datetime,
    ticket_id: int | None = None,
    outbox_id: int | None = None,
) -> None:
    """Mark a person's open prompts in a chat answered (only one ticket's, or one row's)."""
    query = update(OpenPrompt).where(
        col(OpenPrompt.chat_id) == chat_id,
        col(OpenPrompt.user_id) == user_id,
        col(OpenPrompt.answered_at).is_(None),
    )
    if ticket_id is not None:
        query = query.where(col(OpenPrompt.ticket_id) == ticket_id)
    if outbox_id is not None:
        query = query.where(col(OpenPrompt.outbox_id) == outbox_id)
    session.execute(query.values(answered_at=at))


def open_prompts(
    *, session: Session, chat_id: int, thread_id: int | None, user_id: int, since: datetime
) -> list[OpenPrompt]:
    """A person's unanswered prompts in a chat (forum topic) asked since ``since``, newest first."""
    return list(
        session.exec(
            select(OpenPrompt)
            .where(
                OpenPrompt.chat_id == chat_id,
                OpenPrompt.thread_id == thread_id,
                OpenPrompt.user_id == user_id,
                col(OpenPrompt.answered_at).is_(None),
                OpenPrompt.asked_at >= since,
            )
            .order_by(col(OpenPrompt.id).desc())
        )
    )


def ticket_card(*, session: Session, ticket_id: int, purpose: str) -> Outbox | None:
    """The latest card row of a ticket (``card`` in a department, ``dispatch`` for the desk)."""
    return session.exec(
        select(Outbox)
        .where(Outbox.ticket_id == ticket_id, Outbox.purpose == purpose)
        .order_by(col(Outbox.id).desc())
    ).first()


def ticket_cards(*, session: Session, ticket_ids: Sequence[int], purpose: str) -> dict[int, Outbox]:
    """:func:`ticket_card` for many tickets in one query: ticket id -> its latest card."""
    cards: dict[int, Outbox] = {}
    for start in range(0, len(ticket_ids), _IDS_PER_QUERY):
        chunk = list(ticket_ids[start : start + _IDS_PER_QUERY])
        rows = session.exec(
            select(Outbox)
            .where(col(Outbox.ticket_id).in_(chunk), Outbox.purpose == purpose)
            .order_by(col(Outbox.id))
        )
        for row in rows:  # ascending: the latest card of a ticket is the last one kept
            if row.ticket_id is not None:
                cards[row.ticket_id] = row
    return cards


def release_held_outbox(
    *, session: Session, department_id: int, chat_id: int, thread_id: int | None
) -> int:
    """Point rows held for a department at its newly bound chat; returns how many."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.held_for_department_id) == department_id,
            col(Outbox.chat_id).is_(None),
            col(Outbox.status) == "pending",
        )
        .values(chat_id=chat_id, thread_id=thread_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def pending_outbox_count(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Outbox).where(Outbox.status == "pending")
        ).one()
    )


# --- inbound idempotency --------------------------------------------------------------


def claim_update(*, session: Session, update_id: int) -> bool:
    """Record ``update_id``; False when it was already handled.

    One INSERT … ON CONFLICT DO NOTHING (no savepoint): on PostgreSQL a second instance
    claiming the same update waits for the first one's transaction and then gets False.
    """
    insert = _upsert_insert(session)
    statement = (
        insert(ProcessedUpdate)
        .values(update_id=update_id, at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(col(ProcessedUpdate.update_id))
    )
    # RETURNING, not rowcount: an ORM session reports -1 rows for this on psycopg.
    return session.execute(statement).first() is not None


def prune_processed_updates(*, session: Session, before: datetime) -> int:
    """Forget update ids older than ``before`` (Telegram redelivers for 24 hours at most)."""
    result = session.execute(delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


def add_ticket_messages(*, session: Session, messages: Sequence[TicketMessage]) -> None:
    session.add_all(messages)
    session.flush()


# --- the chaser ------------------------------------------------------------------------


def chase_candidates(*, session: Session, horizon: datetime) -> list[Ticket]:
    """Open tickets with a clock running out before ``horizon`` (indexed on each deadline)."""
    open_states = [s.value for s in OPEN_STATES]
    running = [s for s in open_states if s != "waiting_info"]
    query = (
        select(Ticket)
        .where(
            col(Ticket.status).in_(open_states),
            or_(
                and_(col(Ticket.accepted_at).is_(None), col(Ticket.accept_due) <= horizon),
                and_(col(Ticket.first_reply_at).is_(None), col(Ticket.first_reply_due) <= horizon),
                and_(col(Ticket.status).in_(running), col(Ticket.resolve_due) <= horizon),
            ),
        )
        .order_by(col(Ticket.id))
    )
    return list(session.exec(query))


#: (ticket_id, clock, deadline, level, repeat): one reminder, as ``uq_reminder_once`` keys it.
ReminderKey = tuple[int, str, datetime, str, int]
#: Ids per ``IN (…)``: far below SQLite's variable limit.
_IDS_PER_QUERY = 500


def record_reminders(
    *, session: Session, keys: Sequence[ReminderKey], now: datetime
) -> set[ReminderKey]:
    """Claim reminders (one row each, unique per key) in few statements; returns the keys
    claimed now: the others were already sent (by this or another instance)."""
    if not keys:
        return set()
    insert = _upsert_insert(session)
    statement = (
        insert(ReminderSent)
        .on_conflict_do_nothing()
        .returning(
            col(ReminderSent.ticket_id),
            col(ReminderSent.clock),
            col(ReminderSent.deadline),
            col(ReminderSent.level),
            col(ReminderSent.repeat),
        )
    )
    # Many parameter sets: SQLAlchemy sends them as a few multi-row INSERTs ("insertmanyvalues").
    rows = [
        {
            "ticket_id": ticket_id,
            "clock": clock,
            "deadline": deadline,
            "level": level,
            "repeat": repeat,
            "sent_at": now,
        }
        for ticket_id, clock, deadline, level, repeat in keys
    ]
    return {(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(statement, rows)}


def desk_began(*, session: Session) -> datetime | None:
    """When the desk began: its first seeding or its first ticket, whichever came first (a
    desk seeded before that fact was kept has only its tickets to say it)."""
    moments = []
    started = session.get(DeskSetting, "started_at")
    if started is not None:
        moments.append(datetime.fromisoformat(started.value))
    first = session.exec(
        select(Ticket.created_at).order_by(col(Ticket.created_at)).limit(1)
    ).first()
    if first is not None:
        moments.append(first)
    return min(moments, default=None)


def claim_job_run(*, session: Session, job: str, period: str, now: datetime) -> bool:
    """Claim a periodic job's run for a period; False when it already ran."""
    insert = _upsert_insert(session)
    statement = (
        insert(JobRun)
        .values(job=job, period=period, at=now)
        .on_conflict_do_nothing()
        .returning(col(JobRun.job))
    )
    return session.execute(statement).first() is not None


def resolved_before(*, session: Session, before: datetime) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket).where(Ticket.status == "resolved", col(Ticket.resolved_at) <= before)
        )
    )


# --- delivery faults (the sender, bot/outbox.py and `dianxiaoer outbox`) ---------------

#: Rows that hold their chat's place in line: nothing later goes to that chat before them.
IN_LINE = ("pending", "sending")


def due_outbox_heads(*, session: Session, now: datetime, limit: int) -> list[Outbox]:
    """The first unsent row of each chat, if it is due: strict order per chat.

    A row waiting for its retry keeps the rows behind it waiting too, so a flood wait or a
    time-out never lets a later message overtake an earlier one in the same chat.
    """
    earlier = aliased(Outbox)
    blocked = (
        select(earlier.id)
        .where(
            earlier.chat_id == Outbox.chat_id,
            col(earlier.status).in_(IN_LINE),
            col(earlier.id) < col(Outbox.id),
        )
        .exists()
    )
    return list(
        session.exec(
            select(Outbox)
            .where(
                Outbox.status == "pending",
                col(Outbox.chat_id).is_not(None),
                Outbox.next_attempt_at <= now,
                ~blocked,
            )
            .order_by(col(Outbox.id))
            .limit(limit)
        )
    )


def set_outbox_status(*, session: Session, outbox_id: int, status: str) -> None:
    session.execute(update(Outbox).where(col(Outbox.id) == outbox_id).values(status=status))


def outbox_in_flight(*, session: Session) -> list[Outbox]:
    """Rows a sender had handed to Telegram without learning the outcome (it died)."""
    return list(
        session.exec(select(Outbox).where(Outbox.status == "sending").order_by(col(Outbox.id)))
    )


def outbox_rows(
    *, session: Session, statuses: Sequence[str], held: bool | None = None, limit: int = 200
) -> list[Outbox]:
    """Rows by status, oldest first; ``held`` True/False narrows to rows with/without a chat."""
    query = select(Outbox).where(col(Outbox.status).in_(list(statuses)))
    if held is True:
        query = query.where(col(Outbox.chat_id).is_(None))
    elif held is False:
        query = query.where(col(Outbox.chat_id).is_not(None))
    return list(session.exec(query.order_by(col(Outbox.id)).limit(limit)))


def outbox_referring_to(*, session: Session, outbox_id: int) -> list[Outbox]:
    return list(
        session.exec(
            select(Outbox).where(Outbox.refers_to_outbox_id == outbox_id).order_by(col(Outbox.id))
        )
    )


def outbox_notices_for_ticket(*, session: Session, ticket_id: int, purpose: str) -> list[Outbox]:
    return list(
        session.exec(
            select(Outbox)
            .where(Outbox.ticket_id == ticket_id, Outbox.purpose == purpose)
            .order_by(col(Outbox.id))
        )
    )


def departments_bound_to(
    *, session: Session, chat_id: int, thread_id: int | None = None
) -> list[Department]:
    """Departments served in this chat (in any of its topics unless ``thread_id`` is given)."""
    query = select(Department).where(Department.chat_id == chat_id)
    if thread_id is not None:
        query = query.where(Department.thread_id == thread_id)
    return list(session.exec(query.order_by(col(Department.id))))


def hold_outbox_of(*, session: Session, department_id: int, chat_id: int) -> int:
    """Put a department's unsent rows for ``chat_id`` back on hold (chat NULL) until /bind."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.held_for_department_id) == department_id,
            col(Outbox.chat_id) == chat_id,
            col(Outbox.status).in_(IN_LINE),
        )
        .values(chat_id=None, thread_id=None, status="pending")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def held_outbox_count(*, session: Session, department_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Outbox)
            .where(
                Outbox.held_for_department_id == department_id,
                col(Outbox.chat_id).is_(None),
                Outbox.status == "pending",
            )
        ).one()
    )


def move_chat(*, session: Session, old_chat_id: int, new_chat_id: int) -> tuple[int, int]:
    """A group became a supergroup: bindings and undelivered rows follow the new id.

    Returns (departments moved, rows re-pointed). Rows that failed because of the upgrade
    are queued again; rows already sent keep the chat they went to.
    """
    departments = session.execute(
        update(Department).where(col(Department.chat_id) == old_chat_id).values(chat_id=new_chat_id)
    )
    pending = session.execute(
        update(Outbox)
        .where(col(Outbox.chat_id) == old_chat_id, col(Outbox.status) == "pending")
        .values(chat_id=new_chat_id)
    )
    failed = session.execute(
        update(Outbox)
        .where(
            col(Outbox.chat_id) == old_chat_id,
            col(Outbox.status) == "failed",
            or_(
                col(Outbox.last_error).contains("upgraded to a supergroup"),
                col(Outbox.last_error).contains("migrated to supergroup"),
            ),
        )
        .values(chat_id=new_chat_id, status="pending", next_attempt_at=utcnow())
    )
    session.execute(
        update(OpenPrompt).where(col(OpenPrompt.chat_id) == old_chat_id).values(chat_id=new_chat_id)
    )
    rows = int(pending.rowcount) + int(failed.rowcount)  # type: ignore[attr-defined]
    return int(departments.rowcount), rows  # type: ignore[attr-defined]


def set_reporter_unreachable(
    *, session: Session, telegram_user_id: int, since: datetime | None
) -> Reporter | None:
    """Mark (``since`` set) or clear (None) that the enterprise blocked the bot."""
    reporter = get_reporter(session=session, telegram_user_id=telegram_user_id)
    if reporter is None:
        return None
    if since is None or reporter.unreachable_since is None:
        reporter.unreachable_since = since
        session.add(reporter)
    return reporter


def clear_reporter_unreachable(*, session: Session, telegram_user_id: int) -> None:
    """A message reached the enterprise again: it no longer blocks the bot."""
    session.execute(
        update(Reporter)
        .where(
            col(Reporter.telegram_user_id) == telegram_user_id,
            col(Reporter.unreachable_since).is_not(None),
        )
        .values(unreachable_since=None)
    )


# --- abuse limits and blocking (bot/abuse.py) --------------------------------------------


def update_seen(*, session: Session, update_id: int) -> bool:
    """Whether this Telegram update was already handled (without claiming it)."""
    return session.get(ProcessedUpdate, update_id) is not None


def ticket_times_after(*, session: Session, reporter_id: int, after: datetime) -> list[datetime]:
    """When this reporter filed each ticket later than ``after``, oldest first."""
    return list(
        session.exec(
            select(Ticket.created_at)
            .where(Ticket.reporter_id == reporter_id, col(Ticket.created_at) > after)
            .order_by(col(Ticket.created_at))
        )
    )


# --- what operators watch (bot/ops: /healthz and /metrics) ------------------------------

#: Outbox states that are not done: counted through ix_outbox_pending, never the sent rows.
OUTBOX_UNSETTLED = ("pending", "sending", "failed", "uncertain")


def ticket_counts_by_status(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(Ticket.status, func.count()).group_by(col(Ticket.status)))
    return {status: int(count) for status, count in rows}


def overdue_counts(*, session: Session, now: datetime) -> list[tuple[str | None, str, int]]:
    """(department code, clock, open tickets past that deadline), as bot/clocks counts them.

    One query per clock, each bounded by its indexed deadline column (as chase_candidates).
    """
    open_states = [s.value for s in OPEN_STATES]
    running = [s for s in open_states if s != "waiting_info"]
    clocks = {
        "accept": and_(col(Ticket.accepted_at).is_(None), col(Ticket.accept_due) <= now),
        "first_reply": and_(
            col(Ticket.first_reply_at).is_(None), col(Ticket.first_reply_due) <= now
        ),
        "resolve": and_(col(Ticket.status).in_(running), col(Ticket.resolve_due) <= now),
    }
    found: list[tuple[str | None, str, int]] = []
    for clock, condition in clocks.items():
        rows = session.exec(
            select(Department.code, func.count())
            .select_from(Ticket)
            .join(Department, col(Department.id) == col(Ticket.department_id), isouter=True)
            .where(condition, col(Ticket.status).in_(open_states))
            .group_by(col(Department.code))
        )
        found.extend((code, clock, int(count)) for code, count in rows)
    return found


def outbox_backlog(*, session: Session) -> dict[str, int]:
    """Unsettled rows by status; pending rows without a chat count as ``held``."""
    held = col(Outbox.chat_id).is_(None) & (col(Outbox.status) == "pending")
    rows = session.exec(
        select(Outbox.status, held, func.count())
        .where(col(Outbox.status).in_(OUTBOX_UNSETTLED))
        .group_by(col(Outbox.status), held)
    )
    counts = dict.fromkeys([*OUTBOX_UNSETTLED, "held"], 0)
    for status, is_held, count in rows:
        counts["held" if is_held else status] += int(count)
    return counts


def oldest_pending_outbox(*, session: Session) -> datetime | None:
    """When the oldest row still waiting to go out was written (held rows wait for /bind)."""
    return session.exec(
        select(func.min(Outbox.created_at)).where(
            Outbox.status == "pending", col(Outbox.chat_id).is_not(None)
        )
    ).one()


# --- several instances on one database (bot/leases.py, docs/reliability.md) ---------------


def claim_outbox(
    *, session: Session, outbox_id: int, chat_id: int, instance: str, now: datetime
) -> bool:
    """Mark a row ``sending`` for ``instance`` — only if it is still pending, due, in the
    same chat and first in that chat's line. False when another sender took it (or it
    moved): two senders never send one row, and never two rows of one chat at once."""
    earlier = aliased(Outbox)
    ahead = (
        select(earlier.id)
        .where(
            earlier.chat_id == chat_id,
            col(earlier.status).in_(IN_LINE),
            col(earlier.id) < outbox_id,
        )
        .exists()
    )
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == outbox_id,
            col(Outbox.status) == "pending",
            col(Outbox.chat_id) == chat_id,
            col(Outbox.next_attempt_at) <= now,
            ~ahead,
        )
        .values(status="sending", claimed_by=instance, claimed_at=now)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def start_job_run(
    *, session: Session, job: str, instance: str, now: datetime, min_gap_seconds: float
) -> bool:
    """Record a periodic job's run; False (and nothing written) when *another* instance ran
    it less than ``min_gap_seconds`` ago: that run was this period's. An instance never
    skips its own runs (its scheduler already keeps their period). Call it under the job's
    lock (bot/leases.exclusive) so two instances cannot both see the old row."""
    state = session.get(JobState, job)
    if state is None:
        session.add(JobState(job=job, last_run_at=now, last_run_by=instance))
        session.flush()
        return True
    recent = state.last_run_at <= now < state.last_run_at + timedelta(seconds=min_gap_seconds)
    if recent and state.last_run_by != instance:
        return False
    state.last_run_at, state.last_run_by = now, instance
    session.add(state)
    return True


def last_job_run(*, session: Session, job: str) -> datetime | None:
    state = session.get(JobState, job)
    return state.last_run_at if state is not None else None


def last_chaser_run(*, session: Session) -> datetime | None:
    """When the chaser last ran, by any instance (the desk's clock; None: never)."""
    return last_job_run(session=session, job="chaser")


def count_rate_events(
    *, session: Session, telegram_user_id: int, since: datetime
) -> list[datetime]:
    """When this user's counted messages arrived after ``since``, oldest first."""
    return list(
        session.exec(
            select(RateEvent.at)
            .where(
                RateEvent.telegram_user_id == telegram_user_id,
                RateEvent.kind == "message",
                col(RateEvent.at) > since,
            )
            .order_by(col(RateEvent.at))
        )
    )


def add_rate_event(*, session: Session, telegram_user_id: int, kind: str, at: datetime) -> None:
    session.add(RateEvent(telegram_user_id=telegram_user_id, kind=kind, at=at))
    session.flush()


def quiet_until(*, session: Session, telegram_user_id: int) -> datetime | None:
    """Until when this user was last told to wait (None: never, or forgotten)."""
    return session.exec(
        select(func.max(RateEvent.at)).where(
            RateEvent.telegram_user_id == telegram_user_id, RateEvent.kind == "told"
        )
    ).one()


def prune_rate_events(*, session: Session, telegram_user_id: int, before: datetime) -> None:
    session.execute(
        delete(RateEvent).where(
            col(RateEvent.telegram_user_id) == telegram_user_id, col(RateEvent.at) <= before
        )
    )
