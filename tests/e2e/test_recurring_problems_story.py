"""Leadership sees the patterns (issue 16, part 5): /summary shows an admin the 高频诉求.

Three enterprises complain about the same water outage; the desk links them into one 同类诉求
group (done here directly in the database: finding and linking similar tickets is another
part of the issue). An admin's /summary for the week names the problem, how many
enterprises reported it, the department and the status — never an enterprise. Anyone else
asking gets the usual refusal.
"""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlmodel import select

from bot.devtools.playground import Scene
from bot.reports.metrics import Week
from storage.db import transaction
from storage.models import CommonGroup, Ticket
from storage.types import utcnow
from tests.e2e.test_filing_a_complaint import file_complaint

COMPANIES = ("厦门海沧甲精密机械有限公司", "厦门海沧乙生物科技有限公司", "厦门海沧丙物流有限公司")


async def test_admins_see_the_recurring_problems_in_the_summary(scene: Scene) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    for name, company in zip(("甲", "乙", "丙"), COMPANIES, strict=True):
        await file_complaint(
            scene.person(name),
            category="要素保障（水电气/用地）",
            description=f"{name}厂区所在的园区二期又停水了，一周三次，影响生产",
            company=company,
            uscc=None,
        )
    with transaction(scene.desk.engine) as session:
        tickets = list(session.exec(select(Ticket)))
        group = CommonGroup(summary="园区二期反复停水", created_at=utcnow(), updated_at=utcnow())
        session.add(group)
        session.flush()
        for ticket in tickets:
            ticket.common_group_id = group.id
            session.add(ticket)
        filed = tickets[0].created_at
    assert len(tickets) == 3
    # The week they were filed in (this week: the admin asks before it is over).
    zone = ZoneInfo(scene.desk.settings.desk.timezone)
    day = filed.astimezone(zone).date()
    week = Week(day - timedelta(days=day.weekday()), zone).label

    chat = scene.admin.id
    scene.emulator.user_sends_text(scene.admin, chat, f"/summary {week}")
    await scene.settle()
    text, workbook, chart = scene.emulator.bot_messages(chat)[-3:]
    assert "🔁 高频诉求" in text.text
    lines = text.text.split("\n")
    first = lines.index("1. 园区二期反复停水")
    assert lines[first + 1].startswith("   3 家企业 · 3 件｜")
    assert "｜经济发展局｜处理中 3｜已持续 " in lines[first + 1]
    for identity in (*COMPANIES, "林经理", "13800138000", "又停水了"):
        assert identity not in text.text[text.text.index("🔁") :]
    sheet = load_workbook(io.BytesIO(scene.emulator.file_bytes(workbook.document_file_id)))
    rows = list(sheet["高频诉求"].iter_rows(min_row=3, values_only=True))
    assert rows[0][:5] == ("本周", 1, "园区二期反复停水", 3, 3)
    assert chart.photo

    # Not an admin: the refusal every admin command gives, and no summary.
    visitor = scene.person("访客")
    await visitor.says(f"/summary {week}")
    assert "只有受理台管理员" in visitor.last_reply().text
    assert not any("高频诉求" in m.text for m in scene.emulator.bot_messages(visitor.user.id))
