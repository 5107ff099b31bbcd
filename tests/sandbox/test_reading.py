"""What the page reads: the seeded world, chats as Message JSON, the page, live versions."""

from __future__ import annotations

import asyncio
import json

from sqlmodel import select

from bot.config import Settings
from bot.devtools.sandbox.sandbox import Sandbox
from storage.db import transaction
from storage.models import Department, Ticket
from tests.sandbox.api import Api


async def test_the_world_starts_seeded_and_every_group_bound(
    api: Api, sandbox: Sandbox, settings: Settings
) -> None:
    state = await api.state()
    assert state["desk"] == {"name": settings.desk.name, "name_en": settings.desk.name_en}
    assert [(e["name"], e["company"]) for e in state["enterprises"]] == [
        ("林晓梅", "厦门海沧精密机械有限公司"),
        ("周女士", "禾木文创工作室"),
    ]
    assert all(e["chat_id"] == e["user_id"] for e in state["enterprises"])
    groups = state["groups"]
    assert [(g["code"], g["role"]) for g in groups] == [
        (d.code, d.role) for d in settings.departments
    ]
    assert len({g["staff"]["name"] for g in groups}) == len(groups)
    planning = await api.group("planning")
    assert planning["staff"]["name"] == "刘科员" and planning["title"] == "规划建设局 工单群"
    assert state["clock"]["offset_seconds"] == 0
    assert state["clock"]["label_zh"].count("月") == 1 and " 周" in state["clock"]["label_zh"]

    for group in groups:
        chat = await api.get(f"/api/chats/{group['chat_id']}/messages")
        assert chat["chat"] == {
            "id": group["chat_id"],
            "type": "supergroup",
            "title": group["title"],
        }
        assert "已绑定" in chat["messages"][-1]["html"]
    with transaction(sandbox.scene.desk.engine) as session:
        bound = {d.code: d.chat_id for d in session.exec(select(Department))}
        assert bound == {g["code"]: g["chat_id"] for g in groups}
        assert session.exec(select(Ticket)).all() == []
    # The seeded 王主任 is the sandbox's only admin.
    assert sandbox.scene.desk.settings.desk.admins == [sandbox.scene.admin.id]


async def test_the_page_and_its_files_are_served(api: Api) -> None:
    page = await api.client.get("/")
    assert page.status == 200 and page.content_type == "text/html"
    assert "<html" in (await page.text()).lower()
    missing = await api.client.get("/api/files/nope")
    assert missing.status == 404
    assert (await missing.json()) == {"ok": False, "error": "There is no such file in the sandbox."}
    unknown = await api.client.get("/api/nothing-here")
    assert unknown.status == 404 and (await unknown.json())["ok"] is False


async def test_messages_carry_keyboards_replies_and_dates(api: Api, sandbox: Sandbox) -> None:
    lin = await api.enterprise("林晓梅")
    first = await api.says(lin["chat_id"], lin["user_id"], "/start")
    messages = await api.messages(lin["chat_id"])
    mine, menu = messages
    assert mine["message_id"] == first and mine["html"] == "/start"
    assert mine["from"] == {"id": lin["user_id"], "name": "林晓梅", "is_bot": False}
    assert menu["from"]["is_bot"] and "您好，林晓梅" in menu["html"]
    assert menu["reply_keyboard"][0][0] == {"text": "📝 我要投诉", "request_contact": False}
    assert menu["inline_keyboard"] is None and menu["force_reply"] is False
    assert menu["photo"] is None and menu["document"] is None and menu["other"] is None
    assert abs(menu["date"] - sandbox.clock.now().timestamp()) < 5

    answer = await api.says(lin["chat_id"], lin["user_id"], "说明一下", reply_to=menu["message_id"])
    replied = next(m for m in await api.messages(lin["chat_id"]) if m["message_id"] == answer)
    assert replied["reply_to"]["message_id"] == menu["message_id"]
    assert replied["reply_to"]["from_name"] == "店小二"
    assert replied["reply_to"]["snippet"].startswith("您好，林晓梅")


async def _read_event(stream: asyncio.StreamReader) -> int:
    """The version of the next ``event: change`` on the stream (pings skipped)."""
    event = ""
    while True:
        line = (await stream.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "change":
            version: int = json.loads(line.removeprefix("data: "))["version"]
            return version


async def test_events_announce_the_version_at_once_and_after_a_change(api: Api) -> None:
    response = await api.client.get("/api/events")
    assert response.content_type == "text/event-stream"
    first = await asyncio.wait_for(_read_event(response.content), 5)
    assert first == (await api.state())["version"]
    zhou = await api.enterprise("周女士")
    await api.says(zhou["chat_id"], zhou["user_id"], "/start")
    moved = await asyncio.wait_for(_read_event(response.content), 5)
    assert moved > first
    response.close()


async def test_keyboards_say_when_they_go_and_chats_say_what_is_newest(api: Api) -> None:
    lin = await api.enterprise("林晓梅")
    assert lin["last_message_id"] is None  # nothing said yet
    await api.says(lin["chat_id"], lin["user_id"], "/start")
    await api.says(lin["chat_id"], lin["user_id"], "📝 我要投诉")  # a reply-keyboard button
    await api.taps(lin["chat_id"], lin["user_id"], "政务服务/审批")
    messages = await api.messages(lin["chat_id"])
    # The description step takes the main menu's reply keyboard away.
    assert any(m["remove_keyboard"] for m in messages if m["from"]["is_bot"])
    assert not any(m["remove_keyboard"] for m in messages if not m["from"]["is_bot"])
    lin_now = await api.enterprise("林晓梅")
    assert lin_now["last_message_id"] == messages[-1]["message_id"]
    planning = await api.group("planning")
    bound = await api.messages(planning["chat_id"])
    assert planning["last_message_id"] == bound[-1]["message_id"]
