"""Two senders (two instances) drain one outbox: every row once, in order per chat; a dead
instance's row in flight is settled by the living one, a living one's is left alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select
from telegram import Bot

from bot.config import SenderSettings, Settings
from bot.delivery import leases
from bot.delivery.sender import Sender
from bot.devtools.emulator import BotApiEmulator
from storage import queries
from storage.db import make_engine, transaction
from storage.models import Outbox
from storage.types import utcnow

CHATS = 12
PER_CHAT = 10


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


def stored(engine) -> list[Outbox]:
    with transaction(engine) as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]


async def test_two_senders_send_every_row_once_in_order(
    engine, emulator: BotApiEmulator, settings: Settings
) -> None:
    groups = [emulator.add_group(f"群{n}") for n in range(CHATS)]
    with transaction(engine) as session:
        for n in range(PER_CHAT):  # interleaved, as a burst of tickets writes them
            for group in groups:
                session.add(
                    Outbox(
                        method="sendMessage",
                        payload={"text": f"{group.id}:{n}"},
                        chat_id=group.id,
                        purpose="notice",
                    )
                )
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]  # two processes' worth of connections
    bots = [
        Bot(emulator.token, base_url=emulator.bot_base_url, base_file_url=emulator.file_base_url)
        for _ in range(2)
    ]
    fast = SenderSettings(interval_seconds=0.05)
    senders = [
        Sender(engine=e, bot=b, settings=fast, desk_settings=settings)
        for e, b in zip(engines, bots, strict=True)
    ]
    try:
        for bot in bots:
            await bot.initialize()
        for sender in senders:
            sender.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while any(r.status != "sent" for r in stored(engine)):
            assert loop.time() < deadline, [r.status for r in stored(engine)]
            await asyncio.sleep(0.1)
    finally:
        for sender in senders:
            await sender.stop()
        for bot in bots:
            await bot.shutdown()
        for e in engines:
            e.dispose()
    rows = stored(engine)
    for group in groups:
        texts = [m.content for m in emulator.bot_messages(group.id)]
        assert texts == [f"{group.id}:{n}" for n in range(PER_CHAT)]  # once each, in order
    by_sender = {r.claimed_by for r in rows}
    assert by_sender <= {s.instance for s in senders}
    assert len(emulator.calls("sendMessage")) == CHATS * PER_CHAT


def test_a_row_is_claimed_by_one_sender_and_only_first_in_its_chat(engine) -> None:
    with transaction(engine) as session:
        first, second = (
            Outbox(method="sendMessage", payload={}, chat_id=-7, purpose="x"),
            Outbox(method="sendMessage", payload={}, chat_id=-7, purpose="x"),
        )
        session.add_all([first, second])
        session.flush()
        ids = [first.id or 0, second.id or 0]
    now = utcnow()

    def claim(row_id: int, instance: str) -> bool:
        with transaction(engine) as session:
            claimed = queries.outbox.claim_outbox(
                session=session, rows=[(row_id, -7)], instance=instance, now=now
            )
        return claimed == {row_id}

    assert not claim(ids[1], "a")  # the second waits while the first is unsent
    assert claim(ids[0], "a")
    assert not claim(ids[0], "b")  # already taken: the other sender leaves it
    assert not claim(ids[1], "b")  # still behind a row in flight
    with transaction(engine) as session:
        row = session.get(Outbox, ids[0])
        assert row is not None and (row.status, row.claimed_by) == ("sending", "a")


def test_a_round_is_claimed_at_once_and_only_the_rows_still_free(engine) -> None:
    """One statement claims a sender's round: rows another sender took, rows that moved to
    another chat, rows not due and rows behind another in their chat are left out."""
    later = utcnow() + timedelta(minutes=1)
    with transaction(engine) as session:
        rows = [
            Outbox(method="sendMessage", payload={}, chat_id=-1, purpose="x"),
            Outbox(method="sendMessage", payload={}, chat_id=-2, purpose="x"),
            Outbox(method="sendMessage", payload={}, chat_id=-3, purpose="x"),
            Outbox(method="sendMessage", payload={}, chat_id=-4, purpose="x"),
            Outbox(
                method="sendMessage", payload={}, chat_id=-5, next_attempt_at=later, purpose="x"
            ),
            Outbox(method="sendMessage", payload={}, chat_id=-1, purpose="x"),
        ]
        session.add_all(rows)
        session.flush()
        one, two, three, four, not_due, behind = [r.id or 0 for r in rows]
    now = utcnow()
    with transaction(engine) as session:
        assert queries.outbox.claim_outbox(
            session=session, rows=[(two, -2)], instance="b", now=now
        ) == {two}
    with transaction(engine) as session:
        claimed = queries.outbox.claim_outbox(
            session=session,
            rows=[(one, -1), (two, -2), (three, -3), (four, -99), (not_due, -5), (behind, -1)],
            instance="a",
            now=now,
        )
    assert claimed == {one, three}
    states = {r.id: (r.status, r.claimed_by) for r in stored(engine)}
    assert states == {
        one: ("sending", "a"),
        two: ("sending", "b"),
        three: ("sending", "a"),
        four: ("pending", None),  # it is in chat -4 now, not where this sender read it
        not_due: ("pending", None),
        behind: ("pending", None),
    }


async def test_only_a_dead_instance_rows_in_flight_are_settled(engine, settings) -> None:
    with transaction(engine) as session:
        dispatcher_chat = -500
        living, dead = "host:1:aaaaaa", "host:2:bbbbbb"
        now = utcnow()
        for claimant in (living, dead, None):
            session.add(
                Outbox(
                    method="sendMessage",
                    payload={"text": str(claimant)},
                    chat_id=dispatcher_chat,
                    purpose="ack",
                    status="sending",
                    claimed_by=claimant,
                    claimed_at=now,
                )
            )
    other = leases.Liveness(engine, living)
    other.hold()
    try:
        sender = Sender(engine=engine, bot=None, settings=settings.sender, desk_settings=settings)  # type: ignore[arg-type]
        sender.recover()
        statuses = {r.claimed_by: r.status for r in stored(engine) if r.purpose == "ack"}
    finally:
        other.release()
    # The living instance is still talking to Telegram about its row; the dead one's and
    # the one from before claims were recorded are settled as the crash recovery says.
    assert statuses == {living: "sending", dead: "uncertain", None: "uncertain"}
