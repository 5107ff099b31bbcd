"""Story: the department asks for material; the enterprise answers, then keeps sending
things as plain messages. They belong to the ticket — with a way out for a new concern."""

from __future__ import annotations

from sqlmodel import col, select

from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Draft, TicketMessage
from tests.e2e.test_department_work import card_in, filed, member, newest, ticket_row, trail


def enterprise_messages(scene: Scene) -> list[TicketMessage]:
    with transaction(scene.desk.engine) as session:
        return list(
            session.exec(
                select(TicketMessage)
                .where(TicketMessage.author == "enterprise")
                .order_by(col(TicketMessage.id))
            )
        )


async def test_loose_messages_after_an_answer_join_the_ticket_unless_new(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("许总")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    await zhang.says("请提供项目验收报告。", chat_id=econ.id, reply_to=prompt.message_id)

    # The answer by reply, then a photo and a text as plain messages a moment later.
    question = ent.last_reply()
    await ent.says("验收报告已盖章，马上拍照发您。", reply_to=question.message_id)
    assert ticket_row(scene).status == "accepted"
    await ent.sends_photo(caption="验收报告第一页")
    ack = ent.last_reply()
    assert f"已补充到工单 {number}" in ack.text
    assert [b.text for b in ack.buttons] == ["这是新问题，另起工单"]
    await ent.says("发票原件下周寄到。")
    assert f"已补充到工单 {number}" in ent.last_reply().text

    group = scene.emulator.bot_messages(econ.id)
    photo = next(m for m in group if m.photo_file_id and m.caption == "验收报告第一页")
    text = newest(scene, econ.id, "发票原件下周寄到")
    assert photo.reply_to_message_id == card.message_id == text.reply_to_message_id
    said = [(m.text, m.file_kind) for m in enterprise_messages(scene)]
    assert said == [
        ("验收报告已盖章，马上拍照发您。", None),
        ("验收报告第一页", "photo"),
        ("发票原件下周寄到。", None),
    ]

    # A new concern sent the same way is taken out into a new draft instead.
    await ent.says("另外，园区门口道路施工三个月了，货车进出很不方便。")
    new_concern = ent.last_reply()
    [way_out] = new_concern.buttons
    await ent.taps("这是新问题，另起工单")
    assert scene.emulator.message(ent.chat_id, new_concern.message_id).buttons == []
    assert f"已从工单 {number} 移出" in newest(scene, ent.chat_id, "移出").text
    with transaction(scene.desk.engine) as session:
        draft = session.exec(select(Draft)).one()
    assert draft.active and "道路施工" in draft.data["description"]
    assert [m.text for m in enterprise_messages(scene)] == [
        "验收报告已盖章，马上拍照发您。",
        "验收报告第一页",
        "发票原件下周寄到。",
    ]  # nothing else removed
    assert "另一个新问题" in newest(scene, econ.id, "企业说明").text
    assert ticket_row(scene).status == "accepted" and trail(scene)[-1] == "take_back_info"

    # The button works once; a second press changes nothing.
    scene.emulator.user_presses(
        ent.user, ent.chat_id, new_concern.message_id, way_out.callback_data, forge=True
    )
    await scene.settle()
    assert "过期" in ent.last_reply().text
    # An older addition cannot leave while the new draft is unfinished: it stays, and she hears why.
    await ent.taps("这是新问题，另起工单")
    assert "先留在工单" in ent.last_reply().text
    assert len(enterprise_messages(scene)) == 3


async def test_a_loose_file_moved_out_becomes_the_new_drafts_evidence(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("郝总")
    await filed(scene, ent)
    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    await zhang.says("请提供发票。", chat_id=econ.id, reply_to=prompt.message_id)

    await ent.sends_photo()  # a loose photo while the ticket waits: it answers the question
    assert ticket_row(scene).status == "accepted"
    await ent.taps("这是新问题，另起工单")
    with transaction(scene.desk.engine) as session:
        draft = session.exec(select(Draft)).one()
    assert [e["kind"] for e in draft.data["evidence"]] == ["photo"]
    assert enterprise_messages(scene) == []
    assert "附件" in newest(scene, econ.id, "企业说明").text
