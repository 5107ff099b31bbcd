"""Stories of an enterprise filing a ticket, told through Telegram as it lives them."""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Draft, Outbox, Reporter, Ticket


async def file_complaint(
    person: Person,
    *,
    category: str,
    description: str,
    photo: bool = False,
    company: str = "厦门海沧精密机械有限公司",
    uscc: str | None = "91350100M000100Y43",
    visibility: str = "只给企业名称",
) -> None:
    await person.says("/start")
    await person.says("📝 我要投诉")
    await person.taps(category)
    await person.says(description)
    if photo:
        await person.sends_photo(caption="现场照片")
    await person.taps("下一步 ➡️")
    await person.says(company)
    if uscc:
        await person.says(uscc)
    else:
        await person.taps("跳过")
    await person.says("林经理")
    await person.shares_own_phone("+8613800138000")
    await person.taps(visibility)
    await person.taps("✅ 提交")


async def test_complaint_with_photo_reaches_the_right_group_without_the_reporters_identity(
    scene: Scene,
) -> None:
    planning = await scene.department_group("planning", "规划建设局 工单群")
    assert "已绑定" in scene.emulator.last_bot_message(planning.id).text

    lin = scene.person("林", last_name="晓梅", username="lin_xiaomei")
    await lin.says("/start")
    greeting = lin.last_reply()
    assert "您好，林" in greeting.text
    assert greeting.reply_keyboard[0][0] == "📝 我要投诉"

    await file_complaint(
        lin,
        category="政务服务/审批",
        photo=True,
        description="厂房消防验收一直排不上号，已经等了两个月，影响投产。",
    )

    ack = lin.last_reply()
    assert "已受理" in ack.text and "GX-" in ack.text
    assert "规划建设局" in ack.text
    number = ack.text.split("工单号：")[1].split()[0]

    card, evidence = scene.emulator.bot_messages(planning.id)[-2:]
    assert number in card.text and "厂房消防验收" in card.text
    assert "厦门海沧精密机械有限公司" in card.text  # the enterprise allowed the company name
    for secret in ("林经理", "13800138000", "lin_xiaomei", "晓梅", str(lin.user.id)):
        assert secret not in card.text, secret
    assert evidence.photo_file_id is not None and not evidence.forwarded
    assert evidence.reply_to_message_id == card.message_id
    assert not scene.emulator.calls("forwardMessage")

    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        rows = session.exec(select(Outbox)).all()
    assert ticket.number == number and ticket.status == "assigned"
    assert {r.status for r in rows} == {"sent"}


async def test_unmatched_complaint_is_dispatched_by_the_office(unsure_scene: Scene) -> None:
    scene = unsure_scene
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = scene.person("张总")
    await file_complaint(
        zhang,
        category="其他",
        description="想反映一下园区里的一些情况。",
        uscc=None,
        visibility="企业名称和联系人都可以给部门看",
    )
    assert "营商环境办亲自分派" in zhang.last_reply().text

    card = scene.emulator.last_bot_message(dispatch.id)
    assert "待分派" in card.text and "张总" not in card.text
    officer = scene.person("陈科长")
    scene.emulator.add_member(dispatch.id, officer.user)
    # The department may be among the model's three best, its button showing a percentage.
    econ_button = next(b.text for b in card.buttons if b.text.startswith("经济发展局"))
    await officer.taps(econ_button, chat_id=dispatch.id)

    econ_card = scene.emulator.last_bot_message(econ.id)
    assert "想反映一下园区里的一些情况" in econ_card.text
    assert "林经理" in econ_card.text  # this enterprise allowed its contact
    assert (
        "已由 陈科长 分派给 经济发展局" in scene.emulator.message(dispatch.id, card.message_id).text
    )
    assert "已分派给 经济发展局" in zhang.last_reply().text


async def test_a_stranger_cannot_dispatch_or_bind(unsure_scene: Scene) -> None:
    scene = unsure_scene
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    zhang = scene.person("张总")
    await file_complaint(zhang, category="其他", description="想反映一下园区里的一些情况。")
    stranger = scene.person("路人")
    group = scene.emulator.add_group("路人的群", members=[stranger.user], supergroup=True)
    await stranger.says("/bind econ", chat_id=group.id)
    assert "只有受理台管理员" in scene.emulator.last_bot_message(group.id).text
    # A forged press of a dispatch button from another chat.
    card = scene.emulator.last_bot_message(dispatch.id)
    data = card.buttons[0].callback_data
    scene.emulator.add_member(dispatch.id, stranger.user)
    scene.emulator.user_presses(stranger.user, group.id, 1, data, forge=True)
    await scene.settle()
    assert "只有营商环境办" in scene.emulator.callback_answers[-1].text
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Ticket)).one().status == "unrouted"


async def test_html_in_a_description_is_shown_escaped(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    boss = scene.person("<b>老板</b>")
    await file_complaint(
        boss,
        category="政策兑现",
        description="<script>alert('x')</script> & 厂区停电三天 <供电所不管>",
        company="A&B <科技> 公司",
    )
    card = scene.emulator.last_bot_message(econ.id)
    assert "<script>alert('x')</script> & 厂区停电三天 <供电所不管>" in card.text
    assert "&lt;script&gt;" in card.html
    assert "A&B <科技> 公司" in card.text


async def test_the_same_update_twice_files_one_ticket(scene: Scene) -> None:
    await scene.department_group("market", "市场监管分局 工单群")
    wu = scene.person("吴")
    await file_complaint(wu, category="涉企收费", description="物业转供电每度加价三毛")
    confirm = next(m for m in reversed(wu.replies()) if "请确认" in m.text)
    # A second tap on 提交 (a new update) is answered, not filed again …
    tap = scene.emulator.user_presses(
        wu.user, wu.chat_id, confirm.message_id, "cf:submit", forge=True
    )
    await scene.settle()
    assert "已经提交过了" in wu.last_reply().text
    # … and Telegram redelivering one update (same update_id) changes nothing at all.
    redelivered = {"update_id": 10**6, "callback_query": tap}
    scene.emulator.deliver_raw_update(redelivered)
    await scene.settle()
    replies = len(wu.replies())
    scene.emulator.deliver_raw_update(redelivered)
    await scene.settle()
    assert len(wu.replies()) == replies
    with transaction(scene.desk.engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 1
    assert sum("已受理" in m.text for m in wu.replies()) == 1


async def test_cancel_midway_keeps_the_draft(scene: Scene) -> None:
    he = scene.person("何")
    await he.says("/start")
    await he.says("📝 我要投诉")
    await he.taps("涉企收费")
    await he.says("检测机构收费远高于备案标准")
    await he.says("/cancel")
    assert "已退出填写" in he.last_reply().text
    await he.says("📝 我要投诉")
    assert "没提交的草稿" in he.last_reply().text
    await he.taps("接着写")
    assert "已记下" in he.last_reply().text
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Ticket)).all() == []


async def test_english_flow(scene: Scene) -> None:
    await scene.department_group("tax", "Tax group")
    anna = scene.person("Anna", language_code="en")
    await anna.says("/start")
    assert "Hello, Anna" in anna.last_reply().text
    await anna.says("📝 File a complaint")
    await anna.taps("Financing" if False else anna.replies()[-1].buttons[0].text)
    await anna.says("The VAT refund (留抵退税) has been pending for three months.")
    await anna.taps("Next ➡️")
    await anna.says("Nordic Sensors Ltd")
    await anna.says("91350100M000100Y44")
    # The code does not check out: compare it with the licence (the typo may be anywhere, so
    # no "the last character should be …").
    said = anna.last_reply().text
    assert "does not check out" in said and "business licence" in said
    assert "should be" not in said and "“3”" not in said
    await anna.taps("Skip")
    await anna.says("Anna Berg")
    await anna.says("not a phone")
    assert "looks incomplete" in anna.last_reply().text
    await anna.says("+852 9123 4567")
    # The share-phone keyboard goes away; the main menu does not come back mid-filing.
    saved = next(m for m in reversed(anna.replies()) if "+852" in m.text)
    assert saved.reply_markup == {"remove_keyboard": True} and not saved.reply_keyboard
    await anna.taps("company name only")
    await anna.taps("✅ Submit")
    ack = anna.last_reply()
    assert "Ticket number" in ack.text and "Tax" in ack.text
    assert ack.reply_keyboard[0][0] == "📝 File a complaint"  # filing done: the menu is back
    # /my says the status in words, not the database's "assigned".
    await anna.says("/my")
    listing = anna.last_reply().text
    assert "sent to the department" in listing and "assigned" not in listing


async def test_a_new_enterprise_is_met_by_its_first_words(scene: Scene) -> None:
    """The day the desk is announced, most people start by simply writing their problem."""
    await scene.department_group("market", "市场监管分局 工单群")
    zhou = scene.person("周")
    first = scene.emulator.user_sends_text(zhou.user, zhou.chat_id, "物业转供电每度加价三毛")
    await scene.settle()
    offer = zhou.last_reply()
    assert "要把它作为一张工单提交吗" in offer.text and "涉企收费" in offer.text
    with transaction(scene.desk.engine) as session:
        [stored] = session.exec(select(Reporter)).all()
        # Stored once, with its language and the words waiting to be filed.
        assert stored.telegram_user_id == zhou.user.id
        assert stored.language == "zh" and stored.offer_text == "物业转供电每度加价三毛"
    # Telegram delivering that first message again (after a crash) answers nothing twice.
    scene.emulator.deliver_raw_update({"update_id": 10**6, "message": first})
    await scene.settle()
    scene.emulator.deliver_raw_update({"update_id": 10**6, "message": first})
    await scene.settle()
    assert [m.text for m in zhou.replies()].count(offer.text) == 2
    await zhou.taps("作为投诉提交")  # the words kept with the reporter start the draft
    assert "已记下 ✅（11 字" in zhou.last_reply().text
    with transaction(scene.desk.engine) as session:
        assert len(session.exec(select(Reporter)).all()) == 1
        [draft] = session.exec(select(Draft)).all()
        assert draft.data["description"] == "物业转供电每度加价三毛"
        assert draft.data["category"] == "fees"


async def test_a_new_enterprise_may_start_from_the_menu(scene: Scene) -> None:
    wang = scene.person("汪")
    await wang.says("📝 我要投诉")
    assert "类别" in wang.last_reply().text
    await wang.says("📋 我的工单")
    with transaction(scene.desk.engine) as session:
        [stored] = session.exec(select(Reporter)).all()
        assert stored.telegram_user_id == wang.user.id and stored.id is not None
