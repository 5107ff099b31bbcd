"""GET /healthz and GET /metrics as aiohttp routes, and a small site serving them alone.

Webhook mode mounts :func:`ops_routes` on its own aiohttp application; polling mode runs
:func:`start_ops_site` on ``[ops] listen``/``port`` (callers skip it when the port is 0).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram.ext import Application

from bot.ops.health import HealthChecker

if TYPE_CHECKING:
    from bot.ops.watched import WatchedDesk


def ops_routes(
    *,
    desk: WatchedDesk,
    application: Application,  # type: ignore[type-arg]
) -> list[web.RouteDef]:
    checker = HealthChecker(desk=desk, bot=application.bot)

    async def healthz(_request: web.Request) -> web.Response:
        health = await checker.check()
        return web.json_response(health.as_json(), status=health.http_status)

    async def metrics(_request: web.Request) -> web.Response:
        # The collector reads the database: keep that off the event loop.
        body = await asyncio.to_thread(generate_latest, desk.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/healthz", healthz), web.get("/metrics", metrics)]


def ops_app(*, desk: WatchedDesk, application: Application) -> web.Application:  # type: ignore[type-arg]
    """An aiohttp application serving only the two routes."""
    app = web.Application()
    app.add_routes(ops_routes(desk=desk, application=application))
    return app


async def start_ops_site(
    *,
    desk: WatchedDesk,
    application: Application,  # type: ignore[type-arg]
    listen: str,
    port: int,
) -> web.AppRunner:
    """Serve /healthz and /metrics on ``listen:port``; ``await runner.cleanup()`` stops it."""
    runner = web.AppRunner(ops_app(desk=desk, application=application), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    return runner
