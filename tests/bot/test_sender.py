"""The outbox sender against the emulator: order, retries, permanent failures."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import event
from sqlmodel import select
from telegram import Bot

from bot.config import SenderSettings
from bot.delivery.outbox import SENT_UNANCHORED
from bot.delivery.sender import Sender
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.faults import flood_wait, held, server_error, to_chat
from bot.render import notify
from storage.db import transaction
from storage.models import Outbox, Reporter
from storage.types import utcnow


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
async def sender(engine, emulator: BotApiEmulator) -> AsyncIterator[Sender]:
    bot = Bot(emulator.token, base_url=emulator.bot_base_url, base_file_url=emulator.file_base_url)
    async with bot:
        yield Sender(engine=engine, bot=bot, settings=SenderSettings(max_attempts=3))


def add(engine, *rows: Outbox) -> list[int]:
    with transaction(engine) as session:
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def message(chat_id: int | None, text: str, **extra) -> Outbox:
    return Outbox(
        method="sendMessage", payload={"text": text}, chat_id=chat_id, purpose="notice", **extra
    )


def rows(engine) -> dict[int, Outbox]:
    with transaction(engine) as session:
        return {r.id: r for r in session.exec(select(Outbox))}


async def test_rows_go_out_in_order_with_replies_and_edits(engine, emulator, sender) -> None:
    group = emulator.add_group("部门群")
    [card] = add(engine, message(group.id, "card"))
    add(
        engine,
        message(group.id, "under the card", refers_to_outbox_id=card),
        Outbox(
            method="editMessageText",
            payload={"text": "card (edited)"},
            chat_id=group.id,
            refers_to_outbox_id=card,
            purpose="edit",
        ),
        message(None, "held: no chat bound yet"),
    )
    assert await sender.drain() == 3
    sent = emulator.bot_messages(group.id)
    assert [m.text for m in sent] == ["card (edited)", "under the card"]
    assert sent[1].reply_to_message_id == sent[0].message_id
    stored = rows(engine)
    assert stored[card].telegram_message_id == sent[0].message_id
    assert sorted(r.status for r in stored.values()) == ["pending", "sent", "sent", "sent"]


async def test_flood_control_waits_and_keeps_order(engine, emulator, sender) -> None:
    user = emulator.add_user("企业")
    emulator.faults.append(flood_wait("sendMessage", retry_after=1))
    add(engine, message(user.id, "first"), message(user.id, "second"))
    assert await sender.drain() == 0  # the 429 holds the first row, and the second behind it
    assert emulator.bot_messages(user.id) == []
    await asyncio.sleep(1.1)
    assert await sender.drain() == 2
    assert [m.text for m in emulator.bot_messages(user.id)] == ["first", "second"]
    assert all(r.attempts in (1, 2) for r in rows(engine).values())


async def test_server_errors_are_retried(engine, emulator, sender) -> None:
    user = emulator.add_user("企业")
    emulator.faults.append(server_error("sendMessage", status=502))
    [row] = add(engine, message(user.id, "hello"))
    await sender.drain()
    assert rows(engine)[row].status == "pending"
    assert "Bad Gateway" in (rows(engine)[row].last_error or "")
    await asyncio.sleep(1.05)
    await sender.drain()
    assert rows(engine)[row].status == "sent"


async def test_a_blocked_user_fails_for_good_without_holding_others(engine, emulator, sender):
    blocked, other = emulator.add_user("拉黑了"), emulator.add_user("正常")
    emulator.block_bot(blocked, notify=False)
    [lost, fine] = add(engine, message(blocked.id, "ack"), message(other.id, "ack"))
    assert await sender.drain() == 2
    stored = rows(engine)
    assert stored[lost].status == "failed" and "blocked" in (stored[lost].last_error or "")
    assert stored[fine].status == "sent"
    assert await sender.drain() == 0  # never retried


async def test_bad_html_is_a_permanent_failure(engine, emulator, sender) -> None:
    user = emulator.add_user("企业")
    [row] = add(
        engine,
        Outbox(
            method="sendMessage",
            chat_id=user.id,
            purpose="notice",
            payload={"text": "<script>", "parse_mode": "HTML"},
        ),
    )
    await sender.drain()
    assert rows(engine)[row].status == "failed"
    assert "can't parse entities" in (rows(engine)[row].last_error or "").lower()


async def test_a_burst_is_sent_in_rounds_of_one_transaction(engine, emulator, sender) -> None:
    """Many chats at once: every row once and in order, the enterprises reached again no
    longer unreachable, and the database work per row is about one commit (a round records
    what was answered, reads the next heads and claims them together); no row is read on
    its own to resolve what it refers to."""
    users = [emulator.add_user(f"企业{n}") for n in range(4)]
    groups = [emulator.add_group(f"群{n}") for n in range(6)]
    with transaction(engine) as session:
        for user in users:
            session.add(Reporter(telegram_user_id=user.id, unreachable_since=utcnow()))
    chats = [u.id for u in users] + [g.id for g in groups]
    cards = add(engine, *(message(chat, f"{chat}:0") for chat in chats))
    add(
        engine,
        *(
            message(chat, f"{chat}:1", refers_to_outbox_id=card)
            for chat, card in zip(chats, cards, strict=True)
        ),
        *(message(chat, f"{chat}:2") for chat in chats),
    )
    statements: list[str] = []
    commits: list[None] = []

    def executed(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", lambda _conn: commits.append(None))
    try:
        assert await sender.drain() == 3 * len(chats)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    for chat in chats:
        sent = emulator.bot_messages(chat)
        assert [m.text for m in sent] == [f"{chat}:{n}" for n in range(3)]
        assert sent[1].reply_to_message_id == sent[0].message_id
    assert {r.status for r in rows(engine).values()} == {"sent"}
    with transaction(engine) as session:
        assert all(r.unreachable_since is None for r in session.exec(select(Reporter)))
    rows_sent = 3 * len(chats)
    assert len(commits) <= 1.5 * rows_sent, len(commits)  # one per step took 3.4
    alone = re.compile(r"FROM outbox WHERE outbox\.id = \S+$")  # a row read on its own
    assert not [s for s in statements if alone.search(s)]


async def test_what_a_row_refers_to_comes_with_it(engine, emulator, sender) -> None:
    """The message a reply answers or an edit changes is known for good as uncertain: the
    reply goes out loose (its ticket-number wording, flagged), the edit is dropped."""
    group = emulator.add_group("部门群")
    [card] = add(engine, message(group.id, "card", status="uncertain"))
    [reply, edit] = add(
        engine,
        message(
            group.id,
            "under the card",
            refers_to_outbox_id=card,
            meta={notify.UNANCHORED: {"text": "📎 GX-1 under the card"}},
        ),
        Outbox(
            method="editMessageText",
            payload={"text": "card (edited)"},
            chat_id=group.id,
            refers_to_outbox_id=card,
            purpose="card_edit",
        ),
    )
    assert await sender.drain() == 2
    assert [m.text for m in emulator.bot_messages(group.id)] == ["📎 GX-1 under the card"]
    stored = rows(engine)
    assert stored[reply].status == "sent" and stored[reply].meta.get(SENT_UNANCHORED)
    assert stored[edit].status == "failed"
    assert "may not exist" in (stored[edit].last_error or "")


async def test_a_row_written_behind_one_in_flight_goes_out_in_the_same_drain(
    engine, emulator, sender
) -> None:
    """A row written to a chat while that chat's first row is with Telegram is passed over
    by the reads meanwhile (its chat is busy); once the first row is answered, the drain
    reads again and sends it."""
    slow, quick = emulator.add_user("慢"), emulator.add_user("快")
    answer_slow, answer_quick = asyncio.Event(), asyncio.Event()
    emulator.faults.append(held("sendMessage", answer_slow, where=to_chat(slow.id)))
    emulator.faults.append(held("sendMessage", answer_quick, where=to_chat(quick.id)))
    first, other = add(engine, message(slow.id, "first"), message(quick.id, "other"))
    drain = asyncio.create_task(sender.drain())
    await until(lambda: rows(engine)[first].status == rows(engine)[other].status == "sending")
    [second] = add(engine, message(slow.id, "second"))
    sender.kick()  # what the commit does for a started sender
    answer_quick.set()  # recorded with a read, which passes the busy chat over
    await until(lambda: rows(engine)[other].status == "sent")
    answer_slow.set()
    assert await asyncio.wait_for(drain, 5) == 3
    assert [m.text for m in emulator.bot_messages(slow.id)] == ["first", "second"]
    assert rows(engine)[second].status == "sent"


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within 5 s")


async def test_the_row_behind_a_dropped_edit_goes_out_in_the_same_drain(
    engine, emulator, sender
) -> None:
    group = emulator.add_group("部门群")
    [card] = add(engine, message(group.id, "card", status="failed"))
    edit = Outbox(
        method="editMessageText",
        payload={"text": "card (edited)"},
        chat_id=group.id,
        refers_to_outbox_id=card,
        purpose="card_edit",
    )
    add(engine, edit, message(group.id, "after the edit"))
    assert await sender.drain() == 2
    assert [m.text for m in emulator.bot_messages(group.id)] == ["after the edit"]
