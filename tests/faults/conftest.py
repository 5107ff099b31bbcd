"""Delivery faults: the real desk on the emulator, with the emulator misbehaving on purpose.

Tickets that are only the setting of a story (not its subject) are filed through the core
in one transaction (``file_directly``), exactly what the last tap on 提交 does, so a burst
of thirty enterprises costs milliseconds instead of thirty conversations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.core import tickets
from bot.devtools.playground import Person, Scene, desk_on_emulator
from storage import queries
from storage.db import transaction
from storage.models import Draft, Outbox, Ticket
from storage.types import utcnow

#: Short enough that a "late" answer trips it quickly, long enough for a loaded machine.
READ_TIMEOUT = 0.6


def fault_settings(settings: Settings) -> Settings:
    sender = settings.sender.model_copy(update={"read_timeout_seconds": READ_TIMEOUT})
    return settings.model_copy(update={"sender": sender})


@pytest.fixture
async def scene(migrated_db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    async with desk_on_emulator(fault_settings(settings), database_url=migrated_db_url) as running:
        yield running
    assert running.emulator.internal_errors == []


def file_directly(
    scene: Scene,
    person: Person,
    *,
    category: str = "policy",
    description: str = "厂区停电三天了，供电所一直不给说法",
    company: str = "厦门海沧精密机械有限公司",
) -> str:
    """What the enterprise's final 提交 does, without the conversation; returns the number."""
    with scene.desk.work(None) as session:
        reporter = queries.reporters.get_or_create_reporter(
            session=session, telegram_user_id=person.user.id
        )
        reporter.language = "zh"
        session.add(reporter)
        session.flush()
        assert reporter.id is not None
        draft = Draft(
            reporter_id=reporter.id,
            step="confirm",
            data={
                "kind": "complaint",
                "category": category,
                "description": description,
                "company": company,
                "contact_name": "林经理",
                "phone": "+8613800138000",
                "visibility": "company",
                "evidence": [],
            },
        )
        session.add(draft)
        session.flush()
        ticket = tickets.submit_ticket(
            session=session,
            settings=scene.desk.settings,
            reporter=reporter,
            draft=draft,
            now=utcnow(),
        )
        number = ticket.number
    scene.desk.kick_sender()
    return number


def outbox(scene: Scene) -> list[Outbox]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]


def tickets_in(scene: Scene) -> list[Ticket]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(Ticket).order_by(Ticket.id)))  # type: ignore[arg-type]


def texts(scene: Scene, chat_id: int) -> list[str]:
    return [m.content for m in scene.emulator.bot_messages(chat_id)]


async def until(check, timeout: float = 10.0, why=None) -> None:  # noqa: ASYNC109
    """Wait until ``check()`` holds while the desk works (retries run on their own clock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not reached within {timeout}s" + (f": {why()}" if why else ""))
        await asyncio.sleep(0.05)


def undelivered(scene: Scene) -> list[tuple[int | None, str, str, str | None]]:
    """Rows still on their way (held rows wait for /bind and do not count)."""
    return [
        (r.id, r.purpose, r.status, r.last_error)
        for r in outbox(scene)
        if r.status == "sending" or (r.status == "pending" and r.chat_id is not None)
    ]


async def delivered(scene: Scene, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Until the outbox has nothing left to send, then until the desk is quiet."""
    await until(lambda: not undelivered(scene), timeout, why=lambda: undelivered(scene))
    await scene.settle()
