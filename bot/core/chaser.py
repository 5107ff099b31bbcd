"""The overdue chaser (催办): stateless, run every few minutes by the JobQueue.

The database says what is due; a unique ReminderSent row per (ticket, clock, deadline,
level, repeat) says what was already sent, so a restart, a catch-up after an outage, or a
second instance never sends a reminder twice. 无事不扰: it acts only in working hours,
sends one message per department per run, and a department with nothing due hears nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session

from bot.config import Settings, Targets
from bot.core import notices
from bot.core.clocks import overdue_clocks, running_clocks, ticket_targets, window_hours
from bot.core.lifecycle import Action
from bot.core.notices import (
    CardLink,
    Digest,
    Excerpt,
    Label,
    Lateness,
    RefreshCard,
    Say,
    ToAdmin,
    ToChat,
    ToEnterprise,
    name_of,
    say,
)
from bot.core.sla import Schedule, is_working_time, working_time_between
from bot.core.transition import SYSTEM, transition
from storage import queries
from storage.models import Department, Outbox, Purpose, Ticket

#: How far ahead (calendar time) a warning can be due: a quarter of five working days can
#: span a long holiday (the Spring Festival is nine days).
LOOKAHEAD = timedelta(days=14)


@dataclass(frozen=True)
class Due:
    """One clock of one ticket that needs saying now."""

    ticket: Ticket
    clock: str  # accept | first_reply | resolve
    deadline: datetime
    level: str  # warning | reminder | escalation1, escalation2 …
    repeat: int
    working: timedelta  # remaining (warning) or overdue (others), in working time


@dataclass
class RunResult:
    sent: list[Due] = field(default_factory=list)
    auto_closed: list[str] = field(default_factory=list)
    skipped_outside_working_time: bool = False


def what_is_due(
    *, ticket: Ticket, settings: Settings, schedule: Schedule, now: datetime, targets: Targets
) -> list[Due]:
    """Every level a ticket's clocks have reached now (a pure function of the ticket)."""
    chaser = settings.chaser
    found: list[Due] = []
    for clock, deadline in running_clocks(ticket):
        if now < deadline:
            remaining = working_time_between(now, deadline, schedule)
            window = window_hours(targets, schedule, clock)
            if remaining <= timedelta(hours=window * (1 - chaser.warn_at)):
                found.append(Due(ticket, clock, deadline, "warning", 0, remaining))
            continue
        overdue = working_time_between(deadline, now, schedule)
        hours = overdue.total_seconds() / 3600
        found.append(
            Due(ticket, clock, deadline, "reminder", int(hours // chaser.repeat_hours), overdue)
        )
        for level, after in enumerate(chaser.escalate_after_hours, start=1):
            if hours >= after:
                found.append(Due(ticket, clock, deadline, f"escalation{level}", 0, overdue))
    return found


def run(*, session: Session, settings: Settings, now: datetime) -> RunResult:
    """One run of the chaser: claim what is due, and write the messages it causes."""
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    result = RunResult()
    if not is_working_time(now, schedule):
        result.skipped_outside_working_time = True
        return result
    _warn_missing_calendar(session, settings, schedule, now)
    # The session's identity map holds objects only while something refers to them: kept
    # here, the zone's departments and categories are read once per run, not per ticket.
    _zone = (
        queries.zone.list_departments(session=session),
        queries.zone.list_categories(session=session),
    )
    # A thousand due tickets share a handful of (category, priority) targets.
    known: dict[tuple[int, str], Targets] = {}
    found: list[list[Due]] = []
    for ticket in queries.tickets.chase_candidates(session=session, horizon=now + LOOKAHEAD):
        kind = (ticket.category_id, ticket.priority)
        targets = known.get(kind)
        if targets is None:
            targets = known[kind] = ticket_targets(
                session=session, settings=settings, ticket=ticket
            )
        found.append(
            what_is_due(
                ticket=ticket, settings=settings, schedule=schedule, now=now, targets=targets
            )
        )
    # One statement claims them all (not one per reminder): the run costs what is due.
    claimed = queries.jobs.record_reminders(
        session=session, keys=[_key(due) for dues in found for due in dues], now=now
    )
    for dues in found:
        # After an outage only the highest escalation goes out; lower ones are recorded.
        escalations = [d for d in dues if d.level.startswith("escalation")]
        for due in dues:
            if _key(due) not in claimed:
                continue
            if due.level.startswith("escalation") and due is not max(
                (e for e in escalations if e.clock == due.clock),
                key=lambda e: e.level,
            ):
                continue
            result.sent.append(due)
    _write_messages(session, settings, schedule, result.sent, now)
    result.auto_closed = _auto_close(session, settings, now)
    return result


def _key(due: Due) -> queries.jobs.ReminderKey:
    return (due.ticket.id or 0, due.clock, due.deadline, due.level, due.repeat)


#: Characters of the complaint a reminder line quotes as its subject.
SUBJECT_CHARS = 24


def ticket_line(
    *,
    ticket: Ticket,
    category: Label | str,
    spans: list[tuple[str, timedelta]],
    overdue: bool,
    hours_per_day: float,
    card: Outbox | None = None,
    linked: bool = False,
    department: Label | str | None = None,
    show_company: bool = False,
) -> Say:
    """One ticket of a 临期提醒, 催办 or 督办: what it is about, then how late each clock is.

    ``linked``: the number links to the ticket's ``card`` where Telegram can link to it.
    """
    fields = {
        "number": CardLink(ticket.number, card) if linked else ticket.number,
        "category": category,
        "subject": Excerpt(ticket.description, SUBJECT_CHARS, one_line=True),
        "company": say("chase_company", company=ticket.company_name) if show_company else "",
        "clauses": Lateness(tuple(spans), hours_per_day, overdue),
    }
    if department is None:
        return Say("chase_ticket", fields)
    return Say("escalation_ticket", {"department": department, **fields})


def _write_messages(
    session: Session, settings: Settings, schedule: Schedule, sent: list[Due], now: datetime
) -> None:
    """临期提醒 and 催办 to each department, 督办 to the office: one line per ticket, so each
    header's count is its number of lines. An overdue ticket's line names every clock that is
    late now (not only the one whose reminder fell due), as the weekly list does."""
    post = partial(notices.post, session=session, settings=settings)
    hours = schedule.hours_per_day
    categories = {c.id: c for c in queries.zone.list_categories(session=session)}

    def category_of(ticket: Ticket) -> Label | str:
        category = categories.get(ticket.category_id) or queries.zone.get_category(
            session=session, category_id=ticket.category_id
        )
        if category is None:
            return ""
        return Label(category.name, category.name_en)

    def late(ticket: Ticket) -> list[tuple[str, timedelta]]:
        return overdue_clocks(ticket, schedule, now)

    def soon(dues: list[Due]) -> list[tuple[str, timedelta]]:
        return [(due.clock, due.working) for due in dues]

    # ticket id -> its dues, per department and kind, in the order they were found
    warnings: dict[int, dict[int, list[Due]]] = defaultdict(dict)
    reminders: dict[int, dict[int, list[Due]]] = defaultdict(dict)
    escalations: dict[int, list[Due]] = {}
    for due in sent:
        key = due.ticket.id or 0
        if due.level.startswith("escalation"):
            escalations.setdefault(key, []).append(due)
            continue
        kind = warnings if due.level == "warning" else reminders
        kind[due.ticket.department_id or 0].setdefault(key, []).append(due)
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    for department_id in [*dict.fromkeys([*reminders, *warnings])]:
        department = (
            queries.zone.get_department(session=session, department_id=department_id)
            if department_id
            else dispatcher
        )
        if department is None:
            continue
        desk = department.role == "dispatcher"
        mine = {**warnings.get(department_id, {}), **reminders.get(department_id, {})}
        cards = queries.outbox.ticket_cards(
            session=session,
            ticket_ids=sorted(mine),
            purpose=Purpose.CARD if department_id else Purpose.DISPATCH,
        )
        sections: list[tuple[Say, ...]] = []
        # 催办 first: what is already late matters more than what is about to be.
        for header, group, overdue in (
            ("chase_overdue_header", reminders.get(department_id, {}), True),
            ("chase_due_header", warnings.get(department_id, {}), False),
        ):
            if not group:
                continue
            lines = [say(header, department=name_of(department), count=len(group))]
            for ticket_id, dues in group.items():
                ticket = dues[0].ticket
                lines.append(
                    ticket_line(
                        ticket=ticket,
                        category=category_of(ticket),
                        spans=late(ticket) if overdue else soon(dues),
                        overdue=overdue,
                        hours_per_day=hours,
                        card=cards.get(ticket_id),
                        linked=True,
                        show_company=desk or ticket.share_company,
                    )
                )
            sections.append(tuple(lines))
        # A long list goes in several messages.
        post(Digest(department, Purpose.REMINDER, tuple(sections)))
    if escalations and dispatcher is not None:
        lines = [say("escalation_header", count=len(escalations))]
        for dues in escalations.values():
            ticket = dues[0].ticket
            department = (
                queries.zone.get_department(session=session, department_id=ticket.department_id)
                if ticket.department_id
                else dispatcher
            )
            lines.append(
                ticket_line(
                    ticket=ticket,
                    category=category_of(ticket),
                    spans=late(ticket),
                    overdue=True,
                    hours_per_day=hours,
                    department=name_of(department) if department else "",
                    show_company=True,  # the office's own chat sees the whole ticket
                )
            )
        post(Digest(dispatcher, Purpose.ESCALATION, (tuple(lines),)))
    late_tickets = {d.ticket.id or 0: d.ticket for d in sent if d.level != "warning"}
    cards = queries.outbox.ticket_cards(
        session=session, ticket_ids=sorted(late_tickets), purpose=Purpose.CARD
    )
    facts = notices.card_facts(session=session, ticket_ids=sorted(cards))
    for ticket_id, ticket in late_tickets.items():
        card = cards.get(ticket_id)
        if card is None:  # no card, nothing to refresh
            continue
        post(RefreshCard(ticket, now=now, card=card, facts=facts[ticket_id]))


def _auto_close(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Resolved tickets nobody rated close themselves, with a last note to the enterprise."""
    post = partial(notices.post, session=session, settings=settings)
    days = settings.chaser.auto_close_days
    closed = []
    for ticket in queries.tickets.resolved_before(
        session=session, before=now - timedelta(days=days)
    ):
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=Action.AUTO_CLOSE,
            who=SYSTEM,
            now=now,
        )
        reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
        post(
            ToEnterprise(
                reporter,
                ticket,
                Purpose.AUTO_CLOSED,
                say("ent_auto_closed", number=ticket.number, days=float(days)),
            )
        )
        post(RefreshCard(ticket))
        closed.append(ticket.number)
    return closed


def _warn_missing_calendar(
    session: Session, settings: Settings, schedule: Schedule, now: datetime
) -> None:
    """Once per year, tell the desk when deadlines run into a year the calendar lacks."""
    calendar = schedule.calendar
    for year in sorted({now.year, (now + LOOKAHEAD).year}):
        if calendar.has_data_for(year):
            continue
        if not queries.jobs.claim_job_run(
            session=session, job="calendar_missing", period=str(year), now=now
        ):
            continue
        dispatcher: Department | None = queries.zone.get_department_by_role(
            session=session, role="dispatcher"
        )
        missing = say("calendar_missing", year=year)
        post = partial(notices.post, session=session, settings=settings)
        if dispatcher is not None:
            post(ToChat(dispatcher, None, Purpose.CALENDAR, missing))
        for admin_id in settings.desk.admins:
            post(ToAdmin(admin_id, None, Purpose.CALENDAR, missing))
