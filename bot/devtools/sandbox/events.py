"""GET /api/events: a server-sent event whenever the world's version moves."""

from __future__ import annotations

import asyncio
import contextlib
import json

from aiohttp import web

from bot.devtools.emulator.world import World

COALESCE_SECONDS = 0.1
PING_SECONDS = 15.0


async def stream_changes(
    request: web.Request, world: World, closing: asyncio.Event
) -> web.StreamResponse:
    """``event: change`` with the version at once, then on every change (at most one per
    100 ms), and a ``: ping`` comment every 15 s; ends when the server shuts down."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    sent = -1
    with contextlib.suppress(ConnectionResetError):
        while not closing.is_set():
            if world.version != sent:
                sent = world.version
                payload = json.dumps({"version": sent})
                await response.write(f"event: change\ndata: {payload}\n\n".encode())
                await _sleep_unless(closing, COALESCE_SECONDS)
                continue
            moved = await _wait_for_change(world, sent, closing)
            if not moved and not closing.is_set():
                await response.write(b": ping\n\n")
    return response


async def _sleep_unless(closing: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closing.wait(), seconds)


async def _wait_for_change(world: World, seen: int, closing: asyncio.Event) -> bool:
    """Wait until the version moves (True), the ping is due or the server closes (False)."""
    changed = asyncio.ensure_future(
        world.wait_until(lambda: True if world.version != seen else None, PING_SECONDS)
    )
    stop = asyncio.ensure_future(closing.wait())
    try:
        await asyncio.wait({changed, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (changed, stop):
            task.cancel()
    return world.version != seen
