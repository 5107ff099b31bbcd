"""The Bot API surface, driven by the real python-telegram-bot ``Bot`` over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Message,
    ReactionTypeEmoji,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.devtools.emulator import BotApiEmulator, flood_wait, server_error

HTML = ParseMode.HTML


def texts(updates: Sequence[Update]) -> list[str | None]:
    return [u.message.text if u.message else None for u in updates]


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_send_message_round_trip(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三", username="zhangsan")
    sent = await bot.send_message(
        user.id,
        "<b>您好</b>，请选择：",
        parse_mode=HTML,
        reply_markup=keyboard(("投诉", "k:complaint"), ("诉求", "k:request")),
    )
    assert isinstance(sent, Message)
    assert sent.from_user is not None
    assert (sent.message_id, sent.chat.id, sent.from_user.id) == (1, user.id, emu.bot.id)
    assert sent.text == "您好，请选择："
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 2
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[1][0].callback_data == "k:request"

    record = emu.last_bot_message(user.id)
    assert record.html == "<b>您好</b>，请选择："
    assert record.text == "您好，请选择："
    assert [b.text for b in record.buttons] == ["投诉", "诉求"]
    assert record.button("投诉").callback_data == "k:complaint"

    second = await bot.send_message(user.id, "again")
    assert second.message_id == 2
    assert [m.message_id for m in emu.messages(user.id)] == [1, 2]


async def test_reply_keyboards_are_stored_but_not_echoed(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("李四")
    sent = await bot.send_message(
        user.id, "分享手机号", reply_markup=ReplyKeyboardMarkup([["发送手机号", "取消"]])
    )
    assert sent.reply_markup is None
    assert emu.last_bot_message(user.id).reply_keyboard == [["发送手机号", "取消"]]
    await bot.send_message(user.id, "回复我", reply_markup=ForceReply())
    assert emu.last_bot_message(user.id).reply_markup == {"force_reply": True}


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "<b>未闭合", "<b>x</i>", "1 < 2", "a > b", "AT&T", "<br>"],
)
async def test_html_that_telegram_refuses(emu: BotApiEmulator, bot: Bot, text: str) -> None:
    user = emu.add_user("张三")
    with pytest.raises(BadRequest, match="an't parse entities"):
        await bot.send_message(user.id, text, parse_mode=HTML)
    assert emu.messages(user.id) == []
    assert (emu.api_calls[-1].description or "").startswith("Bad Request: can't parse entities: ")


async def test_escaped_html_is_shown_as_text(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    sent = await bot.send_message(user.id, "&lt;script&gt; &amp; <i>ok</i>", parse_mode=HTML)
    assert sent.text == "<script> & ok"
    assert emu.last_bot_message(user.id).text == "<script> & ok"


async def test_length_limits_count_utf16_after_parsing(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    await bot.send_message(user.id, "字" * 4096)
    await bot.send_message(user.id, "<b>" + "x" * 4096 + "</b>", parse_mode=HTML)
    await bot.send_message(user.id, "😀" * 2048)
    for too_long in ("字" * 4097, "😀" * 2049):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(user.id, too_long)
    for empty in ("   \n ", "<b> </b>"):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(user.id, empty, parse_mode=HTML)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(user.id, b"jpeg", caption="x" * 1025)
    assert len(emu.bot_messages(user.id)) == 3


async def test_unknown_chat_and_bad_callback_data(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    await bot.send_message(user.id, "ok", reply_markup=keyboard(("a", "x" * 64)))
    for data in ("x" * 65, "投" * 22):  # 66 bytes in UTF-8
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(user.id, "no", reply_markup=keyboard(("a", data)))


async def test_edit_text_and_markup(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    sent = await bot.send_message(user.id, "第一版", reply_markup=keyboard(("ok", "cf:submit")))
    edited = await bot.edit_message_text("<b>第二版</b>", user.id, sent.message_id, parse_mode=HTML)
    assert isinstance(edited, Message) and edited.edit_date is not None
    record = emu.message(user.id, sent.message_id)
    assert (record.text, record.html, record.edit_count) == ("第二版", "<b>第二版</b>", 1)
    assert record.inline_keyboard == []  # an edit without reply_markup drops the keyboard

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>第二版</b>", user.id, sent.message_id, parse_mode=HTML)
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard(("a", "b")))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(
            user.id, sent.message_id, reply_markup=keyboard(("a", "b"))
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", user.id, 999)

    said = emu.user_sends_text(user, user.id, "用户的话")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", user.id, said["message_id"])


async def test_copy_is_not_a_forward(emu: BotApiEmulator, bot: Bot) -> None:
    citizen = emu.add_user("张三")
    staff = emu.add_user("王五")
    group = emu.add_group("工作群", members=[staff])
    said = emu.user_sends_text(citizen, citizen.id, "路灯坏了")

    copied = await bot.copy_message(group.id, citizen.id, said["message_id"])
    record = emu.message(group.id, copied.message_id)
    assert (record.text, record.forwarded, record.copied_from) == (
        "路灯坏了",
        False,
        (citizen.id, said["message_id"]),
    )
    forwarded = await bot.forward_message(group.id, citizen.id, said["message_id"])
    assert forwarded.forward_origin is not None
    assert emu.message(group.id, forwarded.message_id).forwarded
    assert [m.forwarded for m in emu.bot_messages(group.id)] == [False, True]

    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(group.id, citizen.id, 999)


async def test_replies(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    said = emu.user_sends_text(user, user.id, "问题")
    reply = await bot.send_message(
        user.id, "收到", reply_parameters=ReplyParameters(said["message_id"])
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "问题"
    assert emu.last_bot_message(user.id).reply_to_message_id == said["message_id"]

    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(999))
    loose = await bot.send_message(
        user.id, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert loose.reply_to_message is None
    legacy = await bot.send_message(user.id, "y", reply_to_message_id=said["message_id"])
    assert legacy.reply_to_message is not None


async def test_forbidden_chats(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    stranger = emu.add_user("路人", started=False)
    group = emu.add_group("群", members=[user])
    emu.block_bot(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hi")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    await bot.send_message(group.id, "still here")
    emu.remove_bot_from(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "hi")
    changes = [u.my_chat_member for u in await bot.get_updates() if u.my_chat_member]
    assert [c.new_chat_member.status for c in changes] == ["kicked", "left"]


async def test_get_updates_long_poll_and_offset(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    emu.user_sends_text(user, user.id, "/start")
    first = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    assert texts(first) == ["/start"]
    assert first[0].message is not None
    assert first[0].message.entities[0].type == "bot_command"

    emu.user_sends_text(user, user.id, "two")
    emu.user_sends_text(user, user.id, "three")
    again = await bot.get_updates(timeout=0)
    assert texts(again) == ["/start", "two", "three"]  # not confirmed yet
    rest = await bot.get_updates(offset=again[1].update_id, timeout=0)
    assert texts(rest) == ["two", "three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_allowed_updates_are_remembered(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    sent = await bot.send_message(user.id, "选", reply_markup=keyboard(("a", "x")))
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    emu.user_sends_text(user, user.id, "filtered out")
    emu.user_presses(user, user.id, sent.message_id, "x")
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query.data for u in updates if u.callback_query] == ["x"]
    assert len(updates) == 1


async def test_second_poller_terminates_the_first(emu: BotApiEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(emu.token, base_url=emu.bot_base_url) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        assert await second == ()


async def test_files_round_trip(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    photo = await bot.send_photo(
        user.id, b"\xff\xd8photo-bytes", caption="<i>现场</i>", parse_mode=HTML
    )
    assert photo.caption == "现场" and photo.photo
    file = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8photo-bytes"

    doc = await bot.send_document(user.id, b"%PDF-1.4", filename="材料.pdf")
    assert doc.document is not None
    assert (doc.document.file_name, doc.document.mime_type) == ("材料.pdf", "application/pdf")
    again = await bot.send_document(user.id, doc.document.file_id)
    assert again.document is not None and again.document.file_id == doc.document.file_id

    sent = emu.user_sends_document(
        user, user.id, file_name="a.txt", data=b"user file", mime_type="text/plain"
    )
    user_file = await bot.get_file(sent["document"]["file_id"])
    assert bytes(await user_file.download_as_bytearray()) == b"user file"

    with pytest.raises(BadRequest, match="Can't use file of type photo as document"):
        await bot.send_document(user.id, photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(user.id, "no-such-file")
    record = emu.bot_messages(user.id)[0]
    assert record.photo_file_id == photo.photo[-1].file_id and record.caption_html == "<i>现场</i>"


async def test_commands_per_scope_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("my", "我的诉求")])
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    await bot.set_my_commands([BotCommand("queue", "待办")], scope=BotCommandScopeChat(user.id))
    assert emu.commands() == [("start", "开始"), ("my", "我的诉求")]
    assert emu.commands({"type": "all_private_chats"}, "en") == [("start", "Start")]
    assert emu.commands({"type": "chat", "chat_id": user.id}) == [("queue", "待办")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "my"]
    await bot.delete_my_commands()
    assert emu.commands() == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "x")])
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert emu.menu_button() == {"type": "commands"}


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_faults_are_injected(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    emu.faults.append(flood_wait("sendMessage", retry_after=3))
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(user.id, "one")
    emu.faults.append(server_error("sendMessage"))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "two")
    await bot.send_message(user.id, "three")
    assert [m.text for m in emu.bot_messages(user.id)] == ["three"]
    assert [c.error_code for c in emu.calls("sendMessage")] == [429, 502, None]


async def test_small_methods(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    said = emu.user_sends_text(user, user.id, "hi")
    assert await bot.send_chat_action(user.id, "typing")
    assert await bot.set_message_reaction(user.id, said["message_id"], ReactionTypeEmoji("👍"))
    assert emu.message(user.id, said["message_id"]).reactions == [{"type": "emoji", "emoji": "👍"}]
    assert (await bot.get_chat(user.id)).first_name == "张三"
    assert await bot.delete_message(user.id, said["message_id"])
    assert emu.messages(user.id) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.id, said["message_id"])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    assert await bot.close() and await bot.log_out()


async def test_forum_topics(emu: BotApiEmulator, bot: Bot) -> None:
    staff = emu.add_user("王五")
    forum = emu.add_group("工单", forum=True, members=[staff], bot_is_admin=True)
    thread = emu.add_topic(forum.id, "工单 #1")
    sent = await bot.send_message(forum.id, "新工单", message_thread_id=thread)
    assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum.id, "x", message_thread_id=999)

    said = emu.user_sends_text(staff, forum.id, "我来处理", thread_id=thread)
    assert said["message_thread_id"] == thread
    assert said["reply_to_message"]["message_id"] == thread  # Telegram's topic quirk
    reply = await bot.send_message(
        forum.id, "好的", reply_parameters=ReplyParameters(said["message_id"])
    )
    assert reply.message_thread_id == thread  # a reply follows its message into the topic
    topic = await bot.create_forum_topic(forum.id, "工单 #2")
    assert [m.text for m in emu.bot_messages(forum.id, thread_id=thread)] == ["新工单", "好的"]
    assert emu.chat(forum.id).topics[topic.message_thread_id].name == "工单 #2"


async def test_raw_http_shapes(emu: BotApiEmulator) -> None:
    base = f"{emu.base_url}/bot{emu.token}"
    user = emu.add_user("张三")
    async with httpx.AsyncClient() as client:
        as_json = await client.post(f"{base}/SENDMESSAGE", json={"chat_id": user.id, "text": "a"})
        as_form = await client.post(
            f"{base}/sendMessage", data={"chat_id": str(user.id), "text": "b"}
        )
        as_query = await client.get(f"{base}/sendmessage", params={"chat_id": user.id, "text": "c"})
        assert [r.json()["result"]["text"] for r in (as_json, as_form, as_query)] == ["a", "b", "c"]
        assert as_json.json()["ok"] is True

        missing = await client.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "x"})
        assert (missing.status_code, missing.json()) == (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
        )
        unknown = await client.post(f"{base}/noSuchMethod")
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        wrong = await client.post(f"{emu.base_url}/bot1:WRONG/getMe")
        assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")


async def test_wrong_token_is_invalid_for_ptb(emu: BotApiEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=emu.bot_base_url):
            pass


async def test_wait_for_explains_a_timeout(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三")
    emu.user_sends_text(user, user.id, "有人吗")
    with pytest.raises(BadRequest):
        await bot.send_message(user.id, "<oops>", parse_mode=HTML)
    with pytest.raises(TimeoutError) as caught:
        await emu.wait_for(user.id, timeout=0.1)
    assert "#1 [张三] 有人吗" in str(caught.value)
    assert "Unsupported start tag" in str(caught.value)


async def test_user_actions_arrive_as_ptb_objects(emu: BotApiEmulator, bot: Bot) -> None:
    user = emu.add_user("张三", username="zs", last_name="张")
    said = emu.user_sends_text(user, user.id, "原话")
    emu.user_sends_photo(user, user.id, caption="现场照片")
    emu.user_sends_sticker(user, user.id, emoji="😡")
    emu.user_shares_contact(user, user.id, "+8613800000000", "三", contact_user_id=user.id)
    emu.user_edits_text(user, user.id, said["message_id"], "改过的话")
    updates = await bot.get_updates()
    assert [u.message is not None for u in updates] == [True, True, True, True, False]
    sticker = updates[2].message
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji == "😡"
    photo, contact, edit = updates[1].message, updates[3].message, updates[4].edited_message
    assert photo is not None and photo.caption == "现场照片" and photo.photo[-1].file_id
    assert contact is not None and contact.contact is not None
    assert contact.contact.user_id == user.id
    assert edit is not None and edit.text == "改过的话" and edit.edit_date is not None
    assert emu.message(user.id, said["message_id"]).edit_count == 1
    assert emu.transcript(user.id).splitlines()[:2] == [
        "#1 [张三] 改过的话 (edited ×1)",
        "#2 [张三] [photo] 现场照片",
    ]
