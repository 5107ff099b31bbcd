"""The weekly chart as leadership sees it on a phone: 1080 px wide, shown ~360 px wide.

Rendered from a week with a spread of departments (late, on time, nothing due, 0%); the test
measures the text the renderer laid out. ``DIANXIAOER_WRITE_CHART=1`` also writes the image
to docs/images/weekly-chart.png (the one the docs show).
"""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime
from itertools import combinations
from pathlib import Path

from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from bot.config import load_settings
from bot.core.sla import Schedule
from bot.render.texts import texts_for
from bot.reports.metrics import DepartmentCounts, Recurring, Week, WeeklyMetrics
from bot.reports.report import (
    CHART_DPI,
    CHART_WIDTH_PX,
    DepartmentRow,
    chart_figure,
    chart_sections,
    cjk_font,
)
from storage.reports import RecurringProblem

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "weekly-chart.png"
#: Smallest text a phone reader can read, in pixels of the 360 px-wide view.
PHONE_MIN_PX = 10
PHONE_WIDTH_PX = 360


def week_with_late_departments(language: str):
    settings = load_settings(None)
    schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in the zone
    counts = {
        1: DepartmentCounts(received=6, accept_due=5, accept_on_time=1, reply_due=5,
                            reply_on_time=2, resolved=2, resolved_on_time=1, overdue=4,
                            overdue_accept=3, oldest_due=datetime(2026, 11, 23, 3, tzinfo=UTC)),
        2: DepartmentCounts(received=3, accept_due=3, accept_on_time=3, reply_due=3,
                            reply_on_time=3, resolved=3, resolved_on_time=3),
        3: DepartmentCounts(received=1, accept_due=1, accept_on_time=0, reply_due=0, overdue=1,
                            overdue_accept=1, oldest_due=datetime(2026, 11, 27, 6, tzinfo=UTC)),
        4: DepartmentCounts(received=2, accept_due=2, accept_on_time=2, reply_due=2,
                            reply_on_time=1, overdue=2, overdue_resolve=2,
                            oldest_due=datetime(2026, 11, 28, 1, tzinfo=UTC)),
    }  # fmt: skip
    names = {1: "经济发展局", 2: "税务局", 3: "市场监督管理局知识产权与标准化科", 4: "消防救援大队"}
    if language == "en":
        names = {1: "Economic Development", 2: "Tax", 3: "Market Regulation IP", 4: "Fire"}
    metrics = WeeklyMetrics(
        week=Week(date(2026, 11, 23), schedule.zone),
        now=now,
        counts=counts,
        overdue=[],
        recurring=recurring_problems(language),
    )
    rows = [DepartmentRow(i, names[i], counts[i]) for i in counts]
    return metrics, rows, texts_for(language), schedule


def recurring_problems(language: str) -> Recurring:
    """高频诉求 of the last 4 weeks: a long summary, a settled group, five rows (the band's
    most)."""
    summaries = [
        "园区主干道反复开挖两年仍未完工，影响货车进出和员工通勤",
        "政务大厅社保窗口排队超过一小时",
        "同批次高新技术企业奖补资金迟迟未到账",
        "夜间施工噪音扰民",
        "电费账单异常",
    ]
    if language == "en":
        summaries = [
            "The main road of the park dug up again and again for two years",
            "An hour-long queue at the social insurance window",
            "A batch of subsidies late for everyone",
            "Night-time construction noise",
            "Odd electricity bills",
        ]
    spread = [(12, 15, 9), (5, 6, 0), (4, 4, 2), (3, 3, 3), (2, 2, 1)]
    problems = tuple(
        RecurringProblem(
            group_id=n, summary=summary, enterprises=enterprises, tickets=tickets, open=still,
            settled=tickets - still, department_ids=(1, 4), still_open=bool(still),
            first_filed=datetime(2026, 11, 3, 2, tzinfo=UTC), last_settled=None, raised_at=None,
            proposed_lead_department_id=None, lead_department_id=None,
        )
        for n, (summary, (enterprises, tickets, still)) in enumerate(
            zip(summaries, spread, strict=True), start=1
        )
    )  # fmt: skip
    return Recurring(week=problems[:2], recent=problems)


def texts(figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]


def test_the_chart_reads_on_a_phone() -> None:
    for language in ("zh", "en"):
        metrics, rows, t, schedule = week_with_late_departments(language)
        font = cjk_font()
        figure = chart_figure(chart_sections(metrics, rows, t, schedule), font)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=CHART_DPI)
        image = Image.open(io.BytesIO(out.getvalue()))
        width, height = image.size
        assert width == CHART_WIDTH_PX and height > width  # portrait, a phone's shape
        renderer = figure.canvas.get_renderer()
        labels = texts(figure)
        said = [label.get_text() for label in labels]
        shown = PHONE_WIDTH_PX / CHART_WIDTH_PX
        for label in labels:
            # Every label is at least PHONE_MIN_PX tall once the phone shrinks the image.
            assert label.get_fontsize() * CHART_DPI / 72 * shown >= PHONE_MIN_PX, label
            box = label.get_window_extent(renderer)
            assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, label
        bars = [p.get_window_extent(renderer) for p in figure.findobj(Rectangle) if p.axes]
        for label in labels:
            box = label.get_window_extent(renderer)
            inside = [
                bar for bar in bars if bar.contains((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
            ]  # a cell's own value
            assert inside or not any(box.overlaps(bar) for bar in bars), label.get_text()
        for a, b in combinations(labels, 2):
            assert not a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer)), (
                a.get_text(),
                b.get_text(),
            )
        if language == "zh":
            # Ranked by lateness: most overdue first; the week's totals are on it.
            names = [s for s in said if s in {"经济发展局", "消防救援大队", "税务局"}]
            assert names[:3] == ["经济发展局", "消防救援大队", "税务局"]
            assert "本周受理 12 件，办结 5 件" in said
            assert "当前超期 7 张，最久 4.9 个工作日" in said
            assert "4 张 · 最久 4.9 个工作日" in said
            # No data reads "—", distinct from a real 0%, and is explained.
            assert "—" in said and "0%" in said
            assert any("不是 0%" in s for s in said)
            assert (
                "市场监督管理局知识产权与标…" in said
            )  # long names are shortened, not overlapping
            # 高频诉求: the last 4 weeks' ranking, most enterprises first, summaries shortened.
            assert "高频诉求（近 4 周）" in said
            assert "园区主干道反复开挖两年仍未完工，影响货车进出和员工…" in said
            assert "12 家企业 · 15 件 · 处理中 9" in said
            assert "5 家企业 · 6 件 · 已全部办结" in said
            band = said.index("高频诉求（近 4 周）")
            assert said.index("本周按时率") < band  # the last band
            if os.environ.get("DIANXIAOER_WRITE_CHART") == "1":
                DOCS_IMAGE.write_bytes(out.getvalue())


def test_a_week_with_nothing_overdue_draws_no_missing_glyph() -> None:
    import warnings

    metrics, rows, t, schedule = week_with_late_departments("zh")
    calm = {i: DepartmentCounts(received=1, accept_due=1, accept_on_time=1) for i in (1, 2)}
    metrics = WeeklyMetrics(week=metrics.week, now=metrics.now, counts=calm, overdue=[])
    rows = [DepartmentRow(i, f"部门{i}", calm[i]) for i in calm]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)": a box on the phone
        figure = chart_figure(chart_sections(metrics, rows, t, schedule), cjk_font())
        figure.savefig(io.BytesIO(), format="png", dpi=CHART_DPI)
    said = [label.get_text() for label in texts(figure)]
    assert "当前没有超期工单" in said and said.count("无超期") == 2
    assert not any("高频诉求" in s for s in said)  # no problem recurred: no band at all
