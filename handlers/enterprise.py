"""The enterprise's private chat: menu, filing a ticket, /cancel, /lang, /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core import abuse, conversation, intake, private_messages
from bot.core.screens import Name, Screen
from bot.render import callbacks as cb
from bot.render.views import menu_kind
from handlers.common import (
    desk_of,
    flood_guard,
    guarded,
    incoming_from,
    is_private,
    mark_chosen,
    show,
    tell_stopped,
)
from handlers.turn import language_for, private_press, private_turn
from storage.db import transaction


@guarded
async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before a private button press is answered: a blocked user's press is refused with an
    alert (bot/core/abuse.py). Messages are gated inside their turn's transaction
    (``common.private_work``): one transaction per update."""
    user = update.effective_user
    if user is None or not is_private(update) or update.callback_query is None:
        return
    desk = desk_of(context)
    with transaction(desk.engine) as session:
        verdict = abuse.admit(
            session=session,
            settings=desk.settings,
            guard=flood_guard(context, session),
            user_id=user.id,
            update_id=update.update_id,
            now=desk.clock(),
            counts=False,
        )
    if verdict.allowed:
        return
    await tell_stopped(update, context, verdict)
    raise ApplicationHandlerStop


@guarded
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet with the menu; a draft in progress is kept for later."""
    user = update.effective_user
    if user is None or not is_private(update):
        return
    with private_turn(update, context) as turn:
        intake.pause(session=turn.session, reporter=turn.reporter)
        conversation.set_awaiting(turn.reporter, None)
    await show(update, context, [Screen(Name.GREETING, {"name": user.first_name})], turn.language)


@guarded
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    await show(update, context, [Screen(Name.HELP)], language_for(update, context))


@guarded
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None or not is_private(update):
        return
    with private_turn(update, context) as turn:
        screens = intake.cancel(session=turn.session, reporter=turn.reporter)
    await show(update, context, screens, turn.language)


@guarded
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    await show(update, context, [Screen(Name.LANG_PROMPT)], language_for(update, context))


@guarded
async def lang_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    data = await private_press(update, context)
    if data is None:
        return
    choice = data.arg()
    with private_turn(update, context) as turn:
        if choice in ("zh", "en"):
            turn.reporter.language = choice
            turn.session.add(turn.reporter)
            screen = Screen(Name.LANG_SET)
        else:
            screen = Screen(Name.STALE_BUTTON)
    await show(update, context, [screen], turn.language)


@guarded
async def private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any private message: bot/core/private_messages.py decides where it goes."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    # A new enterprise's first words go into the INSERT that stores it (on_message).
    with private_turn(update, context, store_new=False) as turn:
        screens = private_messages.on_message(
            session=turn.session,
            settings=turn.settings,
            reporter=turn.reporter,
            incoming=incoming_from(message),
            now=turn.now(),
            menu=menu_kind(message.text or ""),
            first_contact=turn.first_contact,
        )
    await show(update, context, screens, turn.language)


@guarded
async def filing_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons of the filing conversation (category, next, skip, consent, confirm …)."""
    data = await private_press(update, context)
    if data is None:
        return
    with private_turn(update, context) as turn:
        session, reporter, settings = turn.session, turn.reporter, turn.settings
        if data.prefix == cb.DRAFT:
            screens = intake.resume_or_restart(
                session=session, reporter=reporter, choice=data.arg() or ""
            )
        elif data.prefix == cb.SPLIT_OFF:
            screens = intake.split_off(
                session=session,
                settings=settings,
                reporter=reporter,
                message_id=data.int_arg(0),
                now=turn.now(),
            )
        elif data.prefix == cb.OFFER:
            screens = intake.accept_offer(
                session=session,
                settings=settings,
                reporter=reporter,
                choice=data.arg() or "",
                now=turn.now(),
            )
        else:
            screens = intake.on_button(
                session=session, settings=settings, reporter=reporter, data=data, now=turn.now()
            )
    if screens and screens[0].name is not Name.STALE_BUTTON:
        await mark_chosen(update)
    await show(update, context, screens, turn.language)


FILING_PREFIXES = (
    cb.KIND,
    cb.CATEGORY,
    cb.DESCRIPTION_DONE,
    cb.REUSE_PROFILE,
    cb.SKIP_USCC,
    cb.VISIBILITY,
    cb.CONFIRM,
    cb.CONDUCT_ANSWER,
    cb.REPEAT_CHOICE,
    cb.DRAFT,
    cb.OFFER,
    cb.SPLIT_OFF,
)
