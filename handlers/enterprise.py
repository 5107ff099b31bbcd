"""The enterprise's private chat: menu, filing a ticket, /cancel, /lang, /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import abuse, conversation, intake, private_messages
from bot import callbacks as cb
from bot.screens import Name, Screen
from bot.texts import language_from_telegram, texts_for
from bot.views import menu_kind
from handlers.common import (
    answer,
    desk_of,
    guarded,
    incoming_from,
    is_private,
    language_of,
    mark_chosen,
    refuse_button,
    reporter_for,
    show,
)
from storage.db import transaction


@guarded
async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before every private handler: blocked users and floods stop here (bot/abuse.py)."""
    user = update.effective_user
    if user is None or not is_private(update):
        return
    desk = desk_of(context)
    button = update.callback_query is not None
    with transaction(desk.engine) as session:
        # In webhook mode several instances share the counts (in the database); a polling
        # desk is the one consumer and counts in memory.
        guard: abuse.Guard = (
            abuse.SharedFloodGuard(session)
            if desk.settings.telegram.mode == "webhook"
            else context.bot_data.setdefault("flood_guard", abuse.FloodGuard())
        )
        verdict = abuse.admit(
            session=session,
            settings=desk.settings,
            guard=guard,
            user_id=user.id,
            update_id=update.update_id,
            now=desk.clock(),
            counts=not button,
        )
    if verdict.allowed:
        return
    language = verdict.language or language_from_telegram(user.language_code)
    if button:
        await answer(update, texts_for(language).blocked_user, alert=True)
    elif verdict.screen is not None:
        await show(update, context, [verdict.screen], language)
    raise ApplicationHandlerStop


@guarded
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet with the menu; a draft in progress is kept for later."""
    user = update.effective_user
    if user is None or not is_private(update):
        return
    with desk_of(context).work(update.update_id) as session:
        reporter = reporter_for(session, user)
        intake.pause(session=session, reporter=reporter)
        conversation.set_awaiting(reporter, None)
        language = language_of(reporter)
    await show(update, context, [Screen(Name.GREETING, {"name": user.first_name})], language)


@guarded
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    with desk_of(context).work(update.update_id) as session:
        language = language_of(reporter_for(session, user))
    await show(update, context, [Screen(Name.HELP)], language)


@guarded
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or not is_private(update):
        return
    with desk_of(context).work(update.update_id) as session:
        reporter = reporter_for(session, user)
        screens = intake.cancel(session=session, reporter=reporter)
        language = language_of(reporter)
    await show(update, context, screens, language)


@guarded
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    with desk_of(context).work(update.update_id) as session:
        language = language_of(reporter_for(session, user))
    await show(update, context, [Screen(Name.LANG_PROMPT)], language)


@guarded
async def lang_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if not is_private(update):
        await refuse_button(update, context)
        return
    await answer(update)
    choice = cb.parse(query.data).arg()
    with desk_of(context).work(update.update_id) as session:
        reporter = reporter_for(session, user)
        if choice in ("zh", "en"):
            reporter.language = choice
            session.add(reporter)
            screen = Screen(Name.LANG_SET)
        else:
            screen = Screen(Name.STALE_BUTTON)
        language = language_of(reporter)
    await show(update, context, [screen], language)


@guarded
async def private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any private message: bot/private_messages.py decides where it goes."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        reporter = reporter_for(session, user)
        screens = private_messages.on_message(
            session=session,
            settings=desk.settings,
            reporter=reporter,
            incoming=incoming_from(message),
            now=desk.clock(),
            menu=menu_kind(message.text or ""),
        )
        language = language_of(reporter)
    await show(update, context, screens, language)


@guarded
async def filing_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons of the filing conversation (category, next, skip, consent, confirm …)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if not is_private(update):
        await refuse_button(update, context)  # a forged enterprise button in a group
        return
    await answer(update)
    data = cb.parse(query.data)
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        reporter = reporter_for(session, user)
        if data.prefix == cb.DRAFT:
            screens = intake.resume_or_restart(
                session=session, reporter=reporter, choice=data.arg() or ""
            )
        elif data.prefix == cb.SPLIT_OFF:
            screens = intake.split_off(
                session=session,
                settings=desk.settings,
                reporter=reporter,
                message_id=data.int_arg(0),
                now=desk.clock(),
            )
        elif data.prefix == cb.OFFER:
            screens = intake.accept_offer(
                session=session,
                settings=desk.settings,
                reporter=reporter,
                choice=data.arg() or "",
                now=desk.clock(),
            )
        else:
            screens = intake.on_button(
                session=session,
                settings=desk.settings,
                reporter=reporter,
                data=data,
                now=desk.clock(),
            )
        language = language_of(reporter)
    if screens and screens[0].name is not Name.STALE_BUTTON:
        await mark_chosen(update)
    await show(update, context, screens, language)


FILING_PREFIXES = (
    cb.KIND,
    cb.CATEGORY,
    cb.DESCRIPTION_DONE,
    cb.REUSE_PROFILE,
    cb.SKIP_USCC,
    cb.VISIBILITY,
    cb.CONFIRM,
    cb.CONDUCT_ANSWER,
    cb.DRAFT,
    cb.OFFER,
    cb.SPLIT_OFF,
)
