"""Webhook mode in process: the secret token is checked, updates are handled before the 200,
a redelivered update changes nothing, and getUpdates conflicts while the webhook is set."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlmodel import select

from bot.config import Settings
from bot.devtools.emulator.webhook import SECRET_HEADER
from storage.db import make_engine, transaction
from storage.models import ProcessedUpdate
from tests.instances.webhook_desk import SECRET, WebhookDesk, webhook_desk


@pytest.fixture
async def desk(migrated_db_url: str, settings: Settings) -> AsyncIterator[WebhookDesk]:
    async with webhook_desk(settings, migrated_db_url) as running:
        yield running
        assert running.emulator.internal_errors == []


def processed(desk: WebhookDesk) -> set[int]:
    engine = make_engine(desk.settings.database.url)
    try:
        with transaction(engine) as session:
            return {row.update_id for row in session.exec(select(ProcessedUpdate))}
    finally:
        engine.dispose()


async def test_updates_come_by_webhook_and_only_with_the_secret(desk: WebhookDesk) -> None:
    emulator = desk.emulator
    [call] = emulator.calls("setWebhook")
    assert call.params["secret_token"] == SECRET and call.params["url"] == desk.url
    person = emulator.add_user("严")
    update = {
        "update_id": 9000,
        "message": {
            "message_id": 1,
            "date": emulator.world.now(),
            "chat": {"id": person.id, "type": "private", "first_name": "严"},
            "from": person.to_api(),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            async with http.post(desk.url, json=update, headers=headers) as response:
                assert response.status == 403
        # The operators' routes share the webhook's port (bot/ops/server.py).
        async with http.get(desk.url.removesuffix("/telegram") + "/healthz") as response:
            assert response.status in (200, 503) and "checks" in await response.json()
        # getUpdates while the webhook is set: 409 Conflict, as on Telegram.
        async with http.post(f"{emulator.bot_base_url}{emulator.token}/getUpdates") as response:
            assert response.status == 409
    await emulator.wait_idle(0.3)
    assert emulator.bot_messages(person.id) == [] and 9000 not in processed(desk)

    sent = emulator.user_sends_text(person, person.id, "/start")
    update_id = emulator.last_update_id
    greeting = await emulator.wait_for(person.id, after=sent["message_id"], timeout=10)
    assert "店小二" in greeting.content or greeting.buttons
    await emulator.wait_idle(0.3)
    answered = len(emulator.bot_messages(person.id))
    assert update_id in processed(desk)
    posts = [d for d in emulator.webhook_deliveries if d.update_id == update_id]
    assert [d.outcome for d in posts] == ["200"]

    # Telegram delivers the same update again (its 200 got lost): nothing more happens.
    emulator.deliver_raw_update({"update_id": update_id, "message": sent})
    await emulator.wait_idle(0.5)
    posts = [d for d in emulator.webhook_deliveries if d.update_id == update_id]
    assert [d.outcome for d in posts] == ["200", "200"]
    assert len(emulator.bot_messages(person.id)) == answered


async def test_an_update_is_redelivered_until_an_instance_takes_it(desk: WebhookDesk) -> None:
    """The proxy's first upstream is down: the update goes to the next one on the retry."""
    emulator = desk.emulator
    emulator.webhook_targets = ["http://127.0.0.1:9/telegram", desk.url]  # port 9: refused
    person = emulator.add_user("吴")
    sent = emulator.user_sends_text(person, person.id, "/start")
    await emulator.wait_for(person.id, after=sent["message_id"], timeout=10)
    await emulator.wait_idle(0.3)
    outcomes = [d.outcome for d in emulator.webhook_deliveries]
    assert outcomes[-1] == "200" and any(not o.isdigit() for o in outcomes)
    assert len(emulator.bot_messages(person.id)) == 1
