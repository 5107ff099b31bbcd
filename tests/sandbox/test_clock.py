"""The time control: reminders and escalations fall due, and the weekly summary goes out."""

from __future__ import annotations

from sqlmodel import select

from bot.core.sla import working_time_between
from bot.devtools.sandbox.sandbox import Sandbox
from storage.db import transaction
from storage.models import Ticket
from tests.sandbox.api import Api


async def test_working_days_later_the_department_is_reminded_then_the_supervisor_told(
    api: Api, sandbox: Sandbox
) -> None:
    lin = await api.enterprise("林晓梅")
    await api.file_complaint(lin, category="政策兑现", text="奖补资金迟迟不到位")
    with transaction(sandbox.scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
    econ, dispatch = await api.group("econ"), await api.group("bizenv")
    before = sandbox.clock.now()

    answer = await api.post("/api/clock/advance", {"working_days": 1})
    assert answer["ok"] and answer["clock"]["offset_seconds"] > 0
    moved = working_time_between(before, sandbox.clock.now(), sandbox.clock.schedule)
    assert moved.total_seconds() >= 7 * 3600 - 60  # one working day of the [sla] hours
    # The reminder, whatever else the same run sent (a day on from a Thursday evening, the
    # weekly list lands after it).
    sent = [m["html"] for m in await api.bot_messages(econ["chat_id"])]
    [reminder] = [html for html in sent if html.startswith("⏰ <b>经济发展局</b>")]
    assert ticket.number in reminder and "超期" in reminder
    dated = (await api.bot_messages(econ["chat_id"]))[-1]["date"]
    assert abs(dated - sandbox.clock.now().timestamp()) < 5  # the message is dated on the clock
    assert (await api.state())["clock"]["offset_seconds"] == answer["clock"]["offset_seconds"]

    await api.post("/api/clock/advance", {"working_days": 2})
    told = [m["html"] for m in await api.bot_messages(dispatch["chat_id"])]
    assert any("督办" in html and ticket.number in html and "经济发展局" in html for html in told)


async def test_hours_move_the_clock_by_calendar_time(api: Api, sandbox: Sandbox) -> None:
    answer = await api.post("/api/clock/advance", {"hours": 2.5})
    assert abs(answer["clock"]["offset_seconds"] - 9000) < 5


async def test_the_weekly_summary_reaches_the_leadership_with_chart_and_workbook(
    api: Api,
) -> None:
    answer = await api.post("/api/weekly", {})
    leaders = await api.group("leaders")
    assert answer["chat_id"] == leaders["chat_id"]
    # Monday 09:01 (the [report] time plus a minute), or 09:00 of the next working day.
    assert answer["clock"]["now"][11:16] in ("09:01", "09:00")
    summary, workbook, chart = (await api.bot_messages(leaders["chat_id"]))[-3:]
    assert "每周超期通报" in summary["html"] and "<b>" in summary["html"]
    assert workbook["document"]["file_name"].endswith(".xlsx")
    xlsx = await api.client.get(workbook["document"]["url"])
    assert (await xlsx.read()).startswith(b"PK")  # a zip: the Excel workbook
    assert ".xlsx" in xlsx.headers["Content-Disposition"]
    png = await api.client.get(chart["photo"]["url"])
    assert png.content_type == "image/png" and (await png.read()).startswith(b"\x89PNG")

    # Pressing it again brings the next week's summary, not the same one twice.
    again = await api.post("/api/weekly", {})
    assert again["clock"]["offset_seconds"] > answer["clock"]["offset_seconds"]
    later = (await api.bot_messages(leaders["chat_id"]))[-3]
    assert "每周超期通报" in later["html"] and later["message_id"] != summary["message_id"]
