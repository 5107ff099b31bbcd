"""Abuse rules in the core, on SQLite and PostgreSQL: ticket limits, blocking, the gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.config import AbuseSettings, Settings
from bot.core import abuse, intake, private_messages
from bot.core.abuse import FloodGuard
from bot.core.intake import Incoming
from bot.core.screens import Name
from bot.render import callbacks as cb
from bot.render.admin_views import reply_html
from storage import queries
from storage.db import transaction
from storage.models import Draft, ProcessedUpdate, Ticket

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
USER = 555000111


def limited(settings: Settings, **limits: int) -> Settings:
    return settings.model_copy(update={"abuse": AbuseSettings(**limits)})


def _as_user(engine, step):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=USER)
        return step(session, reporter)


def press(engine, settings: Settings, now: datetime, data: str) -> list[Name]:
    screens = _as_user(
        engine,
        lambda session, reporter: intake.on_button(
            session=session, settings=settings, reporter=reporter, data=cb.parse(data), now=now
        ),
    )
    return [s.name for s in screens]


def say(engine, settings: Settings, now: datetime, text: str) -> list[Name]:
    screens = _as_user(
        engine,
        lambda session, reporter: private_messages.on_message(
            session=session,
            settings=settings,
            reporter=reporter,
            incoming=Incoming(text=text),
            now=now,
        ),
    )
    return [s.name for s in screens]


def to_confirm(engine, settings: Settings, now: datetime, description: str) -> list[Name]:
    """The filing conversation up to the summary; the names of the last answer."""
    started = _as_user(
        engine,
        lambda session, reporter: intake.start_filing(
            session=session, settings=settings, reporter=reporter, kind="complaint", now=now
        ),
    )
    if started[0].name is not Name.ASK_CATEGORY:
        return [s.name for s in started]
    press(engine, settings, now, "c:policy")
    say(engine, settings, now, description)
    press(engine, settings, now, "dn")
    say(engine, settings, now, "某某科技")
    press(engine, settings, now, "su")
    say(engine, settings, now, "王工")
    say(engine, settings, now, "13800000000")
    return press(engine, settings, now, "v:none")


def file_one(engine, settings: Settings, now: datetime, description: str) -> list[Name]:
    reached = to_confirm(engine, settings, now, description)
    return press(engine, settings, now, "cf:submit") if reached == [Name.SUMMARY] else reached


def count_tickets(engine) -> int:
    with transaction(engine) as session:
        return len(session.exec(select(Ticket)).all())


def test_tickets_per_day_is_a_rolling_window_and_the_draft_waits(engine, settings) -> None:
    rules = limited(settings, tickets_per_day=2)
    assert file_one(engine, rules, NOW, "第一件") == [Name.SUBMITTED]
    assert file_one(engine, rules, NOW + timedelta(hours=3), "第二件") == [Name.SUBMITTED]
    later = NOW + timedelta(hours=5)
    assert file_one(engine, rules, later, "第三件") == [Name.TICKET_LIMIT]
    with transaction(engine) as session:
        assert session.exec(select(Draft)).all() == []  # nothing started
        reporter = queries.reporters.get_reporter(session=session, telegram_user_id=USER)
        assert reporter is not None
        found = abuse.ticket_limit(session=session, settings=rules, reporter=reporter, now=later)
    # The first ticket leaves the 24 hours at 10:00 the next day (Shanghai).
    assert found is not None and found["count"] == 2
    until = found["until"]  # a moment in the desk's zone, shown by the render layer
    assert isinstance(until, datetime) and f"{until:%Y-%m-%d %H:%M}" == "2026-11-28 10:00"

    # A draft confirmed when the limit is reached waits, confirmed, until the time it names.
    assert to_confirm(engine, limited(settings, tickets_per_day=0), later, "第三件") == [
        Name.SUMMARY
    ]
    assert press(engine, rules, later, "cf:submit") == [Name.TICKET_LIMIT_SUBMIT]
    with transaction(engine) as session:
        assert session.exec(select(Draft)).one().step == "confirm"
    assert count_tickets(engine) == 2
    assert press(engine, rules, NOW + timedelta(hours=24) - timedelta(seconds=1), "cf:submit") == [
        Name.TICKET_LIMIT_SUBMIT
    ]
    assert press(engine, rules, NOW + timedelta(hours=24), "cf:submit") == [Name.SUBMITTED]
    assert count_tickets(engine) == 3


def test_blocking_by_id_or_ticket_and_the_gate(engine, settings: Settings) -> None:
    assert file_one(engine, settings, NOW, "骚扰") == [Name.SUBMITTED]
    with transaction(engine) as session:
        number = session.exec(select(Ticket)).one().number
        target = abuse.find_target(session=session, target=number.lower())
        assert target is not None and target.reporter.telegram_user_id == USER
        said = reply_html(
            abuse.set_blocked(
                session=session,
                settings=settings,
                target=target,
                blocked=True,
                reason="<b>spam</b>",
                actor_id=1,
                reveal_identity=False,
                now=NOW,
            ),
            settings,
        )
    assert number in said and str(USER) not in said and "&lt;b&gt;spam" in said
    with transaction(engine) as session:
        assert abuse.find_target(session=session, target="GX-19990101-0001") is None
        fresh = abuse.find_target(session=session, target="4242")
        assert fresh is not None and fresh.number is None and fresh.reporter.blocked_at is None

    guard = FloodGuard()

    def gate(update_id: int, *, counts: bool = True, user: int = USER) -> abuse.Verdict:
        with transaction(engine) as session:
            return abuse.admit(
                session=session,
                settings=settings,
                guard=guard,
                user_id=user,
                update_id=update_id,
                now=NOW,
                counts=counts,
            )

    first, second, button = gate(1), gate(2), gate(3, counts=False)
    assert not first.allowed and first.screen is not None and first.screen.name is Name.BLOCKED
    assert not second.allowed and second.screen is None  # told once a minute
    assert not button.allowed and button.screen is not None  # a press is always answered
    assert gate(1).allowed  # a redelivered update: the handlers drop it, nothing counted
    assert gate(4, user=4242).allowed  # someone else
    with transaction(engine) as session:
        claimed = {row.update_id for row in session.exec(select(ProcessedUpdate))}
        reporter = queries.reporters.get_reporter(session=session, telegram_user_id=USER)
        assert reporter is not None and reporter.blocked_reason == "<b>spam</b>"
        said = reply_html(
            abuse.set_blocked(
                session=session,
                settings=settings,
                target=abuse.Target(reporter, number),
                blocked=False,
                reason="",
                actor_id=1,
                reveal_identity=True,
                now=NOW,
            ),
            settings,
        )
    assert claimed == {1, 2, 3} and str(USER) in said
    assert gate(5).allowed


def test_the_flood_guard_slides_and_tells_once() -> None:
    guard = FloodGuard()
    start = 1_000_000.0
    assert all(guard.admit(7, start + n, 3)[0] for n in range(3))
    allowed, until = guard.admit(7, start + 10, 3)
    assert not allowed and until == start + 60  # when the first of the three leaves
    assert guard.admit(7, start + 20, 3) == (False, None)  # already told
    assert guard.admit(8, start + 20, 3)[0]  # others are not affected
    assert guard.admit(7, start + 60.5, 3)[0]  # the first one left: a slot is free
    assert guard.admit(7, start + 61.5, 3)[0]  # and the second
    assert guard.admit(7, start + 61.7, 3) == (False, start + 62)  # a new flood: told again
    assert guard.admit(7, start + 62.5, 3)[0]


def test_queries_for_the_limits(engine) -> None:
    with transaction(engine) as session:
        assert not queries.jobs.update_seen(session=session, update_id=99)
        assert queries.jobs.claim_update(session=session, update_id=99)
        assert queries.jobs.update_seen(session=session, update_id=99)
        reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=USER)
        times = queries.reporters.ticket_times_after(
            session=session, reporter_id=reporter.id or 0, after=NOW
        )
        assert times == []
