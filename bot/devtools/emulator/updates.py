"""The bot's update queue: getUpdates long polling with Telegram's confirm-by-offset rules."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from bot.devtools.emulator.errors import ApiError

JsonDict = dict[str, Any]

# What Telegram sends when allowed_updates was never set (or set to []).
_OPT_IN_ONLY = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class _Queued:
    update_id: int
    kind: str
    update: JsonDict
    delivered: bool = False
    # A test re-delivering an old update_id; survives confirmation until handed out once.
    replay: bool = False


class UpdateQueue:
    """Updates wait here until the bot confirms them by asking for a higher offset."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._items: list[_Queued] = []
        self._last_id = first_update_id - 1
        self._allowed: frozenset[str] | None = None
        self._wake = asyncio.Event()
        self._generation = 0
        self._closed = False
        #: Every update id handed to the bot by getUpdates (tests wait until all are handled).
        self.fetched_ids: set[int] = set()

    @property
    def last_id(self) -> int:
        """The id of the newest update queued so far."""
        return self._last_id

    @property
    def pending_count(self) -> int:
        return len(self._items)

    @property
    def has_undelivered(self) -> bool:
        return any(not item.delivered for item in self._items)

    def set_allowed(self, allowed: list[str]) -> None:
        """Telegram keeps the last allowed_updates; an empty list means the default set."""
        self._allowed = frozenset(allowed) if allowed else None

    def accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _OPT_IN_ONLY
        return kind in self._allowed

    def push(self, kind: str, payload: JsonDict) -> int | None:
        """Queue ``{"update_id": n, kind: payload}``; None if allowed_updates filters it out."""
        if not self.accepts(kind):
            return None
        self._last_id += 1
        update = {"update_id": self._last_id, kind: payload}
        self._items.append(_Queued(self._last_id, kind, update))
        self._notify()
        return self._last_id

    def push_raw(self, update: JsonDict) -> int | None:
        """Queue a prepared update; reusing an old update_id marks it as a replay."""
        kind = next((key for key in update if key != "update_id"), "")
        if not self.accepts(kind):
            return None
        update = dict(update)
        update_id = update.get("update_id")
        replay = isinstance(update_id, int) and update_id <= self._last_id
        if not isinstance(update_id, int):
            update_id = self._last_id + 1
            update["update_id"] = update_id
        self._last_id = max(self._last_id, update_id)
        self._items.append(_Queued(update_id, kind, update, replay=replay))
        self._notify()
        return update_id

    def waiting(self) -> list[_Queued]:
        """The queued updates, oldest first (for webhook delivery)."""
        return list(self._items)

    def settle(self, item: _Queued) -> None:
        """A webhook delivery was answered 2xx: Telegram forgets the update."""
        with contextlib.suppress(ValueError):
            self._items.remove(item)
        self._notify()

    def wake(self) -> None:
        """Something changed for the deliverers (a webhook set or removed)."""
        self._notify()

    async def wait_change(self, seconds: float) -> None:
        """Until an update is queued or settled, or ``seconds`` pass."""
        wake = self._wake
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
        # arrives as the event is set, and the deliverer would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await wake.wait()

    def drop_pending(self) -> None:
        self._items.clear()

    def close(self) -> None:
        """Release every waiting getUpdates (with no updates) so the server can stop."""
        self._closed = True
        self._notify()

    def reopen(self) -> None:
        self._closed = False

    async def fetch(self, offset: int | None, limit: int, wait: float) -> list[JsonDict]:
        """getUpdates: confirm below ``offset``, then wait up to ``wait`` s for updates."""
        self._generation += 1
        generation = self._generation
        self._notify()  # an older poll still waiting must now give up, like on Telegram
        if offset is not None:
            self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait, 0.0)
        while True:
            if generation != self._generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            ready = self._items[:limit]
            remaining = deadline - loop.time()
            if ready or self._closed or remaining <= 0:
                break
            wake = self._wake
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), remaining)
        for item in ready:
            item.delivered = True
            self.fetched_ids.add(item.update_id)
        return [item.update for item in ready]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            self._items = self._items[offset:]
            return
        self._items = [
            item
            for item in self._items
            if item.update_id >= offset or (item.replay and not item.delivered)
        ]

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()
