"""Bad input, part 3: markup characters, emoji and mixed scripts in every field.

The desk sends HTML; HTML's ``< > &`` and Markdown's ``* _ [ ] ( ) ~ ` \\`` typed by anyone
(names, company, descriptions, replies, reasons, comments) are shown exactly as typed. The
emulator's HTML check is strict, so one unescaped character anywhere fails a send here.
"""

from __future__ import annotations

import unicodedata

from sqlmodel import select

from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Ticket
from tests.e2e.test_bad_input_long_texts import assert_all_accepted
from tests.e2e.test_department_work import card_in, member, newest, ticket_row
from tests.e2e.test_filing_a_complaint import file_complaint

MARKUP = "<b>粗</b> & *星* _下_ [链](http://x.y) ~删~ `码` \\ &amp; &lt;i&gt; </a>"
SCRIPTS = "中文 English العربية עברית हिन्दी 한국어 𠀀𪚥 👨‍👩‍👧 🇨🇳 é (e\u0301)"
SCRIPTS_STORED = unicodedata.normalize("NFC", SCRIPTS)  # what the desk keeps (é once)


async def test_every_field_shows_markup_as_typed(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "<i>营商</i> & *督办* 群")
    econ = await scene.department_group("econ", "经济 <b>发展</b> 局 & [群]")
    await scene.department_group("tax", "税务 ~局~")
    staff = member(scene, econ.id, "<b>张</b> & _科员_")
    staff.user.last_name = "`[x](y)`"
    chen = member(scene, dispatch.id, "陈 <script>")
    ent = scene.person("<b>老板</b>&", last_name="*[x](y)*", username="boss_1")

    await ent.says("/start")
    assert "<b>老板</b>&" in ent.last_reply().text  # greeted by the name as typed
    await file_complaint(
        ent,
        category="政策兑现",
        description=f"补贴 {MARKUP} {SCRIPTS}",
        company=f"A&B <科技> *公司* {SCRIPTS[:20]}",
        visibility="企业名称和联系人都可以给部门看",
    )
    number = ent.last_reply().text.split("工单号：")[1].split()[0]
    card = card_in(scene, econ.id, number)
    assert MARKUP in card.text and SCRIPTS_STORED in card.text
    assert "A&B <科技> *公司*" in card.text

    await staff.taps("✅ 签收", chat_id=econ.id)
    assert "<b>张</b> & _科员_" in card_in(scene, econ.id, number).text
    await staff.says(f"答复 {MARKUP}", chat_id=econ.id, reply_to=card.message_id)
    relay = ent.last_reply()
    assert relay.text.startswith(f"【经济发展局】答复 {MARKUP}")
    await ent.says(f"谢谢 {MARKUP} {SCRIPTS}", reply_to=relay.message_id)
    assert f"谢谢 {MARKUP}" in newest(scene, econ.id, "企业回复").text

    await staff.taps("↪️ 转办/退单", chat_id=econ.id)
    await staff.taps("其他（填写原因）", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明退单原因")
    await staff.says(f"原因 {MARKUP}", chat_id=econ.id, reply_to=prompt.message_id)
    request = newest(scene, dispatch.id, "退单申请")
    assert f"原因 {MARKUP}" in request.text and "<b>张</b> & _科员_" in request.text
    await chen.taps("✖️ 驳回", chat_id=dispatch.id)
    ask = newest(scene, dispatch.id, "驳回理由")
    await chen.says(f"驳回 {MARKUP}", chat_id=dispatch.id, reply_to=ask.message_id)
    assert f"驳回 {MARKUP}" in newest(scene, econ.id, "退单申请被驳回").text
    assert "陈 <script>" in newest(scene, dispatch.id, "驳回（").text

    await staff.taps("🏁 办结", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明办理结果")
    await staff.says(f"办结 {MARKUP} {SCRIPTS}", chat_id=econ.id, reply_to=prompt.message_id)
    assert f"办结 {MARKUP}" in ent.last_reply().text
    await ent.taps("满意")
    ask = ent.last_reply()
    await ent.says(f"评价 {MARKUP}", reply_to=ask.message_id)
    assert f"评价 {MARKUP}" in newest(scene, econ.id, "评价意见").text

    await ent.says("/my")
    await ent.taps(number)
    detail = ent.last_reply().text
    assert MARKUP in detail and "经济发展局答复：答复" in detail
    admin = scene.admin
    scene.emulator.user_sends_text(admin, admin.id, f"/ticket {number}")
    await scene.settle()
    overview = scene.emulator.last_bot_message(admin.id).text
    assert "A&B <科技> *公司*" in overview and MARKUP[:20] in overview
    with transaction(scene.desk.engine) as session:
        stored = session.exec(select(Ticket)).one()
    assert MARKUP in stored.description and stored.rating_comment == f"评价 {MARKUP}"
    assert ticket_row(scene).status == "closed"
    assert_all_accepted(scene)


async def test_markup_in_commands_and_codes_is_echoed_safely(scene: Scene) -> None:
    group = scene.emulator.add_group("<b>群</b>", members=[scene.admin], supergroup=True)
    for command in (
        "/bind <script>",
        "/bind &amp;",
        "/assign <b>GX</b> <i>econ</i>",
        "/ticket <b>x</b>",
        "/summary *2026*-W<48>",
        "/block <b>1</b>",
    ):
        scene.emulator.user_sends_text(scene.admin, group.id, command)
        await scene.settle()
    answers = [m.text for m in scene.emulator.bot_messages(group.id)]
    assert len(answers) == 6
    assert "<script>" in answers[0] and "&amp;" in answers[1]
    assert_all_accepted(scene)
