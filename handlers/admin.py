"""Admin commands: /bind, /unbind, /departments, /assign, /ticket, /summary; unknown groups."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import abuse, admin, menus, permissions, tickets
from bot.lifecycle import IllegalTransition
from bot.metrics import Week, parse_week, previous_week
from bot.permissions import Refused
from bot.report import build_weekly_report
from bot.texts import texts_for
from handlers.common import admins_only, desk_of, guarded, say, thread_of
from handlers.staff import refusal_text
from storage import queries


def _group_texts(context: ContextTypes.DEFAULT_TYPE):  # type: ignore[no-untyped-def]
    return texts_for(desk_of(context).settings.desk.default_language)


@guarded
@admins_only
async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bind <department_code> in a group (or forum topic); admins only."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    if chat.type == ChatType.PRIVATE:
        await say(update, context, t.bind_in_group_only)
        return
    thread_id = thread_of(message)
    with desk.work(update.update_id) as session:
        codes = admin.department_codes(session=session, settings=desk.settings)
        if not context.args:
            await say(update, context, t.bind_usage.format(example="econ", codes=codes))
            return
        code = context.args[0]
        try:
            result = admin.bind(
                session=session,
                settings=desk.settings,
                department_code=code,
                chat_id=chat.id,
                thread_id=thread_id,
                actor_id=user.id,
                now=desk.clock(),
            )
        except LookupError:
            bound = False
            reply = t.bind_unknown.format(code=escape(code[:40]), codes=codes)
        else:
            place = (
                ("话题" if thread_id else "群")
                if desk.settings.desk.default_language == "zh"
                else ("topic" if thread_id else "group")
            )
            reply = t.bind_ok.format(place=place, department=escape(result.department_name))
            bound = True
    await say(update, context, reply)
    if bound:
        await menus.install_for_chat(context.bot, desk.settings, chat.id)


@guarded
@admins_only
async def departments(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        text = admin.departments_overview(session=session, settings=desk.settings)
    await say(update, context, text)


@guarded
@admins_only
async def assign_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/assign <ticket number> <department code>; admins only."""
    user = update.effective_user
    if user is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    args = context.args or []
    if len(args) != 2:
        await say(update, context, t.assign_usage)
        return
    number, code = args[0].upper(), args[1].lower()
    with desk.work(update.update_id) as session:
        ticket = queries.tickets.get_ticket_by_number(session=session, number=number)
        if ticket is None:
            reply = t.unknown_ticket
        else:
            try:
                department = tickets.assign(
                    session=session,
                    settings=desk.settings,
                    ticket=ticket,
                    department_code=code,
                    actor_id=user.id,
                    actor_name=user.full_name,
                    now=desk.clock(),
                )
            except LookupError:
                reply = t.bind_unknown.format(
                    code=escape(code[:40]),
                    codes=admin.department_codes(session=session, settings=desk.settings),
                )
            except Refused as refused:
                reply = refusal_text(context, refused)
            except IllegalTransition:
                reply = t.assign_not_now.format(
                    number=ticket.number,
                    status=t.status_names.get(ticket.status, ticket.status),
                )
            else:
                reply = t.assign_done.format(
                    number=ticket.number, department=escape(department.name)
                )
    await say(update, context, reply)


@guarded
@admins_only
async def unbind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unbind in a department's chat (topic); admins only."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    thread_id = thread_of(message)
    with desk.work(update.update_id) as session:
        name = admin.unbind(session=session, chat_id=chat.id, thread_id=thread_id)
    if name is None:
        await say(update, context, t.unbind_none)
        return
    zh = desk.settings.desk.default_language == "zh"
    place = ("话题" if thread_id else "群") if zh else ("topic" if thread_id else "group")
    await say(update, context, t.unbind_ok.format(place=place, department=escape(name)))


@guarded
@admins_only
async def ticket(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ticket <number>: full detail and audit trail; admins only."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    if not context.args:
        await say(update, context, t.ticket_usage)
        return
    with desk.work(update.update_id) as session:
        # The enterprise's Telegram identity never reaches a group, the dispatcher's included;
        # company and contact in full only where the desk reads (like the cards).
        private = chat.type == ChatType.PRIVATE
        for_desk = private or permissions.is_dispatcher_chat(
            session=session,
            chat_id=chat.id,
            thread_id=thread_of(update.effective_message),
        )
        text = admin.ticket_overview(
            session=session,
            settings=desk.settings,
            number=context.args[0],
            reveal_identity=private,
            for_desk=for_desk,
        )
    await say(update, context, text or t.unknown_ticket)


@guarded
async def bot_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Added to a group no department is bound to: say what the bot is for, or leave."""
    member = update.my_chat_member
    chat = update.effective_chat
    if member is None or chat is None or chat.type == ChatType.PRIVATE:
        return
    if member.new_chat_member.status not in ("member", "administrator"):
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        served = admin.is_served_chat(session=session, chat_id=chat.id)
    if served:
        return
    if desk.settings.workflow.unknown_group == "leave":
        await context.bot.leave_chat(chat.id)
        return
    t = _group_texts(context)
    await say(update, context, t.unknown_group.format(desk=escape(desk.settings.desk.name)))


@guarded
@admins_only
async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary [2026-W48]: the weekly overdue summary with its workbook and chart; admins."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    zone = ZoneInfo(desk.settings.desk.timezone)
    now = desk.clock()
    try:
        week_start = parse_week(context.args[0]) if context.args else previous_week(now, zone)
        if not 2000 <= week_start.year <= 2100:  # a far week overflows the date arithmetic
            raise ValueError(week_start)
    except ValueError:
        await say(update, context, t.summary_usage)
        return
    with desk.work(update.update_id) as session:
        report = build_weekly_report(
            session=session, settings=desk.settings, week_start=week_start, now=now
        )
    label = Week(week_start, zone).label
    thread_id = thread_of(update.effective_message)
    await say(update, context, report.html)
    await context.bot.send_document(
        chat.id,
        InputFile(report.xlsx, filename=f"weekly-{label}.xlsx"),
        message_thread_id=thread_id,
    )
    await context.bot.send_photo(
        chat.id, InputFile(report.png, filename=f"weekly-{label}.png"), message_thread_id=thread_id
    )


@guarded
@admins_only
async def block(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/block <telegram user id | ticket number> [reason]; admins only."""
    await _set_blocked(update, context, blocked=True)


@guarded
@admins_only
async def unblock(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unblock <telegram user id | ticket number>; admins only."""
    await _set_blocked(update, context, blocked=False)


async def _set_blocked(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, blocked: bool
) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    if not context.args:
        await say(update, context, t.block_usage if blocked else t.unblock_usage)
        return
    with desk.work(update.update_id) as session:
        target = abuse.find_target(session=session, target=context.args[0])
        reply = t.unknown_ticket
        if target is not None:
            reply = abuse.set_blocked(
                session=session,
                settings=desk.settings,
                target=target,
                blocked=blocked,
                reason=" ".join(context.args[1:]),
                actor_id=user.id,
                # Who filed a ticket is said only to the admin alone, never in a group.
                reveal_identity=chat.type == ChatType.PRIVATE,
                now=desk.clock(),
            )
    await say(update, context, reply)
