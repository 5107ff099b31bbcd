"""Bad input, part 2: every kind of message, wherever it arrives.

Evidence is copied, never downloaded: photos, files, videos, voice and video notes are
taken at any size (bots may download only 20 MB, but copyMessage works for anything).
Stickers, locations, polls and other people's contact cards carry nothing the desk can use:
they get a polite word and change nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Draft, Reporter, Ticket, TicketMessage
from tests.e2e.test_bad_input_long_texts import assert_all_accepted, since
from tests.e2e.test_department_work import card_in, filed, member, newest, ticket_row

UNSUPPORTED = "暂时只能接收文字、照片、文件、视频和语音"
GIGABYTES = 1024**3


async def sends(person: Person, kind: str, **kwargs: Any) -> None:
    """The person sends a sticker, voice, video, video note, location, poll or contact."""
    emulator = person.scene.emulator
    user, chat = person.user, kwargs.pop("chat_id", person.chat_id)
    if kind == "sticker":
        emulator.user_sends_sticker(user, chat, **kwargs)
    elif kind == "voice":
        emulator.user_sends_voice(user, chat, **kwargs)
    elif kind == "video":
        emulator.user_sends_video(user, chat, **kwargs)
    elif kind == "video_note":
        emulator.user_sends_video_note(user, chat, **kwargs)
    elif kind == "location":
        emulator.user_sends_location(user, chat, 24.4798, 118.0894, **kwargs)
    elif kind == "poll":
        emulator.user_sends_poll(user, chat, "满意吗？", ["满意", "不满意"], **kwargs)
    elif kind == "contact":  # someone else's card
        emulator.user_shares_contact(user, chat, "+8613900000000", "别人", contact_user_id=42)
    else:
        raise ValueError(kind)
    await person.scene.settle()


def counts(scene: Scene) -> tuple[int, int, int]:
    with transaction(scene.desk.engine) as session:
        return (
            len(session.exec(select(Ticket)).all()),
            len(session.exec(select(TicketMessage)).all()),
            len(session.exec(select(Draft)).all()),
        )


async def test_outside_any_ticket_odd_messages_are_answered_and_nothing_is_kept(
    scene: Scene,
) -> None:
    ent = scene.person("奇")
    await ent.says("/start")
    for kind in ("sticker", "location", "poll", "contact"):
        before = len(ent.replies())
        await sends(ent, kind)
        assert len(ent.replies()) == before + 1, kind
        assert UNSUPPORTED in ent.last_reply().text, kind
    for kind in ("voice", "video_note", "video"):
        await sends(ent, kind)
        assert "不属于任何工单" in ent.last_reply().text, kind
    # Invisible "empty" texts (a zero-width space, an ideographic space) say nothing.
    for blank in ("\u200b", "\u3000", "\u200b\u200d"):
        scene.emulator.deliver_raw_update({"message": raw_message(scene, ent, text=blank)})
        await scene.settle()
        assert UNSUPPORTED in ent.last_reply().text
    assert counts(scene) == (0, 0, 0)
    with transaction(scene.desk.engine) as session:
        reporter = session.exec(select(Reporter)).one()
    assert reporter.offer_text is None
    assert_all_accepted(scene)


def raw_message(scene: Scene, person: Person, **content: Any) -> dict[str, Any]:
    """A message Telegram could deliver but no emulated client produces (blank texts)."""
    chat = scene.emulator.chat(person.chat_id)
    chat.last_message_id += 1
    return {
        "message_id": chat.last_message_id,
        "from": person.user.to_api(),
        "chat": chat.to_api(),
        "date": 1_795_000_000,
        **content,
    }


async def test_while_filing_media_are_evidence_and_the_rest_is_refused(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("证")
    await ent.says("/start")
    await ent.says("📝 我要投诉")
    await ent.taps("政策兑现")
    await ent.says("厂区停电三天了，录了语音和视频")
    for kind in ("sticker", "location", "poll", "contact"):
        await sends(ent, kind)
        assert UNSUPPORTED in ent.last_reply().text, kind
    scene.emulator.deliver_raw_update({"message": raw_message(scene, ent, text="\u200b")})
    await scene.settle()
    assert "先用文字说明" in ent.last_reply().text
    await sends(ent, "voice", caption="语音说明")
    await sends(ent, "video_note")
    # A video of 1.5 GB and a file of 1.9 GB: never downloaded, so taken like any other.
    await sends(ent, "video", file_size=int(1.5 * GIGABYTES))
    scene.emulator.user_sends_document(
        ent.user,
        ent.chat_id,
        file_name="监控录像.zip",
        data=b"PK\x03\x04 stands in for 1.9 GB",
        mime_type="application/zip",
        file_size=int(1.9 * GIGABYTES),
    )
    await scene.settle()
    assert "共 4 个" in ent.last_reply().text
    await ent.taps("下一步 ➡️")
    # A step that needs words: media and stickers alike are asked for text again.
    for kind in ("sticker", "voice"):
        await sends(ent, kind)
        assert "需要文字回答" in ent.replies()[-2].text, kind
        assert "企业的名称" in ent.last_reply().text
    await ent.says("厦门海沧精密机械有限公司")
    await ent.taps("跳过")
    await ent.says("林经理")
    await sends(ent, "contact")
    assert "别人的联系人名片" in ent.last_reply().text
    await ent.shares_own_phone("+8613800138000")
    await ent.taps("只给企业名称")
    await ent.taps("✅ 提交")
    number = ent.last_reply().text.split("工单号：")[1].split()[0]

    card = card_in(scene, econ.id, number)
    assert "附件 4 个" in card.text
    copies = [m for m in since(scene, econ.id, card.message_id) if m.copied_from]
    media = {
        k for m in copies for k in ("voice", "video_note", "video", "document") if getattr(m, k)
    }
    assert media == {"voice", "video_note", "video", "document"}
    assert all(not m.forwarded for m in copies) and len(copies) == 4
    assert not scene.emulator.calls("getFile")  # nothing was ever downloaded
    with transaction(scene.desk.engine) as session:
        kinds = sorted(m.file_kind or "" for m in session.exec(select(TicketMessage)))
    assert kinds == ["document", "video", "video_note", "voice"]
    assert_all_accepted(scene)


async def test_twenty_attachments_at_most_and_the_draft_keeps_them(scene: Scene) -> None:
    ent = scene.person("多")
    await ent.says("/start")
    await ent.says("📝 我要投诉")
    await ent.taps("政策兑现")
    for _ in range(20):
        scene.emulator.user_sends_photo(ent.user, ent.chat_id)
    await scene.settle()
    assert "共 20 个" in ent.last_reply().text
    await ent.sends_photo()
    assert "最多 20 个" in ent.last_reply().text
    with transaction(scene.desk.engine) as session:
        draft = session.exec(select(Draft)).one()
    assert len(draft.data["evidence"]) == 20 and draft.active
    await ent.taps("下一步 ➡️")
    assert "先用文字说明" in ent.last_reply().text  # photos alone are not a description


async def test_adding_information_and_answering_with_odd_messages(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("补")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    await ent.says("/my")
    await ent.taps(number)
    await ent.taps("➕ 补充信息")
    for kind in ("sticker", "poll", "location"):
        await sends(ent, kind)
        assert UNSUPPORTED in ent.last_reply().text, kind
    await sends(ent, "video_note")
    assert "已补充" in ent.last_reply().text
    await ent.taps("✅ 补充完了")
    copy = scene.emulator.last_bot_message(econ.id)
    assert copy.video_note and copy.reply_to_message_id == card.message_id

    await zhang.says("收到，请问具体金额？", chat_id=econ.id, reply_to=card.message_id)
    relay = ent.last_reply()
    await sends(ent, "sticker", reply_to=relay.message_id)
    assert UNSUPPORTED in ent.last_reply().text
    await sends(ent, "voice", reply_to=relay.message_id)
    assert "已转给承办部门" in ent.last_reply().text
    assert scene.emulator.last_bot_message(econ.id).voice
    with transaction(scene.desk.engine) as session:
        kinds = [m.file_kind for m in session.exec(select(TicketMessage)) if m.file_kind]
    assert kinds == ["video_note", "voice"]
    assert_all_accepted(scene)


async def test_staff_replies_that_cannot_be_relayed_are_refused_politely(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("群")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)
    heard = len(ent.replies())

    for kind in ("sticker", "location", "poll", "contact"):
        await sends(zhang, kind, chat_id=econ.id, reply_to=card.message_id)
        assert "无法转给企业" in scene.emulator.last_bot_message(econ.id).text, kind
    assert len(ent.replies()) == heard  # nothing reached the enterprise
    assert ticket_row(scene).status == "assigned"  # and nothing was accepted on the way

    await zhang.taps("✅ 签收", chat_id=econ.id)
    await zhang.taps("🏁 办结", chat_id=econ.id)
    prompt = newest(scene, econ.id, "写明办理结果")
    await sends(zhang, "location", chat_id=econ.id, reply_to=prompt.message_id)
    assert "需要文字回答" in scene.emulator.last_bot_message(econ.id).text
    assert ticket_row(scene).status == "accepted"

    await sends(zhang, "voice", chat_id=econ.id, reply_to=card.message_id, caption="语音答复")
    relayed = ent.last_reply()
    assert relayed.voice and relayed.caption.startswith("【经济发展局】语音答复")
    await sends(zhang, "video_note", chat_id=econ.id, reply_to=card.message_id)
    assert ent.last_reply().video_note and "【经济发展局】" in ent.replies()[-2].text
    with transaction(scene.desk.engine) as session:
        staff = [
            m.file_kind for m in session.exec(select(TicketMessage)) if m.author != "enterprise"
        ]
    assert staff == ["voice", "video_note"]
    assert_all_accepted(scene)
