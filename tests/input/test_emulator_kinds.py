"""The emulator's new kinds of user messages, and Telegram's limits on what users send."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, Message
from telegram.error import BadRequest

from bot.devtools.emulator import BotApiEmulator, EmulatorError


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator
    assert emulator.internal_errors == [], "the emulator hit a bug of its own"


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.bot_base_url, base_file_url=emu.file_base_url) as b:
        yield b


async def test_voice_video_notes_locations_and_polls_arrive_as_telegram_sends_them(
    emu: BotApiEmulator, bot: Bot
) -> None:
    user = emu.add_user("林")
    emu.user_sends_voice(user, user.id, caption="语音")
    emu.user_sends_video(user, user.id, file_size=3 * 1024**3)
    emu.user_sends_video_note(user, user.id)
    emu.user_sends_location(user, user.id, 24.48, 118.09)
    emu.user_sends_poll(user, user.id, "满意吗？", ["是", "否"])
    updates = await bot.get_updates(timeout=0)
    voice, video, note, place, poll = (u.message for u in updates)
    assert isinstance(voice, Message) and voice.voice and voice.caption == "语音"
    assert video and video.video and video.video.file_size == 3 * 1024**3
    assert note and note.video_note and note.caption is None
    assert place and place.location and place.location.latitude == 24.48
    assert poll and poll.poll and [o.text for o in poll.poll.options] == ["是", "否"]
    with pytest.raises(EmulatorError):
        emu.user_sends_location(user, user.id, 95, 0)


async def test_what_users_send_is_limited_like_on_telegram(emu: BotApiEmulator) -> None:
    user = emu.add_user("林")
    emu.user_sends_text(user, user.id, "😀" * 2048)  # 4096 UTF-16 units: the most
    with pytest.raises(EmulatorError, match="split"):
        emu.user_sends_text(user, user.id, "😀" * 2048 + "a")
    emu.user_sends_photo(user, user.id, caption="字" * 4096)  # Telegram Premium
    with pytest.raises(EmulatorError):
        emu.user_sends_photo(user, user.id, caption="字" * 4097)


async def test_bots_copy_any_size_but_download_20_mb_and_caption_1024(
    emu: BotApiEmulator, bot: Bot
) -> None:
    user = emu.add_user("林")
    group = emu.add_group("部门群", members=[user])
    big = emu.user_sends_document(
        user,
        user.id,
        file_name="录像.zip",
        data=b"PK",
        mime_type="application/zip",
        file_size=1536 * 1024**2,
    )
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big["document"]["file_id"])
    copied = await bot.copy_message(group.id, user.id, big["message_id"])
    assert emu.message(group.id, copied.message_id).document["file_size"] == 1536 * 1024**2

    premium = emu.user_sends_photo(user, user.id, caption="长" * 2000)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.copy_message(group.id, user.id, premium["message_id"])
    cut = await bot.copy_message(group.id, user.id, premium["message_id"], caption="长" * 1024)
    assert emu.message(group.id, cut.message_id).caption == "长" * 1024
