"""The chaser with a controllable clock: levels, quiet hours, batching, catch-up, no doubles."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.config import Settings
from bot.core import chaser
from storage import queries
from storage.db import transaction
from storage.models import Outbox, ReminderSent, Reporter, Ticket

SHANGHAI = timedelta(hours=8)


def cst(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in Shanghai time, as UTC (2026-11-23 is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - SHANGHAI


def make_ticket(
    engine,
    *,
    number: str,
    department: str,
    accept_due: datetime,
    first_reply_due: datetime | None = None,
    resolve_due: datetime | None = None,
    status: str = "assigned",
    category: str = "other",
    description: str = "d",
    company_name: str = "c",
    **fields,
) -> int:
    with transaction(engine) as session:
        reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=4242)
        category = queries.zone.get_category_by_code(session=session, code=category)
        dept = queries.zone.get_department_by_code(session=session, code=department)
        ticket = Ticket(
            number=number,
            kind="complaint",
            status=status,
            category_id=category.id,
            department_id=dept.id,
            reporter_id=reporter.id,
            description=description,
            company_name=company_name,
            contact_name="n",
            phone="1",
            route_reason="keyword",
            accept_due=accept_due,
            first_reply_due=first_reply_due or accept_due + timedelta(days=30),
            resolve_due=resolve_due or accept_due + timedelta(days=30),
            created_at=accept_due - timedelta(hours=2),
            **fields,
        )
        session.add(ticket)
        session.flush()
        return ticket.id


def run(engine, settings: Settings, now: datetime) -> chaser.RunResult:
    with transaction(engine) as session:
        return chaser.run(session=session, settings=settings, now=now)


def sent(engine, purpose: str) -> list[Outbox]:
    with transaction(engine) as session:
        return list(
            session.exec(select(Outbox).where(Outbox.purpose == purpose).order_by(Outbox.id))
        )


def levels(result: chaser.RunResult) -> list[tuple[str, str, str, int]]:
    return [(d.ticket.number, d.clock, d.level, d.repeat) for d in result.sent]


def test_warning_then_reminder_then_repeat_then_escalations(engine, settings) -> None:
    make_ticket(engine, number="GX-1", department="econ", accept_due=cst(23, 11))
    assert levels(run(engine, settings, cst(23, 10, 15))) == []  # 45 min left of 2 h: not yet
    assert levels(run(engine, settings, cst(23, 10, 35))) == [("GX-1", "accept", "warning", 0)]
    assert levels(run(engine, settings, cst(23, 10, 40))) == []  # once only
    assert levels(run(engine, settings, cst(23, 11, 5))) == [("GX-1", "accept", "reminder", 0)]
    # 4 working hours later (lunch 12:00–13:30 does not count): the reminder repeats.
    assert levels(run(engine, settings, cst(23, 16, 29))) == []
    assert levels(run(engine, settings, cst(23, 16, 31))) == [("GX-1", "accept", "reminder", 1)]
    # 8 working hours overdue (1 + 4 on Monday, 3 on Tuesday morning, lunch excluded):
    # Tuesday 13:31 → escalation to the supervisor chat.
    assert levels(run(engine, settings, cst(24, 13, 31))) == [
        ("GX-1", "accept", "reminder", 2),
        ("GX-1", "accept", "escalation1", 0),
    ]
    [reminder, *_] = sent(engine, "reminder")
    assert "经济发展局" in reminder.payload["text"] and "GX-1" in reminder.payload["text"]
    [escalation] = sent(engine, "escalation")
    assert "督办" in escalation.payload["text"] and "经济发展局" in escalation.payload["text"]
    # 8 working hours read as hours, not "1.1 个工作日" (a working day is 7 h).
    assert "签收已超期 8 个工作小时" in escalation.payload["text"]


def test_nothing_goes_out_at_night_and_the_morning_catches_up(engine, settings) -> None:
    make_ticket(engine, number="GX-2", department="econ", accept_due=cst(23, 17))
    night = run(engine, settings, cst(23, 22))
    assert night.skipped_outside_working_time and night.sent == []
    with transaction(engine) as session:
        assert session.exec(select(ReminderSent)).all() == []
    assert levels(run(engine, settings, cst(28, 10))) == []  # Saturday: quiet too
    morning = run(engine, settings, cst(24, 9, 5))
    assert levels(morning) == [("GX-2", "accept", "reminder", 0)]


def test_one_message_per_department_and_silence_for_the_others(engine, settings) -> None:
    for n in range(3):
        make_ticket(engine, number=f"GX-E{n}", department="econ", accept_due=cst(23, 10))
    make_ticket(engine, number="GX-T", department="tax", accept_due=cst(30, 10))
    run(engine, settings, cst(23, 10, 30))
    reminders = sent(engine, "reminder")
    assert len(reminders) == 1
    text = reminders[0].payload["text"]
    assert all(f"GX-E{n}" in text for n in range(3)) and "GX-T" not in text


def test_after_an_outage_only_the_highest_escalation_goes_out(engine, settings) -> None:
    make_ticket(engine, number="GX-3", department="econ", accept_due=cst(16, 10))
    result = run(engine, settings, cst(23, 10))  # 5 working days late
    assert ("GX-3", "accept", "escalation2", 0) in levels(result)
    assert ("GX-3", "accept", "escalation1", 0) not in levels(result)
    assert len(sent(engine, "escalation")) == 1
    assert levels(run(engine, settings, cst(23, 10, 5))) == []  # and nothing twice


def test_waiting_for_the_enterprise_pauses_resolution(engine, settings) -> None:
    make_ticket(
        engine,
        number="GX-4",
        department="econ",
        accept_due=cst(16, 10),
        resolve_due=cst(20, 10),
        status="waiting_info",
        accepted_at=cst(16, 9),
        first_reply_at=cst(16, 9),
        waiting_since=cst(17, 9),
    )
    assert levels(run(engine, settings, cst(23, 10))) == []


def test_two_chasers_at_once_send_each_reminder_once(engine, settings) -> None:
    for n in range(20):
        make_ticket(engine, number=f"GX-P{n}", department="econ", accept_due=cst(23, 10))
    results: list[chaser.RunResult] = []
    barrier = threading.Barrier(2)

    def instance() -> None:
        barrier.wait()
        results.append(run(engine, settings, cst(23, 10, 30)))

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = sorted(number for r in results for number, *_ in levels(r))
    assert claimed == sorted(f"GX-P{n}" for n in range(20))
    with transaction(engine) as session:
        assert len(session.exec(select(ReminderSent)).all()) == 20
    text = "".join(r.payload["text"] for r in sent(engine, "reminder"))
    assert all(text.count(f"GX-P{n}<") + text.count(f"GX-P{n} ") == 1 for n in range(20))


def test_unrated_resolved_tickets_close_themselves(engine, settings) -> None:
    ticket_id = make_ticket(
        engine,
        number="GX-5",
        department="econ",
        accept_due=cst(10, 10),
        status="resolved",
        accepted_at=cst(10, 9),
        first_reply_at=cst(10, 9),
        resolved_at=cst(13, 10),
    )
    assert run(engine, settings, cst(19, 10)).auto_closed == []
    assert run(engine, settings, cst(20, 10, 30)).auto_closed == ["GX-5"]
    with transaction(engine) as session:
        assert session.get(Ticket, ticket_id).status == "closed"
    [note] = sent(engine, "auto_closed")
    assert note.chat_id == 4242 and "自动关闭" in note.payload["text"]


def test_a_missing_calendar_year_is_reported_once(engine, settings) -> None:
    settings = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"admins": [77]})}
    )
    with transaction(engine) as session:
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        dispatcher.chat_id = -100500
        session.add(dispatcher)
    late = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)  # a Tuesday; no holiday data for 2031
    run(engine, settings, late)
    run(engine, settings, late + timedelta(minutes=5))
    warnings = sent(engine, "calendar")
    assert sorted(r.chat_id for r in warnings) == [-100500, 77]
    assert "2031" in warnings[0].payload["text"]


def test_the_reporter_row_is_untouched(engine, settings) -> None:
    make_ticket(engine, number="GX-6", department="econ", accept_due=cst(23, 10))
    run(engine, settings, cst(23, 10, 30))
    with transaction(engine) as session:
        assert session.exec(select(Reporter)).one().telegram_user_id == 4242
