"""Telegram's front end answering an outage with nginx's HTML "502 Bad Gateway" page.

An HTTP status is an answer: nothing was delivered. Every such call is retried, never
counted toward ``max_attempts`` and never left ``uncertain`` — a filing, the weekly summary
and a reminder all arrive once each, and edits wait the outage out too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.core.sla import Schedule
from bot.delivery.outbox import NOTICE
from bot.devtools.emulator import Fault, server_error, to_chat
from bot.devtools.playground import Scene, desk_on_emulator
from tests.e2e.test_department_work import member
from tests.faults.conftest import delivered, fault_settings, file_directly, outbox, texts, until
from tests.faults.test_bot_api_outages import up_to_confirmation

BAD_GATEWAY = Fault(502, "Bad Gateway", html=True)


def front_end_502s(scene: Scene) -> list[int]:
    return [
        i
        for i, call in enumerate(scene.emulator.api_calls)
        if call.error_code == 502 and call.description == "Bad Gateway"
    ]


async def test_a_burst_of_502_pages_while_an_enterprise_files(scene: Scene) -> None:
    await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("严")
    await up_to_confirmation(ent)
    acknowledgement = lambda params: "已受理" in str(params.get("text"))  # noqa: E731
    scene.emulator.faults.extend(
        [
            server_error("sendMessage", html=True, times=3, where=acknowledgement),
            server_error("sendMessage", html=True, times=3, where=to_chat(econ.id)),
        ]
    )
    await ent.taps("✅ 提交")
    await delivered(scene)

    acks = [t for t in texts(scene, ent.chat_id) if "已受理" in t]
    assert len(acks) == 1
    [row] = [r for r in outbox(scene) if r.purpose == "ack"]
    with scene.desk.work(None) as session:
        from storage import queries

        ticket = queries.tickets.get_ticket(session=session, ticket_id=row.ticket_id or 0)
        assert ticket is not None
        number = ticket.number
    assert number in acks[0]  # the enterprise has its ticket number
    assert len([t for t in texts(scene, econ.id) if number in t]) == 1  # one card
    assert len(front_end_502s(scene)) == 6
    rows = outbox(scene)
    assert {r.status for r in rows} == {"sent"}
    assert not [r for r in rows if r.purpose == NOTICE]  # nothing to tell the dispatcher
    card = next(r for r in rows if r.purpose == "card")
    assert card.attempts == 4 and card.failures == 0  # three 502s, none counted


async def test_a_502_outage_around_the_weekly_summary_and_a_reminder(scene: Scene) -> None:
    desk = await scene.department_group("bizenv", "营商环境办 督办群")
    leaders = await scene.department_group("leaders", "管委会领导群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    number = file_directly(scene, scene.person("钟"))
    await delivered(scene)
    before = {chat: len(scene.emulator.bot_messages(chat)) for chat in (desk.id, econ.id)}
    first_new = len(outbox(scene))

    # From just before Monday 09:00 the Bot API is down: every call meets nginx's page.
    outage = True

    def down(method: str, params: dict[str, Any]) -> Fault | None:
        return BAD_GATEWAY if outage and method != "getUpdates" else None

    scene.emulator.faults.append(down)
    zone = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone).zone
    today = datetime.now(zone).date()
    monday = today + timedelta(days=14 - today.weekday())
    moment = datetime.combine(monday, datetime.min.time(), zone) + timedelta(hours=9, minutes=1)
    await scene.chase_at(moment)
    due = outbox(scene)[first_new:]
    purposes = Counter(r.purpose for r in due)
    assert purposes["weekly"] >= 2 and purposes["reminder"] == 1, purposes

    def every_chat_met_the_outage_twice() -> bool:
        heads: dict[int | None, int] = {}  # the first row of each chat's line: its attempts
        for row in outbox(scene)[first_new:]:
            heads.setdefault(row.chat_id, row.attempts)
        return all(attempts >= 2 for attempts in heads.values())

    await until(every_chat_met_the_outage_twice, timeout=20)
    assert all(r.status == "pending" for r in outbox(scene)[first_new:])  # none given up
    outage = False
    await delivered(scene, timeout=30)

    rows = outbox(scene)
    assert {r.status for r in rows} == {"sent"}
    assert not [r for r in rows if r.purpose == NOTICE]
    assert all(r.failures == 0 for r in rows)
    summary, workbook, chart = scene.emulator.bot_messages(leaders.id)[-3:]
    assert "超期" in summary.text
    assert workbook.document is not None and workbook.document["file_name"].endswith(".xlsx")
    assert chart.photo_file_id is not None
    assert len(scene.emulator.bot_messages(leaders.id)) == 4  # /bind answer + the three, once
    to_econ = texts(scene, econ.id)[before[econ.id] :]
    assert len([t for t in to_econ if "催办" in t and number in t]) == 1  # the reminder
    assert len([t for t in to_econ if "每周超期清单" in t and number in t]) == 1  # its weekly list
    desk_texts = texts(scene, desk.id)[before[desk.id] :]
    assert not [t for t in desk_texts if "投递" in t]  # no delivery trouble to report
    assert len(front_end_502s(scene)) >= 2 * len({r.chat_id for r in due})  # met, waited out


@pytest.fixture
async def few_attempts(migrated_db_url: str, settings: Settings) -> AsyncIterator[Scene]:
    """A desk that gives up after two counted failures."""
    base = fault_settings(settings)
    sender = base.sender.model_copy(update={"max_attempts": 2})
    async with desk_on_emulator(
        base.model_copy(update={"sender": sender}), database_url=migrated_db_url
    ) as running:
        yield running
    assert running.emulator.internal_errors == []


async def test_edits_wait_out_502_pages_without_using_up_their_attempts(
    few_attempts: Scene,
) -> None:
    scene = few_attempts
    econ = await scene.department_group("econ", "经济发展局 工单群")
    number = file_directly(scene, scene.person("严"))
    await delivered(scene)
    scene.emulator.faults.append(server_error("editMessageText", html=True, times=3))
    staff = member(scene, econ.id, "张科长")
    await staff.taps("✅ 签收", chat_id=econ.id)
    await delivered(scene)

    card = next(m for m in scene.emulator.bot_messages(econ.id) if number in m.content)
    assert card.edit_count == 1 and "张科长" in card.text  # made, after three 502 pages
    [edit] = [r for r in outbox(scene) if r.purpose == "card_edit"]
    assert edit.status == "sent"
    assert edit.attempts == 4 and edit.failures == 0  # more calls than max_attempts allows
    assert len(front_end_502s(scene)) == 3
