"""Fixtures for the emulator's own tests: a started emulator and a PTB Bot talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.devtools.emulator import BotApiEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator
    assert emulator.internal_errors == [], "the emulator hit a bug of its own"


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.bot_base_url, base_file_url=emu.file_base_url) as b:
        yield b
