"""End-to-end: the real desk (PTB polling, handlers, sender) on the local Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.devtools.playground import Scene, desk_on_emulator


@pytest.fixture
async def scene(migrated_db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    async with desk_on_emulator(settings, database_url=migrated_db_url) as running_scene:
        yield running_scene


@pytest.fixture
async def unsure_scene(migrated_db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    """A desk whose dispatcher assigns every ordinary ticket: the zone trusts no model
    choice (confidence_threshold = 1) and asks no conduct question on the model's lean."""
    routing = settings.routing.model_copy(
        update={"confidence_threshold": 1.0, "conduct_question_at": 1.0}
    )
    unsure = settings.model_copy(update={"routing": routing})
    async with desk_on_emulator(unsure, database_url=migrated_db_url) as running_scene:
        yield running_scene
