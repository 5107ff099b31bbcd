"""The weekly overdue summary (每周超期通报) on a known data set, on both databases.

Week 2026-W48 is Monday 2026-11-23 to Sunday 2026-11-29 in Shanghai (no holidays); the
report is made on Tuesday 2026-12-01 10:00. Working hours are 09:00-12:00 and 13:30-17:30
(7 h a day). Every number below is worked out by hand in the comments.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import EXIT_CONFIG, main
from bot.devtools.emulator.html_check import html_to_text
from bot.render.texts import texts_for
from bot.reports import metrics
from bot.reports import report as report_module
from bot.reports.metrics import Rate
from bot.reports.report import (
    CJK_SAMPLE,
    WeeklyReport,
    build_weekly_report,
    cjk_font,
    parse_week,
    previous_week,
)
from storage import queries, reports
from storage.db import transaction
from storage.models import Ticket, TicketEvent
from storage.reports import Clock

ZONE = ZoneInfo("Asia/Shanghai")
W48 = date(2026, 11, 23)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


def add_ticket(session, number: str, department: str | None, status: str, **times) -> Ticket:
    reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=4242)
    category = queries.zone.list_categories(session=session)[0]
    dept = (
        queries.zone.get_department_by_code(session=session, code=department)
        if department
        else None
    )
    ticket = Ticket(
        number=number,
        kind="complaint",
        status=status,
        category_id=category.id,
        department_id=dept.id if dept else None,
        reporter_id=reporter.id,
        description="测试",
        company_name="某某科技有限公司",
        contact_name="张三",
        phone="13800000000",
        route_reason="category",
        **times,
    )
    session.add(ticket)
    session.flush()
    return ticket


def rate(session, ticket: Ticket, stars: int, when: datetime) -> None:
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=when,
            actor="enterprise",
            action="rate_satisfied" if stars >= 3 else "rate_poor",
            detail={"rating": stars},
        )
    )


def load(engine) -> dict[str, int]:
    """The data set; returns the department ids by code."""
    with transaction(engine) as session:
        # --- econ (A) ---------------------------------------------------------------
        a1 = add_ticket(  # all on time, resolved in the week, rated 5
            session, "A1", "econ", "closed",
            created_at=at(11, 23, 9), accept_due=at(11, 23, 11), accepted_at=at(11, 23, 10),
            first_reply_due=at(11, 23, 17, 30), first_reply_at=at(11, 23, 15),
            resolve_due=at(11, 30, 9), resolved_at=at(11, 26, 10), rating=5,
        )  # fmt: skip
        rate(session, a1, 5, at(11, 26, 12))
        add_ticket(  # accepted and answered late; resolution overdue since 12-01 09:00 (1 h)
            session, "A2", "econ", "accepted",
            created_at=at(11, 24, 9), accept_due=at(11, 24, 11), accepted_at=at(11, 24, 14),
            first_reply_due=at(11, 24, 17, 30), first_reply_at=at(11, 25, 9, 30),
            resolve_due=at(12, 1, 9),
        )  # fmt: skip
        add_ticket(  # filed the week before; resolved late in the week
            session, "A3", "econ", "resolved",
            created_at=at(11, 19, 10), accept_due=at(11, 19, 12), accepted_at=at(11, 19, 11),
            first_reply_due=at(11, 20, 10), first_reply_at=at(11, 19, 15),
            resolve_due=at(11, 26, 10), resolved_at=at(11, 27, 10),
        )  # fmt: skip
        add_ticket(  # Sunday night: received this week, judged next week; overdue now
            session, "A4", "econ", "assigned",
            created_at=at(11, 29, 22), accept_due=at(11, 30, 11),
            first_reply_due=at(11, 30, 17, 30), resolve_due=at(12, 7, 9),
        )  # fmt: skip
        add_ticket(  # withdrawn before anyone accepted it: received, never judged
            session, "A5", "econ", "withdrawn",
            created_at=at(11, 25, 9), accept_due=at(11, 25, 11),
            first_reply_due=at(11, 25, 17, 30), resolve_due=at(12, 2, 9),
        )  # fmt: skip
        # --- tax (B) ----------------------------------------------------------------
        add_ticket(  # nobody touched it: all three clocks overdue
            session, "B1", "tax", "assigned",
            created_at=at(11, 23, 14), accept_due=at(11, 23, 16),
            first_reply_due=at(11, 24, 14), resolve_due=at(11, 30, 14),
        )  # fmt: skip
        add_ticket(  # on time, then waiting for the enterprise: resolution clock paused
            session, "B2", "tax", "waiting_info",
            created_at=at(11, 25, 10), accept_due=at(11, 25, 12), accepted_at=at(11, 25, 11, 59),
            first_reply_due=at(11, 26, 10), first_reply_at=at(11, 25, 16),
            resolve_due=at(11, 30, 10), waiting_since=at(11, 26, 9),
        )  # fmt: skip
        b3 = add_ticket(  # rated 1 (reopened), resolved again on time, rated 4
            session, "B3", "tax", "closed",
            created_at=at(11, 16, 10), accept_due=at(11, 16, 12), accepted_at=at(11, 16, 11),
            first_reply_due=at(11, 17, 10), first_reply_at=at(11, 16, 14),
            resolve_due=at(11, 30, 10), resolved_at=at(11, 26, 15), rating=4, reopen_count=1,
        )  # fmt: skip
        rate(session, b3, 1, at(11, 23, 10))
        rate(session, b3, 4, at(11, 27, 9))
        # --- market (C) -------------------------------------------------------------
        add_ticket(  # Friday evening: received; its clocks fall next week and were kept
            session, "C1", "market", "accepted",
            created_at=at(11, 27, 17), accept_due=at(11, 30, 10, 30), accepted_at=at(11, 30, 9, 10),
            first_reply_due=at(11, 30, 17), first_reply_at=at(11, 30, 10),
            resolve_due=at(12, 4, 17),
        )  # fmt: skip
        c2 = add_ticket(  # filed the week before; resolved on time in the week; rated 3 on Sunday
            session, "C2", "market", "closed",
            created_at=at(11, 20, 9), accept_due=at(11, 20, 11), accepted_at=at(11, 20, 10),
            first_reply_due=at(11, 20, 17, 30), first_reply_at=at(11, 20, 16),
            resolve_due=at(11, 27, 9), resolved_at=at(11, 27, 8), rating=3,
        )  # fmt: skip
        rate(session, c2, 3, at(11, 29, 20))
        c3 = add_ticket(  # created on the first instant of the week; rated on the first of the next
            session, "C3", "market", "closed",
            created_at=at(11, 23, 0), accept_due=at(11, 23, 11), accepted_at=at(11, 23, 10),
            first_reply_due=at(11, 23, 17, 30), first_reply_at=at(11, 23, 16),
            resolve_due=at(11, 30, 9), resolved_at=at(11, 24, 10), rating=5,
        )  # fmt: skip
        rate(session, c3, 5, at(11, 30, 0))
        add_ticket(  # filed a minute before the week; accepted exactly at the deadline
            session, "C4", "market", "accepted",
            created_at=at(11, 22, 23, 59), accept_due=at(11, 23, 11), accepted_at=at(11, 23, 11),
            first_reply_due=at(11, 23, 17, 30), first_reply_at=at(11, 23, 17, 31),
            resolve_due=at(11, 30, 9),
        )  # fmt: skip
        # --- nobody's (left for the dispatcher) ----------------------------------------
        add_ticket(
            session, "U1", None, "unrouted",
            created_at=at(11, 26, 9), accept_due=at(11, 26, 11),
            first_reply_due=at(11, 26, 17, 30), resolve_due=at(12, 3, 9),
        )  # fmt: skip
        ids = {
            d.code: d.id for d in queries.zone.list_departments(session=session) if d.id is not None
        }
        # A name that needs escaping in HTML.
        market = queries.zone.get_department_by_code(session=session, code="market")
        market.name = "市场监管局 <R&D>"
        session.add(market)
    return ids


def weekly(engine, settings, week: date = W48, now: datetime = NOW) -> WeeklyReport:
    with transaction(engine) as session:
        return build_weekly_report(session=session, settings=settings, week_start=week, now=now)


EXPECTED = {
    # received, accept judged/on time, reply judged/on time, resolved/on time,
    # overdue tickets, overdue accept/reply/resolve, rated/satisfied/bad
    "econ": (4, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 0),
    "tax": (2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1),
    "market": (2, 2, 2, 2, 1, 2, 2, 1, 0, 0, 1, 1, 1, 0),
    None: (1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0),
}
FIELDS = (
    "received",
    "accept_due",
    "accept_on_time",
    "reply_due",
    "reply_on_time",
    "resolved",
    "resolved_on_time",
    "overdue",
    "overdue_accept",
    "overdue_reply",
    "overdue_resolve",
    "rated",
    "satisfied",
    "bad",
)


def test_counts_per_department_and_totals(engine, settings) -> None:
    ids = load(engine)
    report = weekly(engine, settings)
    counts = report.metrics.counts
    assert set(counts) == {ids["econ"], ids["tax"], ids["market"], None}
    for code, expected in EXPECTED.items():
        got = counts[ids[code] if code else None]
        assert tuple(getattr(got, name) for name in FIELDS) == expected, code
    # The oldest overdue deadline per department.
    assert counts[ids["econ"]].oldest_due == at(11, 30, 11)  # A4 acceptance
    assert counts[ids["tax"]].oldest_due == at(11, 23, 16)  # B1 acceptance
    assert counts[ids["market"]].oldest_due == at(11, 30, 9)  # C4 resolution
    assert counts[None].oldest_due == at(11, 26, 11)  # U1 acceptance

    totals = report.metrics.totals
    assert tuple(getattr(totals, name) for name in FIELDS) == (
        9, 7, 4, 7, 3, 5, 4, 5, 3, 3, 3, 4, 3, 1
    )  # fmt: skip
    assert totals.accept_rate == Rate(4, 7)
    assert totals.reply_rate == Rate(3, 7)
    assert totals.resolve_rate.percent() == "80%"
    assert totals.satisfaction.percent() == "75%"
    assert totals.oldest_due == at(11, 23, 16)
    assert counts[ids["econ"]].accept_rate.percent() == "50%"
    assert counts[ids["market"]].accept_rate.percent() == "100%"
    assert counts[None].reply_rate.percent() == "0%"


def test_overdue_list_oldest_first_in_working_time(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings)
    items = [(item.number, item.clock) for item in report.metrics.overdue]
    assert items == [
        ("B1", Clock.ACCEPT),  # 11-23 16:00
        ("B1", Clock.FIRST_REPLY),  # 11-24 14:00
        ("U1", Clock.ACCEPT),  # 11-26 11:00
        ("U1", Clock.FIRST_REPLY),  # 11-26 17:30
        ("C4", Clock.RESOLVE),  # 11-30 09:00
        ("A4", Clock.ACCEPT),  # 11-30 11:00
        ("B1", Clock.RESOLVE),  # 11-30 14:00
        ("A4", Clock.FIRST_REPLY),  # 11-30 17:30
        ("A2", Clock.RESOLVE),  # 12-01 09:00
    ]
    assert report.metrics.overdue_unlisted == 0
    # B2 waits for the enterprise: its passed resolution deadline is not overdue.
    assert "B2" not in {item.number for item in report.metrics.overdue}
    # The list is bounded; the aggregate still counts everything.
    with transaction(engine) as session:
        first = reports.overdue_items(session=session, now=NOW, limit=3)
    assert [item.number for item in first] == ["B1", "B1", "U1"]
    assert first[0].due == at(11, 23, 16) and first[0].created_at == at(11, 23, 14)


def test_current_week_judges_only_deadlines_already_passed(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings, week=date(2026, 11, 30))
    totals = report.metrics.totals
    # Due in [11-30 00:00, 12-01 10:00): A4 and C1 acceptance and first answer.
    assert (totals.accept_due, totals.accept_on_time) == (2, 1)
    assert (totals.reply_due, totals.reply_on_time) == (2, 1)
    assert (totals.received, totals.resolved, totals.rated) == (0, 0, 1)  # C3's rating
    # A week that has not started yet judges nothing.
    later = weekly(engine, settings, week=date(2026, 12, 7)).metrics.totals
    assert (later.accept_due, later.received, later.overdue) == (0, 0, 5)


def test_leadership_message(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings)
    html = report.html
    assert len(html) <= 4096
    assert html_to_text(html) == report.text  # valid Telegram HTML, strictly escaped
    assert html.startswith("📊 <b>每周超期通报</b> 2026-W48（2026-11-23 至 2026-11-29）")
    assert "数据截至 2026-12-01 10:00" in html
    assert "受理 9 件｜签收及时率 57.1% (4/7)｜首次答复及时率 42.9% (3/7)" in html
    assert "办结 5 件｜按时办结率 80% (4/5)" in html
    assert "当前超期 5 件，最久 5.4 个工作日" in html  # B1: 37.5 working hours
    assert "满意率 75%（评价 4 次，差评 1 次）" in html
    assert (
        "• <b>经济发展局</b>：受理 4｜签收 50% (1/2)｜答复 50% (1/2)｜"
        "办结 2，按时 50% (1/2)｜超期 2（最久 6 个工作小时）｜满意 100%｜差评 0"
    ) in html
    assert (
        "• <b>未分派</b>：受理 1｜签收 0% (0/1)｜答复 0% (0/1)｜办结 0，按时 —｜"
        "超期 1（最久 2.9 个工作日）｜满意 —｜差评 0" in html
    )
    assert "市场监管局 &lt;R&amp;D&gt;" in html and "<R&D>" not in html
    # Each late clock with its own lateness, worded as the reminders word it.
    assert (
        "• B1 · 税务局 · 签收已超期 5.4 个工作日；首次答复已超期 4.6 个工作日；"
        "办结已超期 5 个工作小时"
    ) in html
    assert "• U1 · 未分派 · 签收已超期 2.9 个工作日；首次答复已超期 2.1 个工作日" in html
    # Departments with nothing this week are one sentence, not fifteen lines of zeros.
    assert "个部门本周无工单、无超期" in html


def test_department_lists_only_where_something_is_overdue(engine, settings) -> None:
    ids = load(engine)
    report = weekly(engine, settings)
    lists = report.department_lists
    # U1 belongs to no department: the dispatcher (营商环境办) gets it.
    assert set(lists) == {ids["econ"], ids["tax"], ids["market"], ids["bizenv"]}
    econ = lists[ids["econ"]]
    assert "每周超期清单" in econ and "共 2 张" in econ and econ.count("\n• ") == 2
    assert "• A4 · 签收已超期 6 个工作小时；首次答复已超期 1 个工作小时" in econ
    assert "• A2 · 办结已超期 1 个工作小时" in econ
    assert econ.index("A4") < econ.index("A2")
    assert "<b>市场监管局 &lt;R&amp;D&gt;</b>" in lists[ids["market"]]
    assert "U1" in lists[ids["bizenv"]] and "B1" not in lists[ids["bizenv"]]
    assert all(len(text) <= 4096 for text in lists.values())
    for text in lists.values():
        html_to_text(text)  # valid Telegram HTML, strictly escaped


def test_long_department_list_is_cut_within_the_limit(engine, settings) -> None:
    load(engine)
    with transaction(engine) as session:
        for n in range(150):
            add_ticket(
                session, f"GX-20261124-{n:04d}", "fire", "assigned",
                created_at=at(11, 24, 9), accept_due=at(11, 24, 11),
                first_reply_due=at(11, 24, 17, 30), resolve_due=at(12, 1, 9),
            )  # fmt: skip
        fire = queries.zone.get_department_by_code(session=session, code="fire").id
    report = weekly(engine, settings)
    text = report.department_lists[fire]
    assert len(text) <= 4096
    assert "共 150 张" in text and "完整数据见附件表格" in text
    assert len(report.html) <= 4096
    assert report.metrics.totals.overdue == 155


def test_workbook_matches_the_numbers(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings)
    book = load_workbook(io.BytesIO(report.xlsx))
    assert book.sheetnames == ["汇总", "超期明细", "高频诉求"]  # the last: issue 16
    summary = book["汇总"]
    assert "2026-W48" in summary["A1"].value
    header = [cell.value for cell in summary[2]]
    assert header[:5] == ["部门", "受理", "应签收", "按时签收", "签收及时率"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=3)}
    total = rows["合计"]
    values = [cell.value for cell in total]
    assert values[1:5] == [9, 7, 4, pytest.approx(4 / 7)]
    assert total[4].number_format == "0.0%"
    assert values[5:8] == [7, 3, pytest.approx(3 / 7)]
    assert values[8:11] == [5, 4, pytest.approx(0.8)]
    assert values[11:15] == [5, 3, 3, 3]
    assert values[15] == pytest.approx(37.5 / 7, abs=0.01)
    assert values[16:20] == [4, 3, pytest.approx(0.75), 1]
    market = [cell.value for cell in rows["市场监管局 <R&D>"]]
    assert market[1:5] == [2, 2, 2, 1.0]
    assert market[9:11] == [2, 1.0]
    unassigned = [cell.value for cell in rows["未分派"]]
    assert unassigned[8] == 0 and unassigned[10] == "—"  # nothing resolved: no rate
    # Handling departments with nothing are rows of zeros (a zero is news too).
    assert 13 <= len(rows) - 1 <= 15

    detail = book["超期明细"]
    assert [cell.value for cell in detail[1]][:3] == ["工单编号", "承办部门", "超期环节"]
    lines = list(detail.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 9
    number, department, clock, due, hours, days, status, created = lines[0]
    assert (number, department, clock) == ("B1", "税务局", "签收")
    assert (hours, days) == (37.5, pytest.approx(5.36))
    assert due == datetime(2026, 11, 23, 16, 0) and created == datetime(2026, 11, 23, 14, 0)
    assert status == texts_for("zh").status_names["assigned"]
    assert lines[2][1] == "未分派"
    assert detail["E2"].number_format == "0.0"


def test_chart_is_a_png_with_a_cjk_font(engine, settings) -> None:
    load(engine)
    font = cjk_font()
    if font is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font installed; .ci/run must install fonts-wqy-microhei")
        pytest.skip("no CJK font on this machine (scripts/test.sh installs fonts-wqy-microhei)")
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" when it would draw a box (tofu).
        warnings.simplefilter("error")
        report = weekly(engine, settings)
    assert report.font == font
    png = report.png
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1080 and height > width  # portrait, for a phone (test_weekly_chart.py)
    assert len(png) > 10_000


def _without_cjk(monkeypatch) -> None:
    """Make matplotlib's font list forget every font with Chinese glyphs."""
    from matplotlib import font_manager

    def cjk(path: str) -> bool:
        charmap = font_manager.get_font(path).get_charmap()
        return all(ord(char) in charmap for char in CJK_SAMPLE)

    # A cache written before the CJK font was installed still lists matplotlib's own
    # "Last Resort" font, whose charmap claims every character (and draws boxes).
    kept = [
        entry
        for entry in font_manager.fontManager.ttflist
        if entry.name.startswith("Last Resort") or not cjk(entry.fname)
    ]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)


def test_font_installed_after_matplotlibs_cache_is_still_found(monkeypatch) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    _without_cjk(monkeypatch)
    found = cjk_font.__wrapped__()  # found on disk and added, not the box-drawing fallback
    assert found is not None and not found.startswith("Last Resort")


def test_no_cjk_font_warns_and_still_draws(engine, settings, monkeypatch, caplog) -> None:
    from matplotlib import font_manager

    _without_cjk(monkeypatch)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *args, **kwargs: [])
    assert cjk_font.__wrapped__() is None
    assert "no font with Chinese glyphs" in caplog.text
    load(engine)
    monkeypatch.setattr(report_module, "cjk_font", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing-glyph warnings are the point here
        report = weekly(engine, settings)
    assert report.font is None and report.png[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_without_data_still_renders(engine, settings) -> None:
    report = weekly(engine, settings, week=date(2020, 1, 6))
    assert report.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert report.department_lists == {}
    assert "目前没有超期工单" in report.html


def test_english_desk(engine, settings) -> None:
    load(engine)
    english = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"default_language": "en"})}
    )
    report = weekly(engine, english)
    assert "<b>Weekly overdue summary</b> 2026-W48" in report.html
    assert "acceptance overdue by 5.4 working day(s); first answer overdue by" in report.html
    assert load_workbook(io.BytesIO(report.xlsx)).sheetnames == ["Summary", "Overdue", "Recurring"]


def test_cli_writes_both_files(engine, db_url, settings, tmp_path: Path, monkeypatch, capsys):
    load(engine)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    out = tmp_path / "out"
    assert main(["report", "weekly", "--week", "2026-W48", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "每周超期通报 2026-W48" in printed and "<b>" not in printed
    assert "&lt;" not in printed and "• B1 · 税务局 · " in printed  # plain text
    xlsx, png = out / "weekly-2026-W48.xlsx", out / "weekly-2026-W48.png"
    assert load_workbook(xlsx).sheetnames == ["汇总", "超期明细", "高频诉求"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["report", "weekly", "--week", "2025-W53", "--out", str(out)]) == EXIT_CONFIG
    assert "2025 has no ISO week 53" in capsys.readouterr().err


def test_weeks() -> None:
    assert parse_week("2026-W48") == W48
    assert parse_week("2026w48") == W48
    assert parse_week("2026-W53") == date(2026, 12, 28)  # 2026 starts on a Thursday
    for bad in ("2025-W53", "2026-48", "W48", "2026-W00"):
        with pytest.raises(ValueError):
            parse_week(bad)
    # Monday 00:30 in Shanghai is still Sunday in UTC: the zone decides the week.
    assert previous_week(at(11, 30, 0, 30), ZONE) == W48
    assert previous_week(at(12, 6, 23, 59), ZONE) == W48
    with pytest.raises(ValueError):
        metrics.Week(date(2026, 11, 24), ZONE)


def test_rates_and_thresholds() -> None:
    from bot.core import lifecycle

    assert Rate(0, 0).percent() == "—" and Rate(0, 0).value is None
    assert Rate(2, 3).percent() == "66.7%"
    assert Rate(0, 5).percent() == "0%"
    # The report's "satisfied" is the same line that closes a ticket.
    assert metrics.SATISFIED_FROM is lifecycle.SATISFIED_FROM == 3
    assert metrics.BAD_UP_TO == 2
