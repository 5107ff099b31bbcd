"""What a delivery outcome means for the desk, and the operator's view of the outbox.

The sender (bot/delivery/sender.py) talks to Telegram; every decision about a row's fate is here,
each inside the caller's transaction:

- sent → recorded with Telegram's message id;
- not sent (bot/delivery/delivery_outcome.py classifies every outcome): for a passing reason (flood
  control, Telegram unreachable, any 5xx — JSON or its front end's HTML page) → retried
  later, never counted; maybe our fault (401, 409, 413 …) → retried, counted;
- a *send* whose answer was lost (time-out after the request went out, a crash between the
  call and its record) → ``uncertain``: maybe delivered, so never repeated automatically;
  the dispatcher is told and an operator decides (``dianxiaoer outbox resend``). Edits are
  idempotent and simply retried;
- the enterprise blocked the bot → the row fails for good, the reporter is marked
  unreachable, the ticket's department and the dispatcher are told (once per ticket);
- the bot is no longer in a department's group → the binding is dropped and that
  department's rows are held (``chat_id`` NULL) until an admin binds a chat again;
- the group became a supergroup → bindings and undelivered rows follow the new chat id;
- any other permanent error → failed, recorded, the dispatcher told; never retried.

See docs/reliability.md for the guarantees these add up to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session

from bot.config import Settings
from bot.core import notices
from bot.core.notices import (
    Concat,
    Label,
    Say,
    Term,
    ToAdmin,
    ToDispatcher,
    UnderCard,
    name_of,
    say,
)
from storage import queries
from storage.models import Department, Outbox, Purpose, Ticket
from storage.types import utcnow

#: The desk's own notices about deliveries: never the subject of another notice.
NOTICE = Purpose.DELIVERY_NOTICE


def may_repeat(method: str) -> bool:
    """Calls that do the same thing twice as once (edits): retried even when in doubt."""
    return method.startswith("edit")


# --- outcomes --------------------------------------------------------------------------


def _fresh(session: Session, row_id: int | None) -> Outbox:
    fresh = queries.outbox.get_outbox(session=session, outbox_id=row_id or 0)
    assert fresh is not None, f"outbox row {row_id} vanished"
    return fresh


def mark_in_flight(
    *, session: Session, rows: Sequence[Outbox], instance: str, now: datetime
) -> set[int]:
    """Handed to Telegram now, by ``instance``: if it dies before the outcomes are recorded,
    the rows are found ``sending`` (see :func:`recover_in_flight`). The ids claimed; a row
    left out is no longer this sender's to send (another instance claimed it, or it moved)."""
    claims = [(row.id, row.chat_id) for row in rows if row.id and row.chat_id is not None]
    return queries.outbox.claim_outbox(session=session, rows=claims, instance=instance, now=now)


#: ``Outbox.meta`` flag: a reply that went out without the message it answers.
SENT_UNANCHORED = "sent_unanchored"


@dataclass(frozen=True)
class Delivered:
    """A call Telegram carried out, to be recorded: ``message_id`` is what it posted;
    ``unanchored``: a reply sent without its message (that was unknown)."""

    row_id: int
    chat_id: int
    message_id: int | None
    unanchored: bool = False


def mark_sent(*, session: Session, delivered: Sequence[Delivered]) -> None:
    """Delivered: each row sent with its message id, in one statement for all of them; an
    enterprise reached again no longer counts as blocking the bot."""
    for done in delivered:
        if done.unanchored:  # rare: read and flagged one by one
            row = _fresh(session, done.row_id)
            row.meta = {**row.meta, SENT_UNANCHORED: True}
            session.add(row)
    queries.outbox.record_sent(
        session=session, sent=[(d.row_id, d.message_id) for d in delivered], now=utcnow()
    )
    private = sorted({d.chat_id for d in delivered if d.chat_id > 0})
    queries.reporters.clear_reporters_unreachable(session=session, telegram_user_ids=private)


def retry_later(
    *,
    session: Session,
    settings: Settings,
    row_id: int,
    error: str,
    seconds: float,
    counted: bool,
) -> Outbox:
    """Back to the queue after ``seconds``. Only ``counted`` errors (ones that may be the
    row's own fault) use up ``sender.max_attempts``; flood control and an unreachable or
    failing Telegram never make a row fail, however long it lasts (``attempts`` counts every
    call, ``failures`` only the counted ones): it goes out when Telegram is back."""
    row = _fresh(session, row_id)
    row.attempts += 1
    row.failures += 1 if counted else 0
    row.last_error = error[:500]
    row.status = "pending"
    row.next_attempt_at = utcnow() + timedelta(seconds=seconds)
    session.add(row)
    if counted and row.failures >= settings.sender.max_attempts:
        give_up(session=session, settings=settings, row=row, error=f"{error} (gave up)")
    return row


def mark_uncertain(*, session: Session, settings: Settings, row: Outbox, error: str) -> None:
    """A send that may have been delivered: recorded, surfaced, never repeated by itself."""
    row.status = "uncertain"
    row.last_error = error[:500]
    session.add(row)
    if row.purpose == NOTICE:
        return
    said = say(
        "delivery_uncertain",
        what=_what(session, row),
        target=_target(session, row),
        id=row.id,
    )
    _tell_desk(session=session, settings=settings, said=said, ticket=_ticket(session, row))


def give_up(*, session: Session, settings: Settings, row: Outbox, error: str) -> None:
    """A permanent failure: recorded on the row, told to the dispatcher, never retried."""
    row.status = "failed"
    row.last_error = error[:500]
    session.add(row)
    if row.purpose == NOTICE or may_repeat(row.method):
        return  # an edit that cannot be made leaves the earlier message: nothing is lost
    said = say(
        "delivery_failed",
        what=_what(session, row),
        target=_target(session, row),
        error=error[:200],
        id=row.id,
    )
    _tell_desk(session=session, settings=settings, said=said, ticket=_ticket(session, row))


def recover_in_flight(
    *,
    session: Session,
    settings: Settings,
    alive: Callable[[str], bool] = lambda instance: False,
) -> list[Outbox]:
    """Rows a dead instance (a previous process, another instance that was killed) handed
    to Telegram without recording the outcome; rows of an instance still ``alive`` are its
    own business.

    Edits go back to the queue; sends become ``uncertain`` (the message may be there).
    """
    rows = [
        row
        for row in queries.outbox.outbox_in_flight(session=session)
        if row.claimed_by is None or not alive(row.claimed_by)
    ]
    for row in rows:
        if may_repeat(row.method):
            row.status = "pending"
            session.add(row)
        else:
            mark_uncertain(
                session=session,
                settings=settings,
                row=row,
                error="the desk stopped while this was with Telegram (crash or kill)",
            )
    return rows


# --- the enterprise blocked the bot ------------------------------------------------------


def enterprise_unreachable(
    *, session: Session, settings: Settings, row: Outbox, error: str, now: datetime
) -> None:
    """403 in an enterprise's private chat: the ticket stays, its people are told, no retry."""
    assert row.chat_id is not None
    reporter = queries.reporters.set_reporter_unreachable(
        session=session, telegram_user_id=row.chat_id, since=now
    )
    if reporter is None:  # not an enterprise (an admin's private chat): a plain failure
        give_up(session=session, settings=settings, row=row, error=error)
        return
    row.status, row.last_error = "failed", error[:500]
    session.add(row)
    ticket = _ticket(session, row)
    if ticket is None or row.purpose == NOTICE:
        return
    since = reporter.unreachable_since or now
    already = [
        notice
        for notice in queries.outbox.outbox_notices_for_ticket(
            session=session, ticket_id=ticket.id or 0, purpose=NOTICE
        )
        if notice.meta.get("unreachable") and notice.created_at >= since
    ]
    if already:
        return  # told once per ticket while the enterprise blocks the bot
    unreachable = {"unreachable": True}
    notices.post(
        UnderCard(
            ticket,
            NOTICE,
            say("delivery_unreachable_department", number=ticket.number),
            meta=unreachable,
        ),
        session=session,
        settings=settings,
    )
    _tell_desk(
        session=session,
        settings=settings,
        ticket=ticket,
        said=say(
            "delivery_unreachable_desk", number=ticket.number, what=_what(session, row), id=row.id
        ),
        meta=unreachable,
    )


def enterprise_blocked(*, session: Session, telegram_user_id: int, now: datetime) -> None:
    """my_chat_member 'kicked' in a private chat: the enterprise blocked the bot."""
    queries.reporters.set_reporter_unreachable(
        session=session, telegram_user_id=telegram_user_id, since=now
    )


def enterprise_back(*, session: Session, telegram_user_id: int) -> None:
    """The enterprise unblocked the bot (or a message reached it again)."""
    queries.reporters.clear_reporter_unreachable(session=session, telegram_user_id=telegram_user_id)


# --- the bot lost a department's chat ----------------------------------------------------


def chat_lost(
    *,
    session: Session,
    settings: Settings,
    chat_id: int,
    reason: str,
    thread_id: int | None = None,
) -> list[Department]:
    """The bot can no longer post in ``chat_id`` (removed, kicked, chat gone, topic gone).

    Every department bound there is unbound and its undelivered rows are held until an
    admin binds a chat again (/bind releases them); the dispatcher is told. Idempotent: a
    second report of the same loss finds nothing bound and says nothing.
    """
    lost = queries.zone.departments_bound_to(session=session, chat_id=chat_id, thread_id=thread_id)
    for department in lost:
        assert department.id is not None
        department.chat_id = department.thread_id = None
        session.add(department)
        session.flush()
        queries.outbox.hold_outbox_of(session=session, department_id=department.id, chat_id=chat_id)
        held = queries.outbox.held_outbox_count(session=session, department_id=department.id)
        _tell_desk(
            session=session,
            settings=settings,
            ticket=None,
            said=say(
                "delivery_group_lost",
                department=name_of(department),
                reason=reason[:200],
                held=held,
                code=department.code,
            ),
        )
    return lost


def follow_migration(*, session: Session, old_chat_id: int, new_chat_id: int) -> tuple[int, int]:
    """A group became a supergroup: (departments moved, rows re-pointed). Idempotent."""
    return queries.zone.move_chat(session=session, old_chat_id=old_chat_id, new_chat_id=new_chat_id)


# --- telling the desk ------------------------------------------------------------------


def _tell_desk(
    *,
    session: Session,
    settings: Settings,
    said: Say,
    ticket: Ticket | None,
    meta: Mapping[str, Any] | None = None,
) -> None:
    """A notice to the dispatcher's chat; while it has none, also to each admin privately."""
    meta = meta or {}
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if dispatcher is not None:
        notices.post(
            ToDispatcher(ticket, NOTICE, said, meta=meta), session=session, settings=settings
        )
    if dispatcher is None or dispatcher.chat_id is None:
        for admin_id in settings.desk.admins:
            notices.post(
                ToAdmin(admin_id, ticket, NOTICE, said, meta=meta),
                session=session,
                settings=settings,
            )


def _ticket(session: Session, row: Outbox) -> Ticket | None:
    return (
        queries.tickets.get_ticket(session=session, ticket_id=row.ticket_id)
        if row.ticket_id
        else None
    )


def _what(session: Session, row: Outbox) -> Concat:
    """What the row was (a card, a reminder …), and of which ticket."""
    ticket = _ticket(session, row)
    of = (say("delivery_of_ticket", number=ticket.number),) if ticket else ()
    return Concat((Term("delivery_purposes", row.purpose), *of))


def _target(session: Session, row: Outbox) -> Say | Label | int | None:
    """Where the row was going: the enterprise, a department, or else its chat id."""
    if row.chat_id is not None and row.chat_id > 0:
        reporter = queries.reporters.get_reporter(session=session, telegram_user_id=row.chat_id)
        return say("delivery_to_enterprise") if reporter is not None else row.chat_id
    if row.held_for_department_id is not None:
        department = queries.zone.get_department(
            session=session, department_id=row.held_for_department_id
        )
        if department is not None:
            return name_of(department)
    return row.chat_id


# --- the operator's view (dianxiaoer outbox) ---------------------------------------------

Which = Literal["problems", "failed", "uncertain", "held", "pending"]


def list_rows(*, session: Session, which: Which, limit: int = 200) -> list[Outbox]:
    """``problems``: failed, uncertain and held rows; otherwise one kind."""
    if which == "held":
        return queries.outbox.outbox_rows(
            session=session, statuses=["pending"], held=True, limit=limit
        )
    if which == "pending":
        return queries.outbox.outbox_rows(
            session=session, statuses=["pending", "sending"], held=False, limit=limit
        )
    if which in ("failed", "uncertain"):
        return queries.outbox.outbox_rows(session=session, statuses=[which], limit=limit)
    problems = queries.outbox.outbox_rows(
        session=session, statuses=["failed", "uncertain"], limit=limit
    )
    held = queries.outbox.outbox_rows(session=session, statuses=["pending"], held=True, limit=limit)
    return sorted([*problems, *held], key=lambda r: r.id or 0)[:limit]


def describe(session: Session, row: Outbox) -> str:
    """One line for the operator."""
    ticket = _ticket(session, row)
    if row.chat_id is None:
        department = (
            queries.zone.get_department(session=session, department_id=row.held_for_department_id)
            if row.held_for_department_id
            else None
        )
        where = f"held for {department.code if department else '?'}"
    else:
        where = f"chat {row.chat_id}"
    status = "held" if row.chat_id is None and row.status == "pending" else row.status
    parts = [
        f"#{row.id}",
        status,
        row.created_at.strftime("%Y-%m-%d %H:%M"),
        row.purpose,
        row.method,
        where,
        ticket.number if ticket else "-",
        f"attempts={row.attempts}",
    ]
    if row.claimed_by and row.status in ("sending", "uncertain"):
        parts.append(f"by {row.claimed_by}")  # the instance that handed it to Telegram
    if row.last_error:
        parts.append(row.last_error.replace("\n", " ")[:160])
    return "  ".join(parts)


@dataclass(frozen=True)
class Resent:
    outbox_id: int
    ok: bool
    note: str


def resend(*, session: Session, ids: Sequence[int]) -> list[Resent]:
    """Queue failed or uncertain rows again (an operator's decision: it may duplicate an
    uncertain message). What depends on a re-sent message follows it: its edits that were
    given up are queued too, so the message shows its latest state; its replies (a card's
    evidence copies, overflow) that went out loose, failed or are uncertain are queued
    again as replies under it, so a card's "see the replies below" is true."""
    results: list[Resent] = []
    now = utcnow()
    for outbox_id in ids:
        row = queries.outbox.get_outbox(session=session, outbox_id=outbox_id)
        if row is None:
            results.append(Resent(outbox_id, False, "no such row"))
            continue
        if row.status not in ("failed", "uncertain"):
            note = "held: bind the department's chat (/bind)" if row.chat_id is None else row.status
            results.append(Resent(outbox_id, False, f"not failed or uncertain ({note})"))
            continue
        _requeue(session, row, now)
        for dependent in queries.outbox.outbox_referring_to(session=session, outbox_id=outbox_id):
            _follow(session, dependent, now)
        results.append(Resent(outbox_id, True, "queued"))
    return results


def _follow(session: Session, dependent: Outbox, now: datetime) -> None:
    """A row referring to a re-sent message: queued again if it did not reach its place."""
    if may_repeat(dependent.method):
        if dependent.status == "failed":  # dropped because the message was not known
            _requeue(session, dependent, now)
    elif dependent.status in ("failed", "uncertain"):
        _requeue(session, dependent, now)
    elif dependent.status == "sent" and dependent.meta.get(SENT_UNANCHORED):
        # The loose copy stays where it is (and in the record); a new row replies.
        queries.outbox.add_outbox(
            session=session,
            row=Outbox(
                method=dependent.method,
                payload=dependent.payload,
                chat_id=dependent.chat_id,
                thread_id=dependent.thread_id,
                held_for_department_id=dependent.held_for_department_id,
                refers_to_outbox_id=dependent.refers_to_outbox_id,
                ticket_id=dependent.ticket_id,
                purpose=dependent.purpose,
                meta={k: v for k, v in dependent.meta.items() if k != SENT_UNANCHORED},
                next_attempt_at=now,
            ),
        )


def _requeue(session: Session, row: Outbox, now: datetime) -> None:
    row.status, row.next_attempt_at, row.attempts, row.failures = "pending", now, 0, 0
    row.last_error = f"resent by operator; before: {row.last_error or ''}"[:500]
    session.add(row)
