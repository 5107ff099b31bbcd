"""Deadlines in working time (工作时间) in the zone's time zone.

Working time is the ``[sla] working_hours`` periods (half-open: 09:00–12:00 contains 09:00
but not 12:00) of every working day; which days are working days — weekends, public holidays,
make-up working days (调休), the zone's own extra days — is
:class:`bot.core.workcalendar.WorkCalendar`'s business. Every working day has the same periods, so
one working day is always
:attr:`Schedule.hours_per_day` hours of working time.

The rules:

* **Hours** (签收 ``accept_hours``, 首次答复 ``first_reply_hours``): that much working time
  after submission (:func:`add_working_time`). A clock that starts outside working time — at
  night, at lunch, on a weekend or a holiday — starts at the next working period.
* **Days** (办结 ``resolve_days``, extensions): "N working days" is the *same time of day* N
  working days later (:func:`add_working_days`), as 12345 hotline practice reads it: filed
  Wednesday 10:00, due next Wednesday 10:00 (not Tuesday 17:30, which is the same amount of
  working time but reads as four days). A start outside working time first moves to the next
  working period (filed Saturday → counted from Monday 09:00 → due the Monday after, 09:00).
  A fraction of a day is that fraction of ``hours_per_day`` added as working hours after the
  whole days. In working time this is exactly ``days × hours_per_day``, so
  ``working_time_between(start, add_working_days(start, n))`` is ``n`` working days.
* **Elapsed** (:func:`working_time_between`): the working time between two moments, for
  "overdue by N working hours" and for pausing clocks.

Everything here is pure: no clock is read; datetimes in are aware, datetimes out are in the
time zone of the start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import SlaSettings, Targets
from bot.core.workcalendar import WorkCalendar, shared_calendar

#: How far ahead a search for working time may look (ten years of days): a bound that sane
#: settings never reach; hitting it means the calendar has no working days at all.
_MAX_DAYS = 3660


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    periods: tuple[tuple[time, time], ...]
    calendar: WorkCalendar = field(default_factory=shared_calendar)

    @classmethod
    def from_settings(
        cls, sla: SlaSettings, timezone: str, calendar: WorkCalendar | None = None
    ) -> Schedule:
        """The schedule of ``[sla]``; without ``calendar``, the process-wide calendar of the
        configured extra days (see :func:`bot.core.workcalendar.shared_calendar`)."""
        periods = sorted(
            (time.fromisoformat(begin), time.fromisoformat(end))
            for begin, end in (spec.split("-") for spec in sla.working_hours)
        )
        if calendar is None:
            calendar = shared_calendar(frozenset(sla.extra_holidays), frozenset(sla.extra_workdays))
        return cls(
            zone=ZoneInfo(timezone),
            periods=tuple(periods),
            calendar=calendar,
        )

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day`` as aware datetimes in the zone; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, begin, self.zone), datetime.combine(day, end, self.zone))
            for begin, end in self.periods
        ]


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime
    first_reply_due: datetime
    resolve_due: datetime


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


def _local(moment: datetime, schedule: Schedule) -> datetime:
    """``moment`` in the zone; a naive datetime is refused rather than read as server time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, not {moment!r}")
    return moment.astimezone(schedule.zone)


def is_working_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``day`` is a working day (by default in the calendar without extra days)."""
    return (calendar or shared_calendar()).is_working_day(day)


def is_working_time(moment: datetime, schedule: Schedule) -> bool:
    """Whether ``moment`` (aware) lies inside a working period."""
    local = _local(moment, schedule)
    return any(begin <= local < end for begin, end in schedule.periods_on(local.date()))


def next_working_moment(moment: datetime, schedule: Schedule) -> datetime:
    """``moment`` if it is working time, else the start of the next working period."""
    local = _local(moment, schedule)
    day = local.date()
    for _ in range(_MAX_DAYS):
        for begin, end in schedule.periods_on(day):
            if local < end:
                return max(local, begin).astimezone(moment.tzinfo)
        day += timedelta(days=1)
    raise ValueError("working schedule has no working time")


def add_working_time(start: datetime, hours: float, schedule: Schedule) -> datetime:
    """The moment ``hours`` of working time after ``start`` (an aware datetime).

    A result that lands exactly on the end of a period stays there (12:00, 17:30) rather than
    jumping to the next period's start: both are the same amount of working time.
    """
    if hours < 0 or not math.isfinite(hours):
        raise ValueError(f"hours must be a finite number >= 0, not {hours}")
    remaining = timedelta(hours=hours)
    local = _local(start, schedule)
    day = local.date()
    for _ in range(_MAX_DAYS):
        for period_start, period_end in schedule.periods_on(day):
            if local >= period_end:
                continue
            cursor = max(local, period_start)
            available = period_end - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(start.tzinfo)
            remaining -= available
            local = period_end
        day += timedelta(days=1)
    raise ValueError("working schedule has no working time")


def add_working_days(start: datetime, days: float, schedule: Schedule) -> datetime:
    """The same time of day ``days`` working days after ``start`` (see the module docstring).

    ``start`` outside working time counts from the next working period; a fractional part is
    added as that share of :attr:`Schedule.hours_per_day` in working hours.
    """
    if days < 0 or not math.isfinite(days):
        raise ValueError(f"days must be a finite number >= 0, not {days}")
    whole = int(days)
    fraction = days - whole
    begin = next_working_moment(start, schedule).astimezone(schedule.zone)
    day = begin.date()
    counted = 0
    while counted < whole:
        day += timedelta(days=1)
        if (day - begin.date()).days > whole + _MAX_DAYS:
            raise ValueError("working schedule has no working time")
        if schedule.is_working_day(day):
            counted += 1
    due = datetime.combine(day, begin.time(), schedule.zone)
    if fraction:
        due = add_working_time(due, fraction * schedule.hours_per_day, schedule)
    return due.astimezone(start.tzinfo)


def working_time_between(start: datetime, end: datetime, schedule: Schedule) -> timedelta:
    """The working time from ``start`` to ``end`` (aware datetimes); zero if ``end <= start``."""
    first = _local(start, schedule)
    last = _local(end, schedule)
    if last <= first:
        return timedelta(0)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        for period_start, period_end in schedule.periods_on(day):
            overlap = min(period_end, last) - max(period_start, first)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def deadlines(submitted_at: datetime, sla: SlaSettings | Targets, schedule: Schedule) -> Deadlines:
    """The three deadlines from ``submitted_at``; pass ``SlaSettings.targets(...)`` for a
    ticket's category and priority (``SlaSettings`` itself means the defaults)."""
    return Deadlines(
        accept_due=add_working_time(submitted_at, sla.accept_hours, schedule),
        first_reply_due=add_working_time(submitted_at, sla.first_reply_hours, schedule),
        resolve_due=add_working_days(submitted_at, sla.resolve_days, schedule),
    )
