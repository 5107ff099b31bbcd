"""The dispatcher chat: assigning an unrouted ticket with a button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import decisions, permissions, tickets
from bot.core.permissions import Act, Refused
from bot.render import callbacks as cb
from bot.render.texts import texts_for
from handlers.common import answer, desk_of, guarded, refusal_text
from handlers.turn import group_press
from storage import queries


@guarded
async def assign_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """as:<ticket id>:<department code>; re-authorised here, whatever the button says."""
    pressed = await group_press(update, context)
    if pressed is None:
        return
    actor, data = pressed
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    ticket_id, code = data.int_arg(0), data.arg(1) or ""
    try:
        with desk.work(update.update_id) as session:
            permissions.for_dispatcher(
                Act.ASSIGN, session=session, settings=desk.settings, actor=actor
            )
            ticket = queries.tickets.get_ticket(session=session, ticket_id=ticket_id or 0)
            if ticket is None:
                raise Refused("stale")
            department = tickets.assign(
                session=session,
                settings=desk.settings,
                ticket=ticket,
                department_code=code,
                actor_id=actor.user_id,
                actor_name=actor.name,
                now=desk.clock(),
            )
            done = t.assign_done.format(number=ticket.number, department=department.name)
    except Refused as refused:
        own = {
            "dispatcher_only": t.assign_refused,
            "stale": t.stale_button,
            # A department that is not there, or a ticket past assigning: the button is stale.
            "unknown_department": t.stale_button,
            "state": t.stale_button,
        }
        await answer(update, own.get(refused.code) or refusal_text(context, refused), alert=True)
        return
    await answer(update, done)


@guarded
async def request_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """dt:<request>:<department> approves a transfer; dd:<request>:approve|reject decides."""
    pressed = await group_press(update, context)
    if pressed is None:
        return
    actor, data = pressed
    desk = desk_of(context)
    request_id = data.int_arg(0)
    try:
        with desk.work(update.update_id) as session:
            if data.prefix == cb.TRANSFER_TO:
                decisions.approve_transfer(
                    session=session,
                    settings=desk.settings,
                    request_id=request_id,
                    department_code=data.arg(1) or "",
                    actor=actor,
                    now=desk.clock(),
                )
            elif data.arg(1) == "approve":
                decisions.approve_extension(
                    session=session,
                    settings=desk.settings,
                    request_id=request_id,
                    actor=actor,
                    now=desk.clock(),
                )
            else:
                decisions.ask_reject_reason(
                    session=session,
                    settings=desk.settings,
                    request_id=request_id,
                    actor=actor,
                    now=desk.clock(),
                )
    except Refused as refused:
        await answer(update, refusal_text(context, refused), alert=True)
        return
    await answer(update)


REQUEST_PREFIXES = (cb.TRANSFER_TO, cb.DECIDE)
