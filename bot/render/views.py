"""Screens and cards rendered as Telegram HTML and keyboards, in the reader's language.

All user-supplied text is escaped here and nowhere else; every text is cut to fit
Telegram's limits (4096 UTF-16 units a message, 1024 a caption, 64 bytes of callback_data).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape, unescape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.core.common_problems import CardGroup
from bot.core.notices import CardLink, Concat, Excerpt, Lateness, PersonName, Say, Term, Words
from bot.core.screens import Label, Name, Screen
from bot.core.validation import UsccProblem
from bot.render import callbacks as cb
from bot.render.texts import Texts, texts_for
from storage.models import Outbox

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
#: What the desk takes as evidence (copied, never downloaded), and which of it has captions.
EVIDENCE_KINDS = ("photo", "document", "video", "animation", "audio", "voice", "video_note")
CAPTIONED_KINDS = frozenset(EVIDENCE_KINDS) - {"video_note"}
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
    from bot.render.texts import LANGUAGES

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
    """A span of working time as a person says it: "不到 1 个工作小时" under an hour (never
    "0 小时", which reads as not late), whole hours under two working days ("8 个工作小时",
    not "1.1 个工作日"), days with one decimal from there on."""
    hours = working.total_seconds() / 3600
    if hours < 1:
        return t.duration_under_hour
    if hours < 2 * hours_per_day:
        return t.duration_hours.format(n=f"{math.floor(hours + 0.5):d}")
    return t.duration_days.format(n=_short(hours / hours_per_day))


def clock_clauses(
    t: Texts, spans: Sequence[tuple[str, timedelta]], hours_per_day: float, *, overdue: bool
) -> str:
    """ "签收、首次答复已超期 4.7 个工作日；办结已超期 3 个工作小时": clocks that read the same
    share a clause. The reminders, the 督办, the card and the weekly lists all say it so."""
    said: dict[str, list[str]] = {}
    for clock, span in spans:
        said.setdefault(working_duration(t, span, hours_per_day), []).append(t.clock_names[clock])
    template = t.clause_overdue if overdue else t.clause_due
    return t.clause_join.join(
        template.format(clocks=t.report_clock_join.join(clocks), time=time)
        for time, clocks in said.items()
    )


def _short(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def fmt_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _fitting(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    if 2 * len(text) <= limit:
        return len(text)
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def cut(text: str, limit: int) -> tuple[str, str]:
    """``text`` split where ``limit`` UTF-16 units end: (what fits, the rest)."""
    index = _fitting(text, limit)
    return text[:index], text[index:]


def clip(text: str, limit: int) -> str:
    """Cut plain text to ``limit`` UTF-16 units (Telegram's measure), marking the cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _fitting(text, max(0, limit - 1))] + "…"


def _split_once(text: str, limit: int) -> tuple[str, str]:
    """The first part of ``text`` within ``limit`` units (at a line break if one is in the
    second half), and the rest without its leading line breaks."""
    size = max(1, _fitting(text, limit))
    at = text.rfind("\n", 0, size)
    if at < size // 2:
        at = size
    return text[:at], text[at:].lstrip("\n")


def split_text(text: str, limit: int = MESSAGE_LIMIT - 96) -> list[str]:
    """Split plain text into parts under ``limit`` UTF-16 units, preferring line breaks."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        part, rest = _split_once(rest, limit)
        parts.append(part)
    if rest or not parts:
        parts.append(rest)
    return parts


#: Characters Telegram drops from a message (tdlib's fix_formatted_text).
_DROPPED = frozenset({"\r", "\u0333", "\u033f", "\u030a"} | {chr(c) for c in range(0x2028, 0x202F)})


def shows_nothing(text: str) -> bool:
    """Whether Telegram would see an empty message here ("message text is empty")."""
    kept = "".join(" " if ord(ch) < 32 else ch for ch in text if ch not in _DROPPED)
    return not kept.strip()


_SLOT = "\x00slot\x00"


def message_parts(
    template: str,
    text: str,
    *,
    slot: str = "text",
    first_limit: int = MESSAGE_LIMIT,
    limit: int = MESSAGE_LIMIT,
    **fields: Any,
) -> list[str]:
    """``template`` with the user's ``text`` (escaped here) in ``{slot}``, in Telegram HTML.

    One message when it fits; otherwise several, and nothing of ``text`` is lost: the words
    before the slot open the first part, the words after it close the last one (so buttons
    and "reply to this message" belong on the last part). ``first_limit`` is 1024 when the
    first part is a caption. ``fields`` are HTML already (escaped by the caller). Lengths of
    the template are counted on its source, an upper bound of what Telegram shows.
    """
    head, tail = template.format(**{slot: _SLOT}, **fields).split(_SLOT)
    room = first_limit - utf16_len(head)
    if utf16_len(text) + utf16_len(tail) <= room:
        return [head + escape(text) + tail]
    parts: list[str] = []
    prefix = head
    if room < 16:  # a head too long to share its message: alone, then the text
        parts.append(fit_html(head, first_limit))
        prefix, room = "", limit
    rest = text
    while rest and utf16_len(rest) + utf16_len(tail) > room:
        piece, rest = _split_once(rest, room)
        if not shows_nothing(prefix + piece):
            parts.append(prefix + escape(piece))
        prefix, room = "", limit
    if not shows_nothing(prefix + rest + tail) or not parts:
        parts.append(fit_html(prefix + escape(rest) + tail, limit if parts else first_limit))
    return parts


def pack_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Short HTML lines (a list of reminders) packed into as few messages as fit."""
    messages: list[str] = []
    current, length = "", 0  # the length is kept, not recounted: a long list stays linear
    for line in lines:
        size = utf16_len(line)
        if current and length + 1 + size > limit:
            messages.append(current)
            current, length = line, size
        elif current:
            current, length = f"{current}\n{line}", length + 1 + size
        else:
            current, length = line, size
    if current:
        messages.append(current)
    return [fit_html(message, limit) for message in messages]


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);?")


def shown_text(html: str) -> str:
    """What Telegram shows for the desk's HTML: tags dropped, entities read."""
    return unescape(_TAG.sub("", html))


def shown_len(html: str) -> int:
    """The UTF-16 units Telegram shows for the desk's HTML."""
    return utf16_len(shown_text(html))


def fit_html(html: str, limit: int = MESSAGE_LIMIT) -> str:
    """A safety net: Telegram HTML cut so that what it shows fits ``limit`` units.

    Texts are built to fit (user fields are clipped or sent in parts); this only catches
    what nobody foresaw, so a message is shortened ("…") rather than refused by Telegram
    and lost. Tags open at the cut are closed.
    """
    if utf16_len(html) <= limit:
        return html  # the source is never shorter than what it shows
    tokens = list(_shown_tokens(html))
    if sum(width for _, width in tokens) <= limit:
        return html
    shown, out = 0, []
    open_tags: list[str] = []
    for token, width in tokens:
        if width == 0:  # a tag
            tag = _TAG.match(token)
            assert tag is not None
            name = tag[2].lower()
            if not tag[1]:
                open_tags.append(name)
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
        elif shown + width > limit - 1:  # keep one unit for the "…"
            break
        out.append(token)
        shown += width
    return "".join([*out, "…", *(f"</{name}>" for name in reversed(open_tags))])


def _shown_tokens(html: str) -> Iterator[tuple[str, int]]:
    """Tags (width 0), entities and characters of ``html``, each with the units it shows."""
    index = 0
    while index < len(html):
        char = html[index]
        tag = _TAG.match(html, index) if char == "<" else None
        if tag is not None:
            yield tag[0], 0
            index = tag.end()
            continue
        entity = _ENTITY.match(html, index) if char == "&" else None
        # An entity shows as the character it names: "&#x27;" is one unit, "&#128512;" two.
        token = entity[0] if entity is not None else char
        yield token, utf16_len(unescape(token)) if entity is not None else utf16_len(char)
        index += len(token)


def _buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _pairs(items: Sequence[tuple[str, str]], per_row: int = 2) -> list[list[tuple[str, str]]]:
    return [list(items[i : i + per_row]) for i in range(0, len(items), per_row)]


def _label(value: Any, language: str) -> str:
    return value(language) if isinstance(value, Label) else str(value or "")


# --- enterprise screens -------------------------------------------------------------------


def render(
    screen: Screen, language: str, *, desk_name: str = "", zone: ZoneInfo | None = None
) -> list[Rendered]:
    """A screen as messages, each within Telegram's limit (``fit_html`` as a last resort)."""
    rendered = compose(screen, language, desk_name=desk_name, zone=zone)
    return [Rendered(fit_html(part.text), part.markup) for part in rendered]


def compose(
    screen: Screen, language: str, *, desk_name: str = "", zone: ZoneInfo | None = None
) -> list[Rendered]:
    """A screen as messages, built to fit (tests check that no safety net is needed).

    ``zone``: the desk's time zone, in which a screen's times are shown.
    """
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
        # Takes the share-phone keyboard away; the main menu comes back only when filing ends.
        return [Rendered(t.phone_saved.format(phone=escape(p["phone"])), ReplyKeyboardRemove())]
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
    if n is Name.REPEAT_OFFER:
        number = escape(p["number"])
        return [
            Rendered(
                t.repeat_offer.format(
                    number=number, status=t.status_names.get(p["status"], p["status"])
                ),
                _buttons(
                    [
                        [
                            (
                                t.btn_repeat_add.format(number=p["number"]),
                                cb.make(cb.REPEAT_CHOICE, "add"),
                            )
                        ],
                        [(t.btn_repeat_new, cb.make(cb.REPEAT_CHOICE, "new"))],
                    ]
                ),
            )
        ]
    if n is Name.CONDUCT_QUESTION:
        return [
            Rendered(
                t.conduct_question.format(discipline=escape(_label(p["discipline"], language))),
                _buttons(
                    [
                        [
                            (t.btn_conduct_yes, cb.make(cb.CONDUCT_ANSWER, "yes")),
                            (t.btn_conduct_no, cb.make(cb.CONDUCT_ANSWER, "no")),
                        ]
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
        return [_my_list(t, p, language, zone)]
    if n is Name.TICKET_DETAIL:
        return _ticket_detail(t, p, language, zone)
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
    if n is Name.ADDED_TO_TICKET:
        return [
            Rendered(
                t.ent_added_to_ticket.format(number=p["number"]),
                _buttons([[(t.btn_new_problem, cb.make(cb.SPLIT_OFF, p["message_id"]))]]),
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
    until = p.get("until", "")
    if isinstance(until, datetime):  # a moment in the desk's zone; a minute away needs no date
        until = f"{until:%H:%M}" if n is Name.RATE_LIMITED else f"{until:%Y-%m-%d %H:%M}"
    values = {
        "number": p.get("number", ""),
        "status": status,
        "count": p.get("count", 0),
        "until": until,
    }
    template: str = getattr(t, n.value)
    return template.format(**values)


def _uscc_problem(t: Texts, p: dict[str, Any]) -> str:
    problem = p["problem"]
    if problem is UsccProblem.BAD_CHARACTER:
        return t.uscc_bad_character.format(position=p["position"], char=escape(p["char"]))
    if problem is UsccProblem.BAD_CHECK_CHARACTER:
        # Naming the expected last character invites changing it, when the typo is elsewhere.
        return t.uscc_bad_check
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


def _when(moment: datetime, zone: ZoneInfo | None) -> str:
    """A screen's time in the desk's zone (a screen with times is rendered with one)."""
    if zone is None:
        raise ValueError("a screen that shows times needs the desk's time zone")
    return fmt_time(moment, zone)


def _department(t: Texts, department: Label | None, language: str) -> str:
    """The department handling a ticket; None: the dispatcher is still choosing one."""
    return escape(department(language) if department is not None else t.unrouted_department)


def _my_list(t: Texts, p: dict[str, Any], language: str, zone: ZoneInfo | None) -> Rendered:
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
                department=_department(t, row["department"], language),
                status=t.status_names.get(row["status"], row["status"]),
                updated=_when(row["updated"], zone),
            )
        )
        buttons.append([(row["number"], cb.make(cb.OPEN_TICKET, row["id"]))])
    return Rendered("\n".join(lines), _buttons(buttons))


def _ticket_detail(
    t: Texts, p: dict[str, Any], language: str, zone: ZoneInfo | None
) -> list[Rendered]:
    text = t.ticket_detail.format(
        number=p["number"],
        kind=t.kind_names.get(p["kind"], ""),
        category=escape(_label(p["category"], language)),
        department=_department(t, p["department"], language),
        status=t.status_names.get(p["status"], p["status"]),
        accept_due=_when(p["accept_due"], zone),
        resolve_due=_when(p["resolve_due"], zone),
        description=escape(clip(p["description"], 1500)),
    )
    history = [t.detail_history]
    for at, action, detail in p["history"]:
        template = t.event_names.get(action, action)
        what = template.format(
            kind=t.kind_names.get(str(detail.get("kind", "")), ""),
            department=escape(_label(detail.get("department"), language)),
            rating=t.ratings.get(int(detail.get("rating") or 0), ""),
            answer=t.conduct_answers.get(str(detail.get("answer", "")), ""),
        )
        if detail.get("text"):
            what += f"：{escape(clip(str(detail['text']), 200))}"
        history.append(t.history_row.format(at=_when(at, zone), what=what))
    entries = history[1:]
    heading = text + "\n\n" + history[0] + "\n…\n"
    while entries and utf16_len(heading + "\n".join(entries)) > MESSAGE_LIMIT:
        entries = entries[1:]  # the oldest entries give way; the newest are what matters
    if len(entries) < len(history) - 1:
        entries = ["…", *entries]
    body = text + "\n\n" + "\n".join([history[0], *entries])
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
class Exchanged:
    """One message of a ticket's exchange: the enterprise's (``department`` None) or a
    department's, its words and whether a file came with it."""

    department: Label | None
    text: str
    with_file: bool


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
    #: A complaint about an official's conduct: marked, and never transferred by staff.
    conduct: bool = False
    overdue: tuple[tuple[str, str], ...] = ()  # (clock, "3 个工作小时") as of the last edit
    relays_replies: bool = False  # a department's own card, while replies reach the enterprise
    #: The exchange before the ticket reached this card's department (a transfer), in order.
    history: tuple[Exchanged, ...] = ()
    #: 同类诉求: the other members by number and status only (never who they are).
    common: CardGroup | None = None


CARD_DESCRIPTION_LIMIT = 2000
CARD_NOTE_LIMIT = 300
#: One message of a carried exchange on a card; the section as a whole gets what is left
#: of the message after everything else the card shows.
CARD_HISTORY_LINE_LIMIT = 300
#: What the dispatcher's messages add around a card (dispatch_card, dispatch_assigned).
CARD_WRAPPER_ROOM = 400
#: A person's name on a card (Telegram allows 64 + 64 for first and last name).
NAME_LIMIT = 64


def card_text(
    card: CardView,
    language: str,
    zone: ZoneInfo,
    *,
    description_limit: int = CARD_DESCRIPTION_LIMIT,
) -> str:
    """The card's HTML; a description longer than ``description_limit`` UTF-16 units is cut
    here and its rest sent below the card (``card_overflow``)."""
    t = texts_for(language)
    description, rest = cut(card.description, description_limit)
    if rest:
        description += "…"
    mark = t.card_conduct if card.conduct else ""
    text = mark + t.card.format(
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
    )
    progress = _card_progress(card, t, language, zone) + _card_common(card, t, language)
    # The dispatcher's wrappers around a card need their room.
    room = MESSAGE_LIMIT - CARD_WRAPPER_ROOM - shown_len(text + progress)
    return text + _card_history(card, t, language, room) + progress


def _card_history(card: CardView, t: Texts, language: str, room: int) -> str:
    """The carried exchange, newest kept when it does not all fit (with a pointer to /ticket)."""
    if not card.history:
        return ""
    lines = []  # (units it shows, with its line break; the HTML line)
    for said in card.history:
        who = said.department(language) if said.department else t.card_history_enterprise
        words = clip(said.text, CARD_HISTORY_LINE_LIMIT)
        if said.with_file:
            words = f"{t.card_history_file} {words}".rstrip()
        shown = t.card_history_line.format(who=who, text=words)  # the template has no markup
        html = t.card_history_line.format(who=escape(who), text=escape(words))
        lines.append((utf16_len(shown) + 1, html))
    heading = t.card_history.format(count=len(lines))
    earlier = t.card_history_earlier.format(count=len(lines), number=card.number)
    room -= 2 + shown_len(heading) + 1 + utf16_len(earlier)  # room for the pointer, if needed
    if room < 0:
        return ""  # a card already at its longest: the exchange stays with /ticket
    kept: list[str] = []
    for size, html in reversed(lines):
        if size > room:
            break
        room -= size
        kept.insert(0, html)
    if len(kept) < len(lines):
        left_out = len(lines) - len(kept)
        kept.insert(0, t.card_history_earlier.format(count=left_out, number=card.number))
    return "\n\n" + "\n".join([heading, *kept])


def _card_common(card: CardView, t: Texts, language: str) -> str:
    """同类诉求: how many other enterprises, their tickets' numbers and statuses; the lead."""
    group = card.common
    if group is None:
        return ""
    listed = [
        t.card_common_item.format(number=escape(number), status=t.status_names.get(status, status))
        for number, status in group.others[:CARD_COMMON_LISTS]
    ]
    if len(group.others) > CARD_COMMON_LISTS:
        listed.append(t.card_common_more.format(count=len(group.others)))
    lines = [t.card_common.format(count=group.enterprises, tickets="、".join(listed))]
    if group.raised:
        lines.append(t.card_common_raised)
    if group.leads:
        lines.append(t.card_common_leads)
    elif group.lead is not None:
        lines.append(t.card_common_lead.format(department=escape(group.lead(language))))
    return "\n\n" + "\n".join(lines)


#: How many of a group's other tickets a card names (the count is always whole).
CARD_COMMON_LISTS = 10


def _card_progress(card: CardView, t: Texts, language: str, zone: ZoneInfo) -> str:
    """The lines that change as the ticket is worked: who accepted, last answer, …"""
    lines: list[str] = [
        t.card_overdue.format(clock=t.clock_names[clock], time=time) for clock, time in card.overdue
    ]
    if card.accepted_by and card.accepted_at:
        lines.append(
            t.card_accepted.format(
                who=escape(clip(card.accepted_by, NAME_LIMIT)), at=fmt_time(card.accepted_at, zone)
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
    elif card.relays_replies:
        lines.append(t.card_reply_hint)
    return "\n\n" + "\n".join(lines) if lines else ""


#: The buttons a department's card shows in each state (re-checked on every press).
CARD_ACTIONS: dict[str, tuple[str, ...]] = {
    "assigned": ("accept", "transfer"),
    "accepted": ("ask_info", "extension", "resolve", "transfer"),
    "waiting_info": ("resolve",),
}


def card_keyboard(
    ticket_id: int,
    status: str,
    language: str,
    *,
    conduct: bool = False,
    common: CardGroup | None = None,
) -> InlineKeyboardMarkup | None:
    """The card's buttons; a conduct ticket has no transfer button (only the dispatcher
    moves it, bot/core/tickets.refuse_excluded). In a group of similar tickets: 一并答复
    when the department holds two or more that take a reply, and 移出同类."""
    t = texts_for(language)
    labels = {
        "accept": t.btn_accept,
        "transfer": t.btn_transfer,
        "ask_info": t.btn_ask_info,
        "extension": t.btn_extension,
        "resolve": t.btn_resolve,
    }
    actions = tuple(a for a in CARD_ACTIONS.get(status, ()) if not (conduct and a == "transfer"))
    if not actions:
        return None
    items = [(labels[a], cb.make(cb.STAFF, ticket_id, a)) for a in actions]
    if common is not None and common.together >= 2:
        items.append(
            (t.btn_together.format(count=common.together), cb.make(cb.STAFF, ticket_id, "together"))
        )
    if common is not None:
        items.append((t.btn_unlink, cb.make(cb.STAFF, ticket_id, "unlink")))
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
    rest = cut(card.description, CARD_DESCRIPTION_LIMIT)[1]
    return [part for part in split_text(rest) if not shows_nothing(part)] if rest else []


def dispatch_keyboard(
    ticket_id: int,
    departments: Sequence[tuple[str, Label]],
    language: str,
    *,
    top: Sequence[tuple[str, float]] = (),
) -> InlineKeyboardMarkup:
    """One button per department; the model's best three first, one per row, each with
    its confidence ("经济发展局 72%"), then the others in pairs."""
    t = texts_for(language)
    labels = dict(departments)
    first = [
        [
            (
                t.dispatch_choice.format(
                    department=labels[code](language), percent=round(probability * 100)
                ),
                cb.make(cb.ASSIGN, ticket_id, code),
            )
        ]
        for code, probability in top[:3]
        if code in labels
    ]
    shown = {code for code, _ in top[:3]}
    rest = [
        (label(language), cb.make(cb.ASSIGN, ticket_id, code))
        for code, label in departments
        if code not in shown
    ]
    return _buttons([*first, *_pairs(rest)])


# --- notices from the core ----------------------------------------------------------------


def template_of(t: Texts, key: str) -> str:
    """The catalogue text named by a :class:`bot.core.notices.Say` key (``field`` or
    ``field.entry``)."""
    name, _, entry = key.partition(".")
    value = getattr(t, name)
    if entry:
        table = value
        value = table[int(entry)] if entry.isdigit() and int(entry) in table else table[entry]
    if not isinstance(value, str):
        raise TypeError(f"text {key!r} is not a template")
    return value


def param_html(value: Any, language: str, zone: ZoneInfo) -> str:
    """One notice parameter as HTML in the reader's language (escaped here)."""
    if isinstance(value, Say):
        return say_html(value, language, zone)[0]
    if isinstance(value, Label):
        return escape(value(language))
    if isinstance(value, datetime):
        return fmt_time(value, zone)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, CardView):
        return card_text(value, language, zone)
    if isinstance(value, PersonName):
        return escape(clip(value.name, NAME_LIMIT))
    typed = _typed_param_html(value, language, zone)
    if typed is not None:
        return typed
    return escape(str(value))


def say_html(
    said: Say, language: str, zone: ZoneInfo, *, first_limit: int = MESSAGE_LIMIT
) -> list[str]:
    """A :class:`bot.core.notices.Say` as Telegram HTML: one message, or the parts of a long one
    (``first_limit``: 1024 when the first part is a caption)."""
    template = template_of(texts_for(language), said.key)
    fields: dict[str, Any] = {
        name: param_html(value, language, zone)
        for name, value in said.params.items()
        if not isinstance(value, Words)
    }
    for slot, value in said.params.items():
        if isinstance(value, Words):
            body = words_text(value, language)
            return message_parts(template, body, slot=slot, first_limit=first_limit, **fields)
    if said.body is not None:
        return message_parts(template, said.body, first_limit=first_limit, **fields)
    return [template.format(**fields)]


def words_text(words: Words, language: str) -> str:
    """A person's words with their lead (catalogue texts, plain) before them, not escaped
    yet: ``message_parts`` escapes the whole as it splits it."""
    t = texts_for(language)
    lead = (template_of(t, said.key).format(**said.params) for said in words.lead)
    return "；".join(part for part in (*lead, words.text) if part)


def card_link(card: Outbox | None) -> str | None:
    """A t.me link to a card in a supergroup (the only chats Telegram can link into)."""
    if card is None or card.telegram_message_id is None or card.chat_id is None:
        return None
    chat = str(card.chat_id)
    if not chat.startswith("-100"):
        return None
    return f"https://t.me/c/{chat[4:]}/{card.telegram_message_id}"


def _typed_param_html(value: Any, language: str, zone: ZoneInfo) -> str | None:
    """The parameter types of bot/core/notices.py beyond the plain ones; None for any other."""
    if isinstance(value, Term):
        table = getattr(texts_for(language), value.table)
        if value.key in table:
            return str(table[value.key])  # catalogue HTML
        return escape(value.default if value.default is not None else str(value.key))
    if isinstance(value, Excerpt):
        text = " ".join(value.text.split()) if value.one_line else value.text
        return escape(clip(text, value.chars))
    if isinstance(value, Lateness):
        t = texts_for(language)
        return clock_clauses(t, value.spans, value.hours_per_day, overdue=value.overdue)
    if isinstance(value, CardLink):
        link = card_link(value.card)
        number = escape(value.number)
        return f'<a href="{escape(link)}">{number}</a>' if link else number
    if isinstance(value, Concat):
        return "".join(param_html(part, language, zone) for part in value.parts)
    return None
