"""Stories of staff replying in their group: only replies to the card (or to what the
enterprise sent) reach the enterprise; answers to the desk's prompts are kept, even when
they arrive before the desk knows the prompt's message id; nothing is dropped silently."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from bot.devtools.emulator import cut_off, held, to_chat
from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import OpenPrompt, Outbox, TicketEvent
from tests.e2e.test_department_work import card_in, filed, member, newest, ticket_row, trail

REASON = "研发奖补属于科技创新局的科技项目资金，请转科创局"


def relayed_to(ent: Person, words: str) -> bool:
    return any(words in m.content for m in ent.replies())


def outbox_row(scene: Scene, purpose: str) -> Outbox:
    with transaction(scene.desk.engine) as session:
        return session.exec(
            select(Outbox).where(Outbox.purpose == purpose).order_by(col(Outbox.id).desc())
        ).first()


async def test_words_typed_to_a_button_prompt_stay_inside_the_department(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("许总")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    assert "回复本卡片的消息将转给企业" in card.text  # the card says where replies go

    await zhang.taps("↪️ 转办/退单", chat_id=econ.id)
    reasons = newest(scene, econ.id, "请选择退单原因")
    await zhang.says(REASON, chat_id=econ.id, reply_to=reasons.message_id)

    assert not relayed_to(ent, "科创局"), "an internal prompt's answer reached the enterprise"
    told = scene.emulator.last_bot_message(econ.id)
    assert "要点上面的按钮选择退单原因" in told.text and "没有发给企业" in told.text
    assert number in told.text
    assert ticket_row(scene).status == "assigned" and "reply" not in trail(scene)

    # The words belong in the prompt that takes words: 其他（填写原因）.
    await zhang.taps("其他（填写原因）", chat_id=econ.id)
    asked = newest(scene, econ.id, "写明退单原因")
    await zhang.says(REASON, chat_id=econ.id, reply_to=asked.message_id)
    assert REASON in scene.emulator.last_bot_message(dispatch.id).text
    assert ticket_row(scene).status == "transfer_requested"
    assert not relayed_to(ent, "科创局")

    # The dispatcher's rejection is a notice: answering it is not answering the enterprise.
    await chen.taps("✖️ 驳回", chat_id=dispatch.id)
    why = newest(scene, dispatch.id, "驳回理由")
    await chen.says("研发奖补由经发局牵头兑现", chat_id=dispatch.id, reply_to=why.message_id)
    notice = newest(scene, econ.id, "退单申请被驳回")
    await zhang.says("收到，我们继续办理", chat_id=econ.id, reply_to=notice.message_id)
    assert not relayed_to(ent, "继续办理")
    assert "内部消息" in scene.emulator.last_bot_message(econ.id).text

    # A reply to the card is the department's answer.
    await zhang.says("您好，已在核对拨付材料。", chat_id=econ.id, reply_to=card.message_id)
    assert ent.last_reply().text.startswith("【经济发展局】您好，已在核对拨付材料")
    assert [a for a in trail(scene) if a in ("reply", "request_transfer")] == [
        "request_transfer",
        "reply",
    ]


async def test_a_resolution_sent_before_the_desk_knows_the_prompt_is_kept(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("郑总")
    number = await filed(scene, ent)
    await zhang.taps("✅ 签收", chat_id=econ.id)

    # Telegram posts the prompt, but its answer (the message id) is held back.
    release = asyncio.Event()
    scene.emulator.faults.append(held("sendMessage", release, where=to_chat(econ.id)))
    card = card_in(scene, econ.id, number)
    [resolve] = [b for b in card.buttons if b.text == "🏁 办结"]
    scene.emulator.user_presses(zhang.user, econ.id, card.message_id, resolve.callback_data)
    prompt = await scene.emulator.wait_for(econ.id, lambda m: "写明办理结果" in m.text)

    scene.emulator.user_sends_text(
        zhang.user, econ.id, "补贴 12 万元已于今日拨付到账。", reply_to=prompt.message_id
    )
    await scene.handled_through(scene.emulator.last_update_id)
    assert outbox_row(scene, "ask_resolution").telegram_message_id is None  # still unknown
    assert ticket_row(scene).status == "resolved"
    assert ticket_row(scene).resolution == "补贴 12 万元已于今日拨付到账。"

    release.set()
    await scene.settle()
    resolution = ent.last_reply()
    assert "已办结" in resolution.text and "12 万元" in resolution.text
    assert "非常满意" in [b.text for b in resolution.buttons]
    assert "已办结" in card_in(scene, econ.id, number).text
    with transaction(scene.desk.engine) as session:
        prompts = session.exec(select(OpenPrompt)).all()
    assert [p.answered_at is not None for p in prompts] == [True]


async def test_a_reply_to_a_prompt_whose_send_was_cut_off_is_kept(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("秦总")
    await filed(scene, ent)
    await zhang.taps("✅ 签收", chat_id=econ.id)

    # The prompt reaches the group, then the connection drops: the desk never learns its id.
    scene.emulator.faults.append(cut_off("sendMessage", where=to_chat(econ.id)))
    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    assert outbox_row(scene, "ask_question").status == "uncertain"

    await zhang.says("请提供项目验收报告。", chat_id=econ.id, reply_to=prompt.message_id)
    assert "项目验收报告" in ent.last_reply().text
    assert ticket_row(scene).status == "waiting_info"
    with transaction(scene.desk.engine) as session:
        asked = session.exec(select(TicketEvent).where(TicketEvent.action == "ask_info")).one()
    assert asked.detail["text"] == "请提供项目验收报告。"


async def test_a_reply_the_desk_cannot_place_is_answered_not_dropped(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("鲁总")
    await filed(scene, ent)
    bound = newest(scene, econ.id, "已绑定")  # the bot's own message, about no ticket

    await zhang.says("这个工单我来跟", chat_id=econ.id, reply_to=bound.message_id)
    told = scene.emulator.last_bot_message(econ.id)
    assert "没能确定这条回复是关于哪张工单的" in told.text and "回复工单卡片" in told.text
    assert not relayed_to(ent, "我来跟")

    # Colleagues answering each other are left alone.
    li = member(scene, econ.id, "李科长")
    await li.says("好的", chat_id=econ.id, reply_to=scene.emulator.messages(econ.id)[-2].message_id)
    assert scene.emulator.last_bot_message(econ.id).message_id == told.message_id
