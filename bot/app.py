"""Assemble the Telegram Application: one function registers every handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import (
    Update,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import jobs
from bot.config import SenderSettings
from bot.delivery.sender import Sender
from bot.desk import Desk
from bot.ops import hooks
from bot.render import callbacks as cb
from bot.render import menus, notify
from handlers import (
    admin,
    common_problems,
    dispatch,
    enterprise,
    fallback,
    membership,
    my_tickets,
    staff,
)
from handlers.common import on_error
from storage import queries
from storage.db import transaction

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS

log = logging.getLogger(__name__)


def build_application(desk: Desk) -> Application:  # type: ignore[type-arg]
    notify.install()  # the core's notices are rendered and stored by the render layer
    telegram = desk.settings.telegram
    application = (
        Application.builder()
        .token(telegram.token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .rate_limiter(rate_limiter(desk.settings.sender))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["desk"] = desk
    # Count and time every update where PTB handles it: all handler groups, end to end.
    timed = desk.metrics.instrument(application.process_update)
    application.process_update = timed  # type: ignore[method-assign,assignment]
    register_handlers(application)
    return application


def rate_limiter(settings: SenderSettings) -> AIORateLimiter:
    """Telegram's limits as configured buckets; a 429 is the sender's to handle (no retry)."""
    return AIORateLimiter(
        overall_max_rate=settings.overall_burst,
        overall_time_period=settings.overall_burst / settings.overall_per_second,
        group_max_rate=settings.group_burst,
        group_time_period=settings.group_burst * 60 / settings.group_per_minute,
        max_retries=0,
    )


GATE_GROUP = -2  # before everything, crash points (group -1) included


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    add = application.add_handler
    if hooks.installed():  # a developer tool's hook (see bot/ops/hooks.py)
        add(TypeHandler(Update, hooks.before_handle), group=-1)
    # Blocked users and floods stop before anything else (bot/core/abuse.py).
    add(TypeHandler(Update, enterprise.gate), group=GATE_GROUP)
    # An edit never re-runs a command or changes a ticket; it gets an explanation.
    add(MessageHandler(filters.UpdateType.EDITED_MESSAGE, fallback.edited_message))
    add(CommandHandler("start", enterprise.start, filters=PRIVATE))
    add(CommandHandler("help", enterprise.help_command))
    add(CommandHandler("cancel", enterprise.cancel, filters=PRIVATE))
    add(CommandHandler("lang", enterprise.lang, filters=PRIVATE))
    add(CommandHandler("my", my_tickets.my_command, filters=PRIVATE))
    add(CommandHandler("bind", admin.bind))
    add(CommandHandler("departments", admin.departments))
    add(CommandHandler("assign", admin.assign_command))
    add(CommandHandler("ticket", admin.ticket))
    add(CommandHandler("unbind", admin.unbind))
    add(CommandHandler("summary", admin.summary))
    add(CommandHandler("block", admin.block))
    add(CommandHandler("unblock", admin.unblock))
    add(CommandHandler("link", common_problems.link_command, filters=GROUPS))
    add(CommandHandler("unlink", common_problems.unlink_command, filters=GROUPS))
    add(CommandHandler("lead", common_problems.lead_command, filters=GROUPS))
    add(CallbackQueryHandler(common_problems.lead_button, pattern=cb.pattern(cb.COMMON)))
    for prefix in staff.STAFF_PREFIXES:
        add(CallbackQueryHandler(staff.card_button, pattern=cb.pattern(prefix)))
    for prefix in dispatch.REQUEST_PREFIXES:
        add(CallbackQueryHandler(dispatch.request_button, pattern=cb.pattern(prefix)))
    add(CallbackQueryHandler(my_tickets.rating_button, pattern=cb.pattern(cb.RATE)))
    for prefix in enterprise.FILING_PREFIXES:
        add(CallbackQueryHandler(enterprise.filing_button, pattern=cb.pattern(prefix)))
    for prefix in my_tickets.TICKET_PREFIXES:
        add(CallbackQueryHandler(my_tickets.ticket_button, pattern=cb.pattern(prefix)))
    add(CallbackQueryHandler(enterprise.lang_chosen, pattern=cb.pattern(cb.LANGUAGE)))
    add(CallbackQueryHandler(dispatch.assign_button, pattern=cb.pattern(cb.ASSIGN)))
    add(CallbackQueryHandler(fallback.unknown_button))
    add(MessageHandler(PRIVATE & filters.COMMAND, fallback.unknown_command))
    add(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, fallback.group_command))
    add(
        MessageHandler(
            filters.ChatType.GROUPS & filters.REPLY & ~filters.COMMAND & filters.UpdateType.MESSAGE,
            staff.group_reply,
        )
    )
    add(ChatMemberHandler(membership.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    add(MessageHandler(filters.StatusUpdate.MIGRATE, membership.migrated))
    add(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, membership.member_left))
    add(ChatMemberHandler(membership.member_changed, ChatMemberHandler.CHAT_MEMBER))
    add(
        MessageHandler(
            PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND, enterprise.private_message
        )
    )
    application.add_error_handler(on_error)


#: bot_data key of the task that sets the command menus.
_MENUS = "menus_installing"


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    desk: Desk = application.bot_data["desk"]
    desk.sender = Sender(
        engine=desk.engine,
        bot=application.bot,
        settings=desk.settings.sender,
        desk_settings=desk.settings,
        instance=desk.instance,
    )
    desk.sender.start()
    jobs.schedule(application.job_queue, desk)
    with transaction(desk.engine) as session:
        bound = [d.chat_id for d in queries.zone.list_departments(session=session) if d.chat_id]
    # One setMyCommands per audience and bound chat, each a round trip through the rate
    # limiter: set alongside polling, so the desk answers before its menus are all set.
    application.bot_data[_MENUS] = asyncio.create_task(
        _install_menus(application, desk, bound), name="menus"
    )


async def menus_installed(application: Application) -> None:  # type: ignore[type-arg]
    """Wait until the command menus are set (stories and tests that read them)."""
    installing: asyncio.Task[None] | None = application.bot_data.get(_MENUS)
    if installing is not None:
        await asyncio.shield(installing)


async def _install_menus(application: Application, desk: Desk, bound: list[int]) -> None:  # type: ignore[type-arg]
    """The menus are a convenience: a failure is logged, never a reason to stop the desk."""
    try:
        await menus.install(application.bot, desk.settings, bound)
    except Exception:
        log.exception("setting the command menus failed")


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    desk: Desk = application.bot_data["desk"]
    installing: asyncio.Task[None] | None = application.bot_data.pop(_MENUS, None)
    if installing is not None:
        installing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await installing
    if desk.sender is not None:
        await desk.sender.stop()


#: chat_member (opt-in) drops a cached membership when someone is restricted or removed.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]


async def start_running(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 10,
    poll_interval: float = 0.0,
) -> None:
    """Start the desk inside another event loop (tests, the demo), as run_polling would."""
    await start_application(application)
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
    )


async def start_application(application: Application) -> None:  # type: ignore[type-arg]
    """Everything but fetching updates: the sender, the jobs, the menus (webhook mode
    feeds updates itself, bot/webhook.py)."""
    await application.initialize()
    await _post_init(application)
    await application.start()


async def stop_running(application: Application) -> None:  # type: ignore[type-arg]
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    await application.stop()
    await _post_shutdown(application)
    await application.shutdown()


@asynccontextmanager
async def running(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 10,
) -> AsyncIterator[None]:
    await start_running(application, poll_timeout=poll_timeout)
    try:
        yield
    finally:
        await stop_running(application)


__all__ = ["ContextTypes", "Update", "build_application", "register_handlers", "running"]
