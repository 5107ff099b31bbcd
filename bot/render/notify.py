"""Outbox rows for the messages a state change causes, rendered in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import is_dataclass, replace
from datetime import datetime
from html import escape
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram.constants import ParseMode

from bot.config import Settings
from bot.core import common_problems, notices
from bot.core.clocks import overdue_clocks
from bot.core.lifecycle import RELAYS_STAFF_REPLIES, Status
from bot.core.notices import (
    Buttons,
    CardFacts,
    CardLink,
    CopyEvidence,
    CopyToEnterprise,
    DeskCard,
    Digest,
    EditInChat,
    Keys,
    Notice,
    PostCard,
    RefreshCard,
    RemoveButtons,
    Say,
    ToAdmin,
    ToChat,
    ToDispatcher,
    ToEnterprise,
    UnderCard,
)
from bot.core.screens import Label
from bot.core.sla import Schedule
from bot.render import callbacks as cb
from bot.render.texts import Texts, texts_for
from bot.render.views import (
    CAPTION_LIMIT,
    CAPTIONED_KINDS,
    MESSAGE_LIMIT,
    CardView,
    Exchanged,
    card_keyboard,
    card_overflow,
    card_text,
    choice_keyboard,
    clip,
    cut,
    dispatch_keyboard,
    fit_html,
    force_reply,
    main_menu,
    pack_lines,
    rating_keyboard,
    say_html,
    shown_text,
    shows_nothing,
    split_text,
    working_duration,
)
from storage import queries
from storage.models import Department, Outbox, Purpose, Reporter, Ticket, TicketMessage

#: ``Outbox.meta`` key: the payload fields a reply uses when it goes out without the
#: message it replies to (see :func:`tie_to_ticket`).
UNANCHORED = "unanchored"


def _html(text: str, **extra: Any) -> dict[str, Any]:
    return {"text": fit_html(text), "parse_mode": ParseMode.HTML, **extra}


Parts: TypeAlias = str | Sequence[str]


def _parts(text: Parts) -> list[str]:
    """One message, or the parts of a long one (``views.message_parts``), in order."""
    return [text] if isinstance(text, str) else list(text)


def to_reporter(
    *,
    session: Session,
    reporter: Reporter,
    ticket: Ticket | None,
    purpose: Purpose,
    text: Parts,
    menu: bool = False,
    reply_markup: dict[str, Any] | None = None,
) -> Outbox:
    """A message to the enterprise's private chat (its chat id is its user id).

    A long text comes as parts, each its own message; the markup goes on the last one,
    which is returned.
    """
    parts = _parts(text)
    rows = []
    for index, part in enumerate(parts):
        payload = _html(part)
        if index == len(parts) - 1:
            if menu:
                payload["reply_markup"] = main_menu(texts_for(reporter.language)).to_dict()
            if reply_markup is not None:
                payload["reply_markup"] = reply_markup
        row = Outbox(
            method="sendMessage",
            payload=payload,
            chat_id=reporter.telegram_user_id,
            ticket_id=ticket.id if ticket else None,
            purpose=purpose,
        )
        rows.append(queries.outbox.add_outbox(session=session, row=row))
    return rows[-1]


def tell_reporter_department(
    *,
    session: Session,
    ticket: Ticket,
    department: Department,
    purpose: Purpose,
    template: Callable[[Texts], str],
) -> Outbox:
    """Tell the enterprise which department now handles its ticket, in its language."""
    reporter = queries.reporters.reporter_of(session=session, ticket=ticket)
    text = template(texts_for(reporter.language)).format(
        number=ticket.number, department=escape(department.local_name(reporter.language))
    )
    return to_reporter(
        session=session, reporter=reporter, ticket=ticket, purpose=purpose, text=text
    )


def to_department(
    *,
    session: Session,
    department: Department,
    ticket: Ticket | None,
    purpose: Purpose,
    method: str,
    payload: dict[str, Any],
    refers_to: Outbox | None = None,
) -> Outbox:
    """A message to a department's bound chat, held until it is bound if it is not yet."""
    return queries.outbox.add_outbox(
        session=session,
        row=Outbox(
            method=method,
            payload=payload,
            chat_id=department.chat_id,
            thread_id=department.thread_id,
            held_for_department_id=department.id,
            refers_to_outbox_id=refers_to.id if refers_to else None,
            ticket_id=ticket.id if ticket else None,
            purpose=purpose,
        ),
    )


def card_view(
    *,
    session: Session,
    ticket: Ticket,
    for_desk: bool,
    settings: Settings | None = None,
    now: datetime | None = None,
    facts: CardFacts | None = None,
    history_through: int | None = None,
) -> CardView:
    """The ticket as a department sees it; the desk (dispatcher) sees everything.

    ``history_through``: the card carries the exchange up to this message (a card posted
    after a transfer shows what was said before the ticket reached its department).
    """
    category = queries.zone.get_category(session=session, category_id=ticket.category_id)
    assert category is not None
    if facts is None:
        # A request waits only in the state it put the ticket in (bot/core/lifecycle.py).
        asking = Status(ticket.status) in (Status.TRANSFER_REQUESTED, Status.EXTENSION_REQUESTED)
        facts = CardFacts(
            queries.tickets.ticket_messages(session=session, ticket_id=ticket.id or 0),
            queries.tickets.pending_request(session=session, ticket_id=ticket.id or 0)
            if asking
            else None,
        )
    messages = facts.messages
    evidence = [m for m in messages if m.file_id]
    share_company = for_desk or ticket.share_company
    share_contact = for_desk or ticket.share_contact
    replies = [m for m in messages if m.author == "department" and m.text]
    request = facts.request
    pending = None
    if request is not None:
        pending = "transfer" if request.kind == "transfer" else f"extension:{request.days}"
    overdue: tuple[tuple[str, str], ...] = ()
    if settings is not None and now is not None:
        schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
        t = texts_for(settings.desk.default_language)
        overdue = tuple(
            (clock, working_duration(t, late, schedule.hours_per_day))
            for clock, late in overdue_clocks(ticket, schedule, now)
        )
    return CardView(
        number=ticket.number,
        kind=ticket.kind,
        category=Label(category.name, category.name_en),
        status=ticket.status,
        accept_due=ticket.accept_due,
        first_reply_due=ticket.first_reply_due,
        resolve_due=ticket.resolve_due,
        description=ticket.description,
        company=ticket.company_name if share_company else None,
        contact=ticket.contact_name if share_contact else None,
        phone=ticket.phone if share_contact else None,
        uscc=ticket.uscc if share_company else None,
        evidence=len(evidence),
        accepted_by=ticket.accepted_by_name,
        accepted_at=ticket.accepted_at,
        last_reply=_last_answer(replies, ticket.resolution),
        waiting_since=ticket.waiting_since,
        resolution=ticket.resolution,
        rating=ticket.rating,
        reopen_count=ticket.reopen_count,
        pending=pending,
        overdue=overdue,
        relays_replies=not for_desk and Status(ticket.status) in RELAYS_STAFF_REPLIES,
        history=_history(session, ticket, messages, history_through),
        conduct=ticket.conduct,
        common=common_problems.card_group(session=session, ticket=ticket),
    )


def _exchange(ticket: Ticket, messages: Sequence[TicketMessage]) -> list[TicketMessage]:
    """What was said on the ticket after it was filed (the filing's evidence is not)."""
    return [m for m in messages if m.created_at > ticket.created_at and (m.text or m.file_id)]


def _history(
    session: Session, ticket: Ticket, messages: Sequence[TicketMessage], through: int | None
) -> tuple[Exchanged, ...]:
    if through is None:
        return ()
    names: dict[int, Label] = {}
    carried = []
    for message in _exchange(ticket, messages):
        if (message.id or 0) > through:
            break
        label = None
        if message.author == "department" and message.department_id is not None:
            if message.department_id not in names:
                department = queries.zone.get_department(
                    session=session, department_id=message.department_id
                )
                assert department is not None
                names[message.department_id] = Label(department.name, department.name_en)
            label = names[message.department_id]
        carried.append(Exchanged(label, message.text or "", message.file_id is not None))
    return tuple(carried)


#: The card row's meta key: the last message of the exchange the card carries.
HISTORY_THROUGH = "history_through"


def post_card(
    *, session: Session, settings: Settings, ticket: Ticket, department: Department
) -> Outbox:
    """The ticket card in the department's chat, its overflow and evidence copied below it."""
    language = settings.desk.default_language
    zone = Schedule.from_settings(settings.sla, settings.desk.timezone).zone
    # Only the dispatcher's desk sees everything; the discipline office is a department too.
    messages = queries.tickets.ticket_messages(session=session, ticket_id=ticket.id or 0)
    exchange = _exchange(ticket, messages)
    through = exchange[-1].id if exchange else None
    view = card_view(
        session=session,
        ticket=ticket,
        for_desk=department.role == "dispatcher",
        history_through=through,
    )
    text = card_text(view, language, zone)
    payload = _html(text)
    purpose = Purpose.CARD
    if ticket.status == "unrouted":
        purpose = Purpose.DISPATCH
        t = texts_for(language)
        template = t.dispatch_card_ranked if ticket.route_top else t.dispatch_card
        payload = _html(template.format(card=text))
        # Never a department a conduct ticket must not reach (re-checked when pressed).
        choices = [
            (d.code, Label(d.name, d.name_en))
            for d in queries.zone.handling_departments(session=session)
            if not (ticket.conduct and d.code in ticket.route_excluded)
        ]
        top = [(str(code), float(p)) for code, p in ticket.route_top]
        assert ticket.id is not None
        payload["reply_markup"] = dispatch_keyboard(ticket.id, choices, language, top=top).to_dict()
    else:
        keyboard = card_keyboard(
            ticket.id or 0, ticket.status, language, conduct=ticket.conduct, common=view.common
        )
        if keyboard is not None:
            payload["reply_markup"] = keyboard.to_dict()
    card = to_department(
        session=session,
        department=department,
        ticket=ticket,
        purpose=purpose,
        method="sendMessage",
        payload=payload,
    )
    if through is not None:
        card.meta = {HISTORY_THROUGH: through}  # its edits show the same exchange
    for part in card_overflow(view):
        overflow = to_department(
            session=session,
            department=department,
            ticket=ticket,
            purpose=Purpose.OVERFLOW,
            method="sendMessage",
            payload={"text": part},
            refers_to=card,
        )
        tie_to_ticket(overflow, ticket, settings)
    for message in messages:
        if message.file_id:
            copy_evidence(
                session=session,
                settings=settings,
                department=department,
                ticket=ticket,
                message=message,
                card=card,
            )
    return card


def _last_answer(replies: list[TicketMessage], resolution: str | None) -> str | None:
    """The newest answer that is not the resolution (the card shows that one on its own)."""
    texts = [m.text for m in replies if m.text]
    if texts and resolution and texts[-1] == resolution:
        texts.pop()
    return texts[-1] if texts else None


def refresh_card(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    transferred_to: Department | None = None,
    now: datetime | None = None,
    card: Outbox | None = None,
    facts: CardFacts | None = None,
) -> None:
    """Edit the department's card in place so the group always shows the truth.

    ``card``, ``facts``: the ticket's card row and :class:`CardFacts` when the caller
    already has them (the chaser fetches a thousand at once); looked up otherwise.
    """
    if card is None:
        card = queries.outbox.ticket_card(
            session=session, ticket_id=ticket.id or 0, purpose=Purpose.CARD
        )
    if card is None or card.held_for_department_id is None:
        return
    department = queries.zone.get_department(
        session=session, department_id=card.held_for_department_id
    )
    if department is None:
        return
    language = settings.desk.default_language
    zone = ZoneInfo(settings.desk.timezone)
    view = card_view(
        session=session,
        ticket=ticket,
        for_desk=department.role == "dispatcher",
        settings=settings,
        now=now,
        facts=facts,
        history_through=card.meta.get(HISTORY_THROUGH),
    )
    if transferred_to is not None:
        view = replace(view, transferred_to=Label(transferred_to.name, transferred_to.name_en))
    payload = _html(card_text(view, language, zone))
    keyboard = (
        None
        if transferred_to is not None
        else card_keyboard(
            ticket.id or 0, ticket.status, language, conduct=ticket.conduct, common=view.common
        )
    )
    payload["reply_markup"] = (
        keyboard.to_dict() if keyboard is not None else {"inline_keyboard": []}
    )
    edit = edit_of(card, "editMessageText", payload, Purpose.CARD_EDIT)
    # Five replies in a minute edit the card once, with the newest state, not five times.
    if not queries.outbox.replace_pending_edit(session=session, row=edit):
        queries.outbox.add_outbox(session=session, row=edit)


def edit_of(message: Outbox, method: str, payload: dict[str, Any], purpose: Purpose) -> Outbox:
    """An outbox row that edits the message an earlier row posted (sent to its chat and
    held with it; the sender fills in the message id once that row is out)."""
    return Outbox(
        method=method,
        payload=payload,
        chat_id=message.chat_id,
        thread_id=message.thread_id,
        held_for_department_id=message.held_for_department_id,
        refers_to_outbox_id=message.id,
        ticket_id=message.ticket_id,
        purpose=purpose,
    )


def edit_markup(message: Outbox) -> Outbox:
    """An outbox row that removes the buttons of an earlier message."""
    return edit_of(
        message,
        "editMessageReplyMarkup",
        {"reply_markup": {"inline_keyboard": []}},
        Purpose.MARKUP_EDIT,
    )


def under_card(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    text: Parts,
    purpose: Purpose,
    reply_markup: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Outbox | None:
    """A message in the department's chat, as a reply to the ticket's card (a long one in
    parts, the markup and meta on the last part, which is returned)."""
    card = queries.outbox.ticket_card(
        session=session, ticket_id=ticket.id or 0, purpose=Purpose.CARD
    )
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    if department is None:
        return None
    return to_chat(
        session=session,
        department=department,
        ticket=ticket,
        purpose=purpose,
        text=text,
        reply_markup=reply_markup,
        meta=meta,
        refers_to=card,
    )


def to_chat(
    *,
    session: Session,
    department: Department,
    ticket: Ticket | None,
    purpose: Purpose,
    text: Parts,
    reply_markup: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    refers_to: Outbox | None = None,
) -> Outbox:
    """An HTML message (or the parts of a long one) to a department's chat; the markup and
    meta go on the last part, which is returned."""
    parts = _parts(text)
    rows = []
    for index, part in enumerate(parts):
        payload = _html(part)
        last = index == len(parts) - 1
        if last and reply_markup is not None:
            payload["reply_markup"] = reply_markup
        row = to_department(
            session=session,
            department=department,
            ticket=ticket,
            purpose=purpose,
            method="sendMessage",
            payload=payload,
            refers_to=refers_to,
        )
        row.meta = (meta or {}) if last else {}
        rows.append(row)
    return rows[-1]


def to_dispatcher(
    *,
    session: Session,
    ticket: Ticket | None,
    text: Parts,
    purpose: Purpose,
    reply_markup: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    refers_to: Outbox | None = None,
) -> Outbox | None:
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if dispatcher is None:
        return None
    return to_chat(
        session=session,
        department=dispatcher,
        ticket=ticket,
        purpose=purpose,
        text=text,
        reply_markup=reply_markup,
        meta=meta,
        refers_to=refers_to,
    )


def copy_evidence(
    *,
    session: Session,
    settings: Settings,
    department: Department,
    ticket: Ticket,
    message: TicketMessage,
    card: Outbox | None,
) -> Outbox:
    """copyMessage, never forwardMessage: a forward would show who sent it.

    A reply under the card; should it have to go out without the card (see
    :func:`tie_to_ticket`), labelled with the ticket number instead.
    A caption longer than a bot may send (Premium users write up to 4096) would make the
    copy fail: the copy then gets the caption cut, and the rest follows as text.
    """
    payload: dict[str, Any] = {
        "from_chat_id": message.source_chat_id,
        "message_id": message.source_message_id,
    }
    caption, rest = cut(message.text or "", CAPTION_LIMIT - 1)
    if rest and message.file_kind in CAPTIONED_KINDS:
        payload["caption"] = caption + "…"
    copy = to_department(
        session=session,
        department=department,
        ticket=ticket,
        purpose=Purpose.EVIDENCE,
        method="copyMessage",
        payload=payload,
        refers_to=card,
    )
    if message.file_kind in CAPTIONED_KINDS:
        tie_to_ticket(copy, ticket, settings, caption=payload.get("caption", message.text or ""))
    if "caption" in payload:
        for part in split_text(rest):
            if not shows_nothing(part):
                overflow = to_department(
                    session=session,
                    department=department,
                    ticket=ticket,
                    purpose=Purpose.OVERFLOW,
                    method="sendMessage",
                    payload={"text": part},
                    refers_to=card,
                )
                tie_to_ticket(overflow, ticket, settings)
    return copy


def tie_to_ticket(
    row: Outbox, ticket: Ticket, settings: Settings, *, caption: str | None = None
) -> None:
    """A reply under the ticket's card that may have to go out without it — the card not
    written yet, or its message unknown (uncertain, failed, in another chat) — says which
    ticket it belongs to: the ticket number heads its caption (``caption``: a copy's own
    caption) or its text. Without a card at all, the row carries the label from the start;
    otherwise the sender uses it only if the card's message is unknown (``meta`` key
    ``unanchored``, see bot/delivery/sender.Sender._resolve)."""
    label = texts_for(settings.desk.default_language).unanchored_label.format(number=ticket.number)
    if caption is not None:
        field, limit, body = "caption", CAPTION_LIMIT, caption
    else:
        field, limit, body = "text", MESSAGE_LIMIT, str(row.payload.get("text", ""))
    labelled = {field: clip(f"{label}\n{body}" if body else label, limit)}
    if row.refers_to_outbox_id is None:
        row.payload = {**row.payload, **labelled}
    else:
        row.meta = {**row.meta, UNANCHORED: labelled}


# --- the notice writer: typed notices from the core, rendered and stored -------------------


def _markup(buttons: Buttons | None, language: str, settings: Settings) -> dict[str, Any] | None:
    if buttons is None:
        return None
    t = texts_for(language)
    if buttons.keys is Keys.MAIN_MENU:
        return main_menu(t).to_dict()
    if buttons.keys is Keys.FORCE_REPLY:
        return force_reply(language)
    if buttons.keys is Keys.RATING:
        return rating_keyboard(buttons.ticket_id, language).to_dict()
    if buttons.keys is Keys.TRANSFER_REASONS:
        return choice_keyboard(
            [
                (t.transfer_reasons[r], cb.make(cb.TRANSFER_REASON, buttons.ticket_id, r))
                for r in buttons.options
            ]
        ).to_dict()
    if buttons.keys is Keys.EXTENSION_DAYS:
        return choice_keyboard(
            [(str(d), cb.make(cb.EXTENSION_DAYS, buttons.ticket_id, d)) for d in buttons.options],
            5,
        ).to_dict()
    if buttons.keys is Keys.NONE:
        return {"inline_keyboard": []}
    if buttons.keys is Keys.TRANSFER_TO:
        request_id, *departments = buttons.options
        choices = [
            (name(language), cb.make(cb.TRANSFER_TO, request_id, code))
            for code, name in departments
        ]
        choices.append((t.btn_reject, cb.make(cb.DECIDE, request_id, "reject")))
        return choice_keyboard(choices).to_dict()
    if buttons.keys is Keys.COMMON_LEAD:
        group_id, *departments = buttons.options
        choices = [
            (
                (t.btn_common_confirm if i == 0 else t.btn_common_other).format(
                    department=name(language)
                ),
                cb.make(cb.COMMON, group_id, code),
            )
            for i, (code, name) in enumerate(departments)
        ]
        return choice_keyboard(choices, 1).to_dict()
    if buttons.keys is Keys.APPROVE_REJECT:
        (request_id,) = buttons.options
        return choice_keyboard(
            [
                (t.btn_approve, cb.make(cb.DECIDE, request_id, "approve")),
                (t.btn_reject, cb.make(cb.DECIDE, request_id, "reject")),
            ]
        ).to_dict()
    raise ValueError(f"no buttons for {buttons.keys}")


def write(notice: Notice, *, session: Session, settings: Settings) -> Outbox | None:
    """Render one notice from the core and write its outbox rows (see bot/core/notices.py)."""
    notice = _with_desk_cards(notice, session)
    zone = ZoneInfo(settings.desk.timezone)
    desk_language = settings.desk.default_language
    if isinstance(notice, ToEnterprise):
        language = notice.reporter.language or "zh"
        menu = notice.buttons is not None and notice.buttons.keys is Keys.MAIN_MENU
        return to_reporter(
            session=session,
            reporter=notice.reporter,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=say_html(notice.say, language, zone),
            menu=menu,
            reply_markup=None if menu else _markup(notice.buttons, language, settings),
        )
    if isinstance(notice, ToChat):
        return to_chat(
            session=session,
            department=notice.department,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=say_html(notice.say, desk_language, zone),
            reply_markup=_markup(notice.buttons, desk_language, settings),
            meta=dict(notice.meta),
            refers_to=notice.refers_to,
        )
    if isinstance(notice, UnderCard):
        return under_card(
            session=session,
            settings=settings,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=say_html(notice.say, desk_language, zone),
            reply_markup=_markup(notice.buttons, desk_language, settings),
            meta=dict(notice.meta),
        )
    if isinstance(notice, ToDispatcher):
        return to_dispatcher(
            session=session,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=say_html(notice.say, desk_language, zone),
            reply_markup=_markup(notice.buttons, desk_language, settings),
            meta=dict(notice.meta),
            refers_to=notice.refers_to,
        )
    if isinstance(notice, PostCard):
        return post_card(
            session=session, settings=settings, ticket=notice.ticket, department=notice.department
        )
    if isinstance(notice, RefreshCard):
        refresh_card(
            session=session,
            settings=settings,
            ticket=notice.ticket,
            transferred_to=notice.transferred_to,
            now=notice.now,
            card=notice.card,
            facts=notice.facts,
        )
        return None
    if isinstance(notice, CopyEvidence):
        return copy_evidence(
            session=session,
            settings=settings,
            department=notice.department,
            ticket=notice.ticket,
            message=notice.message,
            card=notice.card,
        )
    if isinstance(notice, RemoveButtons):
        return queries.outbox.add_outbox(session=session, row=edit_markup(notice.message))
    if isinstance(notice, CopyToEnterprise):
        return _copy_to_enterprise(notice, session=session, zone=zone)
    if isinstance(notice, EditInChat):
        return to_department(
            session=session,
            department=notice.department,
            ticket=notice.ticket,
            purpose=notice.purpose,
            method="editMessageText",
            payload=_html(say_html(notice.say, desk_language, zone)[0]),
            refers_to=notice.message,
        )
    if isinstance(notice, ToAdmin):
        return to_admin(
            session=session,
            user_id=notice.user_id,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=say_html(notice.say, desk_language, zone),
            meta=dict(notice.meta),
        )
    if isinstance(notice, Digest):
        return digest(session=session, notice=notice, language=desk_language, zone=zone)
    raise TypeError(f"no writer for {type(notice).__name__}")


def to_admin(
    *,
    session: Session,
    user_id: int,
    ticket: Ticket | None,
    purpose: Purpose,
    text: Parts,
    meta: dict[str, Any] | None = None,
) -> Outbox:
    """An HTML message (or the parts of a long one) to an admin's private chat (its chat id
    is the admin's user id); the meta goes on the last part, which is returned."""
    parts = _parts(text)
    rows = [
        queries.outbox.add_outbox(
            session=session,
            row=Outbox(
                method="sendMessage",
                payload={"text": part, "parse_mode": ParseMode.HTML},
                chat_id=user_id,
                ticket_id=ticket.id if ticket else None,
                purpose=purpose,
                meta=(meta or {}) if index == len(parts) - 1 else {},
            ),
        )
        for index, part in enumerate(parts)
    ]
    return rows[-1]


def digest(*, session: Session, notice: Digest, language: str, zone: ZoneInfo) -> Outbox | None:
    """A list's lines packed into as few messages as fit; the last row, if any.

    A list that links to cards shows no link preview (it would preview the first card).
    """
    lines: list[str] = []
    for section in notice.sections:
        if lines and section:
            lines.append("")
        lines.extend(part for line in section for part in say_html(line, language, zone))
    links = any(
        isinstance(value, CardLink)
        for section in notice.sections
        for line in section
        for value in line.params.values()
    )
    row = None
    for text in pack_lines(lines):
        payload: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML}
        if links:
            payload["disable_web_page_preview"] = True
        row = to_department(
            session=session,
            department=notice.department,
            ticket=None,
            purpose=notice.purpose,
            method="sendMessage",
            payload=payload,
        )
    return row


def install() -> None:
    """Make :func:`write` the writer the core's notices go through (once, at start)."""
    notices.install(write)


def _desk_cards(said: Say, session: Session) -> Say:
    """``said`` with each :class:`DeskCard` parameter looked up as the card's view."""
    params: dict[str, Any] = {}
    for name, value in said.params.items():
        if isinstance(value, DeskCard):
            value = card_view(session=session, ticket=value.ticket, for_desk=True)
        elif isinstance(value, Say):
            value = _desk_cards(value, session)
        params[name] = value
    return replace(said, params=params)


def _with_desk_cards(notice: Notice, session: Session) -> Notice:
    said = getattr(notice, "say", None)
    if not isinstance(said, Say) or not is_dataclass(notice):
        return notice
    return replace(notice, say=_desk_cards(said, session))


def _copy_to_enterprise(notice: CopyToEnterprise, *, session: Session, zone: ZoneInfo) -> Outbox:
    language = notice.reporter.language or "zh"

    def copy(caption: str | None = None) -> Outbox:
        payload: dict[str, Any] = {
            "from_chat_id": notice.from_chat_id,
            "message_id": notice.message_id,
        }
        if caption is not None:
            payload.update(caption=caption, parse_mode="HTML")
        return queries.outbox.add_outbox(
            session=session,
            row=Outbox(
                method="copyMessage",
                chat_id=notice.reporter.telegram_user_id,
                ticket_id=notice.ticket.id,
                purpose=notice.purpose,
                payload=payload,
            ),
        )

    def say_rest(text: Parts) -> Outbox:
        return to_reporter(
            session=session,
            reporter=notice.reporter,
            ticket=notice.ticket,
            purpose=notice.purpose,
            text=text,
        )

    if notice.file_kind in CAPTIONED_KINDS:
        # The first part is the copy's caption (1024 at most); the rest follows as text.
        caption, *rest = say_html(notice.say, language, zone, first_limit=CAPTION_LIMIT)
        copied = copy(caption)
        return say_rest(rest) if rest else copied
    # A video note cannot carry a caption: the words first, then the copy.
    say_rest(say_html(notice.say, language, zone))
    return copy()


def quoting(quoted: str) -> Callable[[Outbox], bool]:
    """Whether a desk message shows ``quoted``, the text a reply came with (Telegram sends
    what it showed of the replied message); any message when none came with it."""

    def shows(row: Outbox) -> bool:
        asked = shown_text(str(row.payload.get("text", ""))).strip()
        return not quoted.strip() or asked == quoted.strip()

    return shows
