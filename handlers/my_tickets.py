"""/my: the enterprise's tickets, their history, withdrawing and adding information."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot import feedback, tickets
from bot.screens import Name, Screen
from handlers.common import (
    answer,
    desk_of,
    guarded,
    is_private,
    language_of,
    mark_chosen,
    refuse_button,
    reporter_for,
    show,
)


async def list_tickets(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or not is_private(update):
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        reporter = reporter_for(session, user)
        screen = tickets.my_tickets(session=session, settings=desk.settings, reporter=reporter)
        language = language_of(reporter)
    await show(update, context, [screen], language)


my_command = guarded(list_tickets)


@guarded
async def ticket_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open, withdraw, add information: every press re-checks that the ticket is theirs."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if not is_private(update):
        await refuse_button(update, context)  # a forged enterprise button in a group
        return
    await answer(update)
    data = cb.parse(query.data)
    ticket_id = data.int_arg()
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        reporter = reporter_for(session, user)
        screen: Screen
        if data.prefix == cb.MY_LIST:
            screen = tickets.my_tickets(session=session, settings=desk.settings, reporter=reporter)
        elif data.prefix == cb.OPEN_TICKET:
            screen = tickets.ticket_detail(
                session=session, settings=desk.settings, reporter=reporter, ticket_id=ticket_id
            )
        elif data.prefix == cb.WITHDRAW:
            screen = tickets.ask_withdraw(session=session, reporter=reporter, ticket_id=ticket_id)
        elif data.prefix == cb.WITHDRAW_CONFIRM:
            screen = tickets.withdraw(
                session=session,
                settings=desk.settings,
                reporter=reporter,
                ticket_id=ticket_id,
                now=desk.clock(),
            )
        elif data.prefix == cb.ADD_INFO:
            screen = tickets.start_adding_info(
                session=session, reporter=reporter, ticket_id=ticket_id
            )
        else:
            screen = tickets.finish_adding_info(session=session, reporter=reporter)
        language = language_of(reporter)
    await show(update, context, [screen], language)


TICKET_PREFIXES = (
    cb.MY_LIST,
    cb.OPEN_TICKET,
    cb.WITHDRAW,
    cb.WITHDRAW_CONFIRM,
    cb.ADD_INFO,
    cb.ADD_INFO_DONE,
)


@guarded
async def rating_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """rt:<ticket>:<stars>: only the enterprise that filed the ticket can rate it."""
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
        screen = feedback.rate(
            session=session,
            settings=desk.settings,
            reporter=reporter,
            ticket_id=data.int_arg(0),
            stars=data.int_arg(1) or 0,
            now=desk.clock(),
        )
        language = language_of(reporter)
    if screen.name is Name.RATED:
        await mark_chosen(update)
    await show(update, context, [screen], language)
