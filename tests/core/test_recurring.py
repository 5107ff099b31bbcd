"""高频诉求 (issue 16, part 5): the recurring problems in the weekly summary, on both databases.

Week 2026-W48 is Monday 2026-11-23 to Sunday 2026-11-29 in Shanghai (no holidays); the report
is made on Tuesday 2026-12-01 10:00, so "the last 4 weeks" run from Monday 2026-11-02. Working
hours are 09:00-12:00 and 13:30-17:30 (7 h a day). The groups are made directly (CommonGroup
rows and ``ticket.common_group_id``): finding similar tickets is another part of the issue.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.cli import EXIT_CONFIG, main
from bot.devtools.emulator.html_check import html_to_text
from bot.reports.report import WeeklyReport, build_weekly_report, plain_text, recurring_text
from storage import queries, reports
from storage.db import transaction
from storage.models import CommonGroup, Ticket
from storage.reports import RecurringProblem

ZONE = ZoneInfo("Asia/Shanghai")
W48 = date(2026, 11, 23)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Desk:
    """What the data set made: ids by name, and every identity it wrote (for the privacy test)."""

    groups: dict[str, int]
    departments: dict[str, int]
    identities: list[str]


def group(session, summary: str, **fields) -> int:
    """A 同类诉求 group as the other part of issue 16 stores it."""
    row = CommonGroup(summary=summary, created_at=NOW, updated_at=NOW, **fields)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


class Filer:
    """Tickets from numbered enterprises, each with its own identity."""

    def __init__(self, session, desk: Desk, prefix: str = "GX-R") -> None:
        self.session, self.desk, self.count, self.prefix = session, desk, 0, prefix
        self.category = queries.zone.list_categories(session=session)[0].id

    def ticket(
        self,
        enterprise: int,
        group_id: int | None,
        department: str | None,
        status: str,
        created_at: datetime,
        **times,
    ) -> Ticket:
        self.count += 1
        n = self.count
        reporter = queries.reporters.get_or_create_reporter(
            session=self.session, telegram_user_id=70_000 + enterprise
        )
        company, contact = f"海沧第{enterprise}精密机械有限公司", f"联系人甲{enterprise}号"
        phone, description = f"1390000{enterprise:04d}", f"原始描述第{n}条：门口的路又挖开了"
        self.desk.identities += [company, contact, phone, description]
        ticket = Ticket(
            number=f"{self.prefix}{n:03d}",
            kind="complaint",
            status=status,
            category_id=self.category,
            department_id=self.desk.departments[department] if department else None,
            reporter_id=reporter.id,
            description=description,
            company_name=company,
            contact_name=contact,
            phone=phone,
            route_reason="category",
            created_at=created_at,
            accept_due=created_at,
            first_reply_due=created_at,
            resolve_due=created_at,
            common_group_id=group_id,
            **times,
        )
        self.session.add(ticket)
        self.session.flush()
        return ticket


def load(engine) -> Desk:
    """The groups (ranked by hand in the comments):

    * 道路: 3 enterprises this week (enterprise 1 twice: counted once), 2 open / 2 settled,
      econ and planning; raised, planning confirmed to lead.
    * 排队: 2 enterprises this week, 3 tickets; raised, econ proposed (not confirmed).
    * 补贴: 3 enterprises filed this week; the only open one was unlinked by staff, so 2
      enterprises remain, both settled: its span ends at the last settlement.
    * 跨周: one enterprise the week before and one this week: not the week's (1 enterprise in
      the week), but the last 4 weeks' (2), open since the earlier filing.
    * 一家: one enterprise, three tickets: one enterprise is not a pattern.
    * 撤回: two enterprises, one of which withdrew: one remains, not listed.
    * 十月: two enterprises in October, before the 4 weeks: not listed.
    """
    with transaction(engine) as session:
        ids = {
            d.code: d.id for d in queries.zone.list_departments(session=session) if d.id is not None
        }
        desk = Desk(groups={}, departments=ids, identities=[])
        make = Filer(session, desk)
        g = desk.groups
        g["road"] = group(
            session, "园区道路反复开挖", raised_at=at(11, 25, 10),
            proposed_lead_department_id=ids["planning"], lead_department_id=ids["planning"],
            lead_confirmed_at=at(11, 25, 11), lead_confirmed_by=-100,
        )  # fmt: skip
        make.ticket(1, g["road"], "planning", "accepted", at(11, 23, 9))
        make.ticket(1, g["road"], "planning", "closed", at(11, 24, 9),
                    resolved_at=at(11, 25, 9), closed_at=at(11, 26, 9))  # fmt: skip
        make.ticket(2, g["road"], "econ", "resolved", at(11, 25, 9), resolved_at=at(11, 26, 9))
        make.ticket(3, g["road"], "econ", "assigned", at(11, 27, 9))

        g["queue"] = group(
            session, "政务大厅窗口排队一小时 <长>", raised_at=at(11, 26, 10),
            proposed_lead_department_id=ids["econ"],
        )  # fmt: skip
        make.ticket(4, g["queue"], "econ", "accepted", at(11, 24, 10))
        make.ticket(5, g["queue"], "econ", "accepted", at(11, 24, 11))
        make.ticket(5, g["queue"], None, "unrouted", at(11, 26, 11))

        g["subsidy"] = group(session, "同批次奖补资金迟迟未到账")
        make.ticket(6, g["subsidy"], "econ", "closed", at(11, 23, 9),
                    resolved_at=at(11, 23, 15), closed_at=at(11, 24, 9))  # fmt: skip
        make.ticket(7, g["subsidy"], "econ", "closed", at(11, 23, 10),
                    resolved_at=at(11, 24, 17, 30), closed_at=at(11, 25, 9))  # fmt: skip
        unlinked = make.ticket(8, g["subsidy"], "econ", "accepted", at(11, 23, 11))
        unlinked.common_group_id, unlinked.common_manual = None, True  # staff unlinked it

        g["boundary"] = group(session, "夜间施工噪音扰民")
        make.ticket(9, g["boundary"], "planning", "accepted", at(11, 18, 9))
        make.ticket(10, g["boundary"], "planning", "accepted", at(11, 24, 9))

        g["alone"] = group(session, "一家企业反复反映的问题")
        for day in (23, 24, 25):
            make.ticket(11, g["alone"], "econ", "accepted", at(11, day, 9))

        g["withdrawn"] = group(session, "撤回后只剩一家")
        make.ticket(12, g["withdrawn"], "econ", "accepted", at(11, 24, 9))
        make.ticket(13, g["withdrawn"], "econ", "withdrawn", at(11, 24, 10))

        g["october"] = group(session, "十月的老问题")
        make.ticket(14, g["october"], "econ", "closed", at(10, 20, 9), resolved_at=at(10, 21, 9))
        make.ticket(15, g["october"], "econ", "closed", at(10, 21, 9), resolved_at=at(10, 22, 9))
    return desk


def weekly(engine, settings, week: date = W48) -> WeeklyReport:
    with transaction(engine) as session:
        return build_weekly_report(session=session, settings=settings, week_start=week, now=NOW)


def ranking(engine, start: datetime, end: datetime, limit: int = 50) -> list[RecurringProblem]:
    with transaction(engine) as session:
        return reports.recurring_problems(
            session=session, start=start, end=end, min_enterprises=2, limit=limit
        )


def test_the_weeks_ranking_counts_enterprises_once_within_the_week(engine) -> None:
    desk = load(engine)
    g, ids = desk.groups, desk.departments
    week = ranking(engine, at(11, 23), at(11, 30))
    # Most enterprises first, then most tickets: 道路 (3), 排队 (2, 3 tickets), 补贴 (2, 2).
    assert [p.group_id for p in week] == [g["road"], g["queue"], g["subsidy"]]
    road, queue, subsidy = week
    # Enterprise 1 filed twice: three enterprises, four tickets.
    assert (road.enterprises, road.tickets, road.open, road.settled) == (3, 4, 2, 2)
    assert road.department_ids == tuple(sorted((ids["econ"], ids["planning"])))
    assert road.summary == "园区道路反复开挖" and road.lead_department_id == ids["planning"]
    assert road.still_open and road.first_filed == at(11, 23, 9)
    # Enterprise 5 twice, once still unrouted: the departments are only the assigned ones.
    assert (queue.enterprises, queue.tickets, queue.open, queue.department_ids) == (
        2, 3, 3, (ids["econ"],)
    )  # fmt: skip
    assert queue.raised_at == at(11, 26, 10) and queue.lead_department_id is None
    # The unlinked open ticket no longer counts: all that remains is settled.
    assert (subsidy.enterprises, subsidy.tickets, subsidy.open, subsidy.settled) == (2, 2, 0, 2)
    assert not subsidy.still_open and subsidy.last_settled == at(11, 24, 17, 30)
    # One enterprise is not a pattern; a withdrawn ticket is not a report; the boundary group
    # has one enterprise in this week.
    assert {g["alone"], g["withdrawn"], g["boundary"]}.isdisjoint(p.group_id for p in week)


def test_a_group_spanning_the_week_boundary_is_in_the_last_four_weeks(engine) -> None:
    g = load(engine).groups
    recent = ranking(engine, at(11, 2), at(11, 30))
    assert [p.group_id for p in recent] == [g["road"], g["queue"], g["boundary"], g["subsidy"]]
    boundary = recent[2]
    assert (boundary.enterprises, boundary.tickets, boundary.open) == (2, 2, 2)
    assert boundary.first_filed == at(11, 18, 9)  # open since the earlier week's filing
    # The week before W48 alone: one enterprise of it.
    assert ranking(engine, at(11, 16), at(11, 23)) == []
    # October's group is found in October, never in the last four weeks.
    assert [p.group_id for p in ranking(engine, at(10, 1), at(11, 1))] == [g["october"]]
    # Bounded: the first two only.
    assert [p.group_id for p in ranking(engine, at(11, 2), at(11, 30), limit=2)] == [
        g["road"],
        g["queue"],
    ]


def test_the_weekly_summary_says_which_problems_keep_coming_back(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings)
    html = report.html
    assert len(html) <= 4096 and html_to_text(html) == report.text
    section = html[html.index("🔁") :]
    lines = section.split("\n")
    assert lines[0] == "🔁 <b>高频诉求</b>（2 家及以上企业反映的同类问题，按企业数排序）"
    assert lines[1] == "<b>本周</b>（2026-11-23 至 2026-11-29 提交）："
    # 道路: open since Mon 11-23 09:00 to Tue 12-01 10:00 = 6 days × 7 h + 1 h = 43 h.
    assert lines[2:4] == [
        "1. 园区道路反复开挖",
        "   3 家企业 · 4 件｜经济发展局、规划建设局｜处理中 2 / 已办结 2｜牵头：规划建设局"
        "｜已持续 6.1 个工作日",
    ]
    # 排队: open since Tue 11-24 10:00: 6 h + 3 days + 1 day + 1 h = 35 h = 5 days.
    assert lines[4:6] == [
        "2. 政务大厅窗口排队一小时 &lt;长&gt;",  # escaped
        "   2 家企业 · 3 件｜经济发展局｜处理中 3｜已列为共性问题，建议牵头：经济发展局（待确认）"
        "｜已持续 5 个工作日",
    ]
    # 补贴: filed 11-23 09:00, last settled 11-24 17:30: two working days, all settled.
    assert lines[6:8] == [
        "3. 同批次奖补资金迟迟未到账",
        "   2 家企业 · 2 件｜经济发展局｜已办结 2｜历时 2 个工作日，已全部办结",
    ]
    assert lines[8] == "<b>近 4 周</b>（2026-11-02 至 2026-11-29 提交）："
    # 跨周: open since Wed 11-18 09:00: 3 + 5 + 1 working days + 1 h = 64 h = 9.1 days.
    assert lines[13:15] == [
        "3. 夜间施工噪音扰民",
        "   2 家企业 · 2 件｜规划建设局｜处理中 2｜已持续 9.1 个工作日",
    ]
    assert "一家企业反复反映" not in html and "十月" not in html and "撤回" not in html
    assert report.metrics.recurring.week[0].enterprises == 3


def test_no_recurring_problem_is_one_line(engine, settings) -> None:
    load(engine)
    report = weekly(engine, settings, week=date(2026, 10, 5))  # nothing grouped then
    assert report.metrics.recurring.empty
    assert report.html.endswith("\n\n🔁 高频诉求：本周及近 4 周没有 2 家及以上企业反映的同类问题。")
    sheet = load_workbook(io.BytesIO(report.xlsx))["高频诉求"]
    assert sheet["A3"].value == "🔁 高频诉求：本周及近 4 周没有 2 家及以上企业反映的同类问题。"
    assert sheet.max_row == 3


def test_the_section_survives_a_long_message(engine, settings, monkeypatch) -> None:
    """A message too long for Telegram is cut in the overdue list (the workbook has it all),
    never in the 高频诉求 section after it."""
    from bot.reports import report as report_module

    desk = load(engine)
    monkeypatch.setattr(report_module, "SUMMARY_OVERDUE_LINES", 500)  # a list that cannot fit
    with transaction(engine) as session:
        make = Filer(session, desk, prefix="GX-20261124-LONG-")
        for n in range(150):
            make.ticket(100 + n, None, "econ", "assigned", at(11, 24, 9))
    report = weekly(engine, settings)
    assert len(report.html) <= 4096
    assert "GX-20261124-LONG-001" in report.html and "完整数据见附件表格" in report.html
    assert "GX-20261124-LONG-150" not in report.html  # cut …
    assert report.html.endswith(  # … before the section, which is whole
        "4. 同批次奖补资金迟迟未到账\n"
        "   2 家企业 · 2 件｜经济发展局｜已办结 2｜历时 2 个工作日，已全部办结"
    )
    assert "1. 园区道路反复开挖" in report.html


def test_the_workbook_has_a_sheet_of_its_own(engine, settings) -> None:
    g = load(engine).groups
    book = load_workbook(io.BytesIO(weekly(engine, settings).xlsx))
    sheet = book["高频诉求"]
    assert sheet["A1"].value.startswith(
        "高频诉求：2 家及以上企业反映的同类问题（数据截至 2026-12-01"
    )
    assert [c.value for c in sheet[2]] == [
        "范围", "排名", "问题概要", "企业数", "工单数", "涉及部门", "处理中", "已办结",
        "牵头部门", "已列为共性问题", "首次反映", "持续（工作日）", "仍在处理",
    ]  # fmt: skip
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("本周", 1, "园区道路反复开挖"),
        ("本周", 2, "政务大厅窗口排队一小时 <长>"),  # whole, unescaped: a cell is not HTML
        ("本周", 3, "同批次奖补资金迟迟未到账"),
        ("近 4 周", 1, "园区道路反复开挖"),
        ("近 4 周", 2, "政务大厅窗口排队一小时 <长>"),
        ("近 4 周", 3, "夜间施工噪音扰民"),
        ("近 4 周", 4, "同批次奖补资金迟迟未到账"),
    ]
    road = rows[0]
    assert road[3:9] == (3, 4, "经济发展局、规划建设局", 2, 2, "规划建设局")
    assert road[9] == datetime(2026, 11, 25, 10, 0) and road[10] == datetime(2026, 11, 23, 9, 0)
    assert abs(road[11] - 43 / 7) < 0.01 and road[12] == "是"
    subsidy = rows[2]
    # An empty cell: no lead, not raised.
    assert subsidy[3:10] == (2, 2, "经济发展局", 0, 2, None, None) and subsidy[12] == "否"
    assert subsidy[11] == 2.0
    assert sheet.cell(3, 11).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(3, 12).number_format == "0.0"
    assert len(g) == 7


def test_the_chart_gets_a_band(engine, settings) -> None:
    from bot.reports import report as report_module

    load(engine)
    calm = weekly(engine, settings, week=date(2026, 10, 5))
    busy = weekly(engine, settings)
    assert busy.png[:8] == b"\x89PNG\r\n\x1a\n"
    # The band is drawn from the last 4 weeks' ranking (tests/core/test_weekly_chart.py
    # measures it on a phone); without a recurring problem there is no band at all.
    captured: list[str] = []
    original = report_module._text

    def spy(axes, x, y, text, **style):
        captured.append(text)
        original(axes, x, y, text, **style)

    report_module._text = spy
    try:
        weekly(engine, settings)
        assert "高频诉求（近 4 周）" in captured
        assert "园区道路反复开挖" in captured and "3 家企业 · 4 件 · 处理中 2" in captured
        assert "2 家企业 · 2 件 · 已全部办结" in captured
        captured.clear()
        weekly(engine, settings, week=date(2026, 10, 5))
        assert not any("高频诉求" in said for said in captured)
    finally:
        report_module._text = original
    assert calm.png != busy.png


def test_no_identity_reaches_the_section(engine, settings, db_url, monkeypatch, capsys) -> None:
    """The section names problems, never who reported them: no company, contact, phone or
    complaint text in the message, the sheet or the CLI's output."""
    desk = load(engine)
    report = weekly(engine, settings)
    section = report.text[report.text.index("🔁") :]
    sheet = load_workbook(io.BytesIO(report.xlsx))["高频诉求"]
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    assert main(["report", "common", "--since", "2026-11-01"]) == 0
    printed = capsys.readouterr().out
    for identity in desk.identities:
        for said in (section, cells, printed):
            assert identity not in said
    for said in (section, cells, printed):
        assert "海沧" not in said and "联系人" not in said and "1390000" not in said
        assert "原始描述" not in said and "GX-R" not in said  # nor the tickets' numbers


def test_report_common_prints_the_ranking(engine, settings, db_url, monkeypatch, capsys) -> None:
    load(engine)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    assert main(["report", "common", "--since", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("🔁 高频诉求 2026-11-23 至 ")
    assert "<b>" not in out and "&lt;" not in out  # plain text
    assert "1. 园区道路反复开挖\n   3 家企业 · 4 件｜经济发展局、规划建设局｜" in out
    assert "2. 政务大厅窗口排队一小时 <长>" in out
    # Since a day before the boundary group's first filing: it is listed, with both enterprises.
    assert main(["report", "common", "--since", "2026-11-18"]) == 0
    assert "夜间施工噪音扰民\n   2 家企业 · 2 件" in capsys.readouterr().out
    # The default is four weeks before today: this data set is years in the past by then or
    # in the future; either way the command answers, and says when nothing recurred.
    with transaction(engine) as session:
        html = recurring_text(session=session, settings=settings, since=date(2027, 1, 1), now=NOW)
    assert plain_text(html).endswith("\n（无）")
    assert main(["report", "common"]) == 0
    assert "🔁 高频诉求" in capsys.readouterr().out


def test_report_common_refuses_bad_input_politely(db_url, settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    for bad in ("2026-13-01", "last week", "2026/11/01", ""):
        assert main(["report", "common", "--since", bad]) == EXIT_CONFIG, bad
        err = capsys.readouterr().err
        assert f"--since: {bad!r} is not a date; write it like " in err
        assert "Traceback" not in err
    assert main(["report", "common", "--since", "2999-01-01"]) == EXIT_CONFIG
    assert "is after today" in capsys.readouterr().err
    assert main(["report", "common", "--week", "2026-W48"]) == EXIT_CONFIG
    assert "`report common` takes --since" in capsys.readouterr().err
    assert main(["report", "weekly", "--since", "2026-11-01"]) == EXIT_CONFIG
    assert "`report weekly` takes --week" in capsys.readouterr().err


def test_report_common_without_a_database(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert main(["report", "common"]) == 3
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_an_english_desk_reads_it_in_english(engine, settings) -> None:
    load(engine)
    english = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"default_language": "en"})}
    )
    report = weekly(engine, english)
    assert (
        "🔁 <b>Recurring problems</b> (the same problem from 2 or more enterprises, "
        "most enterprises first)"
    ) in report.html
    assert "<b>This week</b> (filed 2026-11-23 to 2026-11-29):" in report.html
    assert ("   3 enterprises · 4 tickets | Economic Development Bureau, ") in report.html
    assert "| 2 in progress / 2 resolved | led by " in report.html
    assert "| 2 resolved | took 2 working day(s), all resolved" in report.html
    book = load_workbook(io.BytesIO(report.xlsx))
    assert book["Recurring"]["A3"].value == "This week"


def test_many_departments_are_counted_and_a_huge_section_still_fits(engine, settings) -> None:
    """A message line names three departments and counts the rest (the sheet names them all);
    a section too long for one message loses its last groups, never its validity."""
    long = "（" + "很长的名称" * 18 + "）"
    codes = ("econ", "planning", "tax", "market", "fire")
    with transaction(engine) as session:
        for department in queries.zone.list_departments(session=session):
            if department.code in codes:
                department.name = (department.name + long)[:100]
                session.add(department)
        ids = {
            d.code: d.id for d in queries.zone.list_departments(session=session) if d.id is not None
        }
        desk = Desk(groups={}, departments=ids, identities=[])
        make = Filer(session, desk)
        for g in range(8):
            group_id = group(session, f"第{g}个跨部门的共性问题，" + "描述" * 30)
            for n, code in enumerate(codes):
                make.ticket(10 * g + n, group_id, code, "accepted", at(11, 24, 9))
    report = weekly(engine, settings)
    html = report.html
    assert len(html) <= 4096 and html_to_text(html) == report.text  # valid, whole tags
    assert "🔁 <b>高频诉求</b>" in html and "\n1. 第0个跨部门的共性问题，描述" in html
    assert " 等 5 个部门｜处理中 5｜" in html
    assert html.endswith("（内容较长，完整数据见附件表格）")
    sheet = load_workbook(io.BytesIO(report.xlsx))["高频诉求"]
    assert sheet["F3"].value.count("、") == 4  # all five departments
    assert sheet.max_row == 2 + 8 + 8  # every group, in both windows
