"""The production runner (`dianxiaoer run`): the desk in polling or webhook mode, plus the
operators' HTTP routes, until SIGTERM or SIGINT.

- polling (default): one process fetches updates with getUpdates;
- webhook: an aiohttp server on ``telegram.webhook_listen:webhook_port`` receives
  Telegram's POSTs (bot/webhook.py); any number of instances may run behind one reverse
  proxy on one PostgreSQL database (docs/reliability.md, "Several instances").

The ops routes (/healthz, /metrics, bot/ops/server.py) are served on ``ops.listen:ops.port``
(port 0: off) and, in webhook mode, on the webhook's port as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from bot import webhook
from bot.app import ALLOWED_UPDATES, build_application, start_application, start_running
from bot.app import stop_running as stop_application
from bot.config import Settings
from bot.desk import Desk, prepare_database
from bot.ops import logsafety
from bot.ops.server import ops_routes, start_ops_site

log = logging.getLogger(__name__)

#: How long a stopping webhook server lets requests in progress finish.
SHUTDOWN_GRACE_SECONDS = 10.0


async def _site(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the desk until ``stop`` is set, then stop it gracefully."""
    desk = Desk(settings=settings, engine=prepare_database(settings))
    application = build_application(desk)
    telegram = settings.telegram
    runners: list[web.AppRunner] = []
    try:
        if telegram.mode == "webhook":
            await start_application(application)
            app = web.Application()
            webhook.add_webhook(app, application, telegram)
            app.add_routes(ops_routes(desk=desk, application=application))
            runners.append(await _site(app, telegram.webhook_listen, telegram.webhook_port))
            # Listening first: Telegram may deliver the moment it knows the URL.
            await webhook.register(application, telegram, ALLOWED_UPDATES)
            log.info(
                "webhook mode: listening on %s:%s%s",
                telegram.webhook_listen,
                telegram.webhook_port,
                webhook.webhook_route(telegram),
            )
        else:
            await start_running(
                application,
                poll_timeout=telegram.poll_timeout_seconds,
                poll_interval=telegram.poll_interval_seconds,
            )
            log.info("polling mode")
        if settings.ops.port:
            try:
                runners.append(
                    await start_ops_site(
                        desk=desk,
                        application=application,
                        listen=settings.ops.listen,
                        port=settings.ops.port,
                    )
                )
            except OSError as exc:  # the desk matters more than its health page
                log.error(
                    "ops: cannot listen on %s:%s (%s): /healthz and /metrics are not served",
                    settings.ops.listen,
                    settings.ops.port,
                    exc.strerror or exc,
                )
        await stop.wait()
        log.info("stopping")
    finally:
        # Requests in progress finish (their updates are handled and answered), new ones
        # are refused; then the sender lets its row in flight finish and stops.
        for runner in runners:
            await runner.cleanup()
        if application.running:
            await stop_application(application)
        desk.engine.dispose()


def run_service(settings: Settings) -> int:
    """`dianxiaoer run` with a bot token: until SIGTERM/SIGINT; the exit status."""
    logsafety.add_secret(settings.telegram.webhook_secret_token or None)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(main())
    return 0
