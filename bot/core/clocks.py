"""A ticket's three clocks (签收, 首次答复, 办结): when they start, every change to their
deadlines (pause, resume, extension, reopen, transfer) and which of them are overdue.

Only bot/core/transition.py moves a live ticket's deadlines, by calling the functions here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings, Targets
from bot.core.lifecycle import OPEN_STATES, Status
from bot.core.sla import Deadlines, Schedule, add_working_time, deadlines, working_time_between
from storage import queries
from storage.models import Ticket


def ticket_targets(*, session: Session, settings: Settings, ticket: Ticket) -> Targets:
    """The deadlines that apply to this ticket (its category's and priority's overrides)."""
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    return settings.sla.targets(
        category=category.code if category else None, priority=ticket.priority
    )


def schedule_of(settings: Settings) -> Schedule:
    return Schedule.from_settings(settings.sla, settings.desk.timezone)


def starting(*, settings: Settings, category: str, priority: str, now: datetime) -> Deadlines:
    """The deadlines of a ticket filed ``now`` in this category and priority."""
    targets = settings.sla.targets(category=category, priority=priority)
    return deadlines(now, targets, schedule_of(settings))


def pause(ticket: Ticket, now: datetime) -> None:
    """Waiting for the enterprise stops the resolve clock."""
    ticket.waiting_since = now


def resume(ticket: Ticket, settings: Settings, now: datetime) -> None:
    """The enterprise answered: the resolve deadline moves by the working time it paused."""
    if ticket.waiting_since is not None:
        schedule = schedule_of(settings)
        paused = working_time_between(ticket.waiting_since, now, schedule)
        ticket.resolve_due = add_working_time(
            ticket.resolve_due, paused.total_seconds() / 3600, schedule
        )
    ticket.waiting_since = None


def end_pause(ticket: Ticket) -> None:
    """Resolved while waiting: the pause ends and the deadline no longer matters."""
    ticket.waiting_since = None


def extended_due(ticket: Ticket, settings: Settings, days: int) -> datetime:
    """The resolve deadline ``days`` working days later (shown before it is granted)."""
    schedule = schedule_of(settings)
    return add_working_time(ticket.resolve_due, days * schedule.hours_per_day, schedule)


def extend(ticket: Ticket, settings: Settings, days: int) -> None:
    """An approved extension: the resolve deadline moves by whole working days."""
    ticket.resolve_due = extended_due(ticket, settings, days)


def restart_resolve(*, session: Session, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """Reopened: the department has a whole resolve window again, from now."""
    targets = ticket_targets(session=session, settings=settings, ticket=ticket)
    ticket.resolve_due = deadlines(now, targets, schedule_of(settings)).resolve_due


def restart_accept(*, session: Session, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """Transferred: the new department has a whole accept window, from now."""
    targets = ticket_targets(session=session, settings=settings, ticket=ticket)
    ticket.accept_due = add_working_time(now, targets.accept_hours, schedule_of(settings))


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
