"""Operators' view: the real desk on the emulator, and its /healthz and /metrics over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.devtools.playground import Scene, desk_on_emulator
from bot.ops.server import ops_app


@pytest.fixture
async def scene(migrated_db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    async with desk_on_emulator(settings, database_url=migrated_db_url) as running:
        yield running


@pytest.fixture
async def ops(scene: Scene) -> AsyncIterator[TestClient[Any, Any]]:
    """An HTTP client for the desk's ops routes, served as `dianxiaoer run` serves them."""
    async with TestClient(TestServer(ops_app(desk=scene.desk, application=scene.application))) as c:
        yield c


async def healthz(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any]]:
    response = await client.get("/healthz")
    return response.status, await response.json()


async def scrape(
    client: TestClient[Any, Any],
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics: (name, sorted labels) → value."""
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(
    samples: dict[Any, float], name: str, default: float | None = None, **labels: str
) -> float:
    """One sample's value; missing is an error unless a default is given (absent = 0)."""
    key = (name, tuple(sorted(labels.items())))
    if key not in samples and default is not None:
        return default
    return samples[key]
