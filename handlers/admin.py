"""Admin commands: /bind, /unbind, /departments, /assign, /ticket, /summary, /block, /unblock."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.core import abuse, admin, permissions, tickets
from bot.core.permissions import Act, Refused
from bot.render import admin_views, menus
from bot.render.texts import Texts, texts_for
from bot.reports.metrics import Week, parse_week, previous_week
from bot.reports.report import build_weekly_report
from handlers.common import admins_only, desk_of, guarded, refusal_text, say, thread_of
from storage import queries


def _group_texts(context: ContextTypes.DEFAULT_TYPE) -> Texts:
    return texts_for(desk_of(context).settings.desk.default_language)


@guarded
@admins_only(Act.BIND)
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
    language = desk.settings.desk.default_language
    with desk.work(update.update_id) as session:
        codes = admin_views.department_codes_html(admin.departments(session=session), language)
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
        except Refused:  # unknown_department, the one refusal of binding
            bound = False
            reply = admin_views.unknown_code_html(
                code, admin.departments(session=session), language
            )
        else:
            reply = admin_views.bound_html(result, language)
            bound = True
    await say(update, context, reply)
    if bound:
        await menus.install_for_chat(context.bot, desk.settings, chat.id)


@guarded
@admins_only(Act.DEPARTMENTS)
async def departments(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        text = admin_views.departments_html(
            admin.departments_overview(session=session), desk.settings.desk.default_language
        )
    await say(update, context, text)


@guarded
@admins_only(Act.ASSIGN_BY_COMMAND)
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
            except Refused as refused:
                if refused.code == "unknown_department":
                    reply = admin_views.unknown_code_html(
                        code,
                        admin.departments(session=session),
                        desk.settings.desk.default_language,
                    )
                elif refused.code == "state":
                    reply = t.assign_not_now.format(
                        number=ticket.number,
                        status=t.status_names.get(ticket.status, ticket.status),
                    )
                else:
                    reply = refusal_text(context, refused)
            else:
                reply = admin_views.assigned_html(
                    ticket.number, department, desk.settings.desk.default_language
                )
    await say(update, context, reply)


@guarded
@admins_only(Act.UNBIND)
async def unbind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unbind in a department's chat (topic); admins only."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None:
        return
    desk = desk_of(context)
    t = _group_texts(context)
    thread_id = thread_of(message)
    with desk.work(update.update_id) as session:
        department = admin.unbind(session=session, chat_id=chat.id, thread_id=thread_id)
        reply = (
            t.unbind_none
            if department is None
            else admin_views.unbound_html(
                department,
                topic=thread_id is not None,
                language=desk.settings.desk.default_language,
            )
        )
    await say(update, context, reply)


@guarded
@admins_only(Act.TICKET_DETAIL)
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
        private = chat.type == ChatType.PRIVATE
        overview = admin.ticket_overview(
            session=session,
            number=context.args[0],
            reveal_identity=permissions.reveals_identity(private=private),
            for_desk=permissions.reads_as_desk(
                session=session,
                chat_id=chat.id,
                thread_id=thread_of(update.effective_message),
                private=private,
            ),
        )
        text = t.unknown_ticket
        if overview is not None:
            text = admin_views.ticket_overview_html(
                overview, desk.settings.desk.default_language, ZoneInfo(desk.settings.desk.timezone)
            )
    await say(update, context, text)


@guarded
@admins_only(Act.SUMMARY)
async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary [2026-W48]: the weekly summary (高频诉求 included), workbook and chart; admins."""
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
@admins_only(Act.BLOCK)
async def block(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/block <telegram user id | ticket number> [reason]; admins only."""
    await _set_blocked(update, context, blocked=True)


@guarded
@admins_only(Act.UNBLOCK)
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
            said = abuse.set_blocked(
                session=session,
                settings=desk.settings,
                target=target,
                blocked=blocked,
                reason=" ".join(context.args[1:]),
                actor_id=user.id,
                reveal_identity=permissions.reveals_identity(private=chat.type == ChatType.PRIVATE),
                now=desk.clock(),
            )
            reply = admin_views.reply_html(said, desk.settings)
    await say(update, context, reply)
