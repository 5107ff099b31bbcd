"""A ticket nobody accepts: the department is reminded, then the supervisor is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.core.sla import Schedule, add_working_days, next_working_moment
from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Ticket
from tests.e2e.test_filing_a_complaint import file_complaint


async def test_an_unaccepted_ticket_is_chased_then_escalated(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("严")
    await file_complaint(ent, category="政策兑现", description="奖补资金迟迟不到位")
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()

    def reminders() -> list[str]:
        return [m.text for m in scene.emulator.bot_messages(econ.id) if "催办" in m.content]

    # Half an hour after the acceptance deadline (or the next working moment after it:
    # the chaser keeps quiet outside working time, whenever this test happens to run).
    schedule = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone)

    def working(moment: datetime) -> datetime:
        return next_working_moment(moment, schedule) + timedelta(minutes=1)

    due = ticket.accept_due
    await scene.chase_at(working(due + timedelta(minutes=30)))
    [reminder] = reminders()
    # Named as what it is, counted as its lines, the ticket with its category and subject;
    # half an hour late reads as "不到 1 个工作小时", never "0 个工作小时".
    assert reminder.startswith("⏰ 经济发展局 催办：1 张工单已超期\n")
    assert f"• {ticket.number} · 政策兑现 · 奖补资金迟迟不到位" in reminder
    assert "签收已超期 不到 1 个工作小时" in reminder and " 0 个工作" not in reminder
    card = next(m for m in scene.emulator.bot_messages(econ.id) if "📋" in m.content)
    assert "⚠️ 签收已超期" in card.text  # the card shows it too, edited in place

    # The same run again: nothing new (无事不扰).
    await scene.chase_at(working(due + timedelta(minutes=35)))
    assert len(reminders()) == 1

    # Two working days later the supervisor chat is told (counted in working days: three
    # calendar days from a Thursday are barely one).
    await scene.chase_at(add_working_days(due, 3, schedule) + timedelta(minutes=1))
    escalation = scene.emulator.last_bot_message(dispatch.id)
    assert escalation.text.startswith("🚨 督办：1 张工单超期未办")
    assert f"• {ticket.number} · 经济发展局 · 政策兑现 · 奖补资金迟迟不到位" in escalation.text


async def test_the_weekly_summary_reaches_the_leadership_with_workbook_and_chart(
    scene: Scene,
) -> None:
    leaders = await scene.department_group("leaders", "管委会领导群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("钟")
    await file_complaint(ent, category="政策兑现", description="奖补资金迟迟不到位")
    # The Monday 09:00 two weeks on: last week's summary goes out on the chaser's run.
    zone = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone).zone
    today = datetime.now(zone).date()
    monday = today + timedelta(days=14 - today.weekday())
    moment = datetime.combine(monday, datetime.min.time(), zone) + timedelta(hours=9, minutes=1)
    await scene.chase_at(moment)
    summary, workbook, chart = scene.emulator.bot_messages(leaders.id)[-3:]
    assert "超期" in summary.text and "经济发展局" in summary.text
    assert workbook.document is not None and workbook.document["file_name"].endswith(".xlsx")
    assert chart.photo_file_id is not None
    assert workbook.reply_to_message_id == summary.message_id
    assert any(
        "奖补" not in m.content and "超期" in m.content
        for m in scene.emulator.bot_messages(econ.id)
    )
    # The group's ⏰ 催办 and 📅 weekly list of that minute say the same about the ticket.
    [reminder] = [m.text for m in scene.emulator.bot_messages(econ.id) if "催办" in m.content]
    [weekly] = [m.text for m in scene.emulator.bot_messages(econ.id) if "每周超期清单" in m.content]
    with transaction(scene.desk.engine) as session:
        number = session.exec(select(Ticket)).one().number
    said = reminder.split(f"• {number} · ", 1)[1].split("\n")[1].strip()
    assert said.startswith("签收已超期") and "；首次答复已超期" in said
    assert f"• {number} · {said}" in weekly.split("\n")
    await scene.chase_at(moment + timedelta(minutes=5))
    assert scene.emulator.bot_messages(leaders.id)[-3:] == [summary, workbook, chart]


async def test_admins_get_the_summary_on_demand(scene: Scene) -> None:
    chat = scene.admin.id
    scene.emulator.user_sends_text(scene.admin, chat, "/summary 2026-W48")
    await scene.settle()
    text, workbook, chart = scene.emulator.bot_messages(chat)[-3:]
    assert "2026-W48" in text.text and workbook.document is not None and chart.photo
    scene.emulator.user_sends_text(scene.admin, chat, "/summary next-week")
    await scene.settle()
    assert "用法：/summary" in scene.emulator.last_bot_message(chat).text
    visitor = scene.person("访客")
    await visitor.says("/summary")
    assert "只有受理台管理员" in visitor.last_reply().text
