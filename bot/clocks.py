"""A ticket's three clocks (签收, 首次答复, 办结) and which of them are overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings, Targets
from bot.lifecycle import OPEN_STATES, Status
from bot.sla import Schedule, working_time_between
from storage import queries
from storage.models import Ticket


def ticket_targets(*, session: Session, settings: Settings, ticket: Ticket) -> Targets:
    """The deadlines that apply to this ticket (its category's and priority's overrides)."""
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    return settings.sla.targets(
        category=category.code if category else None, priority=ticket.priority
    )


def window_hours(targets: Targets, schedule: Schedule, clock: str) -> float:
    """A clock's whole window in working hours."""
    return {
        "accept": targets.accept_hours,
        "first_reply": targets.first_reply_hours,
        "resolve": targets.resolve_days * schedule.hours_per_day,
    }[clock]


def running_clocks(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The clocks still running (waiting for the enterprise pauses resolution)."""
    status = Status(ticket.status)
    if status not in OPEN_STATES:
        return []
    clocks = []
    if ticket.accepted_at is None:
        clocks.append(("accept", ticket.accept_due))
    if ticket.first_reply_at is None:
        clocks.append(("first_reply", ticket.first_reply_due))
    if status is not Status.WAITING_INFO:
        clocks.append(("resolve", ticket.resolve_due))
    return clocks


def overdue_clocks(
    ticket: Ticket, schedule: Schedule, now: datetime
) -> list[tuple[str, timedelta]]:
    """(clock, overdue by in working time) for every clock past its deadline."""
    return [
        (clock, working_time_between(deadline, now, schedule))
        for clock, deadline in running_clocks(ticket)
        if deadline <= now
    ]
