"""Abuse: a flood is told once and not recorded, tickets per day are limited, admins block.

Earlier tickets are always kept and handled; the user always hears when they can go on.
Blocking by ticket number never shows a group who filed it.
"""

from __future__ import annotations

from sqlmodel import select

from bot.config import AbuseSettings, Settings
from bot.devtools.playground import Scene, desk_on_emulator
from storage.db import transaction
from storage.models import Draft, Reporter, Ticket, TicketMessage
from tests.e2e.test_bad_input_long_texts import assert_all_accepted
from tests.e2e.test_department_work import card_in, filed, member
from tests.e2e.test_filing_a_complaint import file_complaint


def with_abuse(settings: Settings, **limits: int) -> Settings:
    return settings.model_copy(update={"abuse": AbuseSettings(**limits)})


async def test_a_flood_is_told_once_and_what_follows_is_not_recorded(
    migrated_db_url: str, settings: Settings
) -> None:
    limited = with_abuse(settings, messages_per_minute=6)
    async with desk_on_emulator(limited, database_url=migrated_db_url) as scene:
        ent = scene.person("快")
        await ent.says("/start")
        await ent.says("📝 我要投诉")
        await ent.taps("政策兑现")  # buttons do not count
        for n in range(1, 9):
            await ent.says(f"第{n}条")
        scene.emulator.user_sends_sticker(ent.user, ent.chat_id)
        await scene.settle()
        told = [m for m in ent.replies() if "发消息有点快了" in m.text]
        assert len(told) == 1 and "之后再发" in told[0].text  # once, with the time
        assert ent.last_reply().message_id == told[0].message_id  # then quiet
        with transaction(scene.desk.engine) as session:
            draft = session.exec(select(Draft)).one()
        assert draft.data["description"] == "第1条\n第2条\n第3条\n第4条"

        await ent.taps("下一步 ➡️")  # a button still works while messages wait
        assert "企业的名称" in ent.last_reply().text

        admin = scene.admin
        for _ in range(10):
            scene.emulator.user_sends_text(admin, admin.id, "/departments")
        await scene.settle()
        assert len(scene.emulator.bot_messages(admin.id)) == 10  # admins are not limited

        await scene.restart()  # counts live in memory: a restart only forgives
        await ent.says("恢复后的消息")
        assert "发消息有点快了" not in ent.last_reply().text
        assert_all_accepted(scene)


async def test_the_daily_ticket_limit_keeps_everything_and_says_when(
    migrated_db_url: str, settings: Settings
) -> None:
    limited = with_abuse(settings, tickets_per_day=2, messages_per_minute=0)
    async with desk_on_emulator(limited, database_url=migrated_db_url) as scene:
        await scene.department_group("econ", "经济发展局 工单群")
        ent = scene.person("多单")
        for description in ("第一件：厂区停电三天没人管", "第二件：天然气报装两个月还没通气"):
            await file_complaint(ent, category="政策兑现", description=description)
            assert "已受理" in ent.last_reply().text

        await ent.says("📝 我要投诉")
        limit = ent.last_reply().text
        assert "24 小时内已提交 2 张工单" in limit and "起可以再提交" in limit
        await ent.says("还有一件：检测收费太高")
        await ent.taps("作为投诉提交")
        assert "24 小时内已提交 2 张工单" in ent.last_reply().text
        with transaction(scene.desk.engine) as session:
            assert len(session.exec(select(Ticket)).all()) == 2
            assert session.exec(select(Draft)).all() == []
            reporter = session.exec(select(Reporter)).one()
        assert reporter.offer_text == "还有一件：检测收费太高"  # kept for later

        await ent.says("/my")  # earlier tickets are followed as usual
        assert "最近 2 张" in ent.last_reply().text
        assert_all_accepted(scene)


async def test_admins_block_and_unblock_without_revealing_who(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("扰", last_name="某", username="noisy_boss")
    number = await filed(scene, ent)
    await ent.says("/my")
    listing = ent.last_reply()
    admin = scene.admin

    async def command(text: str, chat_id: int) -> str:
        scene.emulator.user_sends_text(admin, chat_id, text)
        await scene.settle()
        return scene.emulator.last_bot_message(chat_id).text

    scene.emulator.add_member(dispatch.id, admin)
    said = await command(f"/block {number} 反复发送无关内容", dispatch.id)
    assert f"工单 {number} 的提交人" in said and "原因：反复发送无关内容" in said
    for secret in (str(ent.user.id), "扰", "noisy_boss"):
        assert secret not in said
    assert "已经是暂停状态" in await command(f"/block {ent.user.id}", dispatch.id)
    assert "不能被暂停" in await command(f"/block {admin.id}", admin.id)
    stranger = scene.person("路人")
    await stranger.says(f"/block {number}")
    assert "只有受理台管理员" in stranger.last_reply().text

    heard = len(ent.replies())
    await ent.says("你好，在吗")
    assert "暂停使用本受理台" in ent.last_reply().text
    await ent.says("/start")
    await ent.says("📝 我要投诉")
    scene.emulator.user_sends_photo(ent.user, ent.chat_id)
    await scene.settle()
    assert len(ent.replies()) == heard + 1  # told once, then left in peace
    scene.emulator.user_presses(
        ent.user, ent.chat_id, listing.message_id, listing.buttons[0].callback_data
    )
    await scene.settle()
    assert "暂停使用本受理台" in scene.emulator.callback_answers[-1].text
    with transaction(scene.desk.engine) as session:
        reporter = session.exec(
            select(Reporter).where(Reporter.telegram_user_id == ent.user.id)
        ).one()
        assert session.exec(select(Draft)).all() == []
        assert session.exec(select(TicketMessage)).all() == []
    assert reporter.blocked_at is not None and reporter.blocked_reason == "反复发送无关内容"
    assert reporter.offer_text is None

    # The ticket is kept and handled: the department's answer still reaches the enterprise.
    card = card_in(scene, econ.id, number)
    await zhang.says("已在办理", chat_id=econ.id, reply_to=card.message_id)
    assert "【经济发展局】已在办理" in ent.last_reply().text

    said = await command(f"/unblock {number}", admin.id)
    assert f"工单 {number} 的提交人（用户 {ent.user.id}）" in said  # in private: who it is
    await ent.says("物业乱收费")
    assert "要把它作为一张工单提交吗" in ent.last_reply().text
    assert "没有被暂停" in await command(f"/unblock {ent.user.id}", admin.id)
    assert f"用户 {ent.user.id}" in await command(f"/block {ent.user.id}", admin.id)
    assert_all_accepted(scene)
