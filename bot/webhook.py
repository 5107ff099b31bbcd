"""Webhook mode: Telegram POSTs each update; the answer is 200 only once it is handled.

PTB's built-in webhook server answers 200 as soon as the update is queued, so a process
killed right after that loses the update. Here the request handler runs the update to the
end (its transaction committed) before answering: a kill before that leaves Telegram
without a 200, and Telegram delivers the update again — to this instance after a restart,
or to another one behind the same reverse proxy. A redelivered update that had already
committed finds its id claimed (``Desk.work``) and changes nothing.

Requests without the configured secret token (header ``X-Telegram-Bot-Api-Secret-Token``)
are refused with 403 before anything is read.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import TelegramSettings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(settings: TelegramSettings) -> str:
    """The path the reverse proxy forwards to: ``/`` + ``webhook_path``."""
    return "/" + settings.webhook_path.strip("/")


def make_handler(
    application: Application,  # type: ignore[type-arg]
    secret: str,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler for Telegram's POSTs."""
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not expected or not hmac.compare_digest(given, expected):
            log.warning("webhook: request without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # malformed beyond repair: redelivering would not help
            log.exception("webhook: cannot read update %s", data.get("update_id"))
            return web.Response(status=400, text="bad update")
        try:
            # Through the update processor, as polling does: one update at a time per
            # instance (concurrent_updates), so handlers never interleave their
            # transactions. Handler errors are PTB's to report (the error handler answers
            # the person); what reaches here is the desk failing as a whole.
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except Exception:
            log.exception("webhook: update %s not handled; Telegram will retry", update.update_id)
            return web.Response(status=500, text="not handled")
        return web.Response(text="ok")

    return receive


async def register(
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
    allowed_updates: list[str],
) -> None:
    """Tell Telegram where to deliver, on every start. setWebhook is idempotent and keeps
    the pending updates, so several instances starting do no harm; skipping it when
    getWebhookInfo looks the same would miss a changed secret token (getWebhookInfo never
    shows it) and leave every delivery refused. Never deleted on stop: the other instances
    keep receiving."""
    await application.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret_token,
        allowed_updates=allowed_updates,
        max_connections=settings.webhook_max_connections,
    )
    log.info("webhook set to %s", settings.webhook_url)


def add_webhook(
    app: web.Application,
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
) -> None:
    """Mount the webhook on an aiohttp application."""
    app.router.add_post(
        webhook_route(settings), make_handler(application, settings.webhook_secret_token)
    )
