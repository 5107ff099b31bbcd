"""Deadlines in working time: working hours on Monday–Friday in the zone's time zone.

This is the foundation's clock. Public holidays and make-up working days (调休) come
with the deadlines issue, which swaps :func:`is_working_day` for a calendar-backed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import SlaSettings


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    periods: tuple[tuple[time, time], ...]

    @classmethod
    def from_settings(cls, sla: SlaSettings, timezone: str) -> Schedule:
        periods = []
        for spec in sla.working_hours:
            start, end = (time.fromisoformat(part) for part in spec.split("-"))
            periods.append((start, end))
        return cls(zone=ZoneInfo(timezone), periods=tuple(sorted(periods)))

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime
    first_reply_due: datetime
    resolve_due: datetime


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def add_working_time(start: datetime, hours: float, schedule: Schedule) -> datetime:
    """The moment ``hours`` of working time after ``start`` (an aware datetime)."""
    remaining = timedelta(hours=hours)
    local = start.astimezone(schedule.zone)
    day = local.date()
    for _ in range(3660):  # ten years of days: a bound, never reached by sane settings
        if is_working_day(day):
            for begin, end in schedule.periods:
                period_start = datetime.combine(day, begin, schedule.zone)
                period_end = datetime.combine(day, end, schedule.zone)
                if local >= period_end:
                    continue
                cursor = max(local, period_start)
                available = period_end - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(start.tzinfo)
                remaining -= available
                local = period_end
        day += timedelta(days=1)
        local = datetime.combine(day, time.min, schedule.zone)
    raise ValueError("working schedule has no working time")


def deadlines(submitted_at: datetime, sla: SlaSettings, schedule: Schedule) -> Deadlines:
    return Deadlines(
        accept_due=add_working_time(submitted_at, sla.accept_hours, schedule),
        first_reply_due=add_working_time(submitted_at, sla.first_reply_hours, schedule),
        resolve_due=add_working_time(
            submitted_at, sla.resolve_days * schedule.hours_per_day, schedule
        ),
    )
