"""Bad input, part 5: messages edited after sending.

Decision: an edit never changes what the desk took in (a draft, a ticket, a relayed
answer) and never re-runs a command. The enterprise is told, in reply to the edited
message, how to correct instead; staff are told the enterprise keeps the original.
"""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Department, Draft, Reporter, Ticket
from tests.e2e.test_bad_input_long_texts import assert_all_accepted
from tests.e2e.test_department_work import card_in, filed, member, ticket_row


def own_last(scene: Scene, person: Person, chat_id: int | None = None) -> MessageRecord:
    return [
        m
        for m in scene.emulator.messages(chat_id or person.chat_id)
        if m.sender_id == person.user.id
    ][-1]


async def edits(person: Person, message: MessageRecord, text: str) -> None:
    person.scene.emulator.user_edits_text(person.user, message.chat_id, message.message_id, text)
    await person.scene.settle()


async def test_edits_change_nothing_and_say_how_to_correct(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("改")
    await ent.says("/start")
    await ent.says("📝 我要投诉")
    await ent.taps("政策兑现")
    await ent.says("停电了还没人管")
    description = own_last(scene, ent)
    await edits(ent, description, "停电了还没人管，已经三天了")
    answer = ent.last_reply()
    assert "不会更新草稿" in answer.text and answer.reply_to_message_id == description.message_id
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Draft)).one().data["description"] == "停电了还没人管"

    await ent.taps("下一步 ➡️")
    await ent.says("厦门海沧精密机械有限公司")
    company = own_last(scene, ent)
    await edits(ent, company, "另一家公司")
    assert "不会更新草稿" in ent.last_reply().text
    await ent.says("91350100M000100Y43")  # the conversation goes on where it was
    assert "联系人" in ent.last_reply().text
    await ent.says("林经理")
    await ent.shares_own_phone("+8613800138000")
    await ent.taps("只给企业名称")
    await ent.taps("✅ 提交")
    number = ent.last_reply().text.split("工单号：")[1].split()[0]
    group_before = len(scene.emulator.bot_messages(econ.id))

    await edits(ent, description, "改成别的内容")
    assert "不会改变已提交的内容" in ent.last_reply().text
    ticket = ticket_row(scene)
    assert (
        ticket.description == "停电了还没人管" and ticket.company_name == "厦门海沧精密机械有限公司"
    )
    assert len(scene.emulator.bot_messages(econ.id)) == group_before  # no one is bothered

    await ent.says("/start")
    command = own_last(scene, ent)
    replies = len(ent.replies())
    await edits(ent, command, "/my")
    assert len(ent.replies()) == replies + 1  # an explanation, not the ticket list
    assert "不会改变已提交的内容" in ent.last_reply().text

    await ent.says("物业乱收费")
    offer = own_last(scene, ent)
    await edits(ent, offer, "物业乱收费，还断电")
    with transaction(scene.desk.engine) as session:
        reporter = session.exec(select(Reporter)).one()
    assert reporter.offer_text == "物业乱收费"
    assert card_in(scene, econ.id, number).text.count("停电了还没人管") == 1
    assert_all_accepted(scene)


async def test_edits_in_groups_are_not_relayed_or_rerun(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    await scene.department_group("tax", "税务局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("群改")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)

    await zhang.says("已收到，三个工作日内答复", chat_id=econ.id, reply_to=card.message_id)
    reply = own_last(scene, zhang, econ.id)
    heard = len(ent.replies())
    await edits(zhang, reply, "已收到，五个工作日内答复")
    note = scene.emulator.last_bot_message(econ.id)
    assert "修改不会同步给企业" in note.text and note.reply_to_message_id == reply.message_id
    assert len(ent.replies()) == heard
    assert "三个工作日" in ent.last_reply().text

    admin = scene.admin
    scene.emulator.add_member(econ.id, admin)
    await Person(scene, admin).says("/departments", chat_id=econ.id)
    command = own_last(scene, Person(scene, admin), econ.id)
    seen = len(scene.emulator.bot_messages(econ.id))
    await edits(Person(scene, admin), command, f"/assign {number} tax")
    assert len(scene.emulator.bot_messages(econ.id)) == seen  # an edited command: quiet
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        assert session.get(Department, ticket.department_id).code == "econ"
    assert_all_accepted(scene)
