"""Queries on the outbox: rows to send in order per chat, claims, holds, cards and backlog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, func, or_, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Outbox
from storage.queries._common import IDS_PER_QUERY


def add_outbox(*, session: Session, row: Outbox) -> Outbox:
    session.add(row)
    session.flush()
    return row


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


#: Rows that hold their chat's place in line: nothing later goes to that chat before them.
IN_LINE = ("pending", "sending")


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


# The sender runs these for every round it sends: built once, with bound parameters
# (building a statement with an alias costs SQLAlchemy five times what running it does).
#: The first row in line of each chat: the smallest id among its pending and in-flight
#: rows (read through ``ix_outbox_pending``: only the rows still in line, never the sent
#: history, which a per-row "nothing earlier" check walked chat by chat).
_LINE_HEADS = (
    select(func.min(Outbox.id))
    .where(col(Outbox.status).in_(IN_LINE), col(Outbox.chat_id).is_not(None))
    .group_by(col(Outbox.chat_id))
)
#: Each chat's line: its first row and how many rows are in it.
_LINES = (
    select(
        func.min(Outbox.id).label("head"),
        func.count().label("length"),
    )
    .where(col(Outbox.status).in_(IN_LINE), col(Outbox.chat_id).is_not(None))
    .group_by(col(Outbox.chat_id))
    .subquery("line")
)
_TARGET = aliased(Outbox, name="target")
#: Each due head with whether rows wait behind it, and what the sender needs of the row it
#: answers or edits (outer join: NULLs when it refers to none), so resolving a reply costs
#: no query of its own.
_DUE_HEADS = (
    sa_select(  # five columns: more than sqlmodel's select is typed for
        Outbox,
        _LINES.c.length > 1,
        col(_TARGET.status),
        col(_TARGET.telegram_message_id),
        col(_TARGET.chat_id),
    )
    .join(_LINES, _LINES.c.head == col(Outbox.id))
    .outerjoin(_TARGET, col(_TARGET.id) == col(Outbox.refers_to_outbox_id))
    .where(
        or_(
            (col(Outbox.status) == "pending") & (col(Outbox.next_attempt_at) <= bindparam("now")),
            # A row in flight with rows behind it: its chat has more to send once it is out.
            (col(Outbox.status) == "sending") & (_LINES.c.length > 1),
        )
    )
    .order_by(col(Outbox.id))
    .limit(bindparam("limit"))
)
_CLAIMABLE = aliased(Outbox, name="claimable")
#: The rows of one round that are still this sender's to take, locked in id order and
#: skipping rows another instance is claiming this instant (PostgreSQL: two instances
#: claiming overlapping rounds never deadlock; SQLite has no row locks and ignores it).
_STILL_CLAIMABLE = (
    select(_CLAIMABLE.id)
    .where(
        tuple_(col(_CLAIMABLE.id), col(_CLAIMABLE.chat_id)).in_(bindparam("rows", expanding=True)),
        col(_CLAIMABLE.status) == "pending",
        col(_CLAIMABLE.next_attempt_at) <= bindparam("due"),
        col(_CLAIMABLE.id).in_(_LINE_HEADS),  # first in its chat's line (no history walked)
    )
    .order_by(col(_CLAIMABLE.id))
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(Outbox)
    .where(col(Outbox.id).in_(_STILL_CLAIMABLE.scalar_subquery()))
    .values(status="sending", claimed_by=bindparam("by"), claimed_at=bindparam("due"))
    .returning(col(Outbox.id))
    .execution_options(synchronize_session=False)  # a fresh session: nothing to refresh
)


@dataclass(frozen=True)
class Target:
    """What the sender needs of the row another one answers or edits."""

    status: str
    telegram_message_id: int | None
    chat_id: int | None


@dataclass(frozen=True)
class Head:
    """A chat's first row in line; ``followed``: more rows of that chat wait behind it;
    ``target``: the row it refers to (None: none, or gone)."""

    row: Outbox
    followed: bool
    target: Target | None


@dataclass(frozen=True)
class Heads:
    """The chats' lines as one read saw them: the heads due now, and the chats whose row
    in flight has rows behind it."""

    due: list[Head]
    busy_followed: set[int]


def due_outbox_heads(*, session: Session, now: datetime, limit: int) -> Heads:
    """The first unsent row of each chat, if it is due: strict order per chat.

    A row waiting for its retry keeps the rows behind it waiting too, so a flood wait or a
    time-out never lets a later message overtake an earlier one in the same chat.
    """
    heads = Heads([], set())
    for row, followed, status, message_id, chat_id in session.execute(
        _DUE_HEADS, {"now": now, "limit": limit}
    ):
        if row.status != "pending":
            heads.busy_followed.add(row.chat_id)
            continue
        target = None if status is None else Target(status, message_id, chat_id)
        heads.due.append(Head(row, bool(followed), target))
    return heads


def claim_outbox(
    *, session: Session, rows: Sequence[tuple[int, int]], instance: str, now: datetime
) -> set[int]:
    """Mark rows (id, chat id) ``sending`` for ``instance`` in one statement; the ids
    claimed back. Each only if it is still pending, due, in the same chat and first in that
    chat's line: a row left out is another sender's (or it moved), so two senders never
    send one row, and never two rows of one chat at once."""
    if not rows:
        return set()
    result = session.execute(_CLAIM, {"rows": sorted(rows), "by": instance, "due": now})
    return set(result.scalars())


#: A Core UPDATE on the table (the ORM's would take a list of parameters for a bulk update
#: by primary key): one executemany per round, with every row's parameters.
_OUTBOX: Table = Outbox.__table__  # type: ignore[attr-defined]
_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row"))
    .values(
        status="sent",
        sent_at=bindparam("at"),
        attempts=_OUTBOX.c.attempts + 1,
        telegram_message_id=bindparam("message"),
    )
)


def record_sent(*, session: Session, sent: Sequence[tuple[int, int | None]], now: datetime) -> None:
    """Mark rows (id, Telegram's message id) sent, one more attempt each, in one call."""
    if sent:
        session.execute(
            _SENT, [{"row": row_id, "at": now, "message": message} for row_id, message in sent]
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
    for start in range(0, len(ticket_ids), IDS_PER_QUERY):
        chunk = list(ticket_ids[start : start + IDS_PER_QUERY])
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


def pending_outbox_count(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Outbox).where(Outbox.status == "pending")
        ).one()
    )


#: Outbox states that are not done: counted through ix_outbox_pending, never the sent rows.
OUTBOX_UNSETTLED = ("pending", "sending", "failed", "uncertain")


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


def replace_pending_edit(*, session: Session, row: Outbox) -> bool:
    """Put ``row``'s payload into an edit of the same message still waiting in line,
    instead of queueing a second one: the message shows the newest state with one call.

    Only a ``pending`` edit is replaced; one being sent is left alone (the UPDATE waits
    for its claim to commit and then finds it no longer pending), and False tells the
    caller to queue ``row`` after it.
    """
    assert row.refers_to_outbox_id is not None
    replaced = session.execute(
        update(Outbox)
        .where(
            col(Outbox.refers_to_outbox_id) == row.refers_to_outbox_id,
            col(Outbox.method) == row.method,
            col(Outbox.purpose) == row.purpose,
            col(Outbox.chat_id) == row.chat_id,
            col(Outbox.status) == "pending",
        )
        .values(payload=row.payload)
        .returning(col(Outbox.id))
    ).first()
    return replaced is not None
