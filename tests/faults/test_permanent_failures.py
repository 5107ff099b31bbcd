"""Permanent failures: never retried in a loop, never lost, always told.

The enterprise blocked the bot (403); the bot was removed from a department's group (403
"bot is not a member", or my_chat_member left/kicked); a basic group became a supergroup
(400 with migrate_to_chat_id, or the migrate service messages).
"""

from __future__ import annotations

from sqlmodel import select

from bot.delivery import outbox as core
from bot.devtools.emulator.records import Chat
from bot.devtools.playground import Scene
from storage import queries
from storage.db import transaction
from storage.models import Department, Reporter
from tests.e2e.test_department_work import member
from tests.faults.conftest import delivered, file_directly, outbox, texts, tickets_in


def department(scene: Scene, code: str) -> Department:
    with transaction(scene.desk.engine) as session:
        found = queries.zone.get_department_by_code(session=session, code=code)
        assert found is not None
        return found


def reporter(scene: Scene, user_id: int) -> Reporter:
    with transaction(scene.desk.engine) as session:
        found = session.exec(select(Reporter).where(Reporter.telegram_user_id == user_id)).one()
        return found


async def test_an_enterprise_that_blocked_the_bot(scene: Scene) -> None:
    desk = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("严")
    await ent.says("/start")
    scene.emulator.block_bot(ent.user, notify=False)  # the desk learns it from the 403
    number = file_directly(scene, ent)
    await delivered(scene)

    [ticket] = tickets_in(scene)
    assert ticket.status == "assigned"  # the ticket is kept and goes on
    assert reporter(scene, ent.user.id).unreachable_since is not None
    [ack] = [r for r in outbox(scene) if r.purpose == "ack"]
    assert ack.status == "failed" and "blocked" in (ack.last_error or "")
    notices = [t for t in texts(scene, econ.id) if "屏蔽" in t]
    assert len(notices) == 1 and number in notices[0]
    told = [t for t in texts(scene, desk.id) if "企业无法联系" in t]
    assert len(told) == 1 and f"outbox resend {ack.id}" in told[0]

    # The department works on; what it sends the enterprise fails once each, no loop, and
    # nobody is told twice about the same ticket.
    staff = member(scene, econ.id, "张科长")
    await staff.taps("✅ 签收", chat_id=econ.id)
    await delivered(scene)
    to_enterprise = [
        c
        for c in scene.emulator.calls("sendMessage")
        if c.error_code == 403 and str(c.params.get("chat_id")) == str(ent.user.id)
    ]
    rows_to_enterprise = [r for r in outbox(scene) if r.chat_id == ent.user.id]
    assert len(to_enterprise) == len(rows_to_enterprise) >= 2
    assert all(r.status == "failed" for r in rows_to_enterprise)
    assert len([t for t in texts(scene, econ.id) if "屏蔽" in t]) == 1
    assert len([t for t in texts(scene, desk.id) if "企业无法联系" in t]) == 1

    # Unblocked (Telegram says so), the operator re-sends the acknowledgement.
    scene.emulator.unblock_bot(ent.user)
    await scene.settle()
    assert reporter(scene, ent.user.id).unreachable_since is None
    with transaction(scene.desk.engine) as session:
        [result] = core.resend(session=session, ids=[ack.id or 0])
    assert result.ok
    scene.desk.kick_sender()
    await delivered(scene)
    assert [t for t in texts(scene, ent.chat_id) if "已受理" in t and number in t] != []


async def test_the_bot_removed_from_a_department_group(scene: Scene) -> None:
    desk = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    market = await scene.department_group("market", "市场监管分局 工单群")
    # Removed quietly from econ's group: the desk finds out when the next card bounces.
    scene.emulator.remove_bot_from(econ.id, notify=False)
    first = file_directly(scene, scene.person("严"))
    await delivered(scene)
    assert department(scene, "econ").chat_id is None
    [alert] = [t for t in texts(scene, desk.id) if "经济发展局" in t]
    assert "机器人已不在" in alert and "/bind econ" in alert
    second = file_directly(scene, scene.person("钟"), description="天然气报装申请了两个月还没通气")
    await delivered(scene)
    held = [r for r in outbox(scene) if r.chat_id is None and r.status == "pending"]
    assert {r.purpose for r in held} == {"card"} and len(held) == 2  # held, not failed
    failed_calls = [c for c in scene.emulator.calls("sendMessage") if c.error_code == 403]
    assert len(failed_calls) == 1  # one bounce, then no retry loop

    # Removed from market's group with Telegram telling the bot: the dispatcher hears at once.
    scene.emulator.remove_bot_from(market.id, by=scene.admin)
    await scene.settle()
    assert department(scene, "market").chat_id is None
    assert any("市场监管分局" in t and "/bind market" in t for t in texts(scene, desk.id))

    # The admin adds the bot back and binds the group again: everything held goes out.
    scene.emulator.add_bot_to(econ.id, by=scene.admin)
    await scene.settle()
    scene.emulator.user_sends_text(scene.admin, econ.id, "/bind econ")
    await delivered(scene)
    cards = [t for t in texts(scene, econ.id) if first in t or second in t]
    assert len(cards) == 2 and first in cards[0] and second in cards[1]
    assert not [r for r in outbox(scene) if r.status != "sent" and r.purpose == "card"]


async def basic_group(scene: Scene, code: str, title: str) -> Chat:
    group = scene.emulator.add_group(title, members=[scene.admin])
    scene.emulator.user_sends_text(scene.admin, group.id, f"/bind {code}")
    await scene.settle()
    return group


async def test_a_group_upgraded_to_a_supergroup(scene: Scene) -> None:
    econ = await basic_group(scene, "econ", "经济发展局 工单群")
    market = await basic_group(scene, "market", "市场监管分局 工单群")
    first = file_directly(scene, scene.person("严"))
    await delivered(scene)

    # Upgraded without the bot hearing of it: the next card meets "migrate_to_chat_id".
    econ_super = scene.emulator.migrate_group(econ.id, notify=False)
    second = file_directly(scene, scene.person("钟"), description="天然气报装申请了两个月还没通气")
    await delivered(scene)
    assert department(scene, "econ").chat_id == econ_super.id
    assert [t for t in texts(scene, econ_super.id) if second in t] != []
    assert [t for t in texts(scene, econ.id) if first in t] != []  # history stays
    assert len([c for c in scene.emulator.api_calls if c.error_code == 400]) == 1

    # Staff keep working in the supergroup.
    staff = member(scene, econ_super.id, "张科长")
    await staff.taps("✅ 签收", chat_id=econ_super.id)
    await delivered(scene)
    assert "张科长" in next(
        m.text for m in scene.emulator.bot_messages(econ_super.id) if second in m.content
    )

    # Upgraded with the service messages: the binding follows before anything bounces.
    market_super = scene.emulator.migrate_group(market.id)
    await scene.settle()
    assert department(scene, "market").chat_id == market_super.id
    third = file_directly(scene, scene.person("吴"), category="fees", description="物业加价")
    await delivered(scene)
    assert [t for t in texts(scene, market_super.id) if third in t] != []
    assert len([c for c in scene.emulator.api_calls if c.error_code == 400]) == 1
    assert {r.status for r in outbox(scene)} == {"sent"}
