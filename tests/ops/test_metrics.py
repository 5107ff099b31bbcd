"""/metrics after real stories: what Prometheus reads equals what the database holds."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.core.clocks import running_clocks
from bot.core.lifecycle import Status
from bot.devtools.emulator import flood_wait, to_chat
from bot.devtools.emulator.faults import Fault, limited
from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Department, Outbox, Ticket
from tests.e2e.test_department_work import filed, member
from tests.faults.conftest import delivered, file_directly
from tests.ops.conftest import scrape, value

PREFIX = "dianxiaoer_"


def tickets(scene: Scene) -> list[Ticket]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(Ticket)))


async def test_a_filed_and_accepted_ticket_shows_in_the_metrics(
    scene: Scene, ops: TestClient[Any, Any]
) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    await scene.department_group("planning", "规划建设局 工单群")
    zhang = member(scene, econ.id, "张科员")
    first = await filed(scene, scene.person("许总"))
    await filed(
        scene,
        scene.person("林"),
        category="政务服务/审批",
        description="施工许可证审批拖了三个月，材料补了四次。",
    )
    await zhang.taps("✅ 签收", chat_id=econ.id)

    samples = await scrape(ops)
    assert value(samples, PREFIX + "database_up") == 1
    handled = sum(v for (name, _), v in samples.items() if name == PREFIX + "updates_handled_total")
    assert handled >= 20  # every message and tap of two filings, the binds and the acceptance
    assert value(samples, PREFIX + "updates_handled_total", kind="callback_query") > 0
    assert value(samples, PREFIX + "handler_seconds_count", kind="message") == value(
        samples, PREFIX + "updates_handled_total", kind="message"
    )
    in_db = Counter(t.status for t in tickets(scene))
    assert in_db == Counter({"accepted": 1, "assigned": 1})
    for state in Status:
        assert value(samples, PREFIX + "tickets", state=state.value) == in_db[state.value]
    assert value(samples, PREFIX + "outbox_backlog", status="pending") == 0
    assert value(samples, PREFIX + "outbox_oldest_pending_seconds") == 0
    assert first in {t.number for t in tickets(scene) if t.status == "accepted"}

    # Past every deadline: each open ticket is overdue on each clock still running, counted
    # per department as bot/core/clocks counts them.
    later = max(t.resolve_due for t in tickets(scene)) + timedelta(minutes=1)
    scene.desk.clock = lambda: later
    samples = await scrape(ops)
    with transaction(scene.desk.engine) as session:
        codes = {d.id: d.code for d in session.exec(select(Department))}
    expected = Counter(
        (codes[t.department_id], clock)
        for t in tickets(scene)
        for clock, deadline in running_clocks(t)
        if deadline <= later
    )
    assert expected == Counter(
        {
            ("econ", "first_reply"): 1,  # accepted, not answered yet
            ("econ", "resolve"): 1,
            ("planning", "accept"): 1,
            ("planning", "first_reply"): 1,
            ("planning", "resolve"): 1,
        }
    )
    overdue = {
        (dict(labels)["department"], dict(labels)["clock"]): v
        for (name, labels), v in samples.items()
        if name == PREFIX + "overdue_tickets"
    }
    assert overdue == expected


async def test_flood_control_and_failures_are_counted(
    scene: Scene, ops: TestClient[Any, Any]
) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    flooded, refused = scene.person("严"), scene.person("钟")
    scene.emulator.faults.extend(
        [
            flood_wait("sendMessage", 1, where=to_chat(flooded.chat_id)),
            limited(
                "sendMessage",
                Fault(400, "Bad Request: message is too long"),
                where=to_chat(refused.chat_id),
            ),
        ]
    )
    file_directly(scene, flooded)
    file_directly(scene, refused)
    await delivered(scene)

    samples = await scrape(ops)
    errors = [c.error_code for c in scene.emulator.calls("sendMessage") if c.error_code]
    assert sorted(errors) == [400, 429]  # Telegram did push back, once each
    assert value(samples, PREFIX + "telegram_429_total") == 1
    assert value(samples, PREFIX + "outbox_failures_total", reason="failed") == 1
    with transaction(scene.desk.engine) as session:
        failed = session.exec(select(Outbox).where(Outbox.status == "failed")).all()
    assert [row.chat_id for row in failed] == [refused.chat_id]
    assert value(samples, PREFIX + "outbox_backlog", status="failed") == 1
