"""A ticket nobody accepts: the department is reminded, then the supervisor is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.playground import Scene
from bot.sla import Schedule, next_working_moment
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
    before = len(scene.emulator.bot_messages(econ.id))

    # Half an hour after the acceptance deadline (or the next working moment after it:
    # the chaser keeps quiet outside working time, whenever this test happens to run).
    schedule = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone)

    def working(moment: datetime) -> datetime:
        return next_working_moment(moment, schedule) + timedelta(minutes=1)

    due = ticket.accept_due
    await scene.chase_at(working(due + timedelta(minutes=30)))
    reminder = scene.emulator.last_bot_message(econ.id)
    assert len(scene.emulator.bot_messages(econ.id)) == before + 1
    assert "到期提醒" in reminder.text and ticket.number in reminder.text
    assert "签收已超期" in reminder.text
    card = next(m for m in scene.emulator.bot_messages(econ.id) if "📋" in m.content)
    assert "⚠️ 签收已超期" in card.text  # the card shows it too, edited in place

    # The same run again: nothing new (无事不扰).
    await scene.chase_at(working(due + timedelta(minutes=35)))
    assert len(scene.emulator.bot_messages(econ.id)) == before + 1

    # Two working days later the supervisor chat is told.
    await scene.chase_at(working(due + timedelta(days=3)))
    escalation = scene.emulator.last_bot_message(dispatch.id)
    assert "督办" in escalation.text and "经济发展局" in escalation.text
    assert ticket.number in escalation.text
