"""Waiting until the desk has answered everything the people did."""

from __future__ import annotations

import asyncio

from bot.devtools.playground import Scene


async def settle_fully(scene: Scene, timeout: float) -> None:  # noqa: ASYNC109
    """``Scene.settle``, and also until the bot has confirmed every update it fetched.

    Quiet alone can mislead on a loaded machine: between fetching an update and handing it
    to the handlers the bot makes no call; it confirms the batch (the next getUpdates
    offset) only after that. Raises TimeoutError after ``timeout`` seconds.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    updates = scene.emulator.world.updates
    while True:
        await scene.settle(timeout=max(0.1, deadline - loop.time()))
        if updates.pending_count == 0:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"the bot had not fetched every update after {timeout}s")
        await scene.emulator.world.wait_until(
            lambda: True if updates.pending_count == 0 else None, 1.0
        )
