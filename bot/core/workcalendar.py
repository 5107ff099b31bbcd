"""Is a date a working day in mainland China?

The answer comes from, in this order:

1. the zone's config: ``[sla] extra_holidays`` and ``extra_workdays`` (a date may not be in
   both; config always wins);
2. the maintained ``chinesecalendar`` package (import ``chinese_calendar``), which knows the
   State Council's yearly arrangement: public holidays *and* make-up working days (调休);
3. for a year the package has no data for yet (the next year's arrangement is published
   around November, and only reaches us with a package upgrade): weekends off, plus the
   statutory holidays that fall on fixed Gregorian dates under the 2024 revision of
   《全国年节及纪念日放假办法》 (元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct). Those dates are
   days off whatever the arrangement; the lunar holidays (春节, 清明, 端午, 中秋) and the
   make-up days are not known, so deadlines in such a year may be off by those days.

A fallback year is never silent: it is added to :attr:`WorkCalendar.missing_years`, logged as
a warning, and passed to ``on_missing_year`` — each exactly once per calendar, so the desk
can warn its admins once. Nothing here raises for a missing year.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

import chinese_calendar  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

#: (month, day) of the statutory holidays with fixed Gregorian dates (国务院令第 793 号, 2025-).
STATUTORY_FIXED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
)


@cache
def _package_years() -> range:
    """The years ``chinesecalendar`` has an arrangement for (empty if it cannot tell)."""
    try:
        years = {day.year for day in chinese_calendar.constants.holidays}
    except (AttributeError, TypeError):  # pragma: no cover - a package that changed shape
        return range(0)
    return range(min(years), max(years) + 1) if years else range(0)


class WorkCalendar:
    """Working days in mainland China, with the zone's own additions.

    ``on_missing_year(year)`` is called (once per year) the first time a date is asked
    about in a year the package has no data for; the answer then comes from the fallback
    rule described in the module docstring. Lookups are cached per calendar.
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        on_missing_year: Callable[[int], object] | None = None,
    ) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates both extra holidays and extra workdays: {days}")
        self.on_missing_year = on_missing_year
        self.missing_years: set[int] = set()
        self._cache: dict[date, bool] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_holidays={sorted(self.extra_holidays)!r}, "
            f"extra_workdays={sorted(self.extra_workdays)!r})"
        )

    @property
    def data_years(self) -> range:
        """The years the package has the official arrangement for."""
        return _package_years()

    def has_data_for(self, year: int) -> bool:
        """Whether ``year`` is counted from the official arrangement (not the fallback)."""
        return year in self.data_years

    def is_working_day(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is None:
            known = self._cache[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._report_missing(day.year)
            return day.weekday() < 5 and (day.month, day.day) not in STATUTORY_FIXED_HOLIDAYS

    def _report_missing(self, year: int) -> None:
        if year in self.missing_years:
            return
        self.missing_years.add(year)
        log.warning(
            "chinesecalendar has no holiday arrangement for %d (data: %s); counting weekends "
            "and fixed-date statutory holidays only — upgrade chinesecalendar or set "
            "[sla] extra_holidays / extra_workdays",
            year,
            _describe(self.data_years),
        )
        if self.on_missing_year is not None:
            self.on_missing_year(year)


def _describe(years: range) -> str:
    return f"{years.start}–{years.stop - 1}" if years else "none"


@cache
def shared_calendar(
    extra_holidays: frozenset[date] = frozenset(), extra_workdays: frozenset[date] = frozenset()
) -> WorkCalendar:
    """One calendar per configuration for the whole process, so lookups are cached and a
    missing year is reported once however many times a schedule is built from settings."""
    return WorkCalendar(extra_holidays, extra_workdays)
