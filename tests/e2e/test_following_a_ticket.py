"""Stories after filing: /my, history, adding information, withdrawing, language, odd input."""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Outbox, Ticket, TicketMessage
from tests.e2e.test_filing_a_complaint import file_complaint


async def test_my_tickets_history_add_information_and_withdraw(scene: Scene) -> None:
    market = await scene.department_group("market", "市场监管分局 工单群")
    sun = scene.person("孙")
    await file_complaint(sun, category="涉企收费", description="园区物业转供电每度加价三毛")
    number = sun.last_reply().text.split("工单号：")[1].split()[0]

    await sun.says("/my")
    listing = sun.last_reply()
    assert number in listing.text and "市场监管分局" in listing.text and "已派单" in listing.text
    await sun.taps(number)
    detail = sun.last_reply()
    assert "办理记录" in detail.text and "派给市场监管分局" in detail.text

    await sun.taps("➕ 补充信息")
    await sun.says("补充：上个月电费单，单价 1.05 元/度")
    await sun.sends_document("电费单.pdf", b"%PDF-1.4 bill", "application/pdf")
    await sun.taps("✅ 补充完了")
    assert "2 条" in sun.last_reply().text
    group = scene.emulator.bot_messages(market.id)
    card = next(m for m in group if number in m.text and "📋" in m.text)
    added_text = next(m for m in group if "单价 1.05 元/度" in m.text)
    added_file = group[-1]
    assert added_text.reply_to_message_id == card.message_id
    assert added_file.document_file_id is not None and not added_file.forwarded

    await sun.says("/my")
    await sun.taps(number)
    await sun.taps("↩️ 撤回工单")
    await sun.taps("确定撤回")
    assert "已撤回" in sun.last_reply().text
    notice = scene.emulator.last_bot_message(market.id)
    assert "已由企业撤回" in notice.text and notice.reply_to_message_id == card.message_id
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        files = [m for m in session.exec(select(TicketMessage)) if m.file_kind == "document"]
    assert ticket.status == "withdrawn" and len(files) == 1


async def test_someone_elses_ticket_cannot_be_opened_or_withdrawn(scene: Scene) -> None:
    owner = scene.person("甲")
    await file_complaint(owner, category="涉企收费", description="收费问题")
    with transaction(scene.desk.engine) as session:
        ticket_id = session.exec(select(Ticket)).one().id
    intruder = scene.person("乙")
    await intruder.says("/start")
    for data in (f"t:{ticket_id}", f"wy:{ticket_id}", f"ai:{ticket_id}"):
        scene.emulator.user_presses(
            intruder.user, intruder.chat_id, intruder.last_reply().message_id, data, forge=True
        )
        await scene.settle()
        assert "没有找到这张工单" in intruder.last_reply().text
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Ticket)).one().status == "assigned"


async def test_a_plain_message_is_offered_as_a_ticket(scene: Scene) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    qian = scene.person("钱")
    await qian.says("区里承诺的研发补贴到现在还没兑现，能帮忙问问吗？")
    offer = qian.last_reply()
    assert "要把它作为一张工单提交吗" in offer.text and "政策兑现" in offer.text
    await qian.taps("作为投诉提交")
    assert "已记下" in qian.last_reply().text  # the message is the description already
    await qian.taps("下一步 ➡️")
    assert "企业的名称" in qian.last_reply().text
    await qian.says("/cancel")
    await qian.says("算了，先不提交")
    await qian.taps("不用了")
    assert "不提交" in qian.last_reply().text
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Ticket)).all() == []


async def test_a_card_for_an_unbound_department_waits_for_bind(scene: Scene) -> None:
    zhao = scene.person("赵")
    await file_complaint(zhao, category="融资", description="申请的贴息贷款迟迟没有放款")
    assert "财政" in zhao.last_reply().text
    with transaction(scene.desk.engine) as session:
        held = [r for r in session.exec(select(Outbox)) if r.purpose == "card"]
    assert len(held) == 1 and held[0].chat_id is None and held[0].status == "pending"
    finance = await scene.department_group("finance", "财政金融局 工单群")
    await scene.settle()
    card = scene.emulator.last_bot_message(finance.id)
    assert "贴息贷款" in card.text


async def test_binding_a_forum_topic_sends_cards_into_that_topic(scene: Scene) -> None:
    forum = scene.emulator.add_group("管委会工作群", forum=True, members=[scene.admin])
    topic = scene.emulator.add_topic(forum.id, "生态环境分局")
    scene.emulator.user_sends_text(scene.admin, forum.id, "/bind ecology", thread_id=topic)
    await scene.settle()
    assert "本话题" in scene.emulator.last_bot_message(forum.id, thread_id=topic).text
    li = scene.person("李")
    await file_complaint(li, category="其他", description="隔壁工厂夜间排污，环评手续存疑")
    card = scene.emulator.last_bot_message(forum.id, thread_id=topic)
    assert "夜间排污" in card.text and card.thread_id == topic


async def test_admin_lists_departments_and_others_are_refused(scene: Scene) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    admin_chat = scene.admin.id
    scene.emulator.user_sends_text(scene.admin, admin_chat, "/departments")
    await scene.settle()
    overview = scene.emulator.last_bot_message(admin_chat).text
    assert "econ · 经济发展局" in overview and "未绑定" in overview
    visitor = scene.person("访客")
    await visitor.says("/departments")
    assert "只有受理台管理员" in visitor.last_reply().text
    await visitor.says("/bind econ")
    assert "只有受理台管理员" in visitor.last_reply().text


async def test_language_switch_and_odd_input(scene: Scene) -> None:
    ma = scene.person("马")
    await ma.says("/lang")
    await ma.taps("English")
    assert "speak English" in ma.last_reply().text
    await ma.says("/start")
    assert "Hello" in ma.last_reply().text
    await ma.says("/frobnicate")
    assert "Unknown command" in ma.last_reply().text
    scene.emulator.user_sends_sticker(ma.user, ma.chat_id)
    await scene.settle()
    assert "text, photos, files" in ma.last_reply().text
    scene.emulator.user_presses(
        ma.user, ma.chat_id, ma.last_reply().message_id, "zz:forged", forge=True
    )
    await scene.settle()
    assert "expired" in scene.emulator.callback_answers[-1].text


async def test_a_restart_midway_loses_nothing_typed(scene: Scene) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    guo = scene.person("郭")
    await guo.says("/start")
    await guo.says("📝 我要投诉")
    await guo.taps("政策兑现")
    await guo.says("厂区天然气报装申请了两个月还没通气")
    await scene.restart()
    await guo.taps("下一步 ➡️")
    assert "企业的名称" in guo.last_reply().text
    await guo.says("郭氏机电")
    await guo.taps("跳过")
    await guo.says("郭先生")
    await guo.says("13900001111")
    await guo.taps("都不给（由营商环境办转达）")
    await guo.taps("✅ 提交")
    assert "经济发展局" in guo.last_reply().text
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.description == "厂区天然气报装申请了两个月还没通气"
    assert not ticket.share_company and not ticket.share_contact


async def test_each_audience_has_its_own_command_menu(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    emulator = scene.emulator
    private = [c for c, _ in emulator.commands({"type": "all_private_chats"})]
    assert private == ["start", "my", "cancel", "lang", "help"]
    english = dict(emulator.commands({"type": "all_private_chats"}, "en"))
    assert english["my"] == "My tickets"
    staff_menu = ["help", "link", "unlink"]  # staff in every group: help and 同类诉求
    assert [c for c, _ in emulator.commands({"type": "all_group_chats"})] == staff_menu
    admin_private = [c for c, _ in emulator.commands({"type": "chat", "chat_id": scene.admin.id})]
    assert "bind" in admin_private and "summary" in admin_private
    in_group = [
        c
        for c, _ in emulator.commands(
            {"type": "chat_member", "chat_id": econ.id, "user_id": scene.admin.id}
        )
    ]
    assert in_group[0] == "help" and "ticket" in in_group
    assert [c for c, _ in emulator.commands({"type": "chat", "chat_id": econ.id})] == staff_menu
