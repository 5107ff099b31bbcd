"""同类诉求 in groups: /link, /unlink and /lead, and the dispatcher's lead buttons."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.core import common_problems
from bot.core.permissions import Actor, Refused
from bot.render.texts import texts_for
from handlers.common import answer, desk_of, guarded, refusal_text, say
from handlers.turn import actor_of, group_press
from storage import queries
from storage.models import Ticket

#: What a command does with its tickets and its other arguments; returns the reply.
TicketAct = Callable[[Session, Actor, list[Ticket], list[str]], str]


async def _on_tickets(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    tickets: int,
    others: int,
    usage: str,
    act: TicketAct,
) -> None:
    """A command whose first ``tickets`` arguments are ticket numbers, then ``others`` more:
    its usage when they do not fit, 工单不存在 for an unknown number, the refusal's reason."""
    actor = await actor_of(update, context)
    if actor is None:
        return
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)
    args = context.args or []
    if len(args) != tickets + others:
        await say(update, context, usage)
        return
    with desk.work(update.update_id) as session:
        found = [
            queries.tickets.get_ticket_by_number(session=session, number=number.upper())
            for number in args[:tickets]
        ]
        known = [ticket for ticket in found if ticket is not None]
        if len(known) < tickets:
            reply = t.unknown_ticket
        else:
            try:
                reply = act(session, actor, known, args[tickets:])
            except Refused as refused:
                reply = refusal_text(context, refused)
    await say(update, context, reply)


@guarded
async def link_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/link <ticket> <target>: the ticket joins the target's group (its department, the
    dispatcher or an admin; re-checked in the core)."""
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)

    def act(session: Session, actor: Actor, found: list[Ticket], _: list[str]) -> str:
        ticket, target = found
        common_problems.link(
            session=session,
            settings=desk.settings,
            ticket=ticket,
            target=target,
            actor=actor,
            now=desk.clock(),
        )
        return t.common_linked_done.format(number=ticket.number, target=target.number)

    await _on_tickets(update, context, tickets=2, others=0, usage=t.link_usage, act=act)


@guarded
async def unlink_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unlink <ticket>: the ticket leaves its group and is never linked by the desk again."""
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)

    def act(session: Session, actor: Actor, found: list[Ticket], _: list[str]) -> str:
        (ticket,) = found
        common_problems.unlink(
            session=session, settings=desk.settings, ticket=ticket, actor=actor, now=desk.clock()
        )
        return t.common_unlinked_done.format(number=ticket.number)

    await _on_tickets(update, context, tickets=1, others=0, usage=t.unlink_usage, act=act)


@guarded
async def lead_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lead <ticket> <department code>: the lead of the ticket's group, any department."""
    desk = desk_of(context)
    t = texts_for(desk.settings.desk.default_language)

    def act(session: Session, actor: Actor, found: list[Ticket], rest: list[str]) -> str:
        _, department = common_problems.confirm_lead_of_ticket(
            session=session,
            settings=desk.settings,
            ticket=found[0],
            department_code=rest[0].lower(),
            actor=actor,
            now=desk.clock(),
        )
        return t.common_lead_done.format(department=department.name)

    await _on_tickets(update, context, tickets=1, others=1, usage=t.lead_usage, act=act)


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
