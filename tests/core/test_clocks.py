"""Every change to a ticket's deadlines, on the real working-time schedule (Asia/Shanghai,
09:00–12:00 and 13:30–17:30, seven hours a day, the 2026 holidays)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.core import clocks
from bot.core.sla import add_working_time, deadlines
from storage.db import transaction
from storage.models import Category, Reporter, Ticket


def cst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time, as the UTC moment the desk stores."""
    return datetime(2026, month, day, hour - 8, minute, tzinfo=UTC)


def ticket(**times: datetime | None) -> Ticket:
    values: dict[str, datetime | None] = {
        "accept_due": cst(11, 23, 11),
        "first_reply_due": cst(11, 23, 16),
        "resolve_due": cst(11, 27, 10),
        **times,
    }
    return Ticket(
        number="GX-1",
        kind="complaint",
        status="accepted",
        category_id=1,
        reporter_id=1,
        description="d",
        company_name="c",
        contact_name="n",
        phone="1",
        route_reason="keyword",
        **values,
    )


def test_a_pause_moves_the_resolve_deadline_by_the_working_time_it_lasted(
    settings: Settings,
) -> None:
    t = ticket()
    clocks.pause(t, cst(11, 23, 10))  # Monday 10:00
    assert t.waiting_since == cst(11, 23, 10)
    clocks.resume(t, settings, cst(11, 24, 10))  # a working day later: 7 working hours
    assert t.waiting_since is None
    assert t.resolve_due == cst(11, 30, 10)  # Friday 10:00 + 7 working hours = Monday 10:00


def test_a_pause_over_a_night_and_a_weekend_counts_only_working_time(
    settings: Settings,
) -> None:
    t = ticket()
    clocks.pause(t, cst(11, 27, 17))  # Friday 17:00: half an hour left that day
    clocks.resume(t, settings, cst(11, 30, 9, 30))  # Monday 09:30: half an hour more
    assert t.resolve_due == cst(11, 27, 11)  # one working hour later than Friday 10:00


def test_resuming_without_a_pause_changes_nothing(settings: Settings) -> None:
    t = ticket()
    clocks.resume(t, settings, cst(11, 24, 10))
    assert t.resolve_due == cst(11, 27, 10) and t.waiting_since is None


def test_resolving_ends_a_pause_without_moving_the_deadline() -> None:
    t = ticket(waiting_since=cst(11, 23, 10))
    clocks.end_pause(t)
    assert t.waiting_since is None and t.resolve_due == cst(11, 27, 10)


def test_an_extension_adds_whole_working_days(settings: Settings) -> None:
    t = ticket()
    assert clocks.extended_due(t, settings, 3) == cst(12, 2, 10)  # Fri + 3 working days
    assert t.resolve_due == cst(11, 27, 10)  # a preview changes nothing
    clocks.extend(t, settings, 3)
    assert t.resolve_due == cst(12, 2, 10)


def test_an_extension_skips_the_national_day_holidays(settings: Settings) -> None:
    t = ticket(resolve_due=cst(9, 30, 10))  # Wed 30 Sep; 1–7 Oct off, Sat 10 Oct works
    clocks.extend(t, settings, 2)
    assert t.resolve_due == cst(10, 9, 10)  # Thu 8, Fri 9 Oct


def _stored_ticket(engine: Engine) -> int:
    with transaction(engine) as session:
        category = session.exec(select(Category).where(Category.code == "policy")).one()
        reporter = Reporter(telegram_user_id=42)
        session.add(reporter)
        session.flush()
        row = ticket()
        row.category_id, row.reporter_id = category.id or 0, reporter.id or 0
        session.add(row)
        session.flush()
        return row.id or 0


def test_a_reopen_gives_a_whole_resolve_window_from_now(engine: Engine, settings: Settings) -> None:
    ticket_id = _stored_ticket(engine)
    now = cst(12, 1, 15)
    with transaction(engine) as session:
        t = session.get(Ticket, ticket_id)
        assert t is not None
        clocks.restart_resolve(session=session, settings=settings, ticket=t, now=now)
        targets = settings.sla.targets(category="policy", priority=t.priority)
        expected = deadlines(now, targets, clocks.schedule_of(settings)).resolve_due
        assert t.resolve_due == expected
        assert t.accept_due == cst(11, 23, 11)  # the other clocks stay


def test_a_transfer_gives_the_new_department_a_whole_accept_window(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _stored_ticket(engine)
    now = cst(12, 1, 17)  # half an hour before the day ends
    with transaction(engine) as session:
        t = session.get(Ticket, ticket_id)
        assert t is not None
        clocks.restart_accept(session=session, settings=settings, ticket=t, now=now)
        hours = settings.sla.targets(category="policy", priority=t.priority).accept_hours
        assert t.accept_due == add_working_time(now, hours, clocks.schedule_of(settings))
        assert t.accept_due > cst(12, 2, 9)  # carried into the next working morning
        assert t.resolve_due == cst(11, 27, 10)


def test_a_new_ticket_starts_its_clocks_from_its_category_and_priority(
    settings: Settings,
) -> None:
    now = cst(11, 24, 10)
    due = clocks.starting(settings=settings, category="policy", priority="urgent", now=now)
    targets = settings.sla.targets(category="policy", priority="urgent")
    assert due == deadlines(now, targets, clocks.schedule_of(settings))
