"""Stories of a department working a ticket from its group, and the enterprise rating it."""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Department, Ticket, TicketEvent
from tests.e2e.test_filing_a_complaint import file_complaint


def member(scene: Scene, group_id: int, name: str) -> Person:
    person = scene.person(name)
    scene.emulator.add_member(group_id, person.user)
    return person


def card_in(scene: Scene, group_id: int, number: str) -> MessageRecord:
    """The ticket's card as the group sees it now (edits included)."""
    return next(
        m
        for m in reversed(scene.emulator.bot_messages(group_id))
        if number in m.content and "📋" in m.content
    )


def newest(scene: Scene, chat_id: int, needle: str) -> MessageRecord:
    return next(m for m in reversed(scene.emulator.bot_messages(chat_id)) if needle in m.content)


async def filed(
    scene: Scene,
    person: Person,
    *,
    category: str = "政策兑现",
    description: str = "厂区这周停电三次，供电所一直不给说法，生产线全停了。",
) -> str:
    await file_complaint(person, category=category, description=description)
    return person.last_reply().text.split("工单号：")[1].split()[0]


def ticket_row(scene: Scene) -> Ticket:
    with transaction(scene.desk.engine) as session:
        return session.exec(select(Ticket)).one()


def trail(scene: Scene) -> list[str]:
    with transaction(scene.desk.engine) as session:
        return [e.action for e in session.exec(select(TicketEvent).order_by(TicketEvent.id))]


def assert_no_identity_in_groups(scene: Scene, person: Person) -> None:
    secrets = {person.user.first_name, str(person.user.id)}
    if person.user.username:
        secrets.add(person.user.username)
    for group in scene.groups.values():
        for message in scene.emulator.bot_messages(group.id):
            for secret in secrets:
                assert secret not in message.content, (group.title, secret, message.content)


async def test_the_whole_story_from_card_to_a_satisfied_rating(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("许总", username="xu_boss")
    number = await filed(scene, ent)

    card = card_in(scene, econ.id, number)
    assert [b.text for b in card.buttons] == ["✅ 签收", "↪️ 转办/退单"]

    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert "已由经济发展局签收" in ent.last_reply().text
    card = card_in(scene, econ.id, number)
    assert "已签收" in card.text and "签收：张科员" in card.text
    assert "✅ 签收" not in [b.text for b in card.buttons]
    assert "张科员" not in ent.last_reply().text  # the enterprise sees only the department

    await zhang.says(
        "您好，补贴已在走拨付流程，请耐心等待。", chat_id=econ.id, reply_to=card.message_id
    )
    relayed = ent.last_reply()
    assert relayed.text.startswith("【经济发展局】您好，补贴已在走拨付流程")
    staff_message = scene.emulator.messages(econ.id)[-1]
    assert staff_message.reactions, "the relayed reply is confirmed with a reaction"
    assert ticket_row(scene).first_reply_at is not None

    await ent.says("谢谢，大概什么时候到账？", reply_to=relayed.message_id)
    assert "已转给承办部门" in ent.last_reply().text
    echoed = newest(scene, econ.id, "大概什么时候到账")
    assert echoed.reply_to_message_id == card.message_id and "企业回复" in echoed.text

    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    await zhang.says("请提供项目验收报告。", chat_id=econ.id, reply_to=prompt.message_id)
    question = ent.last_reply()
    assert "需要您补充材料" in question.text and "项目验收报告" in question.text
    assert ticket_row(scene).status == "waiting_info"
    assert "等待企业补充材料" in card_in(scene, econ.id, number).text

    scene.emulator.user_sends_document(
        ent.user,
        ent.chat_id,
        file_name="验收报告.pdf",
        data=b"%PDF report",
        mime_type="application/pdf",
        reply_to=question.message_id,
    )
    await scene.settle()
    assert (
        scene.emulator.bot_messages(econ.id)[-2].document_file_id is not None
        or scene.emulator.bot_messages(econ.id)[-1].document_file_id is not None
    )
    assert ticket_row(scene).status == "accepted"
    assert "等待企业补充材料" not in card_in(scene, econ.id, number).text

    await zhang.taps("🏁 办结", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明办理结果")
    await zhang.says("补贴 12 万元已于今日拨付到账。", chat_id=econ.id, reply_to=prompt.message_id)
    resolution = ent.last_reply()
    assert "已办结" in resolution.text and "12 万元" in resolution.text
    # Neutral 好差评 wording: no pressure on the enterprise ("会直接影响部门考核").
    assert "好差评" in resolution.text and "考核" not in resolution.text
    assert [b.text for b in resolution.buttons] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert ticket_row(scene).status == "resolved"

    await ent.taps("满意")
    assert "已关闭" in newest(scene, ent.chat_id, "谢谢您的评价").text
    ask = ent.last_reply()
    await ent.says("办事很快，点赞！", reply_to=ask.message_id)
    assert "意见已记录" in ent.last_reply().text
    assert "办事很快" in newest(scene, econ.id, "评价意见").text

    done = ticket_row(scene)
    assert (
        done.status == "closed" and done.rating == 4 and done.rating_comment == "办事很快，点赞！"
    )
    final_card = card_in(scene, econ.id, number)
    assert "已关闭" in final_card.text and final_card.buttons == []
    assert trail(scene) == [
        "submit",
        "route",
        "accept",
        "reply",
        "enterprise_reply",
        "ask_info",
        "info_received",
        "resolve",
        "rate_satisfied",
        "comment_rating",
    ]
    await ent.says("/my")
    await ent.taps(number)
    history = ent.last_reply().text
    assert "经济发展局答复：您好，补贴已在走拨付流程" in history
    assert "您评价：满意" in history and "张科员" not in history
    assert_no_identity_in_groups(scene, ent)
    assert scene.emulator.bot_messages(dispatch.id)[-1].text.startswith("✅ 已绑定")


async def test_a_poor_rating_reopens_then_a_good_one_closes(scene: Scene) -> None:
    await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("唐")
    number = await filed(scene, ent)

    async def resolve(text: str) -> None:
        await zhang.taps("✅ 签收", chat_id=econ.id) if ticket_row(
            scene
        ).status == "assigned" else None
        await zhang.taps("🏁 办结", chat_id=econ.id)
        prompt = newest(scene, econ.id, "写明办理结果")
        await zhang.says(text, chat_id=econ.id, reply_to=prompt.message_id)

    await resolve("已协调，下月拨付。")
    await ent.taps("不满意")
    reopened = ticket_row(scene)
    assert reopened.status == "accepted" and reopened.reopen_count == 1
    assert "重新办理" in newest(scene, ent.chat_id, "重新办理").text
    assert "请重办" in newest(scene, econ.id, "请重办").text
    assert "因差评重办" in scene.emulator.last_bot_message(scene.groups["bizenv"].id).text
    ask = ent.last_reply()
    await ent.says("下月太晚了，资金周转困难。", reply_to=ask.message_id)
    assert "下月太晚了" in newest(scene, econ.id, "评价意见").text

    await resolve("经协调，本周内拨付，已确认。")
    await ent.taps("非常满意")
    assert ticket_row(scene).status == "closed"
    assert "rate_poor" in trail(scene) and "rate_satisfied" in trail(scene)
    assert trail(scene).count("resolve") == 2
    assert "🔁 第 1 次重办" in card_in(scene, econ.id, number).text


async def test_a_transfer_is_approved_to_another_department(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    tax = await scene.department_group("tax", "税务局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("罗")
    number = await filed(scene, ent, description="厂区天然气报装申请了两个月还没通气")

    await zhang.taps("↪️ 转办/退单", chat_id=econ.id)
    await zhang.taps("不属于本部门职责", chat_id=econ.id)
    assert ticket_row(scene).status == "transfer_requested"
    request = scene.emulator.last_bot_message(dispatch.id)
    assert "退单申请" in request.text and "不属于本部门职责" in request.text
    assert "张科员" in request.text  # the desk sees who asked

    await chen.taps("税务局", chat_id=dispatch.id)
    moved = ticket_row(scene)
    assert moved.status == "assigned"
    with transaction(scene.desk.engine) as session:
        assert session.get(Department, moved.department_id).code == "tax"
    old_card = card_in(scene, econ.id, number)
    assert "已转办至 税务局" in old_card.text and old_card.buttons == []
    new_card = card_in(scene, tax.id, number)
    assert "天然气报装" in new_card.text and new_card.buttons[0].text == "✅ 签收"
    assert "已转由税务局办理" in ent.last_reply().text
    assert (
        request.message_id == scene.emulator.message(dispatch.id, request.message_id).message_id
        and scene.emulator.message(dispatch.id, request.message_id).buttons == []
    )
    assert "approve_transfer" in trail(scene)


async def test_a_transfer_is_rejected_with_a_reason(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("冯")
    number = await filed(scene, ent)

    await zhang.taps("↪️ 转办/退单", chat_id=econ.id)
    await zhang.taps("其他（填写原因）", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明退单原因")
    await zhang.says("应由区财政直接拨付", chat_id=econ.id, reply_to=prompt.message_id)
    request = scene.emulator.last_bot_message(dispatch.id)
    assert "应由区财政直接拨付" in request.text

    await chen.taps("✖️ 驳回", chat_id=dispatch.id)
    ask = newest(scene, dispatch.id, "驳回理由")
    await chen.says(
        "政策兑现牵头部门是经发局，请先办理", chat_id=dispatch.id, reply_to=ask.message_id
    )
    assert ticket_row(scene).status == "assigned"  # back to where it was
    notice = newest(scene, econ.id, "退单申请被驳回")
    assert "牵头部门是经发局" in notice.text
    assert card_in(scene, econ.id, number).buttons[0].text == "✅ 签收"
    assert "reject_transfer" in trail(scene)
    assert all("退单" not in m.text for m in ent.replies())  # internal to the desk


async def test_an_extension_is_approved(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("蒋")
    await filed(scene, ent)
    before = ticket_row(scene).resolve_due

    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("⏱ 申请延期", chat_id=econ.id)
    await zhang.taps("3", chat_id=econ.id)
    prompt = newest(scene, econ.id, "申请延期 3 个工作日")
    await zhang.says("需要等待区财政资金下达", chat_id=econ.id, reply_to=prompt.message_id)
    assert ticket_row(scene).status == "extension_requested"
    assert "延期申请" in scene.emulator.last_bot_message(dispatch.id).text

    await chen.taps("✅ 批准", chat_id=dispatch.id)
    after = ticket_row(scene)
    assert after.status == "accepted" and after.resolve_due > before
    told = newest(scene, ent.chat_id, "经批准延期")
    assert "需要等待区财政资金下达" in told.text
    assert "延期已批准" in newest(scene, econ.id, "延期已批准").text


async def test_forged_and_foreign_actions_change_nothing(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    tax = await scene.department_group("tax", "税务局 工单群")
    zhang = member(scene, econ.id, "张科员")
    outsider = member(scene, tax.id, "税务局小王")
    ent = scene.person("韩")
    number = await filed(scene, ent)
    ticket_id = ticket_row(scene).id

    # A forged 签收 from another department's group.
    tax_bind = scene.emulator.last_bot_message(tax.id)
    scene.emulator.user_presses(
        outsider.user, tax.id, tax_bind.message_id, f"st:{ticket_id}:accept", forge=True
    )
    await scene.settle()
    assert "不归本群所在部门" in scene.emulator.callback_answers[-1].text
    assert ticket_row(scene).status == "assigned"

    # Only listed staff may act once the department has a staff list.
    with transaction(scene.desk.engine) as session:
        department = session.exec(select(Department).where(Department.code == "econ")).one()
        department.staff = [zhang.user.id]
        session.add(department)
    intern = member(scene, econ.id, "实习生")
    card = card_in(scene, econ.id, number)
    await intern.says("我来回复一下", chat_id=econ.id, reply_to=card.message_id)
    assert "办理人员名单" in scene.emulator.last_bot_message(econ.id).text
    assert not any("我来回复一下" in m.text for m in ent.replies())

    # An anonymous admin posts as the group itself: not relayed either.
    scene.emulator.deliver_raw_update(
        {
            "update_id": 10**7,
            "message": {
                "message_id": 10**6,
                "date": 0,
                "chat": {"id": econ.id, "type": "supergroup", "title": econ.title},
                "from": {
                    "id": 1087968824,
                    "is_bot": True,
                    "first_name": "Group",
                    "username": "GroupAnonymousBot",
                },
                "sender_chat": {"id": econ.id, "type": "supergroup", "title": econ.title},
                "text": "匿名答复",
                "reply_to_message": {
                    "message_id": card.message_id,
                    "date": 0,
                    "chat": {"id": econ.id, "type": "supergroup", "title": econ.title},
                },
            },
        }
    )
    await scene.settle()
    assert "匿名管理员" in scene.emulator.last_bot_message(econ.id).text
    # A reply to the message it refuses (asked of Telegram: the emulator has no record of a
    # message posted as the group, so it cannot show the reply itself).
    [refusal] = [c for c in scene.emulator.calls("sendMessage") if "匿名管理员" in c.params["text"]]
    assert refusal.params["reply_parameters"]["message_id"] == 10**6
    # So is the refusal of a command the anonymous admin sends in the group.
    before = len(scene.emulator.calls("sendMessage"))
    scene.emulator.deliver_raw_update(
        {
            "update_id": 10**7 + 1,
            "message": {
                "message_id": 10**6 + 1,
                "date": 0,
                "chat": {"id": econ.id, "type": "supergroup", "title": econ.title},
                "from": {"id": 1087968824, "is_bot": True, "first_name": "Group"},
                "sender_chat": {"id": econ.id, "type": "supergroup", "title": econ.title},
                "text": "/summary",
                "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            },
        }
    )
    await scene.settle()
    [answer] = scene.emulator.calls("sendMessage")[before:]
    assert answer.params["reply_parameters"]["message_id"] == 10**6 + 1
    assert not any("匿名答复" in m.text for m in ent.replies())

    # A double press makes one transition.
    await zhang.taps("✅ 签收", chat_id=econ.id)
    scene.emulator.user_presses(
        zhang.user, econ.id, card.message_id, f"st:{ticket_id}:accept", forge=True
    )
    await scene.settle()
    assert trail(scene).count("accept") == 1
    assert sum("已由经济发展局签收" in m.content for m in ent.replies()) == 1


async def test_an_unknown_group_is_told_what_the_bot_is_for(scene: Scene) -> None:
    stranger = scene.person("某群主")
    group = scene.emulator.add_group("随便一个群", members=[stranger.user], supergroup=True)
    scene.emulator.add_bot_to(group.id, by=stranger.user)
    await scene.settle()
    assert "只在已绑定的部门群里工作" in scene.emulator.last_bot_message(group.id).text
    await stranger.says("大家好", chat_id=group.id)
    assert len(scene.emulator.bot_messages(group.id)) == 1  # ordinary chatter is ignored


async def test_admin_ticket_detail_and_unbind(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("魏")
    number = await filed(scene, ent)
    scene.emulator.user_sends_text(scene.admin, dispatch.id, f"/ticket {number}")
    await scene.settle()
    detail = scene.emulator.last_bot_message(dispatch.id).text
    assert number in detail and "审计记录" in detail and "林经理" in detail
    assert str(ent.user.id) not in detail  # no group reads who filed, the dispatcher's neither
    scene.emulator.user_sends_text(scene.admin, scene.admin.id, f"/ticket {number}")
    await scene.settle()
    assert f"id {ent.user.id}" in scene.emulator.last_bot_message(scene.admin.id).text
    scene.emulator.user_sends_text(scene.admin, econ.id, f"/ticket {number}")
    await scene.settle()
    assert str(ent.user.id) not in scene.emulator.last_bot_message(econ.id).text
    scene.emulator.user_sends_text(scene.admin, econ.id, "/unbind")
    await scene.settle()
    assert "已解除绑定" in scene.emulator.last_bot_message(econ.id).text
    nobody = member(scene, econ.id, "路人")
    await nobody.says("/unbind", chat_id=econ.id)
    assert "只有受理台管理员" in scene.emulator.last_bot_message(econ.id).text
    with transaction(scene.desk.engine) as session:
        econ_row = session.exec(select(Department).where(Department.code == "econ")).one()
    assert econ_row.chat_id is None


async def test_photos_both_ways_and_the_paused_clock(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("彭")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    scene.emulator.user_sends_photo(
        zhang.user, econ.id, caption="这是拨付进度截图", reply_to=card.message_id
    )
    await scene.settle()
    copy = ent.last_reply()
    assert copy.photo_file_id is not None and not copy.forwarded
    assert copy.caption.startswith("【经济发展局】这是拨付进度截图")
    assert ticket_row(scene).status == "accepted"  # answering accepted it
    assert "张科员" not in copy.caption

    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    await zhang.says("请补充银行回单", chat_id=econ.id, reply_to=prompt.message_id)
    paused = ticket_row(scene)
    assert paused.waiting_since is not None
    # The enterprise answers without replying: its one waiting ticket takes the message.
    await ent.says("回单稍后补上，先说明一下情况")
    resumed = ticket_row(scene)
    assert resumed.status == "accepted" and resumed.waiting_since is None
    assert resumed.resolve_due >= paused.resolve_due  # never earlier after a pause
    assert "先说明一下情况" in newest(scene, econ.id, "企业回复").text


async def test_poor_ratings_beyond_the_limit_go_to_the_dispatcher(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    scene.desk.settings = scene.desk.settings.model_copy(
        update={"workflow": scene.desk.settings.workflow.model_copy(update={"max_reopens": 0})}
    )
    ent = scene.person("邹")
    number = await filed(scene, ent)
    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("🏁 办结", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明办理结果")
    await zhang.says("已答复。", chat_id=econ.id, reply_to=prompt.message_id)
    await ent.taps("非常不满意")
    ticket = ticket_row(scene)
    assert ticket.status == "unrouted" and ticket.department_id is None
    assert "营商环境办直接督办" in newest(scene, ent.chat_id, "督办").text
    assert "仍不满意" in scene.emulator.last_bot_message(dispatch.id).text
    assert any(
        "待分派" in m.content and number in m.content
        for m in scene.emulator.bot_messages(dispatch.id)
    )
