"""A ticket's three clocks (签收, 首次答复, 办结) and which of them are overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.lifecycle import OPEN_STATES, Status
from bot.sla import Schedule, working_time_between
from storage.models import Ticket


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
