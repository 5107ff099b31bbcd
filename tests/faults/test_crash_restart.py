"""SIGKILL at the worst moments, then a restart: no ticket lost, nothing sent twice.

A real child process (``python -m bot run``) on a SQLite file, against the emulator in
this process; the child kills itself at a crash point (DIANXIAOER_CRASH_AT, see
bot/devtools/crashpoints.py) and is started again without it.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main as cli
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import Chat, MessageRecord
from storage.db import make_engine, transaction
from storage.models import Draft, Outbox, Ticket
from tests.faults.child import ChildDesk, RemotePerson, up_to_confirmation

KILLED = -signal.SIGKILL

# A desk process killed and restarted at each crash point: seconds of real time each.
pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[BotApiEmulator, ChildDesk]]:
    async with BotApiEmulator() as emulator:
        admin = emulator.add_user("王主任", username="zone_admin")
        child = ChildDesk(emulator, tmp_path, admin)
        try:
            yield emulator, child
        finally:
            await child.kill()


def stored(child: ChildDesk) -> tuple[list[Ticket], list[Outbox], list[Draft]]:
    engine = make_engine(child.database_url)
    try:
        with transaction(engine) as session:
            return (
                list(session.exec(select(Ticket))),
                list(session.exec(select(Outbox).order_by(Outbox.id))),  # type: ignore[arg-type]
                list(session.exec(select(Draft))),
            )
    finally:
        engine.dispose()


async def bound_group(emulator: BotApiEmulator, code: str) -> Chat:
    admin = emulator.user(min(emulator.world.users))
    group = emulator.add_group(f"{code} 工单群", members=[admin], supergroup=True)
    await RemotePerson(emulator, admin).says(f"/bind {code}", chat_id=group.id)
    return group


def contents(emulator: BotApiEmulator, chat_id: int, needle: str) -> list[str]:
    return [m.content for m in emulator.bot_messages(chat_id) if needle in m.content]


async def test_killed_at_the_worst_moments_of_filing(world, capsys) -> None:
    """Killed after the ticket is stored but before anyone is answered; started again and
    killed between sending the acknowledgement and recording it; started once more."""
    emulator, child = world
    await child.start(crash_at="after_commit:ack")
    desk = await bound_group(emulator, "bizenv")
    econ = await bound_group(emulator, "econ")
    ent = RemotePerson(emulator, emulator.add_user("严"))
    await up_to_confirmation(ent)
    ent.press("✅ 提交")
    assert await child.exited() == KILLED
    [ticket], rows, _ = stored(child)  # stored before the crash …
    assert {r.purpose: r.status for r in rows} == {"ack": "pending", "card": "pending"}
    assert not contents(emulator, ent.chat_id, "已受理")  # … and nobody answered yet

    await child.start(crash_at="after_send:ack")
    assert await child.exited() == KILLED
    [ticket], rows, _ = stored(child)
    statuses = {r.purpose: r.status for r in rows}
    assert statuses["ack"] == "sending"
    # The card goes to another chat, side by side with the ack: it may have been out too.
    assert statuses["card"] in ("pending", "sending")
    card_was_out = statuses["card"] == "sending"
    assert len(contents(emulator, ent.chat_id, ticket.number)) == 1  # Telegram has it

    await child.start()
    if not card_was_out:
        await emulator.wait_for(econ.id, lambda m: ticket.number in m.content, timeout=10)
    await emulator.wait_for(desk.id, lambda m: "投递结果不确定" in m.content, timeout=10)
    await emulator.wait_idle(0.3)
    # Never twice: a row whose outcome was never recorded is uncertain (not sent again);
    # the dispatcher is told, with the command to resend it, and the operator sees it.
    assert len(contents(emulator, ent.chat_id, ticket.number)) == 1
    assert len(contents(emulator, econ.id, ticket.number)) <= 1
    ack = next(r for r in stored(child)[1] if r.purpose == "ack")
    card = next(r for r in stored(child)[1] if r.purpose == "card")
    assert ack.status == "uncertain"
    assert card.status == ("uncertain" if card_was_out else "sent")
    if not card_was_out:
        assert len(contents(emulator, econ.id, ticket.number)) == 1
    told = "".join(contents(emulator, desk.id, "投递结果不确定"))
    uncertain = [r for r in (ack, card) if r.status == "uncertain"]
    assert all(f"outbox resend {r.id}" in told for r in uncertain)
    assert cli(["--config", str(child.config), "outbox", "list", "--uncertain"]) == 0
    listed = capsys.readouterr().out
    assert all(f"#{r.id}  uncertain" in listed for r in uncertain)


async def test_an_update_fetched_but_not_handled_before_the_kill(world) -> None:
    """PTB confirms an update to Telegram by its next poll, before handling it: a kill in
    between loses the update. It had no effect at all, so the person simply repeats.

    (The crash point waits half a second for that poll; should a loaded machine kill the
    desk before it, Telegram still holds the update and the restarted desk handles it once:
    the other side of the same guarantee.)"""
    emulator, child = world
    await child.start(crash_at="before_handle:cf:submit")
    econ = await bound_group(emulator, "econ")
    ent = RemotePerson(emulator, emulator.add_user("吴"))
    await up_to_confirmation(ent)
    ent.press("✅ 提交")
    assert await child.exited() == KILLED
    confirmed = emulator.world.updates.pending_count == 0  # Telegram holds it as handled
    tickets, _, [draft] = stored(child)
    assert tickets == [] and draft.step == "confirm"  # nothing half-done, the draft intact

    await child.start()
    if confirmed:
        await emulator.wait_idle(0.5)
        assert not contents(emulator, ent.chat_id, "已受理")  # lost: never handled
        ent.press("✅ 提交")  # the person taps again
    await emulator.wait_for(ent.chat_id, lambda m: "已受理" in m.content, timeout=10)
    await emulator.wait_for(econ.id, lambda m: "停电" in m.content, timeout=10)
    await emulator.wait_idle(0.3)
    [ticket], rows, drafts = stored(child)
    assert drafts == [] and {r.status for r in rows} == {"sent"}
    assert len(contents(emulator, ent.chat_id, ticket.number)) == 1
    assert len(contents(emulator, econ.id, ticket.number)) == 1


async def test_evidence_of_a_card_in_flight_at_the_kill(world, capsys) -> None:
    """Killed between sending a card and recording it: its evidence cannot reply to a card
    nobody knows; it goes out labelled with the ticket number. The operator resends the
    card: the evidence follows, as replies under it."""
    emulator, child = world
    await child.start(crash_at="after_send:card")
    await bound_group(emulator, "bizenv")
    econ = await bound_group(emulator, "econ")
    ent = RemotePerson(emulator, emulator.add_user("严"))
    await up_to_confirmation(ent, evidence=["发票 1", "发票 2", "发票 3"])
    ent.press("✅ 提交")
    assert await child.exited() == KILLED
    [ticket], rows, _ = stored(child)
    [card] = [r for r in rows if r.purpose == "card"]
    assert card.status == "sending"
    assert len(contents(emulator, econ.id, ticket.number)) == 1  # Telegram has the card
    assert [r.status for r in rows if r.purpose == "evidence"] == ["pending"] * 3

    def photos() -> list[MessageRecord]:
        return [m for m in emulator.bot_messages(econ.id) if m.photo_file_id is not None]

    await child.start()
    assert await emulator.world.wait_until(lambda: len(photos()) == 3 or None, 40)
    await emulator.wait_idle(0.3)
    label = f"📎 工单 {ticket.number}"
    loose = photos()
    assert [m.caption for m in loose] == [f"{label}\n发票 {n}" for n in (1, 2, 3)]
    assert all(m.reply_to_message_id is None for m in loose)  # no card id to answer
    rows = stored(child)[1]
    assert next(r for r in rows if r.id == card.id).status == "uncertain"

    assert cli(["--config", str(child.config), "outbox", "resend", str(card.id)]) == 0
    capsys.readouterr()
    # (The group's pace, below Telegram's 20 a minute, may hold the last ones a while.)
    assert await emulator.world.wait_until(lambda: len(photos()) == 6 or None, 40)
    await emulator.wait_idle(0.3)
    cards = [m for m in emulator.bot_messages(econ.id) if m.photo_file_id is None]
    resent = [m for m in cards if ticket.number in m.content][-1]
    assert "附件 3 个，见下方回复" in resent.text
    under = photos()[3:]
    assert [m.caption for m in under] == [f"发票 {n}" for n in (1, 2, 3)]  # the originals
    assert all(m.reply_to_message_id == resent.message_id for m in under)
    assert len(photos()) == 6  # each copy once more, nothing else repeated
    statuses = [r.status for r in stored(child)[1] if r.purpose in ("card", "evidence")]
    assert statuses == ["sent"] * 7
