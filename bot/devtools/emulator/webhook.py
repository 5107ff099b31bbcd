"""Webhook delivery: while a webhook is set, each queued update is POSTed to it, like Telegram.

- JSON body, header ``X-Telegram-Bot-Api-Secret-Token`` when a secret token was set;
- in update_id order per chat (a chat's next update waits until the one before is
  answered 2xx), different chats concurrently, up to the webhook's ``max_connections``;
- anything but 2xx, a time-out or a connection error: delivered again later (with backoff),
  until it is answered 2xx — then Telegram forgets the update.

``targets`` is a test hook for several instances behind one reverse proxy: when set, the
deliveries go to these URLs in turn (round robin) instead of the webhook's URL, and a retry
goes to the next one — as a proxy with several upstreams would.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.devtools.emulator.updates import _Queued
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One POST of an update: where, and what came back (status, or the error's name)."""

    update_id: int
    url: str
    outcome: str

    @property
    def ok(self) -> bool:
        return self.outcome.isdigit() and 200 <= int(self.outcome) < 300


def chat_key(update: JsonDict) -> int | None:
    """The chat an update belongs to (its order is kept per chat); None: no chat."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        if kind == "callback_query":
            message = body.get("message")
            if isinstance(message, dict):
                return int(message["chat"]["id"])
            return int(body["from"]["id"])
        chat = body.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


class WebhookDelivery:
    def __init__(self, world: World) -> None:
        self.world = world
        #: Round robin over these instead of the webhook URL (several instances, one proxy).
        self.targets: list[str] = []
        #: Every POST made, in the order they were answered.
        self.log: list[Delivery] = []
        self.timeout_seconds = 10.0
        self.first_retry_seconds = 0.1
        self.max_retry_seconds = 2.0
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._retry_at: dict[int, float] = {}
        self._attempts: dict[int, int] = {}
        self._turn = 0
        self._stopping = False

    @property
    def busy(self) -> bool:
        """A delivery is being made or waits for its retry."""
        return bool(self._in_flight or self._retry_at)

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._session = aiohttp.ClientSession()
            self._task = asyncio.create_task(self._run(), name="emulator-webhook")

    async def stop(self) -> None:
        self._stopping = True
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._in_flight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while not self._stopping:
            pause = 0.5
            if self.world.webhook_url:
                pause = self._dispatch()
            await self.world.updates.wait_change(pause)

    def _dispatch(self) -> float:
        """Start what may go now; returns how long until a retry is due."""
        now = time.monotonic()
        waiting_chats: set[int | None] = set()
        next_due = 0.5
        waiting = self.world.updates.waiting()
        queued = {item.update_id for item in waiting}
        for gone in [key for key in self._retry_at if key not in queued]:
            del self._retry_at[gone]  # dropped meanwhile (deleteWebhook with drop)
        for item in waiting:
            key = chat_key(item.update)
            blocked = key is not None and key in waiting_chats
            waiting_chats.add(key)
            if item.update_id in self._in_flight or blocked:
                continue
            due = self._retry_at.get(item.update_id, 0.0)
            if due > now:
                next_due = min(next_due, due - now)
                continue
            if len(self._in_flight) >= self.world.webhook_max_connections:
                break
            self._retry_at.pop(item.update_id, None)
            self._in_flight[item.update_id] = asyncio.create_task(
                self._deliver(item), name=f"webhook-{item.update_id}"
            )
        return next_due

    def _next_url(self) -> str:
        targets = self.targets or [self.world.webhook_url]
        url = targets[self._turn % len(targets)]
        self._turn += 1
        return url

    async def _deliver(self, item: _Queued) -> None:
        assert self._session is not None
        url = self._next_url()
        headers = {"Content-Type": "application/json"}
        if self.world.webhook_secret:
            headers[SECRET_HEADER] = self.world.webhook_secret
        try:
            async with self._session.post(
                url,
                json=item.update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            ) as response:
                await response.read()
                outcome = str(response.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            outcome = type(exc).__name__
        delivery = Delivery(item.update_id, url, outcome)
        self.log.append(delivery)
        self._in_flight.pop(item.update_id, None)
        if delivery.ok:
            self._attempts.pop(item.update_id, None)
            self.world.updates.settle(item)
        else:
            attempts = self._attempts.get(item.update_id, 0) + 1
            self._attempts[item.update_id] = attempts
            wait = min(self.max_retry_seconds, self.first_retry_seconds * 2 ** (attempts - 1))
            self._retry_at[item.update_id] = time.monotonic() + wait
            self.world.updates.wake()
        self.world.changed()
