"""The emulator's fault plumbing: late and cut answers, outages, group → supergroup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import ChatMigrated, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.delivery.delivery_outcome import Fate, classify
from bot.devtools.emulator import (
    BotApiEmulator,
    cut_off,
    flood_wait,
    held,
    late,
    server_error,
    to_chat,
)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator
    assert emulator.internal_errors == []


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.bot_base_url, base_file_url=emu.file_base_url) as b:
        yield b


async def test_a_late_answer_times_out_but_the_message_exists(emu, bot) -> None:
    user, other = emu.add_user("企业"), emu.add_user("别人")
    emu.faults.append(late("sendMessage", 1.0, where=to_chat(user.id)))
    await bot.send_message(other.id, "not this chat")
    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "delivered", read_timeout=0.3)
    assert [m.text for m in emu.bot_messages(user.id)] == ["delivered"]
    await bot.send_message(user.id, "next one is normal", read_timeout=0.3)


async def test_a_held_answer_lets_people_see_and_answer_the_message_first(emu, bot) -> None:
    user = emu.add_user("企业")
    release = asyncio.Event()
    emu.faults.append(held("sendMessage", release, where=to_chat(user.id)))
    sending = asyncio.create_task(bot.send_message(user.id, "posted, answer held"))
    posted = await emu.wait_for(user.id, lambda m: m.text == "posted, answer held")
    emu.user_sends_text(user, user.id, "I saw it", reply_to=posted.message_id)
    assert not sending.done()  # the bot does not know the message id yet
    release.set()
    sent = await sending
    assert sent.message_id == posted.message_id


async def test_a_cut_connection_after_the_call(emu, bot) -> None:
    user = emu.add_user("企业")
    emu.faults.append(cut_off("sendMessage"))
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "delivered")
    assert [m.text for m in emu.bot_messages(user.id)] == ["delivered"]


async def test_offline_refuses_connections_and_comes_back(emu, bot) -> None:
    user = emu.add_user("企业")
    await bot.send_message(user.id, "before")  # a keep-alive connection exists now
    async with emu.offline():
        assert not emu.online
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(user.id, "during")
        assert "Connect" in type(caught.value.__cause__).__name__
    await bot.send_message(user.id, "after")
    assert [m.text for m in emu.bot_messages(user.id)] == ["before", "after"]
    task = emu.offline_for(0.2)
    await asyncio.sleep(0.05)
    assert not emu.online
    await task
    assert emu.online


async def test_group_upgraded_to_supergroup(emu, bot) -> None:
    admin = emu.add_user("管理员")
    group = emu.add_group("部门群", members=[admin])
    await bot.send_message(group.id, "hello")
    new = emu.migrate_group(group.id)
    assert new.type == "supergroup" and new.id != group.id and admin.id in new.members
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "to the old id")
    assert caught.value.new_chat_id == new.id
    updates = await bot.get_updates(timeout=0)
    services = [u.message for u in updates if u.message]
    assert services[0].migrate_to_chat_id == new.id and services[0].chat.id == group.id
    assert services[1].migrate_from_chat_id == group.id and services[1].chat.id == new.id
    await bot.send_message(new.id, "to the new id")
    assert [m.text for m in emu.bot_messages(new.id)] == ["to the new id"]


async def test_the_front_end_answers_an_outage_with_an_html_page(emu, bot) -> None:
    user = emu.add_user("企业")
    emu.faults.append(server_error("sendMessage", status=502, html=True, times=2))
    emu.faults.append(server_error("editMessageText", status=504, html=True))
    async with httpx.AsyncClient() as raw:  # what is on the wire
        answer = await raw.post(
            f"{emu.bot_base_url}{emu.token}/sendMessage", json={"chat_id": user.id}
        )
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in answer.text and "nginx" in answer.text
    with pytest.raises(NetworkError) as caught:  # … and what PTB makes of it
        await bot.send_message(user.id, "during the outage")
    assert "Bad Gateway (502)" in caught.value.message
    assert isinstance(caught.value.__cause__, TelegramError)  # the page is not JSON
    sent = await bot.send_message(user.id, "after")
    with pytest.raises(NetworkError) as edit:
        await bot.edit_message_text("edited", chat_id=user.id, message_id=sent.message_id)
    assert "Gateway Timeout (504)" in edit.value.message
    assert classify(edit.value).fate is Fate.RETRY
    assert [m.text for m in emu.bot_messages(user.id)] == ["after"]  # nothing done meanwhile


async def test_flood_wait_in_parameters_or_only_in_the_header(emu, bot) -> None:
    user = emu.add_user("企业")
    emu.faults.append(flood_wait("sendMessage", 7))
    with pytest.raises(RetryAfter) as parameters:
        await bot.send_message(user.id, "one")
    assert classify(parameters.value).wait == 7.0

    emu.faults.append(flood_wait("sendMessage", 9, in_header=True))
    async with httpx.AsyncClient() as raw:
        answer = await raw.post(
            f"{emu.bot_base_url}{emu.token}/sendMessage", json={"chat_id": user.id}
        )
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "9"
    assert answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 9",
    }
    emu.faults.append(flood_wait("sendMessage", 9, in_header=True))
    with pytest.raises(NetworkError) as header:  # PTB sees no parameters: no RetryAfter
        await bot.send_message(user.id, "two")
    assert not isinstance(header.value, RetryAfter)
    verdict = classify(header.value)
    assert verdict.fate is Fate.FLOOD and verdict.wait == 9.0
    assert emu.bot_messages(user.id) == []
