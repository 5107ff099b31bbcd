"""/my: the enterprise's tickets, their history, withdrawing and adding information."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import feedback, tickets
from bot.core.screens import Name, Screen
from bot.render import callbacks as cb
from handlers.common import guarded, is_private, mark_chosen, show
from handlers.turn import private_press, private_turn


@guarded
async def my_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None or not is_private(update):
        return
    with private_turn(update, context) as turn:
        screen = tickets.my_tickets(
            session=turn.session, settings=turn.settings, reporter=turn.reporter
        )
    await show(update, context, [screen], turn.language)


@guarded
async def ticket_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open, withdraw, add information: every press re-checks that the ticket is theirs."""
    data = await private_press(update, context)
    if data is None:
        return
    ticket_id = data.int_arg()
    with private_turn(update, context) as turn:
        session, reporter, settings = turn.session, turn.reporter, turn.settings
        screen: Screen
        if data.prefix == cb.MY_LIST:
            screen = tickets.my_tickets(session=session, settings=settings, reporter=reporter)
        elif data.prefix == cb.OPEN_TICKET:
            screen = tickets.ticket_detail(
                session=session, settings=settings, reporter=reporter, ticket_id=ticket_id
            )
        elif data.prefix == cb.WITHDRAW:
            screen = tickets.ask_withdraw(session=session, reporter=reporter, ticket_id=ticket_id)
        elif data.prefix == cb.WITHDRAW_CONFIRM:
            screen = tickets.withdraw(
                session=session,
                settings=settings,
                reporter=reporter,
                ticket_id=ticket_id,
                now=turn.now(),
            )
        elif data.prefix == cb.ADD_INFO:
            screen = tickets.start_adding_info(
                session=session, reporter=reporter, ticket_id=ticket_id
            )
        else:
            screen = tickets.finish_adding_info(session=session, reporter=reporter)
    await show(update, context, [screen], turn.language)


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
    data = await private_press(update, context)
    if data is None:
        return
    with private_turn(update, context) as turn:
        screen = feedback.rate(
            session=turn.session,
            settings=turn.settings,
            reporter=turn.reporter,
            ticket_id=data.int_arg(0),
            stars=data.int_arg(1) or 0,
            now=turn.now(),
        )
    if screen.name is Name.RATED:
        await mark_chosen(update)
    await show(update, context, [screen], turn.language)
