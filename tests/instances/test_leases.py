"""Leadership and liveness between instances: advisory locks on PostgreSQL, one process on
SQLite; the chaser's run once per period; the shared message counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlmodel import Session, select

from bot import jobs
from bot.config import Settings
from bot.core import abuse
from bot.delivery import leases
from bot.desk import Desk
from storage import queries
from storage.db import transaction
from storage.models import JobState, RateEvent

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai


def postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_one_holder_of_a_named_lock_at_a_time(engine) -> None:
    with Session(engine) as first, Session(engine) as second:
        assert leases.exclusive(first, "chaser")
        # On PostgreSQL the other instance cannot have it while the first transaction runs;
        # SQLite serves one process, which always has it.
        assert leases.exclusive(second, "chaser") is not postgres(engine)
        assert leases.exclusive(second, "weekly")  # another name is another lock
        first.commit()  # the lock ends with the transaction
        second.rollback()
        assert leases.exclusive(second, "chaser")
        second.rollback()


def test_a_dead_instance_is_known_as_dead(engine) -> None:
    living = leases.Liveness(engine, "host:1:aaaaaa")
    living.hold()
    try:
        with Session(engine) as session:
            assert leases.alive(session, "host:1:aaaaaa")
            assert not leases.alive(session, "host:2:bbbbbb")  # never started, or killed
    finally:
        living.release()
    with Session(engine) as session:
        assert not leases.alive(session, "host:1:aaaaaa")


async def test_the_chaser_runs_once_per_period_across_instances(engine, settings) -> None:
    desks = [Desk(settings=settings, engine=engine, clock=lambda: NOW) for _ in range(2)]
    assert desks[0].instance != desks[1].instance
    ran: list[str] = []

    def chaser_run(*, session, settings: Settings, now) -> None:
        ran.append(str(now))

    interval = timedelta(minutes=settings.chaser.interval_minutes)

    async def chase(desk: Desk, moment: datetime) -> None:
        desk.clock = lambda: moment
        await jobs.chase(SimpleNamespace(bot_data={"desk": desk}))  # type: ignore[arg-type]

    original = jobs.chaser.run
    jobs.chaser.run = chaser_run  # type: ignore[assignment]
    try:
        await chase(desks[0], NOW)
        await chase(desks[1], NOW + timedelta(seconds=40))  # the same period: skipped
        await chase(desks[0], NOW + interval)  # the next period
        await chase(desks[1], NOW + interval * 2)  # whoever comes first in a period runs …
        await chase(desks[0], NOW + interval * 2 + timedelta(seconds=30))  # … the other not
        if postgres(engine):  # while one instance runs it, the other one skips
            with Session(engine) as holder:
                assert leases.exclusive(holder, "chaser")
                await chase(desks[1], NOW + interval * 4)
                holder.rollback()
    finally:
        jobs.chaser.run = original  # type: ignore[assignment]
    assert ran == [str(NOW), str(NOW + interval), str(NOW + interval * 2)]
    with transaction(engine) as session:
        [state] = session.exec(select(JobState))
        assert state.last_run_by == desks[1].instance
        assert queries.jobs.last_chaser_run(session=session) == NOW + interval * 2


def test_message_counts_are_shared_by_instances(engine, settings) -> None:
    """Two instances (two transactions, two guards) count one user's minute together."""
    start = NOW.timestamp()
    outcomes = []
    for n in range(5):
        with transaction(engine) as session:  # instance A and B take turns
            outcomes.append(abuse.SharedFloodGuard(session).admit(7, start + n, 3))
    assert [allowed for allowed, _ in outcomes] == [True, True, True, False, False]
    assert outcomes[3][1] == start + 60 and outcomes[4][1] is None  # told once
    with transaction(engine) as session:
        guard = abuse.SharedFloodGuard(session)
        assert guard.admit(8, start + 5, 3)[0]  # another user
        assert guard.admit(7, start + 60.5, 3)[0]  # the first left the minute
        assert guard.admit(7, start + 61.5, 3)[0]  # and the second
        assert guard.admit(7, start + 61.7, 3) == (False, start + 62)  # a new flood: told
    with transaction(engine) as session:
        kept = session.exec(select(RateEvent).where(RateEvent.telegram_user_id == 7)).all()
        assert all(row.at > NOW for row in kept)  # the old minute is gone
