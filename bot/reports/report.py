"""The weekly overdue summary (每周超期通报): the message, the department lists, the files.

:func:`build_weekly_report` is pure apart from reading the database: it sends nothing. The
scheduled job and ``/summary`` put its parts into the outbox; the CLI writes the files.
Metrics are defined in :mod:`bot.reports.metrics` and counted in :mod:`storage.reports`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from html import escape, unescape
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.config import Settings
from bot.core.lifecycle import SATISFIED_FROM
from bot.core.sla import Schedule
from bot.render.texts import Texts, texts_for
from bot.render.views import clock_clauses, working_duration
from bot.reports.metrics import (
    BAD_UP_TO,
    OVERDUE_LIST_LIMIT,
    RATED_ACTIONS,
    RECURRING_LIMIT,
    RECURRING_MIN_ENTERPRISES,
    RECURRING_WEEKS,
    DepartmentCounts,
    Rate,
    Recurring,
    Week,
    WeeklyMetrics,
    open_for,
    overdue_by,
    parse_week,
    previous_week,
    recurring_start,
    working_days,
    working_hours,
)
from storage import reports
from storage.models import Department
from storage.queries.zone import HANDLING_ROLES
from storage.reports import Clock, OverdueItem, RecurringProblem

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from openpyxl.worksheet.worksheet import Worksheet

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
#: How many of the oldest overdue tickets the leadership message names (the rest: workbook).
SUMMARY_OVERDUE_LINES = 10
#: Characters a CJK font must have for the chart to be legible.
CJK_SAMPLE = "超期签收办结部门"
#: Families tried first, in order; any other installed font that covers the sample will do.
_PREFERRED_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)

__all__ = [
    "WeeklyReport",
    "build_weekly_report",
    "cjk_font",
    "parse_week",
    "plain_text",
    "previous_week",
    "recurring_text",
]


@dataclass(frozen=True)
class WeeklyReport:
    metrics: WeeklyMetrics
    html: str  # the leadership message, Telegram HTML, <= 4096 characters
    department_lists: dict[int, str]  # department id -> its overdue list (only if it has any)
    xlsx: bytes
    png: bytes
    font: str | None  # the CJK font family the chart used; None: labels may be boxes

    @property
    def label(self) -> str:
        return self.metrics.week.label

    @property
    def text(self) -> str:
        """The summary as plain text (for a terminal)."""
        return plain_text(self.html)

    def filename(self, extension: str) -> str:
        return f"weekly-{self.label}.{extension}"


def plain_text(html: str) -> str:
    """Telegram HTML as plain text (for a terminal)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


@dataclass(frozen=True)
class DepartmentRow:
    """A line of the department table: a department, or the tickets not assigned to one."""

    department_id: int | None
    name: str
    counts: DepartmentCounts


@dataclass(frozen=True)
class _LateTicket:
    """A ticket's overdue clocks together; it is as late as its earliest overdue deadline."""

    number: str
    department_id: int | None
    status: str
    created_at: datetime
    items: tuple[OverdueItem, ...]

    @property
    def due(self) -> datetime:
        return min(item.due for item in self.items)


def build_weekly_report(
    *, session: Session, settings: Settings, week_start: date, now: datetime
) -> WeeklyReport:
    """The summary of the ISO week starting on ``week_start`` (a Monday), as of ``now``."""
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    week = Week(week_start, schedule.zone)
    metrics = WeeklyMetrics(
        week=week,
        now=now,
        counts={
            department_id: DepartmentCounts(**values)
            for department_id, values in reports.weekly_counts(
                session=session,
                start=week.start,
                end=week.end,
                now=now,
                rated_actions=RATED_ACTIONS,
                satisfied_from=SATISFIED_FROM,
                bad_up_to=BAD_UP_TO,
            ).items()
        },
        overdue=reports.overdue_items(session=session, now=now, limit=OVERDUE_LIST_LIMIT),
        recurring=Recurring(
            week=_ranking(session, week.start, week.end),
            recent=_ranking(session, recurring_start(week), week.end),
        ),
    )
    t = texts_for(settings.desk.default_language)
    departments = reports.departments(session=session)
    names = _names(departments, settings, t)
    rows = _rows(metrics, departments, names)
    late = _late_tickets(metrics.overdue)
    png, font = _chart(metrics, rows, t, schedule)
    return WeeklyReport(
        metrics=metrics,
        html=_summary(metrics, rows, late, names, t, schedule),
        department_lists=_department_lists(metrics, late, names, departments, t, schedule),
        xlsx=_workbook(metrics, rows, names, t, schedule),
        png=png,
        font=font,
    )


def _names(departments: list[Department], settings: Settings, t: Texts) -> dict[int | None, str]:
    english = settings.desk.default_language == "en"
    names: dict[int | None, str] = {
        d.id: d.local_name("en" if english else "zh") for d in departments if d.id is not None
    }
    names[None] = t.report_unassigned
    return names


def _ranking(session: Session, start: datetime, end: datetime) -> tuple[RecurringProblem, ...]:
    return tuple(
        reports.recurring_problems(
            session=session,
            start=start,
            end=end,
            min_enterprises=RECURRING_MIN_ENTERPRISES,
            limit=RECURRING_LIMIT,
        )
    )


# --- shared pieces ----------------------------------------------------------------------


def _rows(
    metrics: WeeklyMetrics, departments: list[Department], names: dict[int | None, str]
) -> list[DepartmentRow]:
    """Handling departments always (a zero is news too), any other department with tickets,
    then the unassigned."""
    rows = []
    for department in departments:
        counts = metrics.counts.get(department.id, DepartmentCounts())
        if (department.role in HANDLING_ROLES and department.active) or counts.has_activity:
            rows.append(DepartmentRow(department.id, names[department.id], counts))
    unassigned = metrics.counts.get(None)
    if unassigned is not None and unassigned.has_activity:
        rows.append(DepartmentRow(None, names[None], unassigned))
    return rows


def _late_tickets(items: Iterable[OverdueItem]) -> list[_LateTicket]:
    """Group the (ticket, clock) items by ticket, keeping oldest-first order."""
    grouped: dict[int, list[OverdueItem]] = {}
    for item in items:
        grouped.setdefault(item.ticket_id, []).append(item)
    return [
        _LateTicket(
            number=group[0].number,
            department_id=group[0].department_id,
            status=group[0].status,
            created_at=group[0].created_at,
            items=tuple(sorted(group, key=lambda i: list(Clock).index(i.clock))),
        )
        for group in grouped.values()
    ]


def _duration(t: Texts, due: datetime, now: datetime, schedule: Schedule) -> str:
    """How late, in the unit a person reads (the one the reminders use)."""
    return working_duration(t, overdue_by(due, now, schedule), schedule.hours_per_day)


def _clauses(t: Texts, ticket: _LateTicket, now: datetime, schedule: Schedule) -> str:
    """Each overdue clock with its own lateness, computed and worded as the 催办 does it, so the
    Monday list and the reminder sent the same minute agree."""
    spans = [(item.clock.value, overdue_by(item.due, now, schedule)) for item in ticket.items]
    return clock_clauses(t, spans, schedule.hours_per_day, overdue=True)


def _when(moment: datetime, schedule: Schedule) -> str:
    return moment.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M")


def _fit(head: list[str], body: list[str], cut: str, tail: list[str] | None = None) -> str:
    """``head`` + as much of ``body`` as fits in one message, marking a cut, + ``tail``
    (which loses its own last lines only once the body is gone)."""
    tail = tail or []
    text = "\n".join([*head, *body, *tail])
    while len(text) > MESSAGE_LIMIT and body:
        body = body[:-1]
        text = "\n".join([*head, *body, cut, *tail])
    while len(text) > MESSAGE_LIMIT and len(tail) > 1:
        tail = tail[:-1]
        text = "\n".join([*head, cut, *tail, cut])
    return text[:MESSAGE_LIMIT]


# --- the leadership message -------------------------------------------------------------


def _summary(
    metrics: WeeklyMetrics,
    rows: list[DepartmentRow],
    late: list[_LateTicket],
    names: dict[int | None, str],
    t: Texts,
    schedule: Schedule,
) -> str:
    week, now, totals = metrics.week, metrics.now, metrics.totals
    oldest = ""
    if totals.oldest_due is not None:
        oldest = t.report_oldest.format(time=_duration(t, totals.oldest_due, now, schedule))
    head = [
        t.report_title.format(
            week=week.label, start=week.monday.isoformat(), end=week.sunday.isoformat()
        ),
        t.report_as_of.format(now=_when(now, schedule)),
        "",
        t.report_totals.format(
            received=totals.received,
            accept=_with_counts(totals.accept_rate),
            reply=_with_counts(totals.reply_rate),
            resolved=totals.resolved,
            resolve=_with_counts(totals.resolve_rate),
            overdue=totals.overdue,
            oldest=oldest,
            satisfaction=totals.satisfaction.percent(),
            rated=totals.rated,
            bad=totals.bad,
        ),
    ]
    body = ["", t.report_departments_heading]
    active = [row for row in rows if row.counts.has_activity]
    body += [_department_line(t, row, now, schedule) for row in active]
    quiet = len(rows) - len(active)
    if quiet:
        body.append(t.report_quiet_departments.format(count=quiet))
    body.append("")
    if totals.overdue:
        body.append(t.report_overdue_heading.format(count=totals.overdue))
        shown = late[:SUMMARY_OVERDUE_LINES]
        body += [
            t.report_overdue_line.format(
                number=escape(ticket.number),
                department=escape(names.get(ticket.department_id, t.report_unassigned)),
                clauses=_clauses(t, ticket, now, schedule),
            )
            for ticket in shown
        ]
        if totals.overdue > len(shown):
            body.append(t.report_overdue_more.format(count=totals.overdue - len(shown)))
    else:
        body.append(t.report_no_overdue)
    # The 高频诉求 section is kept whole: a long overdue list is cut before it (the workbook
    # has every overdue ticket, and the section is bounded by RECURRING_MESSAGE_LINES).
    tail = ["", *_recurring_section(metrics, names, t, schedule)]
    return _fit(head, body, t.report_cut, tail)


def _with_counts(rate: Rate) -> str:
    return rate.percent() if rate.total == 0 else f"{rate.percent()} ({rate.hits}/{rate.total})"


def _department_line(t: Texts, row: DepartmentRow, now: datetime, schedule: Schedule) -> str:
    c = row.counts
    overdue = str(c.overdue)
    if c.oldest_due is not None:
        overdue += t.report_department_oldest.format(time=_duration(t, c.oldest_due, now, schedule))
    return t.report_department_line.format(
        name=escape(row.name),
        received=c.received,
        accept=_with_counts(c.accept_rate),
        reply=_with_counts(c.reply_rate),
        resolved=c.resolved,
        resolve=_with_counts(c.resolve_rate),
        overdue=overdue,
        satisfaction=c.satisfaction.percent(),
        bad=c.bad,
    )


# --- 高频诉求 / recurring problems (issue 16 reports) -------------------------------------

#: The groups each ranking names in a message (the workbook's sheet has all it loaded).
RECURRING_MESSAGE_LINES = 5
#: Characters of a group's summary a message line shows (the sheet has it whole).
RECURRING_SUMMARY_CHARS = 40
#: Departments a message line names (the sheet names them all).
RECURRING_DEPARTMENTS = 3


def _recurring_section(
    metrics: WeeklyMetrics, names: dict[int | None, str], t: Texts, schedule: Schedule
) -> list[str]:
    """The week's ranking, then the last weeks'; one line when neither has a group."""
    recurring, week, now = metrics.recurring, metrics.week, metrics.now
    if recurring.empty:
        return [t.recurring_none.format(weeks=RECURRING_WEEKS, min=RECURRING_MIN_ENTERPRISES)]
    start = recurring_start(week).date()
    lines = [t.recurring_heading.format(min=RECURRING_MIN_ENTERPRISES)]
    lines.append(t.recurring_week.format(start=week.monday, end=week.sunday))
    lines += _recurring_lines(recurring.week, names, t, now, schedule)
    lines.append(t.recurring_recent.format(weeks=RECURRING_WEEKS, start=start, end=week.sunday))
    lines += _recurring_lines(recurring.recent, names, t, now, schedule)
    return lines


def _recurring_lines(
    problems: Iterable[RecurringProblem],
    names: dict[int | None, str],
    t: Texts,
    now: datetime,
    schedule: Schedule,
) -> list[str]:
    problems = list(problems)
    if not problems:
        return [t.recurring_none_in_window]
    lines = [
        recurring_line(t, rank, problem, names, now, schedule)
        for rank, problem in enumerate(problems[:RECURRING_MESSAGE_LINES], start=1)
    ]
    if len(problems) > RECURRING_MESSAGE_LINES:
        lines.append(t.recurring_more.format(count=len(problems) - RECURRING_MESSAGE_LINES))
    return lines


def recurring_line(
    t: Texts,
    rank: int,
    problem: RecurringProblem,
    names: dict[int | None, str],
    now: datetime,
    schedule: Schedule,
) -> str:
    """One group, escaped: its summary, enterprises, tickets, departments, status, lead, span.
    Never an enterprise's name: the group's summary is all the section says of the problem."""
    summary = problem.summary.strip().replace("\n", " ")
    if len(summary) > RECURRING_SUMMARY_CHARS:
        summary = summary[: RECURRING_SUMMARY_CHARS - 1] + "…"
    span = working_duration(t, open_for(problem, now, schedule), schedule.hours_per_day)
    return t.recurring_line.format(
        rank=rank,
        summary=escape(summary),
        enterprises=problem.enterprises,
        tickets=problem.tickets,
        departments=escape(_departments_of(problem, names, t, RECURRING_DEPARTMENTS)),
        status=_status_of(problem, t),
        lead=_lead_of(problem, names, t),
        span=(t.recurring_span_open if problem.still_open else t.recurring_span_settled).format(
            time=span
        ),
    )


def _departments_of(
    problem: RecurringProblem, names: dict[int | None, str], t: Texts, limit: int | None = None
) -> str:
    if not problem.department_ids:
        return t.report_unassigned
    shown = problem.department_ids[:limit]
    said = t.recurring_departments_join.join(
        names.get(department_id, str(department_id)) for department_id in shown
    )
    if len(problem.department_ids) > len(shown):
        said += t.recurring_departments_more.format(count=len(problem.department_ids))
    return said


def _status_of(problem: RecurringProblem, t: Texts) -> str:
    parts = []
    if problem.open:
        parts.append(t.recurring_status_open.format(count=problem.open))
    if problem.settled:
        parts.append(t.recurring_status_settled.format(count=problem.settled))
    return t.recurring_status_join.join(parts)


def _lead_of(problem: RecurringProblem, names: dict[int | None, str], t: Texts) -> str:
    """The confirmed lead department (牵头), else the proposal once raised, else "raised"."""
    if problem.lead_department_id is not None:
        return t.recurring_lead.format(department=escape(names.get(problem.lead_department_id, "")))
    if problem.raised_at is not None and problem.proposed_lead_department_id is not None:
        return t.recurring_proposed_lead.format(
            department=escape(names.get(problem.proposed_lead_department_id, ""))
        )
    return t.recurring_raised if problem.raised_at is not None else ""


def recurring_text(*, session: Session, settings: Settings, since: date, now: datetime) -> str:
    """`dianxiaoer report common`: the ranking of the groups filed from ``since`` (00:00 in
    the zone) to ``now``, worded as the weekly summary's section (Telegram HTML)."""
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    t = texts_for(settings.desk.default_language)
    start = datetime.combine(since, datetime.min.time(), schedule.zone)
    problems = _ranking(session, start, now)
    names = _names(reports.departments(session=session), settings, t)
    head = t.recurring_since.format(
        start=since.isoformat(),
        end=_when(now, schedule),
        min=RECURRING_MIN_ENTERPRISES,
    )
    lines = [
        recurring_line(t, rank, problem, names, now, schedule)
        for rank, problem in enumerate(problems, start=1)
    ]
    return "\n".join([head, *(lines or [t.recurring_none_in_window])])


# --- one list per department (无事不扰: none for a department with nothing overdue) ---------


def _department_lists(
    metrics: WeeklyMetrics,
    late: list[_LateTicket],
    names: dict[int | None, str],
    departments: list[Department],
    t: Texts,
    schedule: Schedule,
) -> dict[int, str]:
    # Tickets no department holds are the dispatcher's to move: they go to its chat.
    dispatcher = next((d.id for d in departments if d.role == "dispatcher"), None)

    def owner(department_id: int | None) -> int | None:
        return dispatcher if department_id is None else department_id

    tickets: dict[int, list[_LateTicket]] = {}
    for ticket in late:
        target = owner(ticket.department_id)
        if target is not None:
            tickets.setdefault(target, []).append(ticket)
    totals: dict[int, int] = {}
    for department_id, counts in metrics.counts.items():
        target = owner(department_id)
        if target is not None and counts.overdue:
            totals[target] = totals.get(target, 0) + counts.overdue
    lists = {}
    for target, count in totals.items():
        mine = tickets.get(target, [])
        head = [
            t.report_department_list.format(
                department=escape(names.get(target, str(target))),
                now=_when(metrics.now, schedule),
                count=count,
            )
        ]
        body = [
            t.report_department_item.format(
                number=escape(ticket.number),
                clauses=_clauses(t, ticket, metrics.now, schedule),
            )
            for ticket in mine
        ]
        if count > len(mine):
            body.append(t.report_overdue_more.format(count=count - len(mine)))
        lists[target] = _fit(head, body, t.report_cut)
    return lists


# --- the workbook -----------------------------------------------------------------------

_PERCENT = "0.0%"
_DECIMAL = "0.0"
_DATETIME = "yyyy-mm-dd hh:mm"


def _workbook(
    metrics: WeeklyMetrics,
    rows: list[DepartmentRow],
    names: dict[int | None, str],
    t: Texts,
    schedule: Schedule,
) -> bytes:
    """A summary sheet (row 1 title, row 2 headers, one row per department, then the total)
    and an overdue sheet (row 1 headers, one row per overdue ticket and clock)."""
    # Imported here, not at the top: openpyxl costs the desk's start time and only reports use it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = t.report_sheet_summary
    week = metrics.week
    summary.append(
        [
            t.report_title.format(
                week=week.label, start=week.monday.isoformat(), end=week.sunday.isoformat()
            )
            .replace("<b>", "")
            .replace("</b>", "")
            + " — "
            + t.report_as_of.format(now=_when(metrics.now, schedule))
        ]
    )
    _header(summary, t.report_summary_columns)
    for row in rows:
        _summary_row(summary, row.name, row.counts, metrics.now, schedule)
    _summary_row(summary, t.report_total_row, metrics.totals, metrics.now, schedule)
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    summary.freeze_panes = "B3"
    summary.column_dimensions["A"].width = 28

    detail = book.create_sheet(t.report_sheet_overdue)
    _header(detail, t.report_overdue_columns)
    for item in metrics.overdue:
        span = overdue_by(item.due, metrics.now, schedule)
        detail.append(
            [
                item.number,
                names.get(item.department_id, t.report_unassigned),
                t.clock_names[item.clock.value],
                _local(item.due, schedule),
                round(working_hours(span), 2),
                round(working_days(span, schedule), 2),
                t.status_names.get(item.status, item.status),
                _local(item.created_at, schedule),
            ]
        )
        detail.cell(detail.max_row, 4).number_format = _DATETIME
        detail.cell(detail.max_row, 5).number_format = _DECIMAL
        detail.cell(detail.max_row, 6).number_format = _DECIMAL
        detail.cell(detail.max_row, 8).number_format = _DATETIME
    if metrics.overdue_unlisted:
        detail.append([])
        detail.append([t.report_overdue_more.format(count=metrics.overdue_unlisted)])
    detail.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (20, 24, 12, 17, 12, 12, 12, 17), strict=True):
        detail.column_dimensions[letter].width = width
    _recurring_sheet(book.create_sheet(t.recurring_sheet), metrics, names, t, schedule)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _recurring_sheet(
    sheet: Worksheet,
    metrics: WeeklyMetrics,
    names: dict[int | None, str],
    t: Texts,
    schedule: Schedule,
) -> None:
    """高频诉求: row 1 title, row 2 headers, then the week's ranking and the last weeks' (every
    group loaded, not only the message's five); one sentence when there is none."""
    sheet.append(
        [
            t.recurring_sheet_title.format(
                min=RECURRING_MIN_ENTERPRISES,
                as_of=t.report_as_of.format(now=_when(metrics.now, schedule)),
            )
        ]
    )
    _header(sheet, t.recurring_columns)
    recurring = metrics.recurring
    if recurring.empty:
        sheet.append(
            [
                plain_text(
                    t.recurring_none.format(weeks=RECURRING_WEEKS, min=RECURRING_MIN_ENTERPRISES)
                )
            ]
        )
    scopes = (
        (t.recurring_scope_week, recurring.week),
        (t.recurring_scope_recent.format(weeks=RECURRING_WEEKS), recurring.recent),
    )
    for scope, problems in scopes:
        for rank, problem in enumerate(problems, start=1):
            span = open_for(problem, metrics.now, schedule)
            lead = problem.lead_department_id
            sheet.append(
                [
                    scope,
                    rank,
                    problem.summary,
                    problem.enterprises,
                    problem.tickets,
                    _departments_of(problem, names, t),
                    problem.open,
                    problem.settled,
                    names.get(lead, "") if lead is not None else "",
                    _local(problem.raised_at, schedule) if problem.raised_at else "",
                    _local(problem.first_filed, schedule),
                    round(working_days(span, schedule), 2),
                    t.recurring_yes if problem.still_open else t.recurring_no,
                ]
            )
            row = sheet.max_row
            for column in (10, 11):
                sheet.cell(row, column).number_format = _DATETIME
            sheet.cell(row, 12).number_format = _DECIMAL
    sheet.freeze_panes = "A3"
    widths = (10, 6, 40, 8, 8, 28, 8, 8, 16, 17, 17, 12, 10)
    for letter, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        sheet.column_dimensions[letter].width = width


def _header(sheet: Worksheet, columns: tuple[str, ...]) -> None:
    from openpyxl.styles import Font  # only reports use openpyxl; it costs start time

    sheet.append(list(columns))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _local(moment: datetime, schedule: Schedule) -> datetime:
    # Excel has no time zones: write the zone's wall-clock time, as the desk shows it.
    return moment.astimezone(schedule.zone).replace(tzinfo=None)


def _summary_row(
    sheet: Worksheet, name: str, c: DepartmentCounts, now: datetime, schedule: Schedule
) -> None:
    oldest = (
        round(working_days(overdue_by(c.oldest_due, now, schedule), schedule), 2)
        if c.oldest_due is not None
        else None
    )
    values: list[object] = [
        name,
        c.received,
        c.accept_due,
        c.accept_on_time,
        c.accept_rate,
        c.reply_due,
        c.reply_on_time,
        c.reply_rate,
        c.resolved,
        c.resolved_on_time,
        c.resolve_rate,
        c.overdue,
        c.overdue_accept,
        c.overdue_reply,
        c.overdue_resolve,
        oldest if oldest is not None else "—",
        c.rated,
        c.satisfied,
        c.satisfaction,
        c.bad,
    ]
    sheet.append([_cell_value(v) for v in values])
    for index, value in enumerate(values, start=1):
        if isinstance(value, Rate) and value.value is not None:
            sheet.cell(sheet.max_row, index).number_format = _PERCENT
        elif isinstance(value, float):
            sheet.cell(sheet.max_row, index).number_format = _DECIMAL


def _cell_value(value: object) -> object:
    if isinstance(value, Rate):
        return value.value if value.value is not None else "—"
    return value


# --- the chart --------------------------------------------------------------------------


@cache
def cjk_font() -> str | None:
    """A font family that has Chinese glyphs, or None (the chart is drawn all the same)."""
    # Imported here, not at the top: matplotlib costs the desk's start time; only charts use it.
    from matplotlib import font_manager

    def covers(path: str) -> bool:
        try:
            charmap = font_manager.get_font(path).get_charmap()
        except (OSError, RuntimeError, ValueError):
            return False
        return all(ord(char) in charmap for char in CJK_SAMPLE)

    def pick() -> str | None:
        entries = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
        for family in (*_PREFERRED_FONTS, *sorted(entries)):
            # matplotlib's own "Last Resort" font maps every code point to a box glyph.
            if family.startswith("Last Resort"):
                continue
            if family in entries and covers(entries[family]):
                return family
        return None

    found = pick()
    if found is None:
        # matplotlib caches its font list; a font installed after that cache was written is
        # unknown to it until added by hand.
        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known and covers(path):
                font_manager.fontManager.addfont(path)
        found = pick()
    if found is None:
        log.warning(
            "no font with Chinese glyphs is installed (fonts-wqy-microhei or fonts-noto-cjk); "
            "the weekly chart's labels will show as boxes"
        )
    return found


#: The chart's width in pixels: a phone shows it about 360 px wide, so a third of every size.
CHART_WIDTH_PX = 1080
CHART_DPI = 100
#: Font sizes in points; at 100 dpi and shown at a third, body text reads as ~11 px.
CHART_TITLE_PT = 30
CHART_TEXT_PT = 24
#: Characters of a department's name the chart shows (the message has them all).
CHART_NAME_CHARS = 14
CHART_CELL_NAME_CHARS = 10  # beside the rate cells
_RED, _AMBER, _GREEN, _GREY, _LIGHT = "#c62828", "#ef8f00", "#2e7d32", "#757575", "#e0e0e0"


@dataclass(frozen=True)
class ChartSection:
    """A band of the phone-shaped chart: its height (inches) and how to draw it on an axes whose
    x runs 0–1 left to right and y runs 0–``height`` top to bottom. A new band (e.g. the most
    frequent requests) is one more item in the list :func:`chart_sections` returns."""

    height: float
    draw: Callable[[Axes], None]


def _chart(
    metrics: WeeklyMetrics, rows: list[DepartmentRow], t: Texts, schedule: Schedule
) -> tuple[bytes, str | None]:
    font = cjk_font()
    figure = chart_figure(chart_sections(metrics, rows, t, schedule), font)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=CHART_DPI)
    return out.getvalue(), font


def chart_figure(sections: list[ChartSection], font: str | None = None) -> Figure:
    """A tall portrait figure, ``CHART_WIDTH_PX`` wide, the sections stacked top to bottom."""
    # Imported here, not at the top: matplotlib costs the desk's start time; only charts use it.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.family": families, "axes.unicode_minus": False}):
        width = CHART_WIDTH_PX / CHART_DPI
        figure = Figure(figsize=(width, sum(s.height for s in sections)), dpi=CHART_DPI)
        FigureCanvasAgg(figure)  # the Agg canvas, without pyplot's global state
        grid = figure.add_gridspec(
            len(sections),
            1,
            height_ratios=[s.height for s in sections],
            hspace=0,
            left=0.05,
            right=0.95,
            top=1,
            bottom=0,
        )
        for index, section in enumerate(sections):
            axes = figure.add_subplot(grid[index])
            axes.set_xlim(0, 1)
            axes.set_ylim(section.height, 0)
            axes.set_axis_off()
            section.draw(axes)
    return figure


def chart_sections(
    metrics: WeeklyMetrics, rows: list[DepartmentRow], t: Texts, schedule: Schedule
) -> list[ChartSection]:
    """Who is late and how late: the week's totals, the departments ranked by what is overdue
    now, then their on-time rates this week in the same order."""
    ranked = sorted((row for row in rows if row.counts.has_activity), key=_lateness)
    sections = [_totals_section(metrics, t, schedule)]
    if not ranked:
        sections.append(ChartSection(1.0, lambda axes: _text(axes, 0, 0.3, t.report_chart_nothing)))
    else:
        sections += [_overdue_section(metrics, ranked, t, schedule), _rates_section(ranked, t)]
    # 高频诉求: a band only when a problem recurred (the message and the sheet say "none").
    if metrics.recurring.recent:
        sections.append(_recurring_band(metrics.recurring.recent[:CHART_RECURRING_ROWS], t))
    return sections


def _lateness(row: DepartmentRow) -> tuple[int, float, float, str]:
    """Most overdue first, then the oldest deadline, then the worst on-time rate."""
    c = row.counts
    oldest = c.oldest_due.timestamp() if c.oldest_due is not None else float("inf")
    rates = [r.value for r in (c.accept_rate, c.reply_rate, c.resolve_rate) if r.value is not None]
    return (-c.overdue, oldest, min(rates, default=1.0), row.name)


def _text(axes: Axes, x: float, y: float, text: str, **style: Any) -> None:
    style.setdefault("fontsize", CHART_TEXT_PT)
    style.setdefault("va", "top")
    axes.text(x, y, text, **style)


def _totals_section(metrics: WeeklyMetrics, t: Texts, schedule: Schedule) -> ChartSection:
    totals = metrics.totals
    lines = [
        t.report_chart_received.format(received=totals.received, resolved=totals.resolved),
        t.report_chart_replies.format(
            accept=_with_counts(totals.accept_rate), reply=_with_counts(totals.reply_rate)
        ),
        t.report_chart_resolve.format(
            resolve=_with_counts(totals.resolve_rate), satisfaction=totals.satisfaction.percent()
        ),
    ]
    if totals.overdue and totals.oldest_due is not None:
        late = t.report_chart_overdue_total.format(
            count=totals.overdue, time=_duration(t, totals.oldest_due, metrics.now, schedule)
        )
    else:  # the message's "✅ …" would be a box: chart fonts have no emoji
        late = t.report_chart_nothing_overdue

    def draw(axes: Axes) -> None:
        title = t.report_chart_title.format(week=metrics.week.label)
        _text(axes, 0, 0.2, title, fontsize=CHART_TITLE_PT, fontweight="bold")
        _text(axes, 0, 0.8, t.report_as_of.format(now=_when(metrics.now, schedule)), color=_GREY)
        for index, line in enumerate(lines):
            _text(axes, 0, 1.4 + 0.5 * index, line)
        _text(axes, 0, 2.95, late, color=_RED if totals.overdue else _GREEN, fontweight="bold")

    return ChartSection(3.7, draw)


def _overdue_section(
    metrics: WeeklyMetrics, rows: list[DepartmentRow], t: Texts, schedule: Schedule
) -> ChartSection:
    """One row per department: its name, then a bar as long as its overdue tickets, labelled
    with the count and how late the oldest is; "无超期" in green where nothing is."""
    most = max(max(row.counts.overdue for row in rows), 1)
    row_height = 1.0

    def draw(axes: Axes) -> None:
        _text(axes, 0, 0.15, t.report_chart_overdue, fontsize=CHART_TITLE_PT, fontweight="bold")
        for index, row in enumerate(rows):
            top = 0.85 + index * row_height
            c = row.counts
            _text(axes, 0, top, clip_name(row.name))
            if not c.overdue or c.oldest_due is None:
                _text(axes, 0, top + 0.45, t.report_chart_none_overdue, color=_GREEN)
                continue
            length = 0.5 * c.overdue / most
            axes.barh(top + 0.65, length, height=0.32, left=0, color=_RED)
            label = t.report_chart_overdue_row.format(
                count=c.overdue, time=_duration(t, c.oldest_due, metrics.now, schedule)
            )
            _text(axes, length + 0.02, top + 0.45, label, color=_RED)

    return ChartSection(1.0 + row_height * len(rows), draw)


def _rates_section(rows: list[DepartmentRow], t: Texts) -> ChartSection:
    """Per department, the week's three on-time rates as coloured cells: red below 60%, amber
    below 90%, green from 90%; a grey "—" where nothing fell due (no data is not 0%)."""
    columns = (Clock.ACCEPT, Clock.FIRST_REPLY, Clock.RESOLVE)
    left, width = 0.42, 0.19
    row_height = 0.6

    def colour(rate: Rate) -> str:
        if rate.value is None:
            return _LIGHT
        return _RED if rate.value < 0.6 else _AMBER if rate.value < 0.9 else _GREEN

    def draw(axes: Axes) -> None:
        _text(axes, 0, 0.15, t.report_chart_rates, fontsize=CHART_TITLE_PT, fontweight="bold")
        _text(axes, 0, 0.75, t.report_chart_rates_note, color=_GREY)
        for column, clock in enumerate(columns):
            x = left + (column + 0.5) * width
            _text(axes, x, 1.35, t.clock_names[clock.value], ha="center", color=_GREY)
        for index, row in enumerate(rows):
            middle = 2.2 + index * row_height
            _text(axes, 0, middle, clip_name(row.name, CHART_CELL_NAME_CHARS), va="center")
            c = row.counts
            for column, rate in enumerate((c.accept_rate, c.reply_rate, c.resolve_rate)):
                x = left + column * width
                axes.barh(middle, width - 0.02, height=0.48, left=x + 0.01, color=colour(rate))
                ink = "#424242" if rate.value is None else "white"
                _text(axes, x + width / 2, middle, rate.percent(), ha="center", va="center",
                      color=ink, fontweight="bold")  # fmt: skip

    return ChartSection(2.0 + row_height * len(rows) + 0.2, draw)


#: The groups the chart's 高频诉求 band shows (the last weeks' ranking, most enterprises first).
CHART_RECURRING_ROWS = 5
#: Characters of a group's summary the band shows.
CHART_SUMMARY_CHARS = 26


def _recurring_band(problems: tuple[RecurringProblem, ...], t: Texts) -> ChartSection:
    """高频诉求 of the last weeks: per group its summary, then a bar as long as its enterprises,
    labelled with enterprises, tickets and how many are still open."""
    most = max(problem.enterprises for problem in problems)
    row_height = 1.0

    def draw(axes: Axes) -> None:
        title = t.recurring_chart_title.format(weeks=RECURRING_WEEKS)
        _text(axes, 0, 0.15, title, fontsize=CHART_TITLE_PT, fontweight="bold")
        for index, problem in enumerate(problems):
            top = 0.85 + index * row_height
            summary = " ".join(problem.summary.split())
            _text(axes, 0, top, clip_name(summary, CHART_SUMMARY_CHARS))
            length = 0.3 * problem.enterprises / most
            colour = _AMBER if problem.open else _GREEN
            axes.barh(top + 0.65, length, height=0.32, left=0, color=colour)
            row = t.recurring_chart_row if problem.open else t.recurring_chart_settled_row
            label = row.format(
                enterprises=problem.enterprises, tickets=problem.tickets, open=problem.open
            )
            _text(axes, length + 0.02, top + 0.45, label, color=_GREY)

    return ChartSection(1.2 + row_height * len(problems), draw)


def clip_name(name: str, limit: int = CHART_NAME_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
