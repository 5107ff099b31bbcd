"""Membership in the emulated groups: getChatMember, joining, leaving, muting, and who can
press or post where — driven by the real python-telegram-bot ``Bot``."""

from __future__ import annotations

import pytest
from telegram import Bot, ChatMemberRestricted, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.core.permissions import Membership
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.errors import EmulatorError
from bot.members import membership_of

ALL_KINDS = ["message", "callback_query", "chat_member"]


async def test_get_chat_member_reports_each_status(emu: BotApiEmulator, bot: Bot) -> None:
    owner, admin, staff, outsider = (emu.add_user(n) for n in ("群主", "管理员", "科员", "路人"))
    group = emu.add_group("经济发展局 工单群", supergroup=True, members=[owner, admin, staff])
    emu.chat(group.id).creator = owner.id
    emu.set_admin(group.id, admin)

    statuses = {
        name: (await bot.get_chat_member(group.id, user.id)).status
        for name, user in (("owner", owner), ("admin", admin), ("staff", staff), ("out", outsider))
    }
    assert statuses == {
        "owner": "creator",
        "admin": "administrator",
        "staff": "member",
        "out": "left",
    }
    assert (await bot.get_chat_member(group.id, emu.bot.id)).status == "member"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 99)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat_member(-100, staff.id)


async def test_leaving_muting_and_kicking_change_what_telegram_reports(
    emu: BotApiEmulator, bot: Bot
) -> None:
    admin, muted, leaver, kicked = (emu.add_user(n) for n in ("管理员", "禁言", "离开", "移出"))
    group = emu.add_group(
        "税务局 工单群", supergroup=True, members=[admin, muted, leaver, kicked], bot_is_admin=True
    )
    await bot.get_updates(allowed_updates=ALL_KINDS)

    emu.restrict_member(group.id, muted, by=admin)
    emu.member_leaves(group.id, leaver)
    emu.kick_member(group.id, kicked, by=admin)

    restricted = await bot.get_chat_member(group.id, muted.id)
    assert isinstance(restricted, ChatMemberRestricted)
    assert restricted.is_member and not restricted.can_send_messages
    assert membership_of(restricted) is Membership.MUTED
    assert (await bot.get_chat_member(group.id, leaver.id)).status == "left"
    assert (await bot.get_chat_member(group.id, kicked.id)).status == "kicked"

    updates = await bot.get_updates(timeout=0)
    left = [
        u.message.left_chat_member.id for u in updates if u.message and u.message.left_chat_member
    ]
    assert left == [leaver.id, kicked.id]
    changes = [
        (u.chat_member.new_chat_member.user.id, u.chat_member.new_chat_member.status)
        for u in updates
        if u.chat_member
    ]
    assert changes == [(muted.id, "restricted"), (leaver.id, "left"), (kicked.id, "kicked")]

    emu.restrict_member(group.id, muted, by=admin, can_send_messages=True)
    emu.member_joins(group.id, leaver)
    assert (await bot.get_chat_member(group.id, muted.id)).status == "member"
    assert (await bot.get_chat_member(group.id, leaver.id)).status == "member"


async def test_chat_member_updates_only_where_the_bot_is_admin(
    emu: BotApiEmulator, bot: Bot
) -> None:
    admin, staff = emu.add_user("管理员"), emu.add_user("科员")
    group = emu.add_group("普通群", members=[admin, staff])
    await bot.get_updates(allowed_updates=ALL_KINDS)
    emu.restrict_member(group.id, staff, by=admin)
    assert [u for u in await bot.get_updates(timeout=0) if u.chat_member] == []


async def test_who_can_press_and_post(emu: BotApiEmulator, bot: Bot) -> None:
    staff, muted, leaver, visitor = (emu.add_user(n) for n in ("科员", "禁言", "离开", "访客"))
    private_group = emu.add_group("内部群", supergroup=True, members=[staff, muted, leaver])
    public_group = emu.add_group("公开群", supergroup=True, members=[staff], username="econ_public")
    for group in (private_group, public_group):
        await bot.send_message(group.id, "工单卡片", reply_markup=_card())
    emu.restrict_member(private_group.id, muted, by=staff)
    emu.member_leaves(private_group.id, leaver)

    # Anyone who sees the card can press: members (muted too), people who left, visitors
    # of a public group. A stranger cannot see a private group's card.
    for presser in (staff, muted, leaver):
        emu.user_presses(presser, private_group.id, 1, "st:1:accept")
    emu.user_presses(visitor, public_group.id, 1, "st:1:accept")
    with pytest.raises(EmulatorError, match="cannot see"):
        emu.user_presses(visitor, private_group.id, 1, "st:1:accept")

    # Posting needs a member free to speak, or a public group that lets visitors write.
    emu.user_sends_text(staff, private_group.id, "收到")
    for silent, match in ((muted, "muted"), (leaver, "not a member")):
        with pytest.raises(EmulatorError, match=match):
            emu.user_sends_text(silent, private_group.id, "我来办")
    with pytest.raises(EmulatorError, match="not a member"):
        emu.user_sends_text(visitor, public_group.id, "我来办")
    emu.chat(public_group.id).join_to_send = False
    emu.user_sends_text(visitor, public_group.id, "我来办")


def _card() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("签收", callback_data="st:1:accept")]])
