"""Bad input, part 1: texts longer than a message, captions longer than a caption.

Telegram counts 4096 UTF-16 units per message and 1024 per caption (an emoji outside the
BMP is two). Whatever the desk is given is stored whole and delivered whole, in parts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.emulator.text import utf16_len
from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Outbox, Ticket, TicketMessage
from tests.e2e.test_department_work import card_in, filed, member, newest, ticket_row

# 8 UTF-16 units, HTML special characters included: 500 of them make a 4000-unit message.
UNIT = "😀停电&<b>"
SEND_METHODS = ("sendMessage", "copyMessage", "sendPhoto", "sendDocument", "editMessageText")


def long_text(label: str, units: int = 4000) -> str:
    text = label + UNIT * ((units - utf16_len(label)) // utf16_len(UNIT))
    assert utf16_len(text) <= 4096
    return text


def assert_all_accepted(scene: Scene) -> None:
    """Telegram refused nothing the desk sent, and no outbox row gave up."""
    refused = [
        (call.method, call.description)
        for call in scene.emulator.api_calls
        if call.method in SEND_METHODS
        and not call.ok
        and "not modified" not in (call.description or "")
    ]
    assert not refused, refused
    assert not scene.emulator.internal_errors
    with transaction(scene.desk.engine) as session:
        stuck = [
            (row.purpose, row.status, row.last_error)
            for row in session.exec(select(Outbox))
            if row.status not in ("sent",)
        ]
    assert not stuck, stuck


def emoji_in(messages: Iterable[MessageRecord]) -> int:
    return sum(m.content.count("😀") for m in messages)


def since(scene: Scene, chat_id: int, message_id: int) -> list[MessageRecord]:
    return [m for m in scene.emulator.bot_messages(chat_id) if m.message_id > message_id]


def relays(scene: Scene, person: Person, seen: int) -> list[MessageRecord]:
    """What the department said to the enterprise after ``seen`` (not the accept notice)."""
    return [m for m in since(scene, person.chat_id, seen) if "签收" not in m.content[:40]]


async def file_in_parts(person: Person, parts: list[str], *, category: str = "政策兑现") -> str:
    """File a complaint whose description is several messages (as a client splits it)."""
    await person.says("/start")
    await person.says("📝 我要投诉")
    await person.taps(category)
    for part in parts:
        await person.says(part)
    await person.taps("下一步 ➡️")
    await person.says("厦门海沧精密机械有限公司")
    await person.taps("跳过")
    await person.says("林经理")
    await person.shares_own_phone("+8613800138000")
    await person.taps("只给企业名称")
    await person.taps("✅ 提交")
    return person.last_reply().text.split("工单号：")[1].split()[0]


async def test_a_description_of_three_full_messages_is_stored_whole_and_shown_in_parts(
    scene: Scene,
) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("长")
    parts = [long_text(f"第{n}段：") for n in (1, 2, 3)]
    number = await file_in_parts(ent, parts)

    ticket = ticket_row(scene)
    assert ticket.description == "\n".join(parts)  # stored whole
    summary = next(m for m in ent.replies() if "请确认" in m.text)
    assert "…" in summary.text and utf16_len(summary.text) <= 4096

    card = card_in(scene, econ.id, number)
    below = [m for m in since(scene, econ.id, card.message_id) if m.reply_to_message_id]
    assert all(m.reply_to_message_id == card.message_id for m in below)
    # Card and the parts under it hold every character of the description.
    assert emoji_in([card, *below]) == ticket.description.count("😀")
    assert any("第3段" in m.text for m in below) and "<b>" in below[-1].text

    await ent.says("/my")
    await ent.taps(number)
    assert "第1段" in ent.last_reply().text  # the detail shows the start, cut to fit
    assert_all_accepted(scene)


async def test_long_added_information_reaches_the_department_whole(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("补")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    await ent.says("/my")
    await ent.taps(number)
    await ent.taps("➕ 补充信息")
    added = [long_text("补充一："), long_text("补充二：", 4096)]
    for text in added:
        await ent.says(text)
    await ent.taps("✅ 补充完了")
    assert "2 条" in ent.last_reply().text

    notices = since(scene, econ.id, card.message_id)
    assert len(notices) == 3  # the longer addition needed two messages
    assert all(m.reply_to_message_id == card.message_id for m in notices)
    assert emoji_in(notices) == sum(t.count("😀") for t in added)
    with transaction(scene.desk.engine) as session:
        stored = [m.text for m in session.exec(select(TicketMessage)) if m.text]
    assert stored == added
    assert_all_accepted(scene)


async def test_a_long_reply_question_and_resolution_reach_the_enterprise_whole(
    scene: Scene,
) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("全")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)

    seen = ent.last_reply().message_id
    reply = long_text("答复：", 4096)
    await zhang.says(reply, chat_id=econ.id, reply_to=card.message_id)
    relayed = relays(scene, ent, seen)
    assert len(relayed) == 2 and relayed[0].text.startswith("【经济发展局】答复：")
    assert emoji_in(relayed) == reply.count("😀")
    assert "直接回复本消息" in relayed[-1].text  # the footer closes the last part

    # Answering the first part is answering the ticket, like answering the whole.
    await ent.says("收到，谢谢", reply_to=relayed[0].message_id)
    assert "已转给承办部门" in ent.last_reply().text

    await zhang.taps("❓ 需补充材料", chat_id=econ.id)
    prompt = newest(scene, econ.id, "需要企业补充什么")
    seen = ent.last_reply().message_id
    question = long_text("请补充：", 4096)
    await zhang.says(question, chat_id=econ.id, reply_to=prompt.message_id)
    asked = since(scene, ent.chat_id, seen)
    assert len(asked) == 2 and emoji_in(asked) == question.count("😀")
    assert asked[-1].reply_markup and asked[-1].reply_markup.get("force_reply")
    await ent.says("材料已补", reply_to=asked[-1].message_id)
    assert ticket_row(scene).status == "accepted"

    await zhang.taps("🏁 办结", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明办理结果")
    seen = ent.last_reply().message_id
    resolution = long_text("办结：", 4096)
    await zhang.says(resolution, chat_id=econ.id, reply_to=prompt.message_id)
    resolved = since(scene, ent.chat_id, seen)
    assert len(resolved) == 2 and emoji_in(resolved) == resolution.count("😀")
    assert resolved[0].buttons == [] and len(resolved[-1].buttons) == 5  # rate on the last
    await ent.taps("满意")
    assert ticket_row(scene).status == "closed"
    assert ticket_row(scene).resolution == resolution
    assert_all_accepted(scene)


async def test_a_long_transfer_reason_keeps_the_dispatchers_buttons_working(
    scene: Scene,
) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    await scene.department_group("tax", "税务局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("转")
    await filed(scene, ent, description="停电" + "长" * 1988)  # a card at its longest

    await zhang.taps("↪️ 转办/退单", chat_id=econ.id)
    await zhang.taps("其他（填写原因）", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明退单原因")
    seen = scene.emulator.last_bot_message(dispatch.id).message_id
    reason = long_text("原因：", 4096)
    await zhang.says(reason, chat_id=econ.id, reply_to=prompt.message_id)
    request = since(scene, dispatch.id, seen)
    assert len(request) >= 2 and emoji_in(request) == reason.count("😀")
    assert request[0].buttons == [] and request[-1].buttons  # the decision on the last part
    await chen.taps("税务局", chat_id=dispatch.id)
    assert ticket_row(scene).status == "assigned"
    assert scene.emulator.message(dispatch.id, request[-1].message_id).buttons == []
    with transaction(scene.desk.engine) as session:
        requests = session.exec(select(Ticket)).one()
    assert requests.status == "assigned"
    assert_all_accepted(scene)


async def test_long_captions_are_cut_on_the_copy_and_the_rest_follows_as_text(
    scene: Scene,
) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("图")
    # A Telegram Premium user writes captions up to 4096; a bot may send 1024.
    caption = long_text("照片说明：", 3000)
    await ent.says("/start")
    await ent.says("📝 我要投诉")
    await ent.taps("政策兑现")
    await ent.says("停电现场照片见附件")
    scene.emulator.user_sends_photo(ent.user, ent.chat_id, caption=caption)
    await scene.settle()
    await ent.taps("下一步 ➡️")
    await ent.says("厦门海沧精密机械有限公司")
    await ent.taps("跳过")
    await ent.says("林经理")
    await ent.shares_own_phone("+8613800138000")
    await ent.taps("只给企业名称")
    await ent.taps("✅ 提交")
    number = ent.last_reply().text.split("工单号：")[1].split()[0]

    card = card_in(scene, econ.id, number)
    below = since(scene, econ.id, card.message_id)
    photo = next(m for m in below if m.photo)
    assert utf16_len(photo.caption or "") <= 1024 and not photo.forwarded
    assert emoji_in(below) == caption.count("😀")  # the rest came as text under the card

    seen = ent.last_reply().message_id
    staff_caption = long_text("部门说明：", 4000)
    scene.emulator.user_sends_photo(
        zhang.user, econ.id, caption=staff_caption, reply_to=card.message_id
    )
    await scene.settle()
    relayed = relays(scene, ent, seen)
    copy = relayed[0]
    assert copy.photo and copy.caption.startswith("【经济发展局】部门说明：")
    assert utf16_len(copy.caption) <= 1024
    assert emoji_in(relayed) == staff_caption.count("😀")
    assert "直接回复本消息" in relayed[-1].text
    assert_all_accepted(scene)
