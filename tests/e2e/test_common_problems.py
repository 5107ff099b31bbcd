"""同类诉求 and 共性问题 on the emulator: three enterprises report the same late subsidy; the
desk links their tickets, the dispatcher is told of a common problem and confirms who
leads, the department answers all three at once, staff take a ticket out and link it back
by number — and no enterprise ever learns who the others are. An enterprise filing again
what it already filed is offered to add to it instead."""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import CommonGroup, Ticket, TicketEvent
from tests.e2e.test_authorization_matrix import without_flood_limits
from tests.e2e.test_department_work import member, newest
from tests.e2e.test_privacy import Enterprise, enterprise, files, group_readings, leaks, press

SUBSIDY = (
    "第三批高新技术企业奖励资金公示三个月了还没到账，请尽快拨付。",
    "第三批高新技术企业奖励资金一直没有到账，公示已经过去三个月了。",
    "我们是第三批高新技术企业，奖励资金公示三个月了还没到账，资金很紧张。",
)
FOURTH = "第三批高新技术企业奖励资金到现在还没到账，公示都三个月了，请给个拨付时间。"


def card_in(scene: Scene, group_id: int, number: str) -> MessageRecord:
    """The ticket's own card (its number heads it; other cards may list it as a sibling)."""
    return next(
        m
        for m in reversed(scene.emulator.bot_messages(group_id))
        if "📋" in m.content and number in m.content.split("\n", 1)[0]
    )


def rows(scene: Scene) -> dict[str, Ticket]:
    with transaction(scene.desk.engine) as session:
        return {t.number: t for t in session.exec(select(Ticket))}


def events(scene: Scene, number: str) -> list[TicketEvent]:
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        return list(
            session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        )


def groups(scene: Scene) -> list[CommonGroup]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(CommonGroup)))


def three_enterprises(scene: Scene) -> list[Enterprise]:
    people = [
        ("雯婷", "司徒", "situ_wt", "厦门鹭岛精工有限公司", "91350100M000100Y43", "林经理", "all"),
        ("Quentin", "Ravel", "qravel", "同安明辉食品有限公司", None, "郭主管", "company"),
        ("慕白", "欧阳", "ouyang_mb", "翔安星河电子科技有限公司", None, "苏女士", "none"),
    ]
    return [
        enterprise(
            scene,
            user_id=6650000001 + i,
            first=first,
            last=last,
            username=username,
            company=company,
            uscc=uscc,
            contact=contact,
            phone=f"+861380013{8001 + i}",
            visibility=visibility,
        )
        for i, (first, last, username, company, uscc, contact, visibility) in enumerate(people)
    ]


async def test_three_enterprises_one_problem_linked_raised_led_and_answered_together(
    scene: Scene,
) -> None:
    without_flood_limits(scene)
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    sci = await scene.department_group("sci_tech", "科技创新局 工单群")
    chen = member(scene, dispatch.id, "陈科长")
    li = member(scene, sci.id, "李科员")
    ents = three_enterprises(scene)

    # 1. Three enterprises report the same late subsidy, in their own words.
    numbers = []
    for ent, text in zip(ents, SUBSIDY, strict=True):
        numbers.append(await files(ent, category="政策兑现", description=text))
    tickets = rows(scene)
    assert len({tickets[n].common_group_id for n in numbers}) == 1
    assert tickets[numbers[0]].common_group_id is not None
    assert {tickets[n].department_id for n in numbers} == {tickets[numbers[0]].department_id}

    # Each card counts the other enterprises and names their tickets by number and status.
    third = card_in(scene, sci.id, numbers[2])
    assert "另有 2 家企业反映同类问题" in third.content
    assert f"{numbers[0]}（已派单）" in third.content and numbers[1] in third.content
    first = card_in(scene, sci.id, numbers[0])  # edited when the group formed and was raised
    assert "另有 2 家企业反映同类问题" in first.content
    assert "📌 已列为共性问题" in first.content
    # Linking said nothing to any enterprise: each has only its own conversation.
    for ent, number in zip(ents, numbers, strict=True):
        seen = " ".join(m.content for m in scene.emulator.bot_messages(ent.person.chat_id))
        assert not [n for n in numbers if n != number and n in seen]
        assert "同类" not in seen
    for number in numbers:
        assert "link_common" in [e.action for e in events(scene, number)]

    # 2. The dispatcher hears of one common problem, once, with a proposed lead.
    [notice] = [m for m in scene.emulator.bot_messages(dispatch.id) if "共性问题" in m.content]
    assert "3 家企业在 7 天内反映同类问题" in notice.content
    assert "第三批高新技术企业奖励资金" in notice.content
    assert "涉及部门：科技创新局" in notice.content
    assert "建议牵头部门：科技创新局" in notice.content
    for ent in ents:  # the summary names no enterprise
        assert ent.company not in notice.content and ent.contact not in notice.content
    await press(chen, dispatch, notice, "✅ 确认由科技创新局牵头")
    [group] = groups(scene)
    assert group.raised_at is not None and group.lead_department_id is not None
    assert group.lead_department_id == tickets[numbers[0]].department_id
    assert "⭐ 营商环境办确定由本部门牵头" in newest(scene, sci.id, "牵头").content
    assert "⭐ 本部门牵头办理此共性问题" in card_in(scene, sci.id, numbers[1]).content
    # A fourth similar complaint raises nothing again.
    fourth = enterprise(
        scene,
        user_id=6650000009,
        first="建国",
        last="王",
        username="wjg",
        company="海沧远航物流有限公司",
        uscc=None,
        contact="王总",
        phone="+8613800139009",
        visibility="company",
    )
    numbers.append(await files(fourth, category="政策兑现", description=FOURTH))
    ents.append(fourth)
    assert (
        len(
            [m for m in scene.emulator.bot_messages(dispatch.id) if "天内反映同类问题" in m.content]
        )
        == 1
    )
    assert rows(scene)[numbers[3]].common_group_id == group.id

    # 3. The third enterprise reads English; the department answers all four at once.
    await ents[2].person.says("/lang")
    await ents[2].person.taps("English")
    await press(li, sci, card_in(scene, sci.id, numbers[0]), "📣 一并答复")
    prompt = newest(scene, sci.id, "一并收到这条答复")
    await li.says(
        "第三批奖励资金已于本周完成审核，将在10个工作日内拨付到账。",
        chat_id=sci.id,
        reply_to=prompt.message_id,
    )
    for ent, number in zip(ents, numbers, strict=True):
        relay = ent.person.last_reply()
        assert "第三批奖励资金已于本周完成审核" in relay.text
        assert number in relay.text
        assert ("ticket " in relay.text) == (ent is ents[2])  # its own language
        assert [n for n in numbers if n != number and n in relay.text] == []
    tickets = rows(scene)
    for number in numbers:  # each ticket has its own reply, clocks and state
        assert [e.action for e in events(scene, number)].count("reply") == 1
        assert tickets[number].status == "accepted"
        assert tickets[number].first_reply_at is not None
    assert "已一并答复 4 件工单" in newest(scene, sci.id, "一并答复").content

    # An enterprise's answer comes back under its own card, not another's.
    ent = ents[1]
    await ent.person.says("收到，谢谢！", reply_to=ent.person.last_reply().message_id)
    answer = newest(scene, sci.id, "收到，谢谢")
    assert answer.reply_to_message_id == card_in(scene, sci.id, numbers[1]).message_id

    # 4. Identities never cross. The department's group reads what each enterprise let it
    # (its own card only); no card names another enterprise or carries its words; no
    # enterprise reads anything of another.
    hidden: dict[str, str] = {}
    for ent in ents:
        hidden |= {f"{ent.company}: {k}": v for k, v in ent.hidden_from_departments().items()}
        hidden |= {f"{ent.company}: {k}": v for k, v in ent.identity().items()}
    assert not leaks(group_readings(scene), hidden)
    descriptions = dict(zip(numbers, [*SUBSIDY, FOURTH], strict=True))
    for ent, number in zip(ents, numbers, strict=True):
        card = card_in(scene, sci.id, number)
        for other, other_number in zip(ents, numbers, strict=True):
            if other is ent:
                continue
            for secret in (other.company, other.contact, other.phone[-11:]):
                assert secret not in card.content, (number, secret)
            assert descriptions[other_number] not in card.content
            seen = " ".join(m.content for m in scene.emulator.bot_messages(ent.person.chat_id))
            for secret in (
                other.company,
                other.contact,
                other.phone[-11:],
                str(other.person.user.id),
                other.person.user.first_name,
                descriptions[other_number],
            ):
                assert secret not in seen, (number, secret)


async def test_staff_take_a_ticket_out_and_link_one_by_number(scene: Scene) -> None:
    without_flood_limits(scene)
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    sci = await scene.department_group("sci_tech", "科技创新局 工单群")
    chen = member(scene, dispatch.id, "陈科长")
    li = member(scene, sci.id, "李科员")
    ents = three_enterprises(scene)
    a = await files(ents[0], category="政策兑现", description=SUBSIDY[0])
    b = await files(ents[1], category="政策兑现", description=SUBSIDY[1])
    assert rows(scene)[b].common_group_id == rows(scene)[a].common_group_id is not None

    # The department says b does not belong: one press takes it out.
    await press(li, sci, card_in(scene, sci.id, b), "移出同类")
    tickets = rows(scene)
    assert tickets[b].common_group_id is None and tickets[b].common_manual
    assert tickets[a].common_group_id is None  # a group of one is no group
    for number in (a, b):  # both cards edited: no group line, no group buttons
        card = card_in(scene, sci.id, number)
        assert "另有" not in card.content
        assert "移出同类" not in str(card.buttons)
    unlinked = [e for e in events(scene, b) if e.action == "unlink_common"]
    assert unlinked and unlinked[0].actor == "staff" and unlinked[0].detail["by"] == "李科员"
    # A lead needs a group; an unknown number is said to be unknown.
    await chen.says(f"/lead {b} sci_tech", chat_id=dispatch.id)
    assert f"工单 {b} 不在同类诉求中" in chen.last_reply(dispatch.id).text
    await chen.says(f"/link GX-20000101-0001 {a}", chat_id=dispatch.id)
    assert "没有找到这张工单" in chen.last_reply(dispatch.id).text
    await chen.says(f"/lead {b}", chat_id=dispatch.id)
    assert "用法：/lead" in chen.last_reply(dispatch.id).text

    # A third enterprise files the same: the desk links it to a, never to b again.
    c = await files(ents[2], category="政策兑现", description=SUBSIDY[2])
    tickets = rows(scene)
    assert tickets[c].common_group_id is not None
    assert tickets[c].common_group_id == tickets[a].common_group_id
    assert tickets[b].common_group_id is None

    # The dispatcher links b back by number.
    await chen.says(f"/link {b} {c}", chat_id=dispatch.id)
    assert f"已将 {b} 列入与 {c} 同类的诉求" in newest(scene, dispatch.id, "已将").content
    # Three enterprises now: the common problem is raised (once) as the link makes it so.
    assert "3 家企业在 7 天内反映同类问题" in newest(scene, dispatch.id, "共性问题").content
    tickets = rows(scene)
    assert tickets[b].common_group_id == tickets[c].common_group_id
    linked = [e for e in events(scene, b) if e.action == "link_common"]
    assert linked[-1].actor == "dispatcher" and linked[-1].detail["with"] == c
    assert "另有 2 家企业反映同类问题" in card_in(scene, sci.id, b).content

    # Someone outside the department and the dispatcher's desk may not.
    stranger = scene.person("路人")
    other = await scene.department_group("econ", "经济发展局 工单群")
    scene.emulator.add_member(other.id, stranger.user)
    await stranger.says(f"/unlink {b}", chat_id=other.id)
    assert "不归本群" in stranger.last_reply(other.id).text
    assert rows(scene)[b].common_group_id is not None
    # Usage is explained.
    await chen.says("/link", chat_id=dispatch.id)
    assert "用法：/link" in chen.last_reply(dispatch.id).text


async def test_filing_again_what_is_already_open_offers_to_add_to_it(scene: Scene) -> None:
    without_flood_limits(scene)
    sci = await scene.department_group("sci_tech", "科技创新局 工单群")
    ent = three_enterprises(scene)[0]
    first = await files(ent, category="政策兑现", description=SUBSIDY[0])

    # The same complaint again: the desk offers to add it to the open ticket.
    person = ent.person
    await person.says("📝 我要投诉")
    await person.taps("政策兑现")
    await person.says(SUBSIDY[1])
    await person.taps("下一步 ➡️")
    await person.taps(f"沿用上次：{ent.company}")
    await person.taps("企业名称和联系人都可以给部门看")
    await person.taps("✅ 提交")
    offer = person.last_reply()
    assert f"您已有一件类似的诉求 {first}" in offer.text
    await person.taps(f"补充到 {first}")
    assert len(rows(scene)) == 1  # nothing new filed
    assert f"已补充到工单 {first}（1 条）" in person.last_reply().text
    assert SUBSIDY[1] in newest(scene, sci.id, "补充").content
    assert "add_info" in [e.action for e in events(scene, first)]

    # It may still file a new one.
    await person.says("📝 我要投诉")
    await person.taps("政策兑现")
    await person.says(SUBSIDY[2])
    await person.taps("下一步 ➡️")
    await person.taps(f"沿用上次：{ent.company}")
    await person.taps("企业名称和联系人都可以给部门看")
    await person.taps("✅ 提交")
    await person.taps("仍然新建")
    assert "工单号：" in person.last_reply().text
    assert len(rows(scene)) == 2
