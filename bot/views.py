"""Screens and cards rendered as Telegram HTML and keyboards, in the reader's language.

All user-supplied text is escaped here and nowhere else; every text is cut to fit
Telegram's limits (4096 characters a message, 64 bytes of callback_data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import callbacks as cb
from bot.screens import Label, Name, Screen
from bot.texts import Texts, texts_for
from bot.validation import UsccProblem

MESSAGE_LIMIT = 4096
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: Markup | None = None


def main_menu(texts: Texts) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[texts.menu_complaint, texts.menu_request], [texts.menu_my, texts.menu_help]],
        resize_keyboard=True,
        is_persistent=True,
    )


def menu_kind(text: str) -> str | None:
    """Which menu entry a text is, in any language: complaint, request, my, help."""
    from bot.texts import LANGUAGES

    for texts in LANGUAGES.values():
        entries = {
            texts.menu_complaint: "complaint",
            texts.menu_request: "request",
            texts.menu_my: "my",
            texts.menu_help: "help",
        }
        if text.strip() in entries:
            return entries[text.strip()]
    return None


def chosen(question_html: str, label: str) -> str:
    """A question with the answer the user tapped."""
    return f"{question_html}\n✔ <b>{escape(label)}</b>"


def working_duration(t: Texts, working: timedelta, hours_per_day: float) -> str:
    """ "3 个工作小时" under a day, "1.5 个工作日" from a day up."""
    hours = working.total_seconds() / 3600
    if hours >= hours_per_day:
        return t.duration_days.format(n=_short(hours / hours_per_day))
    return t.duration_hours.format(n=_short(hours))


def _short(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def fmt_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def clip(text: str, limit: int) -> str:
    """Cut plain text to ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def split_text(text: str, limit: int = MESSAGE_LIMIT - 96) -> list[str]:
    """Split plain text into parts under ``limit``, preferring line breaks."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def _buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _pairs(items: Sequence[tuple[str, str]], per_row: int = 2) -> list[list[tuple[str, str]]]:
    return [list(items[i : i + per_row]) for i in range(0, len(items), per_row)]


def _label(value: Any, language: str) -> str:
    return value(language) if isinstance(value, Label) else str(value or "")


# --- enterprise screens -------------------------------------------------------------------


def render(screen: Screen, language: str, *, desk_name: str = "") -> list[Rendered]:
    t = texts_for(language)
    p = screen.params
    n = screen.name
    kind = t.kind_names.get(str(p.get("kind", "complaint")), "")
    if n is Name.GREETING:
        name = f"，{escape(p['name'])}" if language != "en" and p.get("name") else ""
        if language == "en" and p.get("name"):
            name = f", {escape(p['name'])}"
        return [Rendered(t.greeting.format(name=name, desk=escape(desk_name)), main_menu(t))]
    if n in (Name.SUBMITTED, Name.RATED):
        return []  # the answer goes through the outbox with the state change, never lost
    if n is Name.HELP:
        return [Rendered(t.help, main_menu(t))]
    if n is Name.ASK_CATEGORY:
        items = [
            (_label(lbl, language), cb.make(cb.CATEGORY, code)) for code, lbl in p["categories"]
        ]
        return [Rendered(t.ask_category.format(kind=kind), _buttons(_pairs(items)))]
    if n is Name.ASK_DESCRIPTION:
        return [Rendered(t.ask_description, ReplyKeyboardRemove())]
    if n is Name.DESCRIPTION_SAVED:
        return [
            Rendered(
                t.description_saved.format(chars=p["chars"], files=p["files"]),
                _buttons([[(t.btn_next, cb.DESCRIPTION_DONE)]]),
            )
        ]
    if n is Name.EVIDENCE_SAVED:
        return [
            Rendered(
                t.evidence_saved.format(files=p["files"]),
                _buttons([[(t.btn_next, cb.DESCRIPTION_DONE)]]),
            )
        ]
    if n is Name.ASK_COMPANY:
        previous = p.get("previous_company")
        markup = (
            _buttons([[(clip(t.btn_reuse_profile.format(company=previous), 60), cb.REUSE_PROFILE)]])
            if previous
            else None
        )
        return [Rendered(t.ask_company, markup)]
    if n is Name.ASK_USCC:
        return [Rendered(t.ask_uscc, _buttons([[(t.btn_skip, cb.SKIP_USCC)]]))]
    if n is Name.USCC_PROBLEM:
        return [Rendered(_uscc_problem(t, p), _buttons([[(t.btn_skip, cb.SKIP_USCC)]]))]
    if n is Name.ASK_PHONE:
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(t.btn_share_phone, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        return [Rendered(t.ask_phone, keyboard)]
    if n is Name.PHONE_SAVED:
        return [Rendered(t.phone_saved.format(phone=escape(p["phone"])), main_menu(t))]
    if n is Name.ASK_CONSENT:
        rows = [[(t.visibility[v], cb.make(cb.VISIBILITY, v))] for v in ("all", "company", "none")]
        return [Rendered(t.ask_consent, _buttons(rows))]
    if n is Name.SUMMARY:
        return [
            Rendered(
                _summary(t, p, language),
                _buttons(
                    [
                        [(t.btn_submit, cb.make(cb.CONFIRM, "submit"))],
                        [
                            (t.btn_edit_description, cb.make(cb.CONFIRM, "desc")),
                            (t.btn_edit_category, cb.make(cb.CONFIRM, "cat")),
                        ],
                        [
                            (t.btn_edit_company, cb.make(cb.CONFIRM, "company")),
                            (t.btn_cancel, cb.make(cb.CONFIRM, "cancel")),
                        ],
                    ]
                ),
            )
        ]
    if n is Name.DRAFT_FOUND:
        category = _label(p.get("category"), language) or "—"
        return [
            Rendered(
                t.draft_found.format(kind=kind, category=escape(category)),
                _buttons(
                    [
                        [
                            (t.btn_resume, cb.make(cb.DRAFT, "resume")),
                            (t.btn_restart, cb.make(cb.DRAFT, "restart")),
                        ]
                    ]
                ),
            )
        ]
    if n is Name.OFFER:
        suggested = p.get("category")
        text = (
            t.offer_ticket.format(category=escape(_label(suggested, language)))
            if suggested
            else t.offer_ticket_no_category
        )
        return [
            Rendered(
                text,
                _buttons(
                    [
                        [
                            (t.btn_offer_complaint, cb.make(cb.OFFER, "complaint")),
                            (t.btn_offer_request, cb.make(cb.OFFER, "request")),
                        ],
                        [(t.btn_offer_no, cb.make(cb.OFFER, "no"))],
                    ]
                ),
            )
        ]
    if n is Name.MY_LIST:
        return [_my_list(t, p, language)]
    if n is Name.TICKET_DETAIL:
        return _ticket_detail(t, p, language)
    if n is Name.CONFIRM_WITHDRAW:
        return [
            Rendered(
                t.confirm_withdraw.format(number=p["number"]),
                _buttons(
                    [
                        [
                            (t.btn_confirm_withdraw, cb.make(cb.WITHDRAW_CONFIRM, p["ticket_id"])),
                            (t.btn_keep, cb.make(cb.OPEN_TICKET, p["ticket_id"])),
                        ]
                    ]
                ),
            )
        ]
    if n is Name.ASK_ADD_INFO:
        return [
            Rendered(
                t.ask_add_info.format(number=p["number"]),
                _buttons([[(t.btn_done, cb.ADD_INFO_DONE)]]),
            )
        ]
    if n is Name.INFO_ADDED:
        return [
            Rendered(
                t.info_added.format(number=p["number"], count=p["count"]),
                _buttons([[(t.btn_done, cb.ADD_INFO_DONE)]]) if p.get("more") else main_menu(t),
            )
        ]
    if n is Name.LANG_PROMPT:
        return [
            Rendered(
                t.lang_prompt,
                _buttons(
                    [
                        [
                            ("中文", cb.make(cb.LANGUAGE, "zh")),
                            ("English", cb.make(cb.LANGUAGE, "en")),
                        ]
                    ]
                ),
            )
        ]
    if n in (
        Name.LANG_SET,
        Name.CANCELLED,
        Name.CANCELLED_ADDING_INFO,
        Name.OFFER_DECLINED,
        Name.NOTHING_TO_CANCEL,
        Name.INFO_NOTHING,
    ):
        return [Rendered(getattr(t, n.value), main_menu(t))]
    return [Rendered(_simple(t, n, p, language))]


def _simple(t: Texts, n: Name, p: dict[str, Any], language: str) -> str:
    status = t.status_names.get(str(p.get("status", "")), "")
    values = {
        "number": p.get("number", ""),
        "status": status,
        "count": p.get("count", 0),
    }
    template: str = getattr(t, n.value)
    return template.format(**values)


def _uscc_problem(t: Texts, p: dict[str, Any]) -> str:
    problem = p["problem"]
    if problem is UsccProblem.BAD_CHARACTER:
        return t.uscc_bad_character.format(position=p["position"], char=escape(p["char"]))
    if problem is UsccProblem.BAD_CHECK_CHARACTER:
        return t.uscc_bad_check.format(expected=p["expected"], given=escape(p["given"]))
    return t.uscc_wrong_length.format(length=p["length"])


def _summary(t: Texts, p: dict[str, Any], language: str) -> str:
    description = escape(clip(p["description"], 2500))
    return t.summary.format(
        kind=t.kind_names.get(p["kind"], ""),
        category=escape(_label(p.get("category"), language) or "—"),
        description=description,
        files=p["files"],
        company=escape(clip(p["company"], 200)),
        uscc=escape(p["uscc"]) if p.get("uscc") else t.summary_no_uscc,
        contact=escape(clip(p["contact"], 100)),
        phone=escape(p["phone"]),
        visibility=t.visibility.get(p["visibility"], ""),
    )


def _my_list(t: Texts, p: dict[str, Any], language: str) -> Rendered:
    rows = p["tickets"]
    if not rows:
        return Rendered(t.my_empty, main_menu(t))
    lines = [t.my_header.format(count=len(rows))]
    buttons = []
    for row in rows:
        lines.append(
            t.my_row.format(
                number=row["number"],
                category=escape(_label(row["category"], language)),
                department=escape(_label(row["department"], language)),
                status=t.status_names.get(row["status"], row["status"]),
                updated=row["updated"],
            )
        )
        buttons.append([(row["number"], cb.make(cb.OPEN_TICKET, row["id"]))])
    return Rendered("\n".join(lines), _buttons(buttons))


def _ticket_detail(t: Texts, p: dict[str, Any], language: str) -> list[Rendered]:
    text = t.ticket_detail.format(
        number=p["number"],
        kind=t.kind_names.get(p["kind"], ""),
        category=escape(_label(p["category"], language)),
        department=escape(_label(p["department"], language)),
        status=t.status_names.get(p["status"], p["status"]),
        accept_due=p["accept_due"],
        resolve_due=p["resolve_due"],
        description=escape(clip(p["description"], 1500)),
    )
    history = [t.detail_history]
    for at, action, detail in p["history"]:
        template = t.event_names.get(action, action)
        what = template.format(
            kind=t.kind_names.get(str(detail.get("kind", "")), ""),
            department=escape(_label(detail.get("department"), language)),
            rating=t.ratings.get(int(detail.get("rating") or 0), ""),
        )
        if detail.get("text"):
            what += f"：{escape(clip(str(detail['text']), 200))}"
        history.append(t.history_row.format(at=at, what=what))
    body = text + "\n\n" + "\n".join(history)
    if len(body) > MESSAGE_LIMIT - 200:
        body = text + "\n\n" + "\n".join([history[0], "…", *history[-15:]])
    actions: list[tuple[str, str]] = []
    if p["can_add_info"]:
        actions.append((t.btn_add_info, cb.make(cb.ADD_INFO, p["id"])))
    if p["can_withdraw"]:
        actions.append((t.btn_withdraw, cb.make(cb.WITHDRAW, p["id"])))
    rows = [actions] if actions else []
    rows.append([(t.btn_back, cb.MY_LIST)])
    return [Rendered(body, _buttons(rows))]


# --- department and dispatcher chats -------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    """What a department may know of a ticket; the enterprise's Telegram identity is absent."""

    number: str
    kind: str
    category: Label
    status: str
    accept_due: datetime
    first_reply_due: datetime
    resolve_due: datetime
    description: str
    company: str | None
    contact: str | None
    phone: str | None
    uscc: str | None
    evidence: int
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    last_reply: str | None = None
    waiting_since: datetime | None = None
    resolution: str | None = None
    rating: int | None = None
    reopen_count: int = 0
    pending: str | None = None  # "transfer" or "extension:<days>"
    transferred_to: Label | None = None
    overdue: tuple[tuple[str, str], ...] = ()  # (clock, "3 个工作小时") as of the last edit


CARD_DESCRIPTION_LIMIT = 2000
CARD_NOTE_LIMIT = 300


def card_text(card: CardView, language: str, zone: ZoneInfo) -> str:
    t = texts_for(language)
    description = card.description
    if len(description) > CARD_DESCRIPTION_LIMIT:
        description = description[:CARD_DESCRIPTION_LIMIT] + "…"
    return t.card.format(
        kind=t.kind_names.get(card.kind, card.kind),
        number=card.number,
        category=escape(card.category(language)),
        status=t.status_names.get(card.status, card.status),
        accept_due=fmt_time(card.accept_due, zone),
        first_reply_due=fmt_time(card.first_reply_due, zone),
        resolve_due=fmt_time(card.resolve_due, zone),
        company=(
            t.card_company.format(company=escape(clip(card.company, 200)))
            if card.company
            else t.card_company_hidden
        ),
        contact=(
            t.card_contact.format(
                contact=escape(clip(card.contact, 100)), phone=escape(card.phone or "")
            )
            if card.contact
            else t.card_contact_hidden
        ),
        uscc=t.card_uscc.format(uscc=escape(card.uscc)) if card.uscc else "",
        description=escape(description),
        evidence=t.card_evidence.format(count=card.evidence) if card.evidence else "",
    ) + _card_progress(card, t, language, zone)


def _card_progress(card: CardView, t: Texts, language: str, zone: ZoneInfo) -> str:
    """The lines that change as the ticket is worked: who accepted, last answer, …"""
    lines: list[str] = [
        t.card_overdue.format(clock=t.clock_names[clock], time=time) for clock, time in card.overdue
    ]
    if card.accepted_by and card.accepted_at:
        lines.append(
            t.card_accepted.format(
                who=escape(card.accepted_by), at=fmt_time(card.accepted_at, zone)
            )
        )
    if card.last_reply:
        lines.append(t.card_last_reply.format(text=escape(clip(card.last_reply, CARD_NOTE_LIMIT))))
    if card.waiting_since and card.status == "waiting_info":
        lines.append(t.card_waiting.format(since=fmt_time(card.waiting_since, zone)))
    if card.pending == "transfer":
        lines.append(t.card_pending_transfer)
    elif card.pending and card.pending.startswith("extension:"):
        lines.append(t.card_pending_extension.format(days=card.pending.split(":")[1]))
    if card.resolution:
        lines.append(t.card_resolution.format(text=escape(clip(card.resolution, CARD_NOTE_LIMIT))))
    if card.rating:
        lines.append(t.card_rating.format(rating=t.ratings[card.rating]))
    if card.reopen_count:
        lines.append(t.card_reopened.format(count=card.reopen_count))
    if card.transferred_to is not None:
        lines.append(t.card_transferred.format(department=escape(card.transferred_to(language))))
    return "\n\n" + "\n".join(lines) if lines else ""


#: The buttons a department's card shows in each state (re-checked on every press).
CARD_ACTIONS: dict[str, tuple[str, ...]] = {
    "assigned": ("accept", "transfer"),
    "accepted": ("ask_info", "extension", "resolve", "transfer"),
    "waiting_info": ("resolve",),
}


def card_keyboard(ticket_id: int, status: str, language: str) -> InlineKeyboardMarkup | None:
    t = texts_for(language)
    labels = {
        "accept": t.btn_accept,
        "transfer": t.btn_transfer,
        "ask_info": t.btn_ask_info,
        "extension": t.btn_extension,
        "resolve": t.btn_resolve,
    }
    actions = CARD_ACTIONS.get(status, ())
    if not actions:
        return None
    items = [(labels[a], cb.make(cb.STAFF, ticket_id, a)) for a in actions]
    return _buttons(_pairs(items))


def rating_keyboard(ticket_id: int, language: str) -> InlineKeyboardMarkup:
    t = texts_for(language)
    return _buttons(
        [[(t.ratings[stars], cb.make(cb.RATE, ticket_id, stars))] for stars in (5, 4, 3, 2, 1)]
    )


def choice_keyboard(items: Sequence[tuple[str, str]], per_row: int = 2) -> InlineKeyboardMarkup:
    return _buttons(_pairs(items, per_row))


def force_reply(language: str) -> dict[str, Any]:
    return {"force_reply": True, "input_field_placeholder": texts_for(language).prompt_placeholder}


def card_overflow(card: CardView) -> list[str]:
    """The rest of a description too long for the card, as plain-text parts."""
    if len(card.description) <= CARD_DESCRIPTION_LIMIT:
        return []
    return split_text(card.description[CARD_DESCRIPTION_LIMIT:])


def dispatch_keyboard(
    ticket_id: int, departments: Sequence[tuple[str, Label]], language: str
) -> InlineKeyboardMarkup:
    items = [(label(language), cb.make(cb.ASSIGN, ticket_id, code)) for code, label in departments]
    return _buttons(_pairs(items))
