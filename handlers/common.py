"""What every handler shares: the desk, the reporter, sending screens, guarding errors."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from telegram import Message, ReplyParameters, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core import abuse
from bot.core.intake import Attachment, Incoming
from bot.core.permissions import Act, Refused, for_admin
from bot.core.screens import Screen
from bot.desk import Desk, DuplicateUpdate
from bot.render.texts import language_from_telegram, texts_for
from bot.render.views import EVIDENCE_KINDS, Rendered, chosen, fit_html, render
from storage import queries
from storage.models import Reporter

log = logging.getLogger(__name__)

Callback: TypeAlias = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def desk_of(context: ContextTypes.DEFAULT_TYPE) -> Desk:
    desk = context.bot_data["desk"]
    assert isinstance(desk, Desk)
    return desk


def reporter_for(session: Session, user: User) -> Reporter:
    """The reporter behind a Telegram user, created if new."""
    return known_or_new(
        session, user, queries.reporters.get_reporter(session=session, telegram_user_id=user.id)
    )[0]


def known_or_new(
    session: Session, user: User, found: Reporter | None, *, store_new: bool = True
) -> tuple[Reporter, bool]:
    """The reporter already read (``found``), or a new one with the language Telegram
    gives; True when new (this is their first contact: nothing of theirs exists).
    ``store_new=False``: a new reporter is written with the turn's commit, in one INSERT
    with what the turn set on it (the caller writes it first if it needs its id)."""
    if found is None:
        language = language_from_telegram(user.language_code)
        return (
            queries.reporters.create_reporter(
                session=session, telegram_user_id=user.id, language=language, flush=store_new
            ),
            True,
        )
    if found.language is None:
        found.language = language_from_telegram(user.language_code)
        session.add(found)
    return found, False


def flood_guard(context: ContextTypes.DEFAULT_TYPE, session: Session) -> abuse.Guard:
    """Where private messages are counted: in webhook mode several instances share the
    counts (RateEvent rows, in the caller's transaction); a polling desk is the one
    consumer of getUpdates and counts in memory."""
    if desk_of(context).settings.telegram.mode == "webhook":
        return abuse.SharedFloodGuard(session)
    guard = context.bot_data.setdefault("flood_guard", abuse.FloodGuard())
    assert isinstance(guard, abuse.FloodGuard)
    return guard


@contextmanager
def private_work(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, store_new: bool = True
) -> Iterator[tuple[Session, Reporter, bool]]:
    """One private update's single transaction and its reporter: the update claimed,
    the reporter read once (created on first contact, which the third value says), and —
    for a message — the abuse gate decided in it (a button press was gated before it was
    answered: ``enterprise.gate``).

    Raises ``abuse.Stopped`` once the claim has committed when the gate stops a message:
    ``guarded`` tells the user, and nothing else happens.
    """
    user = update.effective_user
    assert user is not None
    desk = desk_of(context)
    with desk.work(update.update_id) as session:
        found = queries.reporters.get_reporter(session=session, telegram_user_id=user.id)
        verdict = abuse.ALLOWED
        if update.callback_query is None:
            verdict = abuse.decide(
                settings=desk.settings,
                guard=flood_guard(context, session),
                user_id=user.id,
                reporter=found,
                now=desk.clock(),
                counts=True,
            )
        if verdict.allowed:
            yield session, *known_or_new(session, user, found, store_new=store_new)
            return
    raise abuse.Stopped(verdict)


async def tell_stopped(
    update: Update, context: ContextTypes.DEFAULT_TYPE, verdict: abuse.Verdict
) -> None:
    """What a blocked or flooding user hears (an alert on a press; once on messages)."""
    user = update.effective_user
    language = verdict.language or language_from_telegram(user.language_code if user else None)
    if update.callback_query is not None:
        await answer(update, texts_for(language).blocked_user, alert=True)
    elif verdict.screen is not None:
        await show(update, context, [verdict.screen], language)


def language_of(reporter: Reporter) -> str:
    return reporter.language or "zh"


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def thread_of(message: Message | None) -> int | None:
    """The forum topic a message is in (None outside forum topics)."""
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    screens: Sequence[Screen],
    language: str,
    *,
    reply_to: int | None = None,
) -> None:
    chat = update.effective_chat
    assert chat is not None
    desk = desk_of(context)
    desk_name = desk.settings.desk.name_en if language == "en" else desk.settings.desk.name
    zone = ZoneInfo(desk.settings.desk.timezone)
    for screen in screens:
        for part in render(screen, language, desk_name=desk_name, zone=zone):
            await send(
                context,
                chat.id,
                part,
                thread_id=thread_of(update.effective_message),
                reply_to=reply_to,
            )


async def send(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    part: Rendered,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> None:
    await context.bot.send_message(
        chat_id,
        fit_html(part.text),  # a last resort; texts are built to fit
        parse_mode=ParseMode.HTML,
        reply_markup=part.markup,
        message_thread_id=thread_id,
        disable_web_page_preview=True,
        reply_parameters=(
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        ),
    )


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    html: str,
    *,
    reply_to: int | None = None,
) -> None:
    """A short direct answer in the chat the update came from; in a group, a reply to the
    message it answers (in a busy group a refusal must show whose message it refuses)."""
    message = update.message
    if reply_to is None and message is not None and message.chat.type != "private":
        reply_to = message.message_id
    await send(
        context,
        _chat_id(update),
        Rendered(html),
        thread_id=thread_of(update.effective_message),
        reply_to=reply_to,
    )


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press; an old or repeated query must not stop the work it asked for."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.info("could not answer callback query: %s", exc)


async def refuse_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forged, malformed or ancient callback_data: an alert, and nothing changes."""
    user = update.effective_user
    language = None
    if user is not None:
        with desk_of(context).work(update.update_id) as session:
            language = language_of(reporter_for(session, user))
    await answer(update, texts_for(language).stale_button, alert=True)


async def mark_chosen(update: Update) -> None:
    """Replace a question's buttons by the answer chosen, so the chat reads as a record
    and an answered question cannot be pressed again."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message):
        return
    markup = message.reply_markup
    labels = [
        b.text
        for row in (markup.inline_keyboard if markup else ())
        for b in row
        if b.callback_data == query.data
    ]
    try:
        if labels and message.text:
            await query.edit_message_text(
                chosen(message.text_html, labels[0]), parse_mode=ParseMode.HTML
            )
        else:
            await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as exc:  # too old or already edited: harmless
        log.info("could not mark the chosen answer: %s", exc)


def incoming_from(message: Message) -> Incoming:
    """A Telegram message reduced to what the desk uses.

    Photos, files, videos, audio, voice and video notes are evidence (copied later, never
    downloaded, so their size does not matter); stickers, locations, polls and the like
    carry nothing the desk can use and arrive as an empty Incoming.
    """
    contact = message.contact
    return Incoming(
        text=message.text,
        attachment=_attachment(message),
        contact_phone=contact.phone_number if contact else None,
        contact_is_own=bool(
            contact and message.from_user and contact.user_id == message.from_user.id
        ),
        reply_to_message_id=(
            message.reply_to_message.message_id if message.reply_to_message else None
        ),
    )


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        kind, file_id, file_name = "photo", message.photo[-1].file_id, None
    else:
        media = next(
            (
                (kind, getattr(message, kind))
                for kind in EVIDENCE_KINDS
                if kind != "photo" and getattr(message, kind, None) is not None
            ),
            None,
        )
        if media is None:
            return None
        kind, item = media
        file_id, file_name = item.file_id, getattr(item, "file_name", None)
    return Attachment(
        kind=kind,
        file_id=file_id,
        chat_id=message.chat_id,
        message_id=message.message_id,
        file_name=file_name,
        caption=message.caption,
    )


def admins_only(act: Act) -> Callable[[Callback], Callback]:
    """An admin command: only who may ``act`` (bot/core/permissions.py), wherever it is used;
    others get a polite refusal."""

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user = update.effective_user
            if user is None or update.effective_chat is None:
                return
            settings = desk_of(context).settings
            if not for_admin(act, settings, user.id):
                if is_private(update):  # the abuse gate first, as for any private message
                    with private_work(update, context):
                        pass
                await say(update, context, texts_for(settings.desk.default_language).admin_only)
                return
            await callback(update, context)

        return wrapper

    return decorate


def refusal_text(context: ContextTypes.DEFAULT_TYPE, refused: Refused) -> str:
    """Why the core refused, in the desk's language."""
    t = texts_for(desk_of(context).settings.desk.default_language)
    status = t.status_names.get(refused.status, refused.status)
    if refused.code == "closed":
        return t.reply_not_relayed_closed.format(number=refused.number, status=status)
    if refused.code == "unsupported":
        return t.unsupported_in_group
    if refused.code == "need_text":
        return t.text_expected
    template = t.staff_refusals.get(refused.code, t.staff_refusals["stale"])
    return template.format(number=refused.number, status=status)


def guarded(callback: Callback) -> Callback:
    """Duplicates are dropped silently; a database hiccup gets a polite 'try again'.

    (The sender is woken by the commit of a turn that wrote outbox rows:
    bot/delivery/wakeup.py.)"""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await callback(update, context)
        except DuplicateUpdate:
            log.info("update %s was already handled; ignored", update.update_id)
        except abuse.Stopped as stopped:
            await tell_stopped(update, context, stopped.verdict)
        except OperationalError:
            log.exception("database unavailable while handling update %s", update.update_id)
            await _apologise(update, context)

    return wrapper


async def _apologise(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if update.effective_chat is None:
        return
    user = update.effective_user
    language = language_from_telegram(user.language_code if user else None)
    try:
        await say(update, context, texts_for(language).generic_error)
    except TelegramError:
        log.exception("could not apologise in chat %s", update.effective_chat.id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last resort: log it, and never leave a private user in silence."""
    log.error("unhandled error", exc_info=context.error)
    if isinstance(update, Update) and is_private(update):
        await _apologise(update, context)
