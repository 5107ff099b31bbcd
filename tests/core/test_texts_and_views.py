"""Texts in both languages, and rendering that Telegram always accepts."""

from __future__ import annotations

import string
from dataclasses import fields
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.screens import Label, Name, Screen
from bot.devtools.emulator.html_check import parse_html
from bot.render.texts import EN, ZH, language_from_telegram
from bot.render.views import MESSAGE_LIMIT, CardView, card_overflow, card_text, render, split_text

FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in FORMATTER.parse(template) if name}


def test_every_text_has_the_same_placeholders_in_both_languages() -> None:
    for field in fields(ZH):
        zh, en = getattr(ZH, field.name), getattr(EN, field.name)
        if isinstance(zh, tuple):
            assert len(zh) == len(en), field.name  # column headers: plain labels
            continue
        if isinstance(zh, dict):
            assert zh.keys() == en.keys(), field.name
            for key in zh:
                assert placeholders(zh[key]) == placeholders(en[key]), (field.name, key)
        else:
            assert placeholders(zh) == placeholders(en), field.name


def test_every_html_text_is_valid_telegram_html() -> None:
    for catalogue in (ZH, EN):
        for field in fields(catalogue):
            if field.name.startswith(("menu_", "btn_")):
                continue  # button labels are plain text, never parsed as HTML
            value = getattr(catalogue, field.name)
            if isinstance(value, tuple):
                continue  # spreadsheet column headers, never sent as HTML
            for template in value.values() if isinstance(value, dict) else [value]:
                filled = template.format(**dict.fromkeys(placeholders(template), "x"))
                parse_html(filled)  # raises on anything Telegram would refuse


def test_language_from_telegram_codes() -> None:
    assert language_from_telegram("zh-hans") == "zh"
    assert language_from_telegram("en-US") == "en"
    assert language_from_telegram("de") == "zh"
    assert language_from_telegram(None) == "zh"


user_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6000)


@settings(max_examples=60, deadline=None)
@given(description=user_text, company=user_text, contact=st.text(max_size=300))
def test_cards_are_always_accepted_by_telegram(description: str, company: str, contact: str):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    card = CardView(
        number="GX-20261127-0001",
        kind="complaint",
        category=Label("其他", "Other"),
        status="assigned",
        accept_due=now,
        first_reply_due=now,
        resolve_due=now,
        description=description,
        company=company,
        contact=contact or None,
        phone="1",
        uscc=None,
        evidence=2,
    )
    for language in ("zh", "en"):
        parsed = parse_html(card_text(card, language, ZoneInfo("Asia/Shanghai")))
        assert len(parsed.text.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
    shown = parse_html(card_text(card, "zh", ZoneInfo("Asia/Shanghai"))).text
    rest = "".join(card_overflow(card))
    # Nothing of a long description is lost: card + overflow parts hold all of it.
    assert len(rest) + min(len(description), 2500) >= len(description.strip()) - 2
    assert all(len(part) <= MESSAGE_LIMIT for part in card_overflow(card))
    assert shown


@settings(max_examples=60, deadline=None)
@given(description=user_text, company=user_text)
def test_summary_is_always_accepted(description: str, company: str) -> None:
    screen = Screen(
        Name.SUMMARY,
        {
            "kind": "complaint",
            "category": Label("其他", "Other"),
            "description": description,
            "files": 1,
            "company": company,
            "uscc": None,
            "contact": company[:50],
            "phone": "13800138000",
            "visibility": "none",
        },
    )
    for language in ("zh", "en"):
        [rendered] = render(screen, language)
        assert len(parse_html(rendered.text).text) <= MESSAGE_LIMIT


@given(st.text(max_size=20000))
def test_split_text_keeps_everything_within_limits(text: str) -> None:
    parts = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert (
        "".join(parts).replace("\n", "")
        == text.replace("\n", "")[: len("".join(parts).replace("\n", ""))]
    )


def test_a_screen_shows_its_times_in_the_desks_zone_and_an_unrouted_department() -> None:
    moment = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    screen = Screen(
        Name.MY_LIST,
        {
            "tickets": [
                {
                    "id": 1,
                    "number": "GX-20261127-0001",
                    "category": Label("其他", "Other"),
                    "department": None,
                    "status": "unrouted",
                    "updated": moment,
                }
            ]
        },
    )
    for language, catalogue in (("zh", ZH), ("en", EN)):
        [rendered] = render(screen, language, zone=ZoneInfo("Asia/Shanghai"))
        shown = parse_html(rendered.text).text
        assert "2026-11-27 10:00" in shown
        assert catalogue.unrouted_department in shown
