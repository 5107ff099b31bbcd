"""A real python-telegram-bot Application, polling the emulator, end to end."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.devtools.emulator import BotApiEmulator

from .ptb import app_builder, polling

Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "<b>欢迎</b>，请选择：",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("投诉", callback_data="k:complaint")]]
        ),
    )


async def choose(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("已选择")
    await query.edit_message_text(f"你选择了 {query.data}")


def make_app(emu: BotApiEmulator, *handlers: Any) -> Any:
    app = app_builder(emu).build()
    for handler in handlers:
        app.add_handler(handler)
    return app


async def test_command_then_button_press(emu: BotApiEmulator) -> None:
    app = make_app(
        emu, CommandHandler("start", start), CallbackQueryHandler(choose, pattern=r"^k:")
    )
    user = emu.add_user("张三")
    async with polling(app):
        said = emu.user_sends_text(user, user.id, "/start")
        menu = await emu.wait_for(user.id, after=said["message_id"])
        assert menu.text == "欢迎，请选择：" and menu.html == "<b>欢迎</b>，请选择："

        query = emu.user_presses(user, user.id, menu.message_id, button_text="投诉")
        edited = await emu.wait_for(user.id, lambda m: m.edit_count == 1)
        assert edited.message_id == menu.message_id
        assert edited.text == "你选择了 k:complaint"
        assert edited.inline_keyboard == []
        answer = emu.callback_answers[0]
        assert (answer.callback_query_id, answer.text) == (query["id"], "已选择")

        # Forged data matches no handler pattern: nothing may happen.
        emu.user_presses(user, user.id, menu.message_id, "evil:1", forge=True)
        await emu.wait_idle()
        assert len(emu.callback_answers) == 1
        assert [c.method for c in emu.api_calls if c.method != "getUpdates"][-1] == (
            "editMessageText"
        )


async def test_commands_addressed_to_the_bot_in_groups(emu: BotApiEmulator) -> None:
    app = make_app(emu, CommandHandler("start", start))
    staff = emu.add_user("王五")
    group = emu.add_group("工作群", members=[staff])
    async with polling(app):
        emu.user_sends_text(staff, group.id, "/start@dianxiaoer_bot")
        reply = await emu.wait_for(group.id)
        assert reply.reply_to_message_id is not None  # reply_text quotes in groups


async def test_group_privacy_mode(emu: BotApiEmulator) -> None:
    seen: list[str] = []

    async def record(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        seen.append(update.effective_message.text or "")

    app = make_app(emu, MessageHandler(filters.TEXT, record))
    staff = emu.add_user("王五")
    group = emu.add_group("普通群", members=[staff])
    admin_group = emu.add_group("管理群", members=[staff], bot_is_admin=True)
    async with polling(app):
        chatter = emu.user_sends_text(staff, group.id, "大家好")
        emu.user_sends_text(staff, group.id, "/status")
        emu.user_sends_text(staff, admin_group.id, "大家好")
        await emu.wait_idle()
    assert seen == ["/status", "大家好"]
    assert not emu.message(group.id, chatter["message_id"]).delivered_to_bot


async def test_forum_topic_replies_stay_in_the_topic(emu: BotApiEmulator) -> None:
    async def echo(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"收到：{update.effective_message.text}")

    app = make_app(emu, MessageHandler(filters.TEXT, echo))
    staff = emu.add_user("王五")
    forum = emu.add_group("工单", forum=True, members=[staff], bot_is_admin=True)
    thread = emu.add_topic(forum.id, "工单 #7")
    async with polling(app):
        emu.user_sends_text(staff, forum.id, "已处理", thread_id=thread)
        reply = await emu.wait_for(forum.id, thread_id=thread)
    assert reply.thread_id == thread and reply.text == "收到：已处理"


async def test_duplicate_update_reaches_the_bot_twice(emu: BotApiEmulator) -> None:
    counted: list[int] = []

    async def count(update: Update, context: Context) -> None:
        counted.append(update.update_id)

    app = make_app(emu, MessageHandler(filters.ALL, count))
    user = emu.add_user("张三")
    async with polling(app):
        said = emu.user_sends_text(user, user.id, "一次")
        await emu.wait_idle()
        update_id = counted[0]
        emu.deliver_raw_update({"update_id": update_id, "message": said})
        await emu.wait_idle()
    assert counted == [update_id, update_id]


async def test_bot_downloads_what_the_user_sent(emu: BotApiEmulator) -> None:
    got: list[bytes] = []

    async def save(update: Update, context: Context) -> None:
        assert update.effective_message is not None and update.effective_message.document
        file = await update.effective_message.document.get_file()
        got.append(bytes(await file.download_as_bytearray()))
        await update.effective_message.reply_text("材料已收到")

    app = make_app(emu, MessageHandler(filters.Document.ALL, save))
    user = emu.add_user("张三")
    async with polling(app):
        emu.user_sends_document(
            user, user.id, file_name="证明.pdf", data=b"%PDF-1.7 proof", mime_type="application/pdf"
        )
        await emu.wait_for(user.id, lambda m: m.text == "材料已收到")
    assert got == [b"%PDF-1.7 proof"]


async def test_updates_sent_before_the_bot_starts_are_delivered(emu: BotApiEmulator) -> None:
    app = make_app(emu, CommandHandler("start", start))
    user = emu.add_user("张三")
    emu.user_sends_text(user, user.id, "/start")
    async with polling(app):
        await asyncio.wait_for(emu.wait_for(user.id), 5)
    assert emu.world.updates.pending_count == 0
