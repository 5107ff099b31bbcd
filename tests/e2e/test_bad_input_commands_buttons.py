"""Bad input, part 4: unknown commands, bad arguments, forged and ancient buttons.

callback_data comes back from any client as the client likes: every prefix the desk uses
is pressed with garbage, by an enterprise, by staff, by the dispatcher and by a stranger,
in private and in groups, on messages the bot can no longer see. Every press is answered,
nothing crashes, no ticket moves.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlmodel import select

from bot.devtools.playground import Person, Scene
from bot.render import callbacks as cb
from storage.db import transaction
from storage.models import Department, Ticket
from tests.e2e.test_bad_input_long_texts import assert_all_accepted
from tests.e2e.test_department_work import card_in, filed, member, ticket_row

PREFIXES = sorted(
    value for name, value in vars(cb).items() if name.isupper() and isinstance(value, str)
)
GARBAGE = ("", ":", ":x", ":99999999999999999999", ":-1:0", ":<b>&amp;:😀:" + "9" * 40)
APOLOGY = "出了点小问题"


def tickets(scene: Scene) -> list[tuple[str, str, int | None]]:
    with transaction(scene.desk.engine) as session:
        return [(t.number, t.status, t.department_id) for t in session.exec(select(Ticket))]


def press(scene: Scene, person: Person, chat_id: int, data: str) -> str:
    """A forged press on the newest message of the chat; returns the query id."""
    newest = scene.emulator.messages(chat_id)[-1]
    query = scene.emulator.user_presses(person.user, chat_id, newest.message_id, data, forge=True)
    return str(query["id"])


def assert_answered(scene: Scene, query_ids: list[str]) -> None:
    unanswered = [q for q in query_ids if not scene.emulator.world.callback_queries[q]]
    assert not unanswered, f"{len(unanswered)} presses left spinning"


@pytest.mark.slow  # every callback prefix forged, each press a round trip: 10-15 s
async def test_forged_data_for_every_prefix_changes_nothing(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    chen = member(scene, dispatch.id, "陈科长")
    ent = scene.person("企")
    await filed(scene, ent)
    await ent.says("📝 我要投诉")  # a draft in progress too
    stranger = scene.person("路人")
    elsewhere = scene.emulator.add_group("路人的群", members=[stranger.user], supergroup=True)
    await stranger.says("你好", chat_id=elsewhere.id)
    before = tickets(scene)
    ticket_id = ticket_row(scene).id

    queries = []
    # Others also try the real ticket's id with garbage after it (its owner may withdraw
    # it with "wy:<id>" like any confirmation: that press is legitimately theirs).
    variants = [*GARBAGE, f":{ticket_id}:<b>", f":{ticket_id}:99999999999999999999:x"]
    for prefix in PREFIXES:
        for garbage in variants:
            data = prefix + garbage
            if str(ticket_id) not in garbage:
                queries.append(press(scene, ent, ent.chat_id, data))
            queries.append(press(scene, zhang, econ.id, data))
            queries.append(press(scene, chen, dispatch.id, data))
            queries.append(press(scene, stranger, elsewhere.id, data))
    await scene.settle(timeout=120)

    assert_answered(scene, queries)
    assert tickets(scene) == before
    for chat_id in (ent.chat_id, econ.id, dispatch.id, elsewhere.id):
        assert not any(APOLOGY in m.content for m in scene.emulator.bot_messages(chat_id))
    # An enterprise's button pressed in a group shows nothing of any ticket there.
    assert not any(
        "办理记录" in m.content or "您的工单" in m.content
        for chat_id in (econ.id, dispatch.id, elsewhere.id)
        for m in scene.emulator.bot_messages(chat_id)
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert_all_accepted(scene)


def inaccessible_press(scene: Scene, person: Person, chat_id: int, data: str) -> str:
    """A press on a message the bot cannot see any more (Telegram sends date 0)."""
    query_id = f"77{len(scene.emulator.world.callback_queries):06d}"
    scene.emulator.world.callback_queries[query_id] = False
    chat: dict[str, Any] = scene.emulator.chat(chat_id).to_api()
    scene.emulator.deliver_raw_update(
        {
            "callback_query": {
                "id": query_id,
                "from": person.user.to_api(),
                "message": {"message_id": 1, "chat": chat, "date": 0},
                "chat_instance": "1",
                "data": data,
            }
        }
    )
    return query_id


async def test_buttons_on_ancient_or_deleted_messages_are_answered(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("旧")
    number = await filed(scene, ent)
    ticket_id = ticket_row(scene).id
    pressed = [
        inaccessible_press(scene, ent, ent.chat_id, data)
        for data in ("cf:submit", f"t:{ticket_id}", f"wy:{ticket_id}", f"rt:{ticket_id}:1", "lg:xx")
    ]
    pressed += [
        inaccessible_press(scene, zhang, econ.id, data)
        for data in (f"st:{ticket_id}:accept", f"as:{ticket_id}:econ", f"ex:{ticket_id}:3")
    ]
    await scene.settle()
    assert_answered(scene, pressed)
    # Withdrawing from a message the bot cannot see still works: the press is re-checked,
    # not the message (the enterprise confirmed it); accepting too (staff of the group).
    assert ticket_row(scene).status == "withdrawn"
    assert any("已撤回" in m.text for m in ent.replies())

    # Ancient buttons that are still on screen: the state moved on, they explain it.
    await ent.says("/my")
    await ent.taps(number)
    assert "↩️ 撤回工单" not in [b.text for b in ent.last_reply().buttons]
    category_question = next(m for m in ent.replies() if "请选择投诉的类别" in m.text)
    scene.emulator.user_presses(
        ent.user, ent.chat_id, category_question.message_id, "c:policy", forge=True
    )
    await scene.settle()
    assert "按钮已经过期" in ent.last_reply().text
    card = card_in(scene, econ.id, number)
    assert card.buttons == []  # the card took its buttons off; an old client still has them
    scene.emulator.user_presses(
        zhang.user, econ.id, card.message_id, f"st:{ticket_id}:accept", forge=True
    )
    await scene.settle()
    assert "已撤回" in scene.emulator.callback_answers[-1].text
    assert ticket_row(scene).status == "withdrawn"
    assert_all_accepted(scene)


async def test_unknown_commands_are_answered_where_they_are_ours(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("命")
    await ent.says("/frobnicate")
    assert "没有这个命令" in ent.last_reply().text
    await ent.says("/start@dianxiaoer_bot")
    assert "您好" in ent.last_reply().text
    await ent.says("/my extra words <b>")
    assert "还没有提交过工单" in ent.last_reply().text

    zhang = member(scene, econ.id, "张科员")
    seen = len(scene.emulator.bot_messages(econ.id))
    await zhang.says("/start", chat_id=econ.id)
    assert "请私聊我" in scene.emulator.last_bot_message(econ.id).text
    await zhang.says("/my@dianxiaoer_bot", chat_id=econ.id)
    assert "请私聊我" in scene.emulator.last_bot_message(econ.id).text
    await zhang.says("/frobnicate@dianxiaoer_bot", chat_id=econ.id)
    assert "没有这个命令" in scene.emulator.last_bot_message(econ.id).text
    quiet = len(scene.emulator.bot_messages(econ.id))
    await zhang.says("/frobnicate", chat_id=econ.id)  # maybe another bot's: 无事不扰
    await zhang.says("/start@some_other_bot", chat_id=econ.id)
    assert len(scene.emulator.bot_messages(econ.id)) == quiet == seen + 3
    assert_all_accepted(scene)


async def test_admin_commands_with_bad_arguments_explain_themselves(scene: Scene) -> None:
    await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("参")
    number = await filed(scene, ent)
    admin = scene.admin

    async def ask(text: str, chat_id: int | None = None) -> str:
        scene.emulator.user_sends_text(admin, chat_id or admin.id, text)
        await scene.settle()
        return scene.emulator.last_bot_message(chat_id or admin.id).text

    assert "用法：/assign" in await ask("/assign")
    assert "用法：/assign" in await ask(f"/assign {number}")
    assert "用法：/assign" in await ask(f"/assign {number} econ extra")
    assert "没有找到这张工单" in await ask("/assign GX-19990101-9999 econ")
    assert "没有代码为「nope」" in await ask(f"/assign {number} nope")
    assert "没有代码为「bizenv」" in await ask(f"/assign {number} bizenv")  # not a handler
    await ent.says("/my")
    await ent.taps(number)
    await ent.taps("↩️ 撤回工单")
    await ent.taps("确定撤回")
    assert f"工单 {number} 现在是「已撤回」，不能分派" in await ask(f"/assign {number} tax")
    assert "用法：/bind" in await ask("/bind", econ.id)
    assert "没有代码为「" in await ask("/bind " + "x" * 300, econ.id)
    assert "请在部门的群组" in await ask("/bind econ")
    assert "用法：/ticket" in await ask("/ticket")
    assert "没有找到这张工单" in await ask("/ticket ' OR 1=1 --")
    assert number in await ask(f"/ticket {number.lower()}")
    for week in ("abc", "2026-W99", "0001-W01", "9999-W52", "2026-W"):
        assert "用法：/summary" in await ask(f"/summary {week}"), week
    assert "用法：/block" in await ask("/block")
    assert "用法：/unblock" in await ask("/unblock")
    assert "没有找到这张工单" in await ask("/block GX-19990101-9999 spam")
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        department = session.get(Department, ticket.department_id)
    assert ticket.status == "withdrawn" and department is not None and department.code == "econ"
    assert_all_accepted(scene)
