"""The database unavailable for a while: users are told to try again, nothing is dropped
silently, nothing crashes; the sender and the chaser survive and catch up afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import pytest

from bot.config import Settings
from bot.core.sla import Schedule, next_working_moment
from bot.devtools.emulator import flood_wait, to_chat
from bot.devtools.playground import Scene, desk_on_emulator
from storage import db
from tests.faults.conftest import delivered, fault_settings, file_directly, texts, tickets_in
from tests.faults.dbgate import Outage, SqliteLock, TcpGate


@pytest.fixture
def outage(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Outage]:
    if db_url.startswith("sqlite"):
        monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)  # "busy beyond the timeout"
        gate: Outage = SqliteLock(db_url)
    else:
        gate = TcpGate(db_url)
    yield gate
    gate.close()


@pytest.fixture
async def scene(outage: Outage, settings: Settings) -> AsyncIterator[Scene]:
    async with desk_on_emulator(fault_settings(settings), database_url=outage.url) as running:
        yield running


async def test_the_database_away_for_a_while(scene: Scene, outage: Outage) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("严")
    # A card that meets flood control, so its retry falls into the outage.
    scene.emulator.faults.append(flood_wait("sendMessage", 1, where=to_chat(econ.id)))
    number = file_directly(scene, ent)
    await scene.settle()
    assert not [t for t in texts(scene, econ.id) if number in t]
    [ticket] = tickets_in(scene)
    overdue = working_after(scene, ticket.accept_due + timedelta(minutes=31))

    outage.down()
    try:
        await ent.says("/start")  # the handler cannot store anything: the user is told
        assert "请稍后再试一次" in ent.last_reply().text
        await scene.chase_at(overdue)  # the chaser's run fails and is logged …
        await asyncio.sleep(1.2)  # … and the card's retry comes due while the database is away
    finally:
        outage.up()

    await delivered(scene)
    assert len([t for t in texts(scene, econ.id) if number in t and "📋" in t]) == 1
    await ent.says("/start")
    assert "您好，严" in ent.last_reply().text  # trying again works
    await scene.chase_at(overdue + timedelta(minutes=5))
    reminders = [t for t in texts(scene, econ.id) if "催办" in t]
    assert len(reminders) == 1 and number in reminders[0]  # the chaser caught up
    sender = scene.desk.sender
    assert sender is not None and sender._task is not None and not sender._task.done()


def working_after(scene: Scene, moment: datetime) -> datetime:
    schedule = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone)
    return next_working_moment(moment, schedule) + timedelta(minutes=1)
