"""Deadlines in working time: hours, lunch, nights, weekends, holidays, make-up days, new years.

The 2026 arrangement used below (国办发明电〔2025〕7号, as chinesecalendar has it; checked day by
day in test_workcalendar.py):

* 春节 Sun 15 – Mon 23 Feb off; Sat 14 and Sat 28 Feb are working days (调休).
* 中秋节 Fri 25 – Sun 27 Sep off; 国庆节 Thu 1 – Wed 7 Oct off; Sun 20 Sep and Sat 10 Oct
  are working days.

Working hours are the defaults, 09:00–12:00 and 13:30–17:30 (seven hours a day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import SlaSettings
from bot.core.sla import (
    Schedule,
    add_working_days,
    add_working_time,
    deadlines,
    is_working_time,
    next_working_moment,
    working_time_between,
)
from bot.core.workcalendar import WorkCalendar

SCHEDULE = Schedule.from_settings(SlaSettings(), "Asia/Shanghai")
SH = ZoneInfo("Asia/Shanghai")


def shanghai(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SCHEDULE.zone)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def fresh_schedule(calendar: WorkCalendar | None = None) -> Schedule:
    return Schedule.from_settings(SlaSettings(), "Asia/Shanghai", calendar or WorkCalendar())


# --- add_working_time: hours ------------------------------------------------------------


def test_inside_a_morning_period() -> None:
    assert add_working_time(shanghai(2026, 11, 25, 9), 2, SCHEDULE) == shanghai(2026, 11, 25, 11)


def test_lunch_break_is_skipped() -> None:
    assert add_working_time(shanghai(2026, 11, 25, 11), 2, SCHEDULE) == shanghai(
        2026, 11, 25, 14, 30
    )


def test_submission_at_lunch_starts_after_lunch() -> None:
    assert add_working_time(shanghai(2026, 11, 25, 12, 15), 1, SCHEDULE) == shanghai(
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


def test_result_keeps_the_time_zone_of_the_start() -> None:
    due = add_working_time(datetime(2026, 11, 25, 1, tzinfo=UTC), 2, SCHEDULE)
    assert due.tzinfo is UTC
    assert due == shanghai(2026, 11, 25, 11)


def test_national_day_is_skipped() -> None:
    # Wed 30 Sep 16:00: 1.5 h that day, then 1–7 Oct off, the last 0.5 h on Thu 8 Oct.
    assert add_working_time(shanghai(2026, 9, 30, 16), 2, SCHEDULE) == shanghai(2026, 10, 8, 9, 30)


def test_mid_autumn_is_skipped() -> None:
    # Thu 24 Sep 17:00: 0.5 h, then Fri 25 – Sun 27 off, on to Mon 28 Sep.
    assert add_working_time(shanghai(2026, 9, 24, 17), 1, SCHEDULE) == shanghai(2026, 9, 28, 9, 30)


def test_make_up_sunday_and_saturday_are_worked() -> None:
    # Sat 19 Sep is off, but Sun 20 Sep is a make-up working day.
    assert add_working_time(shanghai(2026, 9, 19, 10), 1, SCHEDULE) == shanghai(2026, 9, 20, 10)
    # Fri 9 Oct 17:00: 0.5 h, then Sat 10 Oct is a make-up working day.
    assert add_working_time(shanghai(2026, 10, 9, 17), 1, SCHEDULE) == shanghai(2026, 10, 10, 9, 30)


def test_spring_festival_is_skipped_and_its_make_up_saturday_worked() -> None:
    # Fri 13 Feb 17:00: 0.5 h, then Sat 14 Feb (make-up) from 09:00.
    assert add_working_time(shanghai(2026, 2, 13, 17), 2, SCHEDULE) == shanghai(2026, 2, 14, 10, 30)
    # Sat 14 Feb 17:00: 0.5 h, then 15–23 Feb off, on to Tue 24 Feb.
    assert add_working_time(shanghai(2026, 2, 14, 17), 2, SCHEDULE) == shanghai(2026, 2, 24, 10, 30)


def test_submission_on_a_holiday_starts_after_it() -> None:
    assert add_working_time(shanghai(2026, 10, 3, 15), 2, SCHEDULE) == shanghai(2026, 10, 8, 11)


def test_negative_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="hours"):
        add_working_time(shanghai(2026, 11, 25, 9), -1, SCHEDULE)


# --- add_working_days and the resolve deadline ----------------------------------------


def test_resolve_is_the_same_time_five_working_days_later() -> None:
    # Intentional change: this used to be Tuesday 1 Dec 17:30 (35 working hours ending at the
    # close of a day). Now "five working days" from Wednesday 09:00 is next Wednesday 09:00:
    # the same amount of working time, but it reads as five days, as 12345 practice has it.
    due = deadlines(datetime(2026, 11, 25, 1, 0, tzinfo=UTC), SlaSettings(), SCHEDULE)
    assert due.resolve_due.astimezone(SCHEDULE.zone) == shanghai(2026, 12, 2, 9)
    assert due.accept_due.astimezone(SCHEDULE.zone) == shanghai(2026, 11, 25, 11)
    assert due.first_reply_due.astimezone(SCHEDULE.zone) == shanghai(2026, 11, 25, 17, 30)
    assert SCHEDULE.hours_per_day == 7
    assert working_time_between(
        datetime(2026, 11, 25, 1, 0, tzinfo=UTC), due.resolve_due, SCHEDULE
    ) == hours(35)


def test_resolve_across_mid_autumn_and_national_day() -> None:
    # From Wed 23 Sep 10:00: Thu 24 (1), [25–27 off], Mon 28 (2), Tue 29 (3), Wed 30 (4),
    # [1–7 Oct off], Thu 8 Oct (5).
    due = deadlines(shanghai(2026, 9, 23, 10), SlaSettings(), SCHEDULE)
    assert due.resolve_due == shanghai(2026, 10, 8, 10)


def test_resolve_lands_on_a_make_up_sunday() -> None:
    # From Mon 14 Sep 10:00: Tue 15 … Fri 18 (4), Sat 19 off, Sun 20 Sep 调休 (5).
    assert add_working_days(shanghai(2026, 9, 14, 10), 5, SCHEDULE) == shanghai(2026, 9, 20, 10)


def test_resolve_across_spring_festival() -> None:
    # From Fri 13 Feb 10:00: Sat 14 (调休, 1), [15–23 off], Tue 24 (2) … Fri 27 (5).
    assert add_working_days(shanghai(2026, 2, 13, 10), 5, SCHEDULE) == shanghai(2026, 2, 27, 10)


def test_resolve_from_a_holiday_counts_from_the_next_working_morning() -> None:
    # Sat 3 Oct (国庆) → counted from Thu 8 Oct 09:00: Fri 9 (1), Sat 10 (调休, 2), Sun 11
    # off, Mon 12 (3), Tue 13 (4), Wed 14 (5).
    assert add_working_days(shanghai(2026, 10, 3, 15), 5, SCHEDULE) == shanghai(2026, 10, 14, 9)


def test_resolve_from_night_and_lunch() -> None:
    assert add_working_days(shanghai(2026, 11, 24, 23), 1, SCHEDULE) == shanghai(2026, 11, 26, 9)
    assert add_working_days(shanghai(2026, 11, 25, 12, 15), 1, SCHEDULE) == shanghai(
        2026, 11, 26, 13, 30
    )


def test_fractional_days_add_working_hours() -> None:
    # 1.5 days from Wed 10:00 = Thu 10:00 + 3.5 h = Thu 15:00 (across lunch).
    assert add_working_days(shanghai(2026, 11, 25, 10), 1.5, SCHEDULE) == shanghai(2026, 11, 26, 15)
    sla = SlaSettings(resolve_days=0.5)
    assert deadlines(shanghai(2026, 11, 25, 9), sla, SCHEDULE).resolve_due == shanghai(
        2026, 11, 25, 14
    )


def test_zero_days_is_the_next_working_moment() -> None:
    assert add_working_days(shanghai(2026, 11, 28, 10), 0, SCHEDULE) == shanghai(2026, 11, 30, 9)


# --- a year the package has no data for -------------------------------------------------


def _last_data_year() -> int:
    year = 2026
    while True:
        try:
            chinese_calendar.is_workday(date(year + 1, 6, 1))
        except NotImplementedError:
            return year
        year += 1


def test_deadline_running_into_a_year_without_data() -> None:
    last = _last_data_year()
    calls: list[int] = []
    schedule = fresh_schedule(WorkCalendar(on_missing_year=calls.append))
    start = datetime(last, 12, 21, 10, tzinfo=SH)
    due = add_working_days(start, 15, schedule)  # no exception

    # The expected day, counted by hand: the package up to 31 Dec, then weekdays except 元旦.
    day, left = start.date(), 15
    while left:
        day += timedelta(days=1)
        if day.year == last:
            left -= chinese_calendar.is_workday(day)
        else:
            left -= day.weekday() < 5 and day != date(last + 1, 1, 1)
    assert due == datetime.combine(day, start.time(), SH)
    assert due.year == last + 1
    assert calls == [last + 1]

    # Asking again — other clocks, elapsed time — does not report the year again.
    deadlines(datetime(last, 12, 30, 16, tzinfo=SH), SlaSettings(), schedule)
    assert working_time_between(start, due, schedule) == hours(15 * 7)
    assert calls == [last + 1]
    assert schedule.calendar.missing_years == {last + 1}


# --- config days --------------------------------------------------------------------------


def test_config_extra_holiday_and_workday_move_deadlines() -> None:
    sla = SlaSettings(extra_holidays=["2026-12-31"], extra_workdays=["2026-12-26"])
    schedule = Schedule.from_settings(sla, "Asia/Shanghai")
    assert schedule.calendar.extra_holidays == {date(2026, 12, 31)}
    # Wed 30 Dec 17:00 + 1 h: 0.5 h, Thu 31 Dec given off, so Fri 1 Jan … which is 元旦 in
    # any year, then the weekend: on to Mon 4 Jan.
    assert add_working_time(shanghai(2026, 12, 30, 17), 1, schedule) == shanghai(2027, 1, 4, 9, 30)
    # Fri 25 Dec 17:00 + 1 h: Sat 26 Dec is a working day by config.
    assert add_working_time(shanghai(2026, 12, 25, 17), 1, schedule) == shanghai(
        2026, 12, 26, 9, 30
    )
    assert add_working_time(shanghai(2026, 12, 25, 17), 1, SCHEDULE) == shanghai(
        2026, 12, 28, 9, 30
    )


def test_config_workday_overrides_a_public_holiday() -> None:
    schedule = Schedule.from_settings(
        SlaSettings(extra_workdays=[date(2026, 10, 7)]), "Asia/Shanghai"
    )
    assert add_working_time(shanghai(2026, 9, 30, 17), 1, schedule) == shanghai(2026, 10, 7, 9, 30)


# --- working_time_between ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (shanghai(2026, 11, 25, 11), shanghai(2026, 11, 25, 14, 30), 2),  # lunch
        (shanghai(2026, 11, 24, 17), shanghai(2026, 11, 25, 10), 1.5),  # night
        (shanghai(2026, 11, 24, 20), shanghai(2026, 11, 25, 8), 0),  # all night
        (shanghai(2026, 11, 27, 17), shanghai(2026, 11, 30, 9, 30), 1),  # weekend
        (shanghai(2026, 9, 30, 16), shanghai(2026, 10, 8, 9, 30), 2),  # 国庆
        (shanghai(2026, 10, 1, 9), shanghai(2026, 10, 7, 17), 0),  # inside 国庆
        (shanghai(2026, 9, 20, 0), shanghai(2026, 9, 21, 0), 7),  # make-up Sunday
        (shanghai(2026, 2, 13, 17), shanghai(2026, 2, 24, 10), 8.5),  # 春节: 0.5 + 7 + 1
        (shanghai(2026, 11, 23, 9), shanghai(2026, 11, 30, 9), 35),  # one week
    ],
)
def test_working_time_between(start: datetime, end: datetime, expected: float) -> None:
    assert working_time_between(start, end, SCHEDULE) == hours(expected)


def test_working_time_between_is_zero_backwards_and_mixes_zones() -> None:
    assert working_time_between(
        shanghai(2026, 11, 25, 14), shanghai(2026, 11, 25, 10), SCHEDULE
    ) == timedelta(0)
    # 01:00 UTC is 09:00 in Shanghai.
    assert working_time_between(
        datetime(2026, 11, 25, 1, tzinfo=UTC), shanghai(2026, 11, 25, 10), SCHEDULE
    ) == hours(1)


def test_is_working_time_and_next_working_moment() -> None:
    assert is_working_time(shanghai(2026, 11, 25, 9), SCHEDULE)
    assert not is_working_time(shanghai(2026, 11, 25, 12), SCHEDULE)  # periods are half-open
    assert not is_working_time(shanghai(2026, 10, 5, 10), SCHEDULE)  # 国庆
    assert is_working_time(shanghai(2026, 10, 10, 10), SCHEDULE)  # 调休 Saturday
    assert next_working_moment(shanghai(2026, 11, 25, 12), SCHEDULE) == shanghai(
        2026, 11, 25, 13, 30
    )
    assert next_working_moment(shanghai(2026, 10, 1, 8), SCHEDULE) == shanghai(2026, 10, 8, 9)


# --- properties ---------------------------------------------------------------------------

PROPERTY_SCHEDULE = fresh_schedule()
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(SH)
) | st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(UTC)
)


@given(start=moments, h=st.floats(min_value=0, max_value=150, allow_nan=False))
def test_elapsed_time_undoes_added_time(start: datetime, h: float) -> None:
    due = add_working_time(start, h, PROPERTY_SCHEDULE)
    assert working_time_between(start, due, PROPERTY_SCHEDULE) == timedelta(hours=h)


@given(start=moments, n=st.integers(min_value=0, max_value=25))
def test_working_days_are_whole_days_of_working_time(start: datetime, n: int) -> None:
    due = add_working_days(start, n, PROPERTY_SCHEDULE)
    assert working_time_between(start, due, PROPERTY_SCHEDULE) == hours(
        n * PROPERTY_SCHEDULE.hours_per_day
    )
    assert is_working_time(due, PROPERTY_SCHEDULE)
    begin = next_working_moment(start, PROPERTY_SCHEDULE).astimezone(SH)
    assert due.astimezone(SH).time() == begin.time()


@given(a=moments, b=moments, c=moments)
def test_elapsed_time_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted([a, b, c])
    s = PROPERTY_SCHEDULE
    assert working_time_between(a, b, s) + working_time_between(b, c, s) == working_time_between(
        a, c, s
    )


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 25, 10)
    with pytest.raises(ValueError, match="aware"):
        add_working_time(naive, 1, SCHEDULE)
    with pytest.raises(ValueError, match="aware"):
        working_time_between(naive, naive + hours(1), SCHEDULE)
    with pytest.raises(ValueError, match="aware"):
        add_working_days(naive, 1, SCHEDULE)
