"""/healthz: ok when every part works; down (503) without the database; degraded, naming
the part, when Telegram, the outbox or the chaser is not doing its job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from bot.config import Settings
from bot.desk import Desk
from bot.devtools.playground import Scene, desk_on_emulator
from bot.ops.health import OUTBOX_STALE, HealthChecker
from bot.ops.server import ops_app
from storage import queries
from storage.db import transaction
from storage.models import Outbox
from storage.types import utcnow
from tests.faults.dbgate import TcpGate
from tests.ops.conftest import healthz


async def test_everything_up_is_ok(scene: Scene, ops: TestClient[Any, Any]) -> None:
    status, body = await healthz(ops)
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "bot_api", "outbox", "chaser"}
    assert all(check["ok"] for check in checks.values())
    assert checks["bot_api"]["username"] == scene.emulator.world.bot.username
    assert checks["outbox"]["pending"] == 0
    assert checks["chaser"]["last_run"] is None  # not yet: its first run comes later

    moment = utcnow()
    await scene.chase_at(moment)
    _, body = await healthz(ops)
    assert body["checks"]["chaser"]["ok"]
    assert body["checks"]["chaser"]["last_run"] == moment.isoformat()  # as the database has it


async def test_telegram_unreachable_is_degraded_and_named(scene: Scene) -> None:
    await scene.emulator.go_offline()
    app = ops_app(desk=scene.desk, application=scene.application)
    async with TestClient(TestServer(app)) as client:
        status, body = await healthz(client)
        assert status == 200  # the process is fine: restarting it would not bring Telegram
        assert body["status"] == "degraded"
        assert body["checks"]["bot_api"] == {"ok": False, "error": "NetworkError"}
        assert body["checks"]["database"]["ok"]
    await scene.emulator.come_online()


async def test_getme_is_asked_at_most_once_per_interval(scene: Scene) -> None:
    checker = HealthChecker(desk=scene.desk, bot=scene.application.bot)
    before = len(scene.emulator.calls("getMe"))
    for _ in range(5):
        health = await checker.check()
        assert health.status == "ok"
    assert len(scene.emulator.calls("getMe")) == before + 1


def _unreachable(db_url: str) -> tuple[str, TcpGate | None]:
    """A URL to the test database through a gate that can be closed (PostgreSQL), or None
    for SQLite, where the outage is a database file that cannot be opened."""
    if make_url(db_url).get_backend_name() == "sqlite":
        return db_url, None
    gate = TcpGate(db_url)
    return gate.url, gate


@pytest.fixture
async def gated(migrated_db_url: str, settings: Settings) -> AsyncIterator[tuple[Scene, Any]]:
    url, gate = _unreachable(migrated_db_url)
    async with desk_on_emulator(settings, database_url=url) as running:
        yield running, gate
    if gate is not None:
        gate.close()


async def test_database_down_is_503_down_and_back_ok(gated: tuple[Scene, Any]) -> None:
    scene, gate = gated
    app = ops_app(desk=scene.desk, application=scene.application)
    async with TestClient(TestServer(app)) as client:
        assert (await healthz(client))[1]["status"] == "ok"
        engine = scene.desk.engine
        if gate is not None:
            engine.dispose()  # open connections are cut too; the pool must reconnect
            gate.down()
        else:
            scene.desk.engine = create_engine("sqlite:////nonexistent/dir/desk.db")
        try:
            status, body = await healthz(client)
            assert status == 503
            assert body["status"] == "down"
            assert body["checks"]["database"]["ok"] is False
            assert body["checks"]["database"]["error"] == "OperationalError"
            assert body["checks"]["bot_api"]["ok"]  # the other checks still say what they see
        finally:
            if gate is not None:
                gate.up()
            else:
                scene.desk.engine.dispose()
                scene.desk.engine = engine
        status, body = await healthz(client)
        assert (status, body["status"]) == (200, "ok")


class _Bot:
    """getMe always answers (the Bot API is not what these tests are about)."""

    async def get_me(self) -> SimpleNamespace:
        return SimpleNamespace(username="dianxiaoer_bot")


def _row(status: str, *, chat_id: int | None, age: timedelta) -> Outbox:
    return Outbox(
        method="sendMessage",
        payload={"text": "…"},
        chat_id=chat_id,
        purpose="notice",
        status=status,
        created_at=utcnow() - age,
    )


async def test_outbox_backlog_counts_and_a_stuck_row(engine: Engine, settings: Settings) -> None:
    desk = Desk(settings=settings, engine=engine)
    checker = HealthChecker(desk=desk, bot=_Bot())  # type: ignore[arg-type]
    with transaction(engine) as session:
        for row in [
            _row("pending", chat_id=1001, age=timedelta(minutes=2)),
            _row("pending", chat_id=1002, age=timedelta(minutes=1)),
            _row("pending", chat_id=None, age=timedelta(days=3)),  # held for /bind: not stuck
            _row("failed", chat_id=1003, age=timedelta(hours=1)),
            _row("uncertain", chat_id=1003, age=timedelta(hours=1)),
            _row("sent", chat_id=1003, age=timedelta(hours=1)),
        ]:
            queries.outbox.add_outbox(session=session, row=row)
    health = await checker.check()
    assert health.status == "ok"
    outbox = health.checks["outbox"]
    assert (outbox["pending"], outbox["failed"], outbox["uncertain"]) == (2, 1, 1)
    assert 110 <= outbox["oldest_pending_seconds"] <= 180

    with transaction(engine) as session:
        queries.outbox.add_outbox(
            session=session, row=_row("pending", chat_id=1004, age=OUTBOX_STALE * 2)
        )
    health = await checker.check()
    assert health.status == "degraded"
    assert health.checks["outbox"]["ok"] is False
    assert health.checks["outbox"]["pending"] == 3
    assert health.checks["outbox"]["oldest_pending_seconds"] >= OUTBOX_STALE.total_seconds()


async def test_a_chaser_that_stopped_running_is_degraded(
    engine: Engine, settings: Settings
) -> None:
    desk = Desk(settings=settings, engine=engine)
    checker = HealthChecker(desk=desk, bot=_Bot())  # type: ignore[arg-type]
    interval = timedelta(minutes=settings.chaser.interval_minutes)
    desk.last_chase_at = utcnow() - interval
    assert (await checker.check()).status == "ok"
    desk.last_chase_at = utcnow() - interval * 10
    health = await checker.check()
    assert health.status == "degraded"
    assert health.checks["chaser"]["ok"] is False
    assert health.checks["chaser"]["age_seconds"] >= interval.total_seconds() * 10
    # Never ran since a start long ago: stopped as well.
    desk.last_chase_at = None
    checker.started_at = utcnow() - interval * 10
    assert (await checker.check()).checks["chaser"] == {"ok": False, "last_run": None}


async def test_the_chaser_run_by_another_instance_counts(
    engine: Engine, settings: Settings
) -> None:
    desk = Desk(settings=settings, engine=engine)
    checker = HealthChecker(desk=desk, bot=_Bot())  # type: ignore[arg-type]
    interval = timedelta(minutes=settings.chaser.interval_minutes)
    checker.started_at = utcnow() - interval * 10  # this process never ran it itself

    def ran(ago: timedelta) -> None:
        with transaction(engine) as session:
            assert queries.jobs.start_job_run(
                session=session,
                job="chaser",
                instance="other",
                now=utcnow() - ago,
                min_gap_seconds=0,
            )

    ran(interval * 10)
    assert (await checker.check()).checks["chaser"]["ok"] is False
    ran(interval)
    chaser = (await checker.check()).checks["chaser"]
    assert chaser["ok"] and 0 < chaser["age_seconds"] <= interval.total_seconds() + 5
