"""同类诉求 in groups: /link, /unlink and /lead, and the dispatcher's lead buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import common_problems
from bot.core.permissions import Refused
from bot.render.texts import texts_for
from handlers.common import answer, desk_of, guarded, refusal_text, say
from handlers.turn import actor_of, group_press
from storage import queries


def _numbers(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return [a.upper() for a in (context.args or [])]


@guarded
async def link_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/link <ticket> <target>: the ticket joins the target's group (its department, the
    dispatcher or an admin; re-checked in the core)."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    numbers = _numbers(context)
    if len(numbers) != 2:
        await say(update, context, t.link_usage)
        return
    with desk.work(update.update_id) as session:
        ticket = queries.tickets.get_ticket_by_number(session=session, number=numbers[0])
        target = queries.tickets.get_ticket_by_number(session=session, number=numbers[1])
        if ticket is None or target is None:
            reply = t.unknown_ticket
        else:
            try:
                common_problems.link(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    target=target,
                    actor=actor,
                    now=desk.clock(),
                )
                reply = t.common_linked_done.format(number=ticket.number, target=target.number)
            except Refused as refused:
                reply = refusal_text(context, refused)
    await say(update, context, reply)


@guarded
async def unlink_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unlink <ticket>: the ticket leaves its group and is never linked by the desk again."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    numbers = _numbers(context)
    if len(numbers) != 1:
        await say(update, context, t.unlink_usage)
        return
    with desk.work(update.update_id) as session:
        ticket = queries.tickets.get_ticket_by_number(session=session, number=numbers[0])
        if ticket is None:
            reply = t.unknown_ticket
        else:
            try:
                common_problems.unlink(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    actor=actor,
                    now=desk.clock(),
                )
                reply = t.common_unlinked_done.format(number=ticket.number)
            except Refused as refused:
                reply = refusal_text(context, refused)
    await say(update, context, reply)


@guarded
async def lead_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lead <ticket> <department code>: the lead of the ticket's group, any department."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    args = context.args or []
    if len(args) != 2:
        await say(update, context, t.lead_usage)
        return
    with desk.work(update.update_id) as session:
        ticket = queries.tickets.get_ticket_by_number(session=session, number=args[0].upper())
        if ticket is None:
            reply = t.unknown_ticket
        else:
            try:
                if ticket.common_group_id is None:
                    raise Refused("common_not_linked", ticket)
                _, department = common_problems.confirm_lead(
                    session=session,
                    settings=desk.settings,
                    group_id=ticket.common_group_id,
                    department_code=args[1].lower(),
                    actor=actor,
                    now=desk.clock(),
                )
                reply = t.common_lead_done.format(department=department.name)
            except Refused as refused:
                reply = refusal_text(context, refused)
    await say(update, context, reply)


@guarded
async def lead_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """cg:<group>:<department code> under a 共性问题 notice: the dispatcher's one press."""
    pressed = await group_press(update, context)
    if pressed is None:
        return
    actor, data = pressed
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    try:
        with desk.work(update.update_id) as session:
            _, department = common_problems.confirm_lead(
                session=session,
                settings=desk.settings,
                group_id=data.int_arg(0),
                department_code=data.arg(1) or "",
                actor=actor,
                now=desk.clock(),
            )
            done = t.common_lead_done.format(department=department.name)
    except Refused as refused:
        await answer(update, refusal_text(context, refused), alert=True)
        return
    await answer(update, done)
