"""The reminders' wording (docs/reminders.md): one chaser run, read as the groups read it.

The examples in docs/reminders.md are this run's messages; the test fails when they drift.
``DIANXIAOER_WRITE_DOCS=1`` rewrites them.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

from bot.render.texts import texts_for
from bot.render.views import working_duration
from tests.core.test_chaser import cst, make_ticket, run, sent

DOC = Path(__file__).resolve().parents[2] / "docs" / "reminders.md"
BEGIN = "<!-- examples: begin (tests/core/test_reminder_wording.py) -->"
END = "<!-- examples: end -->"


def test_durations_read_as_a_person_says_them() -> None:
    t = texts_for("zh")
    said = [working_duration(t, timedelta(hours=h), 7) for h in (0, 0.4, 1, 1.6, 8, 13.4, 14, 33)]
    assert said == [
        "不到 1 个工作小时",  # never "0 个工作小时", which reads as not late
        "不到 1 个工作小时",
        "1 个工作小时",
        "2 个工作小时",
        "8 个工作小时",  # not "1.1 个工作日"
        "13 个工作小时",
        "2 个工作日",
        "4.7 个工作日",
    ]


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_one_run_reads_as_documented(engine, settings) -> None:
    make_ticket(
        engine, number="GX-20261123-0001", department="econ", category="policy",
        description="奖补资金迟迟不到位，已申报三个月仍未拨付，企业资金周转困难",
        company_name="厦门海沧精密机械有限公司", share_company=True,
        accept_due=cst(23, 9, 30), first_reply_due=cst(23, 16),
    )  # fmt: skip
    make_ticket(
        engine, number="GX-20261124-0002", department="econ",
        description="园区道路施工夜间噪音扰民", company_name="不愿公开的公司",
        accept_due=cst(24, 9, 45),
    )  # fmt: skip
    make_ticket(
        engine, number="GX-20261124-0003", department="econ",
        description="厂房消防验收排期太久", accept_due=cst(24, 10, 20),
    )  # fmt: skip
    make_ticket(
        engine, number="GX-20261119-0004", department="tax",
        description="留抵退税申请三周无人受理", company_name="海沧新材料科技有限公司",
        accept_due=cst(19, 10),
    )  # fmt: skip
    run(engine, settings, cst(24, 10))
    messages = [
        plain(row.payload["text"])
        for purpose in ("reminder", "escalation")
        for row in sent(engine, purpose)
    ]
    econ = next(text for text in messages if text.startswith("⏰ 经济发展局"))
    lines = econ.split("\n")
    # Overdue first (催办), then due soon (临期提醒); each header counts its ticket lines.
    assert lines[0] == "⏰ 经济发展局 催办：2 张工单已超期"
    assert lines[1] == (
        "• GX-20261123-0001 · 政策兑现 · 奖补资金迟迟不到位，已申报三个月仍未拨付，企业…"
        "（厦门海沧精密机械有限公司）"
    )
    assert lines[2] == "　签收已超期 8 个工作小时；首次答复已超期 3 个工作小时"
    assert lines[3].startswith("• GX-20261124-0002 · ") and "不愿公开" not in econ
    assert lines[4] == "　签收已超期 不到 1 个工作小时"
    assert lines[6] == "⏳ 经济发展局 临期提醒：1 张工单即将到期"
    assert lines[8] == "　签收还剩 不到 1 个工作小时"
    escalation = next(text for text in messages if text.startswith("🚨 督办"))
    assert escalation.startswith("🚨 督办：1 张工单超期未办")
    assert "• GX-20261119-0004 · 税务局 · " in escalation
    assert "（海沧新材料科技有限公司）" in escalation  # the office's own chat sees the company
    for text in (econ, escalation):
        assert " 0 个工作" not in text and "1.1 个工作日" not in text
    block = "\n\n".join(f"```text\n{text}\n```" for text in messages)
    document = DOC.read_text(encoding="utf-8")
    generated = f"{BEGIN}\n{block}\n{END}"
    if os.environ.get("DIANXIAOER_WRITE_DOCS") == "1":
        head, rest = document.split(BEGIN, 1)
        DOC.write_text(head + generated + rest.split(END, 1)[1], encoding="utf-8")
        document = DOC.read_text(encoding="utf-8")
    assert generated in document
