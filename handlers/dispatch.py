"""The dispatcher chat: assigning an unrouted ticket with a button."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot import decisions, tickets
from bot.lifecycle import IllegalTransition
from bot.staff import ANONYMOUS_ADMIN_ID, Refused
from bot.texts import texts_for
from handlers.common import answer, desk_of, guarded, thread_of
from handlers.staff import actor_of, refusal_text
from storage import queries


@guarded
async def assign_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """as:<ticket id>:<department code>; re-authorised here, whatever the button says."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    data = cb.parse(query.data)
    ticket_id, code = data.int_arg(0), data.arg(1) or ""
    thread_id = thread_of(query.message if isinstance(query.message, Message) else None)
    done = False  # anything but an assignment is shown as an alert
    with desk.work(update.update_id) as session:
        if not tickets.may_dispatch(
            session=session,
            settings=desk.settings,
            user_id=user.id,
            chat_id=chat.id,
            thread_id=thread_id,
        ):
            anonymous = user.id == ANONYMOUS_ADMIN_ID
            reply = t.staff_refusals["anonymous"] if anonymous else t.assign_refused
        else:
            ticket = queries.get_ticket(session=session, ticket_id=ticket_id or 0)
            try:
                if ticket is None:
                    raise LookupError(ticket_id)
                department = tickets.assign(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    department_code=code,
                    actor_id=user.id,
                    actor_name=user.full_name,
                    now=desk.clock(),
                )
            except (LookupError, IllegalTransition):
                reply = t.stale_button
            except Refused as refused:
                reply = refusal_text(context, refused)
            else:
                done = True
                reply = t.assign_done.format(number=ticket.number, department=department.name)
    await answer(update, reply, alert=not done)


@guarded
async def request_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """dt:<request>:<department> approves a transfer; dd:<request>:approve|reject decides."""
    actor, query = actor_of(update), update.callback_query
    if actor is None or query is None:
        return
    desk = desk_of(context)
    data = cb.parse(query.data)
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
                    session=session, settings=desk.settings, request_id=request_id, actor=actor
                )
    except Refused as refused:
        await answer(update, refusal_text(context, refused), alert=True)
        return
    await answer(update)


REQUEST_PREFIXES = (cb.TRANSFER_TO, cb.DECIDE)
