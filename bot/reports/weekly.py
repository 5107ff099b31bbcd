"""Sending the weekly overdue summary (每周超期通报): once per week, across instances.

The chaser job (bot/jobs.py) calls :func:`maybe_send` after every run; the first run at or
after the configured weekday and time claims the week (a JobRun row) and writes the outbox
rows — so a desk that was down on Monday morning catches up, and two instances never send
it twice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.core.sla import Schedule
from bot.render import notify
from bot.reports.metrics import Week, previous_week
from bot.reports.report import WeeklyReport, build_weekly_report
from storage import queries
from storage.models import Department, Purpose

JOB = "weekly_summary"


def scheduled_moment(now: datetime, settings: Settings) -> datetime:
    """This week's sending moment (e.g. Monday 09:00 in the zone)."""
    zone = Schedule.from_settings(settings.sla, settings.desk.timezone).zone
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=settings.report.weekday - 1)
    return datetime.combine(day, time.fromisoformat(settings.report.time), zone)


def maybe_send(*, session: Session, settings: Settings, now: datetime) -> date | None:
    """Send last week's summary if it is time and nobody sent it yet; returns its Monday."""
    if now < scheduled_moment(now, settings):
        return None
    zone = Schedule.from_settings(settings.sla, settings.desk.timezone).zone
    week_start = previous_week(now, zone)
    if not queries.jobs.claim_job_run(
        session=session, job=JOB, period=Week(week_start, zone).label, now=now
    ):
        return None
    began = queries.zone.desk_began(session=session)
    if began is not None and Week(week_start, zone).end <= began:
        # A week that ended before the desk began has nothing to say; sending it gave a new
        # desk (or a fresh sandbox) an all-zero summary before its first real one.
        return None
    report = build_weekly_report(session=session, settings=settings, week_start=week_start, now=now)
    send(session=session, settings=settings, report=report, label=Week(week_start, zone).label)
    return week_start


def audience(session: Session) -> Department | None:
    """The leadership's chat if the zone has one, else the dispatcher's."""
    return queries.zone.get_department_by_role(
        session=session, role="leadership"
    ) or queries.zone.get_department_by_role(session=session, role="dispatcher")


def send(*, session: Session, settings: Settings, report: WeeklyReport, label: str) -> None:
    """Outbox rows: summary, workbook and chart to the leadership; lists to departments."""
    target = audience(session)
    if target is not None:
        summary = notify.to_department(
            session=session,
            department=target,
            ticket=None,
            purpose=Purpose.WEEKLY,
            method="sendMessage",
            payload={"text": report.html, "parse_mode": "HTML"},
        )
        for method, data, name in (
            ("sendDocument", report.xlsx, f"weekly-{label}.xlsx"),
            ("sendPhoto", report.png, f"weekly-{label}.png"),
        ):
            row = notify.to_department(
                session=session,
                department=target,
                ticket=None,
                purpose=Purpose.WEEKLY,
                method=method,
                payload={},
                refers_to=summary,
            )
            row.attachment, row.attachment_name = data, name
    for department_id, html in report.department_lists.items():
        department = queries.zone.get_department(session=session, department_id=department_id)
        if department is not None:
            notify.to_department(
                session=session,
                department=department,
                ticket=None,
                purpose=Purpose.WEEKLY_LIST,
                method="sendMessage",
                payload={"text": html, "parse_mode": "HTML"},
            )


__all__ = ["JOB", "maybe_send", "scheduled_moment", "send"]
