"""Deadlines in working time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import SlaSettings
from bot.sla import Schedule, add_working_time, deadlines

SCHEDULE = Schedule.from_settings(SlaSettings(), "Asia/Shanghai")


def shanghai(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SCHEDULE.zone)


def test_inside_a_morning_period() -> None:
    assert add_working_time(shanghai(2026, 11, 25, 9), 2, SCHEDULE) == shanghai(2026, 11, 25, 11)


def test_lunch_break_is_skipped() -> None:
    assert add_working_time(shanghai(2026, 11, 25, 11), 2, SCHEDULE) == shanghai(
        2026, 11, 25, 14, 30
    )


def test_friday_evening_rolls_to_monday() -> None:
    assert add_working_time(shanghai(2026, 11, 27, 17), 2, SCHEDULE) == shanghai(
        2026, 11, 30, 10, 30
    )


def test_night_submission_starts_at_next_morning() -> None:
    assert add_working_time(shanghai(2026, 11, 24, 23), 1, SCHEDULE) == shanghai(2026, 11, 25, 10)


def test_weekend_submission_starts_monday() -> None:
    assert add_working_time(shanghai(2026, 11, 28, 10), 0.5, SCHEDULE) == shanghai(
        2026, 11, 30, 9, 30
    )


def test_resolve_days_are_whole_working_days() -> None:
    due = deadlines(datetime(2026, 11, 25, 1, 0, tzinfo=UTC), SlaSettings(), SCHEDULE)
    # Wednesday 09:00 + 5 working days of 7 hours = next Wednesday 09:00 … which is the
    # end of Tuesday's last period: both mean "five full working days later".
    assert due.resolve_due.astimezone(SCHEDULE.zone) == shanghai(2026, 12, 1, 17, 30)
    assert due.accept_due.astimezone(SCHEDULE.zone) == shanghai(2026, 11, 25, 11)
    assert SCHEDULE.hours_per_day == 7
