"""Story: a ticket moves to another department with everything that was said on it."""

from __future__ import annotations

from bot.devtools.playground import Scene
from tests.e2e.test_department_work import card_in, filed, member, newest, ticket_row


async def test_the_new_department_sees_the_whole_exchange_and_the_evidence(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    sci = await scene.department_group("sci_tech", "科技创新局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    liu = member(scene, sci.id, "刘科员")
    ent = scene.person("许总")
    number = await filed(scene, ent, description="研发奖补申请三个月没有回音。")

    # The first department asks, the enterprise answers in words and with a photo.
    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    await zhang.says("请提供立项批复文号。", chat_id=econ.id, reply_to=prompt.message_id)
    question = ent.last_reply()
    await ent.says("批复文号 科创〔2026〕18 号。", reply_to=question.message_id)
    scene.emulator.user_sends_photo(
        ent.user, ent.chat_id, caption="批复文件照片", reply_to=question.message_id
    )
    await scene.settle()
    old_card = card_in(scene, econ.id, number)
    await zhang.says(
        "收到，研发奖补归科创局，我们申请转办。", chat_id=econ.id, reply_to=old_card.message_id
    )

    # 退单 to the dispatcher, who sends it to 科技创新局.
    await zhang.taps("↪️ 转办/退单", chat_id=econ.id)
    await zhang.taps("不属于本部门职责", chat_id=econ.id)
    await chen.taps("科技创新局", chat_id=dispatch.id)
    assert ticket_row(scene).status == "assigned"

    card = card_in(scene, sci.id, number)
    said = [
        "经济发展局：请提供立项批复文号。",
        "企业：批复文号 科创〔2026〕18 号。",
        "批复文件照片",
        "经济发展局：收到，研发奖补归科创局",
    ]
    assert "此前的沟通" in card.text
    positions = [card.text.index(words) for words in said]
    assert positions == sorted(positions), card.text  # in the order it was said
    assert "📎附件" in card.text

    # The evidence — the photo sent with the answer included — arrives under the new card.
    copies = [m for m in scene.emulator.bot_messages(sci.id) if m.copied_from is not None]
    assert any(m.photo_file_id and m.caption == "批复文件照片" for m in copies)
    assert all(m.reply_to_message_id == card.message_id for m in copies)

    # The new department works the ticket; its card keeps the exchange through edits.
    await liu.taps("✅ 签收", chat_id=sci.id)
    card = card_in(scene, sci.id, number)
    assert "已签收" in card.text and "企业：批复文号 科创〔2026〕18 号。" in card.text
    await liu.says("您好，科创局已接手，本周内回复。", chat_id=sci.id, reply_to=card.message_id)
    assert ent.last_reply().text.startswith("【科技创新局】您好，科创局已接手")
