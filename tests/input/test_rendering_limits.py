"""Whatever users type, every message the desk renders is one Telegram accepts.

Checked the way Telegram checks: the HTML parses (the emulator's port of tdlib, strict),
the text left after Telegram's clean-up is not empty, and it fits 4096 UTF-16 units (1024
for a caption). Screens are checked without the last-resort ``fit_html``: texts are built
to fit, the net is only for what nobody foresaw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape as html_escape
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.chaser import ticket_line  # the reminder line as the chaser writes it
from bot.core.screens import Label, Name, Screen
from bot.core.validation import UsccProblem, clean_text
from bot.devtools.emulator.html_check import parse_html
from bot.devtools.emulator.text import normalize, utf16_len
from bot.render.texts import EN, ZH, texts_for
from bot.render.views import (
    CAPTION_LIMIT,
    CARD_DESCRIPTION_LIMIT,
    MESSAGE_LIMIT,
    NAME_LIMIT,
    CardView,
    Exchanged,
    card_overflow,
    card_text,
    clip,
    compose,
    cut,
    fit_html,
    message_parts,
    pack_lines,
    split_text,
)

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LANGUAGES = ("zh", "en")
PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as users write it: any script, astral emoji (two UTF-16 units each), markup
# characters of HTML and Markdown, line breaks; long enough to need several messages.
TRICKY = "😀🇨🇳👍🏽𠀀<>&*_[]()~`\\\"'#\n \t中文English العربية"
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=300)
short = st.one_of(any_text, tricky_text)
long = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=9000),
    st.text(alphabet=st.sampled_from(TRICKY), min_size=1000, max_size=9000),
    st.builds(
        lambda unit, n: unit * n, st.sampled_from(["😀", "&", "<b>", "啊\n"]), st.integers(0, 6000)
    ),
)
cleaned_long = long.map(clean_text)  # what the desk stores of a message (bot.core.validation)
# Names from the config (categories, departments): the operator's, never empty.
label = st.builds(Label, st.text(min_size=1, max_size=100), st.text(min_size=1, max_size=100))


def accepted(html: str, limit: int = MESSAGE_LIMIT) -> str:
    """What Telegram would show, after asserting it would accept the message at all."""
    parsed = parse_html(html)  # strict: a bare < > & fails here
    shown, _ = normalize(parsed.text, parsed.entities)
    assert shown, "Telegram: message text is empty"
    assert utf16_len(shown) <= limit, f"{utf16_len(shown)} > {limit}"
    return shown


def accepted_plain(text: str) -> str:
    shown, _ = normalize(text, [])
    assert shown and utf16_len(shown) <= MESSAGE_LIMIT
    return shown


# --- every screen the enterprise can see ---------------------------------------------------

statuses = st.sampled_from(sorted(ZH.status_names))
kinds = st.sampled_from(["complaint", "request"])
numbers = st.just("GX-20261127-0001")
history_row = st.tuples(
    st.just(NOW),
    st.sampled_from(sorted(ZH.event_names)),
    st.fixed_dictionaries(
        {},
        optional={
            "kind": kinds,
            "department": st.one_of(label, short),
            "rating": st.integers(1, 5),
            "text": long,
        },
    ),
)
SCREENS: dict[Name, st.SearchStrategy[dict[str, Any]]] = {
    Name.GREETING: st.fixed_dictionaries({"name": st.text(max_size=64)}),
    Name.ASK_CATEGORY: st.fixed_dictionaries(
        {"kind": kinds, "categories": st.lists(st.tuples(st.just("other"), label), max_size=12)}
    ),
    Name.DESCRIPTION_SAVED: st.fixed_dictionaries(
        {"chars": st.integers(0, 10**6), "files": st.integers(0, 20)}
    ),
    Name.EVIDENCE_SAVED: st.fixed_dictionaries({"files": st.integers(0, 20)}),
    Name.ASK_COMPANY: st.fixed_dictionaries(
        {"previous_company": st.one_of(st.none(), short.map(lambda s: s[:200]))}
    ),
    Name.USCC_PROBLEM: st.one_of(
        st.fixed_dictionaries(
            {
                "problem": st.just(UsccProblem.BAD_CHARACTER),
                "position": st.integers(1, 18),
                "char": st.characters(blacklist_categories=("Cs",)),
                "length": st.integers(0, 18),
            }
        ),
        st.fixed_dictionaries(
            {
                "problem": st.just(UsccProblem.BAD_CHECK_CHARACTER),
                "expected": st.sampled_from("0123456789ABC"),
                "given": st.characters(blacklist_categories=("Cs",)),
                "length": st.just(18),
            }
        ),
        st.fixed_dictionaries(
            {"problem": st.just(UsccProblem.WRONG_LENGTH), "length": st.integers(0, 5000)}
        ),
    ),
    Name.PHONE_SAVED: st.fixed_dictionaries({"phone": st.text(max_size=32)}),
    Name.SUMMARY: st.fixed_dictionaries(
        {
            "kind": kinds,
            "category": st.one_of(st.none(), label),
            "description": cleaned_long,
            "files": st.integers(0, 20),
            "company": short.map(lambda s: s[:200]),
            "uscc": st.one_of(st.none(), st.text(max_size=18)),
            "contact": short.map(lambda s: s[:100]),
            "phone": st.text(max_size=32),
            "visibility": st.sampled_from(["all", "company", "none"]),
        }
    ),
    Name.DRAFT_FOUND: st.fixed_dictionaries(
        {"kind": kinds, "category": st.one_of(st.none(), label)}
    ),
    Name.OFFER: st.fixed_dictionaries({"category": st.one_of(st.none(), label)}),
    Name.CONDUCT_QUESTION: st.fixed_dictionaries({"discipline": label}),
    Name.MY_LIST: st.fixed_dictionaries(
        {
            "tickets": st.lists(
                st.fixed_dictionaries(
                    {
                        "id": st.integers(1, 2**31 - 1),
                        "number": numbers,
                        "category": label,
                        "department": st.one_of(st.none(), label),
                        "status": statuses,
                        "updated": st.just(NOW),
                    }
                ),
                max_size=10,
            )
        }
    ),
    Name.TICKET_DETAIL: st.fixed_dictionaries(
        {
            "id": st.integers(1, 2**31 - 1),
            "number": numbers,
            "kind": kinds,
            "category": label,
            "department": st.one_of(st.none(), label),
            "status": statuses,
            "accept_due": st.just(NOW + timedelta(hours=2)),
            "resolve_due": st.just(NOW + timedelta(days=7)),
            "description": cleaned_long,
            "history": st.lists(history_row, max_size=60),
            "can_withdraw": st.booleans(),
            "can_add_info": st.booleans(),
        }
    ),
    Name.CONFIRM_WITHDRAW: st.fixed_dictionaries(
        {"number": numbers, "ticket_id": st.integers(1, 2**31 - 1)}
    ),
    Name.ASK_ADD_INFO: st.fixed_dictionaries({"number": numbers}),
    Name.INFO_ADDED: st.fixed_dictionaries(
        {"number": numbers, "count": st.integers(0, 10**6), "more": st.booleans()}
    ),
    Name.ADDED_TO_TICKET: st.fixed_dictionaries(
        {"number": numbers, "message_id": st.integers(1, 2**31 - 1)}
    ),
}
SIMPLE = st.fixed_dictionaries(
    {
        "number": numbers,
        "status": statuses,
        "count": st.integers(0, 10**6),
        "until": st.just("2026-11-28 10:00"),
    }
)


def test_every_screen_has_a_strategy_or_is_simple() -> None:
    """A new screen is either added to SCREENS or rendered from number/status/count/until."""
    for name in Name:
        if name in SCREENS:
            continue
        for language in LANGUAGES:
            compose(Screen(name, {"number": "N", "status": "closed", "count": 1}), language)


@PROFILE
@given(
    screen=st.one_of(
        *(st.builds(Screen, st.just(name), params) for name, params in SCREENS.items()),
        st.builds(Screen, st.sampled_from([n for n in Name if n not in SCREENS]), SIMPLE),
    ),
    desk_name=st.text(max_size=40),
)
def test_every_screen_is_accepted_without_the_safety_net(screen: Screen, desk_name: str) -> None:
    for language in LANGUAGES:
        for part in compose(screen, language, desk_name=desk_name, zone=ZONE):
            accepted(part.text)
            for row in getattr(part.markup, "inline_keyboard", ()):
                for button in row:
                    assert button.text and len((button.callback_data or "").encode()) <= 64


# --- cards and what is built around them ----------------------------------------------------


cards = st.builds(
    CardView,
    number=numbers,
    kind=kinds,
    category=label,
    status=statuses,
    accept_due=st.just(NOW),
    first_reply_due=st.just(NOW),
    resolve_due=st.just(NOW),
    description=cleaned_long,
    company=st.one_of(st.none(), short.map(lambda s: s[:200])),
    contact=st.one_of(st.none(), short.map(lambda s: s[:100])),
    phone=st.one_of(st.none(), st.text(max_size=32)),
    uscc=st.one_of(st.none(), st.text(max_size=18)),
    evidence=st.integers(0, 20),
    accepted_by=st.one_of(st.none(), st.text(max_size=129)),
    accepted_at=st.one_of(st.none(), st.just(NOW)),
    last_reply=st.one_of(st.none(), long),
    waiting_since=st.one_of(st.none(), st.just(NOW)),
    resolution=st.one_of(st.none(), long),
    rating=st.one_of(st.none(), st.integers(1, 5)),
    reopen_count=st.integers(0, 10),
    pending=st.sampled_from([None, "transfer", "extension:10"]),
    transferred_to=st.one_of(st.none(), label),
    overdue=st.lists(
        st.tuples(
            st.sampled_from(["accept", "first_reply", "resolve"]),
            st.sampled_from(["3 个工作小时", "1.5 working days"]),  # the desk's own words
        ),
        max_size=3,
    ).map(tuple),
    history=st.lists(
        st.builds(
            Exchanged, department=st.one_of(st.none(), label), text=long, with_file=st.booleans()
        ),
        max_size=12,
    ).map(tuple),
)


@PROFILE
@given(card=cards, who=st.text(max_size=129), reason=long)
def test_cards_and_the_messages_around_them_fit(card: CardView, who: str, reason: str) -> None:
    for language in LANGUAGES:
        t = texts_for(language)
        body = card_text(card, language, ZONE)
        accepted(body)
        overflow = card_overflow(card)
        for part in overflow:
            accepted_plain(part)
        # Nothing of the description is lost: the card's part plus the parts below it.
        head, rest = cut(card.description, CARD_DESCRIPTION_LIMIT)
        assert html_escape(head) in body
        assert squeeze("".join(overflow)) == squeeze(rest)
        accepted(t.dispatch_card.format(card=body))
        who = html_escape(clip(who, NAME_LIMIT))
        accepted(t.dispatch_assigned.format(who=who, department="局" * 100, card=body))
        request = message_parts(
            t.transfer_request,
            reason,
            slot="reason",
            number=card.number,
            department="经济发展局",
            who=html_escape(who),
            card=body,
        )
        assert_parts(request, reason)


def assert_parts(parts: list[str], text: str, first_limit: int = MESSAGE_LIMIT) -> None:
    """Every part accepted, and all of ``text`` there, in order (blanks aside)."""
    shown = [
        accepted(part, first_limit if index == 0 else MESSAGE_LIMIT)
        for index, part in enumerate(parts)
    ]
    assert squeeze(text) in squeeze("".join(shown))


DROPPED = {"\r", "\u0333", "\u033f", "\u030a"} | {chr(c) for c in range(0x2028, 0x202F)}


def squeeze(text: str) -> str:
    """Text without what Telegram trims or drops and what splitting may move: blanks."""
    return "".join(ch for ch in text if not ch.isspace() and ord(ch) >= 32 and ch not in DROPPED)


# --- relays and notices -------------------------------------------------------------------------

RELAYS = {
    "ent_relay": {"department": "经济发展局", "number": "GX-1"},
    "ent_question": {"department": "经济发展局", "number": "GX-1"},
    "ent_resolved": {"department": "经济发展局", "number": "GX-1"},
    "dept_info_added": {"number": "GX-1"},
    "enterprise_says": {"number": "GX-1"},
    "enterprise_comment_dept": {"number": "GX-1"},
}
REASONS = {
    "transfer_rejected_dept": {"number": "GX-1"},
    "extension_rejected_dept": {"number": "GX-1", "due": "2026-12-04 12:00"},
    "ent_extension": {"number": "GX-1", "due": "2026-12-04 12:00"},
    "extension_request": {
        "number": "GX-1",
        "department": "经济发展局",
        "who": "张科员",
        "days": 3,
        "old_due": "2026-12-04 12:00",
        "new_due": "2026-12-09 12:00",
    },
}


@PROFILE
@given(text=long, field=st.sampled_from(sorted(RELAYS)), language=st.sampled_from(LANGUAGES))
def test_relays_and_notices_deliver_all_of_a_long_text(text: str, field: str, language: str):
    template = getattr(texts_for(language), field)
    assert_parts(message_parts(template, text, **RELAYS[field]), text)


@PROFILE
@given(text=long, field=st.sampled_from(sorted(REASONS)), language=st.sampled_from(LANGUAGES))
def test_reasons_are_delivered_whole(text: str, field: str, language: str):
    template = getattr(texts_for(language), field)
    assert_parts(message_parts(template, text, slot="reason", **REASONS[field]), text)


@PROFILE
@given(text=long, language=st.sampled_from(LANGUAGES))
def test_a_relayed_photo_gets_a_caption_that_fits_and_the_rest_as_text(text: str, language: str):
    t = texts_for(language)
    parts = message_parts(t.ent_relay, text, first_limit=CAPTION_LIMIT, department="D", number="N")
    assert_parts(parts, text, first_limit=CAPTION_LIMIT)


# --- reminders ---------------------------------------------------------------------------------


@PROFILE
@given(
    count=st.integers(1, 400),
    department=st.text(max_size=100),
    linked=st.booleans(),
    language=st.sampled_from(LANGUAGES),
)
def test_reminders_of_many_tickets_go_in_several_messages(
    count: int, department: str, linked: bool, language: str
) -> None:
    from types import SimpleNamespace

    from bot.config import load_settings
    from bot.core.sla import Schedule

    schedule = Schedule.from_settings(load_settings(None, environ={}).sla, "Asia/Shanghai")
    from bot.render.views import say_html
    from storage.models import Outbox

    t = texts_for(language)
    zone = ZoneInfo("Asia/Shanghai")
    card = Outbox(method="sendMessage", chat_id=-1002000000001, telegram_message_id=12345)
    lines = [t.chase_overdue_header.format(department=html_escape(department), count=count)]
    for n in range(count):
        ticket = SimpleNamespace(
            number=f"GX-20261127-{n:04d}",
            description=f"{department} 奖补资金 <迟迟> 不到位 " * 3,
            company_name=department or "某公司",
        )
        said = ticket_line(
            ticket=ticket,  # type: ignore[arg-type]
            category=department,
            spans=[("accept", timedelta(hours=n % 40 + 1)), ("resolve", timedelta(0))],
            overdue=n % 2 == 0,
            hours_per_day=schedule.hours_per_day,
            card=card if linked else None,
            linked=True,
            department=department if n % 3 == 0 else None,
            show_company=n % 5 == 0,
        )
        lines.append(say_html(said, language, zone)[0])
    messages = pack_lines(lines)
    for message in messages:
        accepted(message)
    assert sum(m.count("GX-2026") for m in messages) == count  # no line lost


# --- the helpers themselves -------------------------------------------------------------------


@PROFILE
@given(text=long, limit=st.integers(2, 5000))
def test_clip_and_split_count_like_telegram(text: str, limit: int) -> None:
    assert utf16_len(clip(text, limit)) <= max(limit, 1)
    parts = split_text(text, limit)
    assert all(utf16_len(p) <= limit for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


@PROFILE
@given(
    text=long,
    wrap=st.sampled_from(["{}", "<b>{}</b>", "<i>x</i>{}<b>y</b>"]),
    limit=st.integers(2, 4096),
)
def test_fit_html_always_fits_and_stays_valid(text: str, wrap: str, limit: int) -> None:
    html = wrap.format(html_escape(text) or "x")
    fitted = fit_html(html, limit)
    parsed = parse_html(fitted)
    assert utf16_len(parsed.text) <= limit
    if utf16_len(html) <= limit:
        assert fitted == html


def test_fit_html_cuts_nothing_that_fits_once_entities_are_shown() -> None:
    # Found by hypothesis: "&#x27;" (an escaped apostrophe) was counted as two units, so a
    # relayed caption that fitted was cut with "…" and the rest of the text lost.
    text = "'" * 700 + "😀" * 100
    html = html_escape(text)
    assert utf16_len(html) > 1024  # the source is longer than what Telegram shows
    assert fit_html(html, 900) == html  # 700 apostrophes + 100 emoji of two units each
    assert parse_html(fit_html(html, 899)).text.endswith("…")


def test_catalogues_have_the_new_texts_in_both_languages() -> None:
    for name in ("blocked_user", "rate_limited", "ticket_limit", "edit_not_applied"):
        assert getattr(ZH, name) and getattr(EN, name)
    # A blocked user's button press is answered with an alert: Telegram allows 200 characters.
    assert len(ZH.blocked_user) <= 200 and len(EN.blocked_user) <= 200


def test_the_worst_card_fits() -> None:
    """Every field at its longest, in astral emoji (two UTF-16 units each) and markup."""
    worst = CardView(
        number="GX-20261127-0001",
        kind="complaint",
        category=Label("类" * 100, "C" * 100),
        status="extension_requested",
        accept_due=NOW,
        first_reply_due=NOW,
        resolve_due=NOW,
        description="😀&" * 5000,
        company="😀" * 200,
        contact="😀" * 100,
        phone="&" * 32,
        uscc="<" * 18,
        evidence=20,
        accepted_by="😀" * 129,
        accepted_at=NOW,
        last_reply="😀" * 5000,
        waiting_since=NOW,
        resolution="😀" * 5000,
        rating=1,
        reopen_count=9,
        pending="extension:10",
        transferred_to=Label("部" * 100, "D" * 100),
        overdue=(("accept", "99 个工作日"), ("first_reply", "99 个工作日"), ("resolve", "9 天")),
        history=tuple(
            Exchanged(Label("部" * 100, "D" * 100), "😀&" * 3000, True) for _ in range(50)
        ),
    )
    for language in LANGUAGES:
        t = texts_for(language)
        body = card_text(worst, language, ZONE)
        accepted(body)
        accepted(t.dispatch_card.format(card=body))
        who = html_escape(clip("😀" * 129, NAME_LIMIT))  # as bot.core.tickets.assign writes it
        accepted(t.dispatch_assigned.format(who=who, department="部" * 100, card=body))
        reason = "😀" * 4096
        parts = message_parts(
            t.transfer_request,
            reason,
            slot="reason",
            number=worst.number,
            department="部" * 100,
            who="😀" * 129,
            card=body,
        )
        assert_parts(parts, reason)
        for part in card_overflow(worst):
            accepted_plain(part)


def test_a_long_carried_exchange_keeps_its_newest_messages_and_points_to_ticket() -> None:
    econ = Label("经济发展局", "Economic Development Bureau")
    history = tuple(
        Exchanged(econ if i % 2 == 0 else None, f"第{i}条：" + "说明" * 400, i % 3 == 0)
        for i in range(40)
    )
    card = CardView(
        number="GX-20261127-0001",
        kind="complaint",
        category=Label("政策兑现", "Policy"),
        status="assigned",
        accept_due=NOW,
        first_reply_due=NOW,
        resolve_due=NOW,
        description="去年的研发补贴至今未拨付。",
        company=None,
        contact=None,
        phone=None,
        uscc=None,
        evidence=3,
        history=history,
    )
    for language in LANGUAGES:
        t = texts_for(language)
        shown = accepted(card_text(card, language, ZONE))
        accepted(t.dispatch_card.format(card=card_text(card, language, ZONE)))
        assert "/ticket GX-20261127-0001" in shown
        assert "第39条" in shown and "第0条" not in shown  # the newest are kept
        assert shown.index("第38条") < shown.index("第39条")
