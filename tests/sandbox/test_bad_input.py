"""Requests the sandbox refuses: a 4xx with a polite sentence, and nothing changes."""

from __future__ import annotations

from typing import Any

from aiohttp import FormData

from bot.devtools.sandbox.sandbox import Sandbox
from tests.sandbox.api import Api

JsonDict = dict[str, Any]


def _snapshot(sandbox: Sandbox) -> tuple[int, dict[int, int], int, int, float]:
    world = sandbox.scene.emulator.world
    return (
        world.version,
        {chat_id: len(log) for chat_id, log in world.chat_log.items()},
        len(world.users),
        world.updates.last_id,
        sandbox.clock.offset.total_seconds(),
    )


async def test_bad_requests_are_refused_politely_and_change_nothing(
    api: Api, sandbox: Sandbox
) -> None:
    lin, zhou = await api.enterprise("林晓梅"), await api.enterprise("周女士")
    planning, econ = await api.group("planning"), await api.group("econ")
    staff = planning["staff"]["user_id"]
    await api.says(lin["chat_id"], lin["user_id"], "/start")
    menu = (await api.bot_messages(lin["chat_id"]))[-1]
    bound = (await api.bot_messages(planning["chat_id"]))[-1]

    cases: list[tuple[str, JsonDict, int, str]] = [
        (
            "/api/send",
            {"chat_id": -42, "user_id": lin["user_id"], "text": "hi"},
            404,
            "There is no chat -42 in the sandbox.",
        ),
        (
            "/api/send",
            {"chat_id": econ["chat_id"], "user_id": staff, "text": "我不是这个群的"},
            403,
            "刘科员 is not in 经济发展局 工单群.",
        ),
        (
            "/api/send",
            {"chat_id": zhou["chat_id"], "user_id": lin["user_id"], "text": "hi"},
            403,
            "林晓梅 cannot write in 周女士's private chat.",
        ),
        (
            "/api/send",
            {"chat_id": lin["chat_id"], "user_id": lin["user_id"], "text": "  \n "},
            400,
            "The message is empty: type something to send.",
        ),
        (
            "/api/send",
            {"chat_id": lin["chat_id"], "user_id": lin["user_id"], "text": "x", "reply_to": 999},
            400,
            "There is no message 999 in this chat to reply to.",
        ),
        (
            "/api/send",
            {"chat_id": lin["chat_id"], "user_id": 1, "text": "x"},
            404,
            "There is no person 1 in the sandbox.",
        ),
        (
            "/api/send",
            {"chat_id": "abc", "user_id": lin["user_id"], "text": "x"},
            400,
            "Give chat_id as a whole number.",
        ),
        (
            "/api/press",
            {
                "chat_id": planning["chat_id"],
                "user_id": staff,
                "message_id": bound["message_id"],
                "callback_data": "ac:1",
            },
            400,
            f"Message {bound['message_id']} has no such button.",
        ),
        (
            "/api/press",
            {
                "chat_id": lin["chat_id"],
                "user_id": lin["user_id"],
                "message_id": 999,
                "callback_data": "x",
            },
            404,
            "There is no message 999 in this chat.",
        ),
        (
            "/api/contact",
            {"chat_id": econ["chat_id"], "user_id": lin["user_id"]},
            403,
            "林晓梅 is not in 经济发展局 工单群.",
        ),
        ("/api/enterprises", {"name": " ", "company": "某公司"}, 400, None),
        ("/api/enterprises", {"name": "张", "company": "x" * 200}, 400, None),
        ("/api/clock/advance", {}, 400, "Give either working_days or hours to move the clock."),
        ("/api/clock/advance", {"hours": -1}, 400, "Give hours as a number more than zero."),
        ("/api/clock/advance", {"working_days": 1, "hours": 1}, 400, None),
        ("/api/clock/advance", {"working_days": 1e9}, 400, None),
        ("/api/weekly", [], 400, "The request body must be a JSON object."),  # type: ignore[list-item]
    ]
    before = _snapshot(sandbox)
    for path, body, status, error in cases:
        answer = await api.post(path, body, status=status)
        assert answer["ok"] is False, (path, body)
        assert answer["error"].endswith(".") and not answer["error"][0].islower(), answer
        if error is not None:
            assert answer["error"] == error, (path, body)
        assert _snapshot(sandbox) == before, (path, body)

    broken = await api.client.post(
        "/api/send", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status == 400
    assert (await broken.json())["error"] == "The request body is not valid JSON."
    empty = FormData()
    empty.add_field("chat_id", str(lin["chat_id"]))
    empty.add_field("user_id", str(lin["user_id"]))
    no_file = await api.client.post("/api/upload", data=empty)
    assert no_file.status == 400 and (await no_file.json())["error"] == "Choose a file to send."
    empty_file = await api.uploads(
        lin["chat_id"],
        lin["user_id"],
        data=b"",
        file_name="a.txt",
        content_type="text/plain",
        status=400,
    )
    assert empty_file["error"] == "The file is empty: choose another one."
    outsider = await api.uploads(
        econ["chat_id"],
        lin["user_id"],
        data=b"x",
        file_name="a.txt",
        content_type="text/plain",
        status=403,
    )
    assert outsider["ok"] is False
    assert _snapshot(sandbox) == before
    assert menu["message_id"] == (await api.bot_messages(lin["chat_id"]))[-1]["message_id"]
