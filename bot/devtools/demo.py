"""The no-token demo: the real desk on the local Bot API emulator, a scripted story, printed.

Nothing leaves 127.0.0.1 and nothing is kept: the database lives in a temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.config import Settings
from bot.devtools.playground import Scene, desk_on_emulator

RULE = "─" * 72


async def run_demo(settings: Settings) -> int:
    """Play the story and print every chat's transcript; returns an exit code."""
    with tempfile.TemporaryDirectory(prefix="dianxiaoer-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        demo_settings = settings.model_copy(
            update={"desk": settings.desk.model_copy(update={"admins": []})}
        )
        async with desk_on_emulator(demo_settings, database_url=url) as scene:
            print(
                f"{settings.desk.name} — demo on the local Bot API emulator at "
                f"{scene.emulator.base_url}\n"
            )
            await _story(scene)
            _print_transcripts(scene)
    return 0


async def _story(scene: Scene) -> None:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    planning = await scene.department_group("planning", "规划建设局 工单群")
    await scene.department_group("econ", "经济发展局 工单群")

    lin = scene.person("林晓梅", username="lin_xiaomei")
    await lin.says("/start")
    await lin.says("📝 我要投诉")
    await lin.taps("政务服务/审批")
    await lin.says("厂房消防验收一直排不上号，已经等了两个月，设备进场了却不能投产。")
    await lin.sends_photo(caption="验收申请回执")
    await lin.taps("下一步 ➡️")
    await lin.says("厦门海沧精密机械有限公司")
    await lin.says("91350100M000100Y44")  # a mistyped check character: explained, not refused
    await lin.says("91350100M000100Y43")
    await lin.says("林经理")
    await lin.shares_own_phone("+8613800138000")
    await lin.taps("只给企业名称")
    await lin.taps("✅ 提交")

    zhou = scene.person("周女士")
    await zhou.says("你好，有个情况想当面跟园区说一下，麻烦安排个时间对接。")
    await zhou.taps("作为诉求提交")
    await zhou.taps("其他")
    await zhou.taps("下一步 ➡️")
    await zhou.says("禾木文创工作室")
    await zhou.taps("跳过")
    await zhou.says("周女士")
    await zhou.says("0592-5551234")
    await zhou.taps("企业名称和联系人都可以给部门看")
    await zhou.taps("✅ 提交")
    officer = scene.person("陈科长")  # a member of the dispatcher's group
    scene.emulator.add_member(dispatch.id, officer.user)
    # Where the routing model was unsure, the dispatcher assigns with one press (the
    # department's button may carry the model's confidence, "经济发展局 31%").
    econ = [
        b.text
        for m in scene.emulator.bot_messages(dispatch.id)
        for b in m.buttons
        if b.text.startswith("经济发展局")
    ]
    if econ:
        await officer.taps(econ[-1], chat_id=dispatch.id)

    # The department works the ticket from its group.
    staff = scene.person("刘科员")
    scene.emulator.add_member(planning.id, staff.user)
    await staff.taps("✅ 签收", chat_id=planning.id)
    card = next(m for m in scene.emulator.bot_messages(planning.id) if "📋" in m.content)
    await staff.says(
        "林经理您好，已联系消防验收窗口，本周四上午安排现场验收。",
        chat_id=planning.id,
        reply_to=card.message_id,
    )
    relayed = lin.last_reply()
    await lin.says("太好了，谢谢！我们周四上午在厂里等。", reply_to=relayed.message_id)
    await staff.taps("🏁 办结", chat_id=planning.id)
    question = scene.emulator.last_bot_message(planning.id)
    await staff.says(
        "已于周四完成现场验收，验收意见书已发企业。",
        chat_id=planning.id,
        reply_to=question.message_id,
    )
    await lin.taps("非常满意")
    await lin.says("/my")


def _print_transcripts(scene: Scene) -> None:
    emulator = scene.emulator
    chats = [
        (f"Private chat: {u.first_name} ↔ bot", u.id)
        for u in emulator.world.users.values()
        if not u.is_bot and emulator.messages(u.id)
    ]
    chats += [(f"Group: {g.title}", g.id) for g in scene.groups.values()]
    for title, chat_id in chats:
        print(RULE)
        print(title)
        print(RULE)
        print(emulator.transcript(chat_id))
        print()
