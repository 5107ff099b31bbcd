"""The sandbox in process: the real desk on the emulator, its web API on a test server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.devtools.sandbox.sandbox import Sandbox, open_sandbox
from bot.devtools.sandbox.server import build_app
from tests.sandbox.api import Api


@pytest.fixture
async def sandbox(migrated_db_url: str, settings: Settings) -> AsyncIterator[Sandbox]:
    async with open_sandbox(settings, database_url=migrated_db_url) as running:
        yield running


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    async with TestClient(TestServer(build_app(sandbox))) as client:
        yield Api(client)
