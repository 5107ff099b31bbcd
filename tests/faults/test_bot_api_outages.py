"""Telegram unreachable, answering 5xx, or answering too late.

Polling recovers, queued notifications go out afterwards, state changes made meanwhile are
kept; a send whose answer was lost is recorded as uncertain instead of being sent twice.
"""

from __future__ import annotations

import asyncio

from bot.devtools.emulator import Fault, late, server_error, to_chat
from bot.devtools.playground import Person, Scene
from tests.e2e.test_department_work import member
from tests.faults.conftest import delivered, file_directly, outbox, texts, tickets_in


async def up_to_confirmation(person: Person) -> None:
    await person.says("/start")
    await person.says("📝 我要投诉")
    await person.taps("政策兑现")
    await person.says("厂区这周停电三次，供电所一直不给说法，生产线全停了。")
    await person.taps("下一步 ➡️")
    await person.says("厦门海沧精密机械有限公司")
    await person.taps("跳过")
    await person.says("林经理")
    await person.shares_own_phone("+8613800138000")
    await person.taps("只给企业名称")


async def test_telegram_unreachable_right_after_submit(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("严")
    await up_to_confirmation(ent)
    outages: list[asyncio.Task[None]] = []

    def cut_at_submit(method: str, params: dict) -> Fault | None:
        # The bot answers the tap on 提交 … and Telegram vanishes for a second.
        if method == "answerCallbackQuery" and not outages:
            outages.append(scene.emulator.offline_for(1.0))
            return Fault(drop_after=True)
        return None

    scene.emulator.faults.append(cut_at_submit)
    confirm = next(m for m in reversed(ent.replies()) if m.buttons)
    scene.emulator.user_presses(ent.user, ent.chat_id, confirm.message_id, "cf:submit")
    await asyncio.sleep(0.3)
    assert not scene.emulator.online
    # Meanwhile the enterprise asks for its tickets: Telegram keeps the update for later.
    scene.emulator.user_sends_text(ent.user, ent.chat_id, "/my")
    await outages[0]
    await delivered(scene)

    [ticket] = tickets_in(scene)  # the state change made during the outage is kept
    assert ticket.status == "assigned"
    acks = [t for t in texts(scene, ent.chat_id) if "已受理" in t]
    assert len(acks) == 1 and ticket.number in acks[0]  # queued, then sent once
    cards = [t for t in texts(scene, econ.id) if ticket.number in t]
    assert len(cards) == 1
    assert ticket.number in ent.last_reply().text  # polling recovered: /my was answered
    assert {r.status for r in outbox(scene)} == {"sent"}


async def test_5xx_on_polling_and_sending_are_retried(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("钟")
    scene.emulator.faults.extend(
        [
            server_error("getUpdates", status=502),
            server_error("sendMessage", status=500, where=to_chat(econ.id)),
            server_error("sendMessage", status=502, where=to_chat(ent.user.id)),
        ]
    )
    number = file_directly(scene, ent)
    await delivered(scene)
    await ent.says("/my")  # the poll that met the 502 was retried
    assert number in ent.last_reply().text
    assert [t for t in texts(scene, econ.id) if number in t] != []
    assert len([t for t in texts(scene, econ.id) if number in t]) == 1
    assert len([t for t in texts(scene, ent.chat_id) if "已受理" in t]) == 1
    failed = [c for c in scene.emulator.api_calls if (c.error_code or 0) >= 500]
    assert len(failed) == 3
    assert {r.status for r in outbox(scene)} == {"sent"}


async def test_a_send_that_timed_out_is_uncertain_and_an_edit_is_retried(scene: Scene) -> None:
    desk = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    # Telegram posts the card but answers only after the desk stopped waiting.
    scene.emulator.faults.append(late("sendMessage", 1.0, where=to_chat(econ.id)))
    first = file_directly(scene, scene.person("严"))
    await delivered(scene)
    await asyncio.sleep(0.4)  # the sender had every chance to send it again: it must not
    await scene.settle()
    cards = [t for t in texts(scene, econ.id) if first in t]
    assert len(cards) == 1  # delivered once, although the desk never heard back
    [card_row] = [r for r in outbox(scene) if r.purpose == "card"]
    assert card_row.status == "uncertain" and "TimedOut" in (card_row.last_error or "")
    notice = scene.emulator.last_bot_message(desk.id).text
    assert "投递结果不确定" in notice and first in notice
    assert f"dianxiaoer outbox resend {card_row.id}" in notice

    # An edit is idempotent: timed out, it is simply made again.
    # Another problem: the same words would link the two tickets (同类诉求) and edit the
    # first card, whose message the desk never heard of.
    second = file_directly(
        scene, scene.person("钟"), description="园区食堂的饭菜太贵了，希望降价。"
    )
    await delivered(scene)
    staff = member(scene, econ.id, "张科长")
    scene.emulator.faults.append(late("editMessageText", 1.0))
    await staff.taps("✅ 签收", chat_id=econ.id)
    await delivered(scene)
    card = next(m for m in scene.emulator.bot_messages(econ.id) if second in m.content)
    assert card.edit_count == 1 and "张科长" in card.text
    [edit] = [r for r in outbox(scene) if r.purpose == "card_edit"]
    assert edit.status == "sent" and edit.attempts == 2
    assert [r.status for r in outbox(scene) if r.status != "sent"] == ["uncertain"]
