"""The weekly overdue summary's metrics (每周超期通报), each defined once.

``docs/metrics.md`` is the reader's version of this module (Chinese term, English, formula,
edge cases). The SQL that counts lives in :mod:`storage.reports`; it returns the raw counts
of :class:`DepartmentCounts` by field name, and every rate is derived here, so a percentage
means the same thing in the chat message, the workbook and the chart.

The window is one ISO week in the zone's time zone, ``[Monday 00:00, next Monday 00:00)``.
A deadline is judged in the week in which it falls (and only once it has passed ``now``),
so every ticket's 签收/首次答复 clock is counted in exactly one weekly report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.lifecycle import SATISFIED_FROM, Action
from bot.core.sla import Schedule, working_time_between
from storage.reports import OverdueItem, RecurringProblem

#: 差评 = 不满意 (2) and 非常不满意 (1).
BAD_UP_TO = SATISFIED_FROM - 1
#: The overdue list is the only part that loads rows; it is bounded, oldest first.
OVERDUE_LIST_LIMIT = 200
#: The TicketEvent actions written when the enterprise rates (detail = {"rating": n}): a
#: satisfied rating closes the ticket, a poor one is recorded before the ticket reopens.
RATED_ACTIONS = (Action.RATE_SATISFIED.value, Action.RATE_POOR.value)

_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


# --- the week ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """An ISO week in the zone: ``start`` inclusive, ``end`` exclusive, both aware."""

    monday: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.monday.isoweekday() != 1:
            raise ValueError(f"a week starts on a Monday, not on {self.monday:%A} {self.monday}")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(0), self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.monday + timedelta(days=7), time(0), self.zone)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``2026-W48`` (also ``2026W48``, ``2026-w48``)."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO week like 2026-W48: {text!r}")
    year, week = int(match[1]), int(match[2])
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None


def previous_week(now: datetime, zone: ZoneInfo) -> date:
    """The Monday of the last full week before ``now`` (aware) in ``zone``."""
    today = now.astimezone(zone).date()
    return today - timedelta(days=today.weekday() + 7)


# --- rates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``hits / total``; no value when nothing was there to count (shown as "—")."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def percent(self) -> str:
        """``92.3%``, ``100%``, or ``—`` for an empty denominator."""
        if self.value is None:
            return "—"
        return f"{self.value * 100:.1f}".rstrip("0").rstrip(".") + "%"


# --- per department ---------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentCounts:
    """What :func:`storage.reports.weekly_counts` counts for one department (or the total).

    * ``received`` 受理: tickets created in the week whose current department this is.
    * ``accept_due``/``accept_on_time`` 应签收/按时签收: tickets whose ``accept_due`` falls in
      the week and before ``now``; on time when ``accepted_at <= accept_due``. A withdrawn
      ticket that was never accepted is not judged.
    * ``reply_due``/``reply_on_time`` 应答复/按时答复: the same on ``first_reply_due`` and
      ``first_reply_at``.
    * ``resolved``/``resolved_on_time`` 办结/按时办结: ``resolved_at`` in the week; on time when
      ``resolved_at <= resolve_due``. A resolution reopened after a 差评 no longer counts.
    * ``overdue`` 当前超期: open tickets with at least one clock overdue at ``now`` (see
      :mod:`storage.reports` for the three predicates), and per clock; ``oldest_due`` is the
      earliest overdue deadline among them.
    * ``rated``/``satisfied``/``bad`` 评价/满意/差评: ratings given in the week
      (``RATED_ACTIONS`` events), satisfied when ``rating >= SATISFIED_FROM``, bad when
      ``rating <= BAD_UP_TO``.
    """

    received: int = 0
    accept_due: int = 0
    accept_on_time: int = 0
    reply_due: int = 0
    reply_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    overdue: int = 0
    overdue_accept: int = 0
    overdue_reply: int = 0
    overdue_resolve: int = 0
    oldest_due: datetime | None = None
    rated: int = 0
    satisfied: int = 0
    bad: int = 0

    @property
    def accept_rate(self) -> Rate:
        """签收及时率 = 按时签收 / 应签收."""
        return Rate(self.accept_on_time, self.accept_due)

    @property
    def reply_rate(self) -> Rate:
        """首次答复及时率 = 按时答复 / 应答复."""
        return Rate(self.reply_on_time, self.reply_due)

    @property
    def resolve_rate(self) -> Rate:
        """按时办结率 = 按时办结 / 办结."""
        return Rate(self.resolved_on_time, self.resolved)

    @property
    def satisfaction(self) -> Rate:
        """满意率 = (非常满意 + 满意 + 基本满意) / 评价."""
        return Rate(self.satisfied, self.rated)

    @property
    def overdue_items(self) -> int:
        """Overdue (ticket, clock) pairs: a ticket late on 签收 and 答复 is two items."""
        return self.overdue_accept + self.overdue_reply + self.overdue_resolve

    @property
    def has_activity(self) -> bool:
        """Anything to report at all (无事不扰: a silent department is left out of the chat)."""
        return any(getattr(self, f.name) for f in fields(self) if f.name != "oldest_due") or (
            self.oldest_due is not None
        )

    def __add__(self, other: DepartmentCounts) -> DepartmentCounts:
        """Totals add the counts (rates are then recomputed, never averaged)."""
        values: dict[str, object] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "oldest_due":
                dues = [d for d in (mine, theirs) if d is not None]
                values[f.name] = min(dues) if dues else None
            else:
                values[f.name] = mine + theirs
        return DepartmentCounts(**values)  # type: ignore[arg-type]


def total(counts: dict[int | None, DepartmentCounts]) -> DepartmentCounts:
    result = DepartmentCounts()
    for one in counts.values():
        result = result + one
    return result


# --- the overdue list -------------------------------------------------------------------


def overdue_by(due: datetime, now: datetime, schedule: Schedule) -> timedelta:
    """超期时长: the *working* time from the deadline to ``now`` (nights and holidays free)."""
    return working_time_between(due, now, schedule)


def working_hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def working_days(span: timedelta, schedule: Schedule) -> float:
    """A working day is :attr:`Schedule.hours_per_day` of working time (7 h by default)."""
    return working_hours(span) / schedule.hours_per_day


# --- 高频诉求 / recurring problems (issue 16 reports) -------------------------------------

#: A problem recurs when at least this many distinct enterprises reported it in the window.
RECURRING_MIN_ENTERPRISES = 2
#: "The last 4 weeks": the report's week and the three before it.
RECURRING_WEEKS = 4
#: The groups each ranking loads (the workbook's sheet shows them all; the message fewer).
RECURRING_LIMIT = 50


def recurring_start(week: Week) -> datetime:
    """Monday 00:00 of the first of the ``RECURRING_WEEKS`` weeks ending with ``week``."""
    return datetime.combine(week.monday - timedelta(weeks=RECURRING_WEEKS - 1), time(0), week.zone)


def open_for(problem: RecurringProblem, now: datetime, schedule: Schedule) -> timedelta:
    """已持续: the *working* time from the group's first filing to ``now`` while any member is
    open, else to its last settlement (the unit the desk's clocks and reminders use)."""
    until = now if problem.still_open or problem.last_settled is None else problem.last_settled
    return working_time_between(problem.first_filed, max(until, problem.first_filed), schedule)


@dataclass(frozen=True)
class Recurring:
    """The two rankings of the weekly summary's 高频诉求 section.

    ``week``: the groups whose members filed in the report's week came from at least
    ``RECURRING_MIN_ENTERPRISES`` enterprises (counted over those members only);
    ``recent``: the same over the last ``RECURRING_WEEKS`` weeks (:func:`recurring_start`).
    """

    week: tuple[RecurringProblem, ...] = ()
    recent: tuple[RecurringProblem, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.week and not self.recent


@dataclass(frozen=True)
class WeeklyMetrics:
    """Everything the weekly summary says, before any wording."""

    week: Week
    now: datetime
    counts: dict[int | None, DepartmentCounts]
    overdue: list[OverdueItem]
    recurring: Recurring = field(default_factory=Recurring)

    @property
    def totals(self) -> DepartmentCounts:
        return total(self.counts)

    @property
    def overdue_unlisted(self) -> int:
        """Overdue items beyond the bounded list (counted exactly by the aggregate)."""
        return max(0, self.totals.overdue_items - len(self.overdue))
