"""End-to-end: the real desk (PTB polling, handlers, sender) on the local Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.playground import Scene, desk_on_emulator


@pytest.fixture
async def scene(db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    async with desk_on_emulator(settings, database_url=db_url) as running_scene:
        yield running_scene
