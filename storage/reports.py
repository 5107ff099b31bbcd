"""The weekly summary's SQL: aggregates with GROUP BY, and the one bounded list of rows.

The metrics are defined in ``bot.reports.metrics`` (and ``docs/metrics.md``); this module only
counts them. The three "overdue now" predicates below are the single definition used by
both the counts and the list, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlmodel import Session, col

from storage.models import CommonGroup, Department, Ticket, TicketEvent
from storage.statuses import OPEN_STATES, Status


class Clock(StrEnum):
    """The three SLA clocks of a ticket (keys of ``Texts.clock_names``)."""

    ACCEPT = "accept"  # 签收
    FIRST_REPLY = "first_reply"  # 首次答复
    RESOLVE = "resolve"  # 办结


@dataclass(frozen=True)
class OverdueItem:
    """One overdue clock of one open ticket, as of the report's ``now``."""

    ticket_id: int
    number: str
    department_id: int | None
    status: str
    created_at: datetime
    clock: Clock
    due: datetime


_OPEN = sorted(s.value for s in OPEN_STATES)
#: Waiting for the enterprise's information pauses the resolution clock.
_RESOLVE_RUNNING = sorted(s.value for s in OPEN_STATES if s is not Status.WAITING_INFO)


def overdue_accept(now: datetime) -> ColumnElement[bool]:
    """签收超期: open, never accepted, and the acceptance deadline has passed."""
    return and_(
        col(Ticket.status).in_(_OPEN),
        col(Ticket.accepted_at).is_(None),
        col(Ticket.accept_due) < now,
    )


def overdue_reply(now: datetime) -> ColumnElement[bool]:
    """首次答复超期: open, never answered, and the first-answer deadline has passed."""
    return and_(
        col(Ticket.status).in_(_OPEN),
        col(Ticket.first_reply_at).is_(None),
        col(Ticket.first_reply_due) < now,
    )


def overdue_resolve(now: datetime) -> ColumnElement[bool]:
    """办结超期: open and not waiting for the enterprise, and the deadline has passed."""
    return and_(col(Ticket.status).in_(_RESOLVE_RUNNING), col(Ticket.resolve_due) < now)


#: The integer columns of the counts query, in its order.
_COUNTED = (
    "received",
    "accept_due",
    "accept_on_time",
    "reply_due",
    "reply_on_time",
    "resolved",
    "resolved_on_time",
    "overdue",
    "overdue_accept",
    "overdue_reply",
    "overdue_resolve",
)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def weekly_counts(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    rated_actions: Collection[str],
    satisfied_from: int,
    bad_up_to: int,
) -> dict[int | None, dict[str, Any]]:
    """``bot.reports.metrics.DepartmentCounts`` fields by name, per current department (``None``:
    not assigned), for the window ``[start, end)``; deadlines count only once they have passed
    ``now``. Ratings are the ``rated_actions`` events, split by the two thresholds."""
    judged_until = min(end, now)
    received = _in(col(Ticket.created_at), start, end)
    withdrawn = col(Ticket.status) == Status.WITHDRAWN.value
    accept_judged = and_(
        _in(col(Ticket.accept_due), start, judged_until),
        ~and_(withdrawn, col(Ticket.accepted_at).is_(None)),
    )
    reply_judged = and_(
        _in(col(Ticket.first_reply_due), start, judged_until),
        ~and_(withdrawn, col(Ticket.first_reply_at).is_(None)),
    )
    resolved = _in(col(Ticket.resolved_at), start, end)
    late = (overdue_accept(now), overdue_reply(now), overdue_resolve(now))
    deadlines = (col(Ticket.accept_due), col(Ticket.first_reply_due), col(Ticket.resolve_due))
    query = (
        select(
            col(Ticket.department_id),
            _count(received),
            _count(accept_judged),
            _count(and_(accept_judged, col(Ticket.accepted_at) <= col(Ticket.accept_due))),
            _count(reply_judged),
            _count(and_(reply_judged, col(Ticket.first_reply_at) <= col(Ticket.first_reply_due))),
            _count(resolved),
            _count(and_(resolved, col(Ticket.resolved_at) <= col(Ticket.resolve_due))),
            _count(or_(*late)),
            *(_count(one) for one in late),
            *(func.min(case((one, due))) for one, due in zip(late, deadlines, strict=True)),
        )
        # Only the tickets that can count at all: indexes on the deadlines and status help.
        .where(or_(received, accept_judged, reply_judged, resolved, *late))
        .group_by(col(Ticket.department_id))
    )
    counts: dict[int | None, dict[str, Any]] = {}
    for department_id, *values in session.execute(query):
        numbers = [int(n) for n in values[:-3]]
        oldest: list[datetime] = [due for due in values[-3:] if due is not None]
        counts[department_id] = {
            **dict(zip(_COUNTED, numbers, strict=True)),
            "oldest_due": min(oldest) if oldest else None,
        }
    ratings = _ratings(
        session=session,
        start=start,
        end=end,
        rated_actions=rated_actions,
        satisfied_from=satisfied_from,
        bad_up_to=bad_up_to,
    )
    for department_id, (rated, satisfied, bad) in ratings.items():
        counts.setdefault(department_id, {}).update(rated=rated, satisfied=satisfied, bad=bad)
    return counts


def _ratings(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    rated_actions: Collection[str],
    satisfied_from: int,
    bad_up_to: int,
) -> dict[int | None, tuple[int, int, int]]:
    """Ratings given in the window, per the rated ticket's current department.

    Each rating event counts, so a 差评 that reopened a ticket still counts after the
    enterprise rates the rework; ``Ticket.rating`` keeps only the last one.
    """
    stars = col(TicketEvent.detail)["rating"].as_integer()
    query = (
        select(
            col(Ticket.department_id),
            func.count(),
            _count(stars >= satisfied_from),
            _count(stars <= bad_up_to),
        )
        .select_from(TicketEvent)
        .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(col(TicketEvent.action).in_(rated_actions), _in(col(TicketEvent.at), start, end))
        .group_by(col(Ticket.department_id))
    )
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in session.execute(query)}


def overdue_items(*, session: Session, now: datetime, limit: int) -> list[OverdueItem]:
    """The ``limit`` oldest overdue (ticket, clock) pairs at ``now``, oldest deadline first."""

    def one(clock: Clock, due: Any, condition: ColumnElement[bool]) -> Any:
        return select(
            col(Ticket.id).label("ticket_id"),
            col(Ticket.number).label("number"),
            col(Ticket.department_id).label("department_id"),
            col(Ticket.status).label("status"),
            col(Ticket.created_at).label("created_at"),
            # A constant of our own enum, not input: safe to inline, and typed on PostgreSQL.
            literal_column(f"'{clock.value}'").label("clock"),
            due.label("due"),
        ).where(condition)

    union = union_all(
        one(Clock.ACCEPT, col(Ticket.accept_due), overdue_accept(now)),
        one(Clock.FIRST_REPLY, col(Ticket.first_reply_due), overdue_reply(now)),
        one(Clock.RESOLVE, col(Ticket.resolve_due), overdue_resolve(now)),
    ).subquery()
    query = select(union).order_by(union.c.due, union.c.number, union.c.clock).limit(limit)
    return [
        OverdueItem(
            ticket_id=row.ticket_id,
            number=row.number,
            department_id=row.department_id,
            status=row.status,
            created_at=row.created_at,
            clock=Clock(row.clock),
            due=row.due,
        )
        for row in session.execute(query)
    ]


def departments(*, session: Session) -> list[Department]:
    """Every department, inactive ones too: old tickets may still name them."""
    return list(session.scalars(select(Department).order_by(col(Department.id))))


# --- 高频诉求 / recurring problems (issue 16 reports) -------------------------------------


@dataclass(frozen=True)
class RecurringProblem:
    """One 同类诉求 group as the leadership reads it, over a window of filing dates.

    The counts are over the group's members *filed in the window* (withdrawn ones left out):
    ``enterprises`` distinct reporters, ``tickets``, of which ``open`` still being handled
    and ``settled`` resolved or closed; ``department_ids`` their current departments. The
    span is over *every* member of the group, whenever filed: ``first_filed`` the earliest,
    ``still_open`` whether any member is open now, ``last_settled`` the latest resolution.
    Nothing here names an enterprise: the group's ``summary`` is the problem in a few words.
    """

    group_id: int
    summary: str
    enterprises: int
    tickets: int
    open: int
    settled: int
    department_ids: tuple[int, ...]
    first_filed: datetime
    still_open: bool
    last_settled: datetime | None
    raised_at: datetime | None
    proposed_lead_department_id: int | None
    lead_department_id: int | None


_SETTLED = (Status.RESOLVED.value, Status.CLOSED.value)


def recurring_problems(
    *, session: Session, start: datetime, end: datetime, min_enterprises: int, limit: int
) -> list[RecurringProblem]:
    """The ``limit`` groups most enterprises reported in ``[start, end)`` (by filing time),
    with at least ``min_enterprises`` of them; most enterprises first, then most tickets, then
    the earliest filed, then the group id (a stable order on both databases).

    Two queries: the ranking reads the window's tickets through ``ix_ticket_created_at``; the
    top groups' details read their members through ``ix_ticket_common_group_id``.
    """
    member = and_(
        col(Ticket.common_group_id).is_not(None),
        _in(col(Ticket.created_at), start, end),
        col(Ticket.status) != Status.WITHDRAWN.value,
    )
    enterprises = func.count(distinct(col(Ticket.reporter_id)))
    tickets = func.count()
    earliest = func.min(col(Ticket.created_at))
    ranking = (
        select(
            col(Ticket.common_group_id),
            enterprises,
            tickets,
            _count(col(Ticket.status).in_(_OPEN)),
            _count(col(Ticket.status).in_(_SETTLED)),
        )
        .where(member)
        .group_by(col(Ticket.common_group_id))
        .having(enterprises >= min_enterprises)
        .order_by(enterprises.desc(), tickets.desc(), earliest, col(Ticket.common_group_id))
        .limit(limit)
    )
    ranked = list(session.execute(ranking))
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    departments: dict[int, set[int]] = {group_id: set() for group_id in ids}
    in_window = select(col(Ticket.common_group_id), col(Ticket.department_id)).where(
        member, col(Ticket.common_group_id).in_(ids), col(Ticket.department_id).is_not(None)
    )
    for group_id, department_id in session.execute(in_window.distinct()):
        departments[group_id].add(department_id)
    counted = col(Ticket.status) != Status.WITHDRAWN.value
    spans = (
        select(
            col(Ticket.common_group_id),
            func.min(col(Ticket.created_at)),
            _count(col(Ticket.status).in_(_OPEN)),
            func.max(func.coalesce(col(Ticket.resolved_at), col(Ticket.closed_at))),
        )
        .where(col(Ticket.common_group_id).in_(ids), counted)
        .group_by(col(Ticket.common_group_id))
    )
    span = {row[0]: (row[1], int(row[2]) > 0, row[3]) for row in session.execute(spans)}
    groups = {
        group.id: group
        for group in session.scalars(select(CommonGroup).where(col(CommonGroup.id).in_(ids)))
    }
    problems = []
    for group_id, count_enterprises, count_tickets, count_open, count_settled in ranked:
        group = groups[group_id]
        first_filed, still_open, last_settled = span[group_id]
        problems.append(
            RecurringProblem(
                group_id=group_id,
                summary=group.summary,
                enterprises=int(count_enterprises),
                tickets=int(count_tickets),
                open=int(count_open),
                settled=int(count_settled),
                department_ids=tuple(sorted(departments[group_id])),
                first_filed=first_filed,
                still_open=still_open,
                last_settled=last_settled,
                raised_at=group.raised_at,
                proposed_lead_department_id=group.proposed_lead_department_id,
                lead_department_id=group.lead_department_id,
            )
        )
    return problems
