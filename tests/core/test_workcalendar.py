"""Working days in mainland China: the package's arrangement, config overrides, the fallback."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError

from bot.config import SlaSettings
from bot.core.workcalendar import WorkCalendar, shared_calendar


def last_data_year() -> int:
    """The last year chinesecalendar has an arrangement for, found by asking it."""
    year = 2026  # the tests below need it; chinesecalendar 1.11 is the first to have it
    chinese_calendar.is_workday(date(year, 6, 1))
    while True:
        try:
            chinese_calendar.is_workday(date(year + 1, 6, 1))
        except NotImplementedError:
            return year
        year += 1


LAST = last_data_year()
MISSING = LAST + 1


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def off_days(calendar: WorkCalendar, first: str, last: str) -> list[str]:
    return [d.isoformat() for d in days(first, last) if not calendar.is_working_day(d)]


def test_plain_week() -> None:
    calendar = WorkCalendar()
    # 23–29 Nov 2026: an ordinary week, Monday–Friday working.
    assert off_days(calendar, "2026-11-23", "2026-11-29") == ["2026-11-28", "2026-11-29"]


def test_2026_mid_autumn_and_national_day() -> None:
    # 国办发明电〔2025〕7号, as the package has it: 中秋节 Fri 25 – Sun 27 Sep off; 国庆节
    # Thu 1 – Wed 7 Oct off; make-up working days Sun 20 Sep and Sat 10 Oct.
    calendar = WorkCalendar()
    assert off_days(calendar, "2026-09-19", "2026-10-11") == [
        "2026-09-19",  # Saturday
        "2026-09-25", "2026-09-26", "2026-09-27",  # 中秋节
        "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
        "2026-10-05", "2026-10-06", "2026-10-07",  # 国庆节
        "2026-10-11",  # Sunday
    ]  # fmt: skip
    assert calendar.is_working_day(date(2026, 9, 20))  # a Sunday, 调休上班
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday, 调休上班


def test_2026_spring_festival() -> None:
    # 春节: Sun 15 – Mon 23 Feb off (nine days); make-up Saturdays 14 and 28 Feb.
    calendar = WorkCalendar()
    assert off_days(calendar, "2026-02-14", "2026-03-01") == [
        *(d.isoformat() for d in days("2026-02-15", "2026-02-23")),
        "2026-03-01",  # Sunday
    ]
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 28))


def test_agrees_with_the_package_over_its_whole_last_year() -> None:
    calendar = WorkCalendar()
    for day in days(f"{LAST}-01-01", f"{LAST}-12-31"):
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
    assert calendar.missing_years == set()


def test_data_years() -> None:
    calendar = WorkCalendar()
    assert calendar.data_years.stop - 1 == LAST
    assert 2026 in calendar.data_years
    assert calendar.has_data_for(LAST)
    assert not calendar.has_data_for(MISSING)


def test_config_days_win_over_the_package() -> None:
    calendar = WorkCalendar(
        extra_holidays=[date(2026, 12, 31)],  # a Thursday the zone gives off
        extra_workdays=[date(2026, 12, 26), date(2026, 10, 7)],  # a Saturday, a 国庆 day
    )
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2026, 12, 26))
    assert calendar.is_working_day(date(2026, 10, 7))
    assert not calendar.is_working_day(date(2026, 10, 6))


def test_a_day_cannot_be_both() -> None:
    with pytest.raises(ValueError, match="2026-12-31"):
        WorkCalendar(extra_holidays=[date(2026, 12, 31)], extra_workdays=[date(2026, 12, 31)])


def test_missing_year_falls_back_and_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    calendar = WorkCalendar(on_missing_year=calls.append)
    with caplog.at_level(logging.WARNING, logger="bot.core.workcalendar"):
        year = [calendar.is_working_day(d) for d in days(f"{MISSING}-01-01", f"{MISSING}-12-31")]
        calendar.is_working_day(date(MISSING, 3, 3))
    assert calls == [MISSING]
    assert calendar.missing_years == {MISSING}
    assert len([r for r in caplog.records if str(MISSING) in r.getMessage()]) == 1
    # Weekends off and the fixed-date statutory holidays; nothing else is known.
    for day, working in zip(days(f"{MISSING}-01-01", f"{MISSING}-12-31"), year, strict=True):
        fixed = (day.month, day.day) in {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
        assert working == (day.weekday() < 5 and not fixed), day


def test_each_missing_year_is_reported_once() -> None:
    calls: list[int] = []
    calendar = WorkCalendar(on_missing_year=calls.append)
    for day in [date(2099, 12, 31), date(2100, 1, 1), date(2099, 6, 1), date(2100, 1, 4)]:
        calendar.is_working_day(day)
    assert calls == [2099, 2100]
    assert not calendar.is_working_day(date(2100, 1, 1))  # Friday, 元旦
    assert calendar.is_working_day(date(2100, 1, 4))  # Monday


def test_config_days_in_a_missing_year() -> None:
    calls: list[int] = []
    calendar = WorkCalendar(
        extra_holidays=[date(MISSING, 2, 10)],
        extra_workdays=[date(MISSING, 1, 1)],
        on_missing_year=calls.append,
    )
    assert calendar.is_working_day(date(MISSING, 1, 1))
    assert not calendar.is_working_day(date(MISSING, 2, 10))
    assert calls == []  # config answered: the package was not asked


def test_lookups_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[date] = []
    real = chinese_calendar.is_workday

    def counting(day: date) -> bool:
        asked.append(day)
        return bool(real(day))

    monkeypatch.setattr(chinese_calendar, "is_workday", counting)
    calendar = WorkCalendar()
    for _ in range(3):
        calendar.is_working_day(date(2026, 10, 1))
    assert asked == [date(2026, 10, 1)]


def test_shared_calendar_is_one_per_configuration() -> None:
    extra = frozenset({date(2026, 12, 31)})
    assert shared_calendar(extra) is shared_calendar(extra)
    assert shared_calendar(extra) is not shared_calendar()


def test_settings_parse_iso_dates() -> None:
    sla = SlaSettings.model_validate(
        {"extra_holidays": ["2026-12-31"], "extra_workdays": [date(2026, 12, 26)]}
    )
    assert sla.extra_holidays == [date(2026, 12, 31)]
    assert sla.extra_workdays == [date(2026, 12, 26)]
    assert SlaSettings().extra_holidays == [] == SlaSettings().extra_workdays


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"extra_holidays": ["2026-12-31"], "extra_workdays": ["2026-12-31"]}, "both list"),
        ({"extra_holidays": ["31/12/2026"]}, "extra_holidays"),
        ({"working_hours": ["09:00-12:00", "11:30-17:30"]}, "overlap"),
        ({"working_hours": ["17:30-09:00"]}, "ends before it starts"),
    ],
)
def test_settings_refuse_bad_days_and_hours(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SlaSettings.model_validate(data)
