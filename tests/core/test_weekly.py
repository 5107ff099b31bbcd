"""Sending the weekly summary: at the configured moment, once per week, with catch-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.reports import weekly
from storage import queries
from storage.db import transaction
from storage.models import Outbox
from tests.core.test_chaser import cst, make_ticket


def rows(engine, purpose: str) -> list[Outbox]:
    with transaction(engine) as session:
        return list(
            session.exec(select(Outbox).where(Outbox.purpose == purpose).order_by(Outbox.id))
        )


def send(engine, settings, now: datetime):
    with transaction(engine) as session:
        return weekly.maybe_send(session=session, settings=settings, now=now)


def test_monday_nine_once_with_workbook_and_chart(engine, settings) -> None:
    with transaction(engine) as session:
        leaders = queries.zone.get_department_by_role(session=session, role="leadership")
        leaders.chat_id = -100777
        session.add(leaders)
    make_ticket(engine, number="GX-W1", department="econ", accept_due=cst(25, 10))
    assert send(engine, settings, cst(30, 8, 59)) is None  # Monday, before 09:00
    assert send(engine, settings, cst(30, 9, 0)).isoformat() == "2026-11-23"
    assert send(engine, settings, cst(30, 9, 5)) is None  # once per week
    summary, workbook, chart = rows(engine, "weekly")
    assert summary.chat_id == -100777 and "2026-W48" in summary.payload["text"]
    assert workbook.method == "sendDocument" and workbook.attachment[:2] == b"PK"
    assert workbook.attachment_name == "weekly-2026-W48.xlsx"
    assert chart.method == "sendPhoto" and chart.attachment[:8] == b"\x89PNG\r\n\x1a\n"
    [econ_list] = rows(engine, "weekly_list")  # only the department with overdue tickets
    assert "GX-W1" in econ_list.payload["text"]


def test_a_desk_that_was_down_on_monday_catches_up_on_tuesday(engine, settings) -> None:
    make_ticket(engine, number="GX-W0", department="econ", accept_due=cst(17, 10))
    assert send(engine, settings, cst(24, 10)).isoformat() == "2026-11-16"
    # Without a leadership chat bound, the summary waits for it (held, not lost).
    [summary, *_] = rows(engine, "weekly")
    assert summary.chat_id is None and summary.held_for_department_id is not None


def test_the_weekday_and_time_are_configurable(engine, settings) -> None:
    settings = settings.model_copy(
        update={"report": settings.report.model_copy(update={"weekday": 5, "time": "16:00"})}
    )
    make_ticket(engine, number="GX-W0", department="econ", accept_due=cst(17, 10))
    assert send(engine, settings, cst(26, 10)) is None  # Thursday
    friday = datetime(2026, 11, 27, 8, 0, tzinfo=UTC) + timedelta(minutes=1)  # 16:01 CST
    assert send(engine, settings, friday).isoformat() == "2026-11-16"


def test_no_summary_for_a_week_before_the_desk_had_any_ticket(engine, settings) -> None:
    """A fresh desk (or sandbox) first used on Wednesday: the Monday after sends that week's
    summary, never an all-zero one for the week before it existed."""
    make_ticket(engine, number="GX-W2", department="econ", accept_due=cst(25, 10))
    assert send(engine, settings, cst(24, 10)) is None  # W47 ended before GX-W2 was filed
    assert rows(engine, "weekly") == []
    assert send(engine, settings, cst(30, 9, 1)).isoformat() == "2026-11-23"  # W48 has it
    [summary, _, _] = rows(engine, "weekly")
    assert "2026-W48" in summary.payload["text"]


def test_a_desk_seeded_midweek_sends_that_week_but_not_the_one_before(engine, settings) -> None:
    """No ticket yet: the desk began when its database was first seeded (a fresh sandbox)."""
    from storage.models import DeskSetting

    with transaction(engine) as session:
        started = session.get(DeskSetting, "started_at")
        assert started is not None  # written by the first seeding
        started.value = cst(25, 15).isoformat()  # Wednesday of W48
        session.add(started)
    assert send(engine, settings, cst(24, 10)) is None  # W47: before the desk existed
    assert send(engine, settings, cst(30, 9, 1)).isoformat() == "2026-11-23"  # W48: it did
