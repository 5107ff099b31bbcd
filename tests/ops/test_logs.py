"""Structured logs: JSON lines with ticket numbers, never the enterprise's identity or the
token — checked on the log of a real story, not on hand-made records."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.devtools.playground import Scene
from bot.ops import logsafety
from bot.ops.logs import configure_logging, log_handler
from storage.db import transaction
from storage.models import Ticket
from tests.e2e.test_department_work import member
from tests.e2e.test_filing_a_complaint import file_complaint

REPORTER_ID = 7301234567


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines at INFO, as `dianxiaoer run` with log_format=json."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_story_logs_ticket_numbers_and_nobodys_identity(
    scene: Scene, json_log: io.StringIO
) -> None:
    logsafety.add_secret(scene.emulator.token)  # as the CLI does with the configured token
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    xu = scene.person("许", last_name="明远", username="xu_mingyuan", user_id=REPORTER_ID)
    await file_complaint(
        xu,
        category="政策兑现",
        description="厂区这周停电三次，供电所一直不给说法，生产线全停了。",
        company="厦门海沧精密机械有限公司",
        uscc="91350100M000100Y43",
    )
    await zhang.taps("✅ 签收", chat_id=econ.id)
    with transaction(scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.status == "accepted"

    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines, "nothing was logged"
    for line in lines:
        assert {"ts", "level", "logger", "msg"} <= set(line)
    events = [
        (line["event"], line["department"], line["actor"])
        for line in lines
        if line.get("ticket") == ticket.number
    ]
    assert ("route", "econ", "system") in events
    assert ("accept", "econ", "staff") in events
    assert any(ticket.number in line["msg"] for line in lines)  # readable as text too

    identity = [
        "许",
        "明远",
        "xu_mingyuan",
        str(REPORTER_ID),
        "厦门海沧精密机械有限公司",
        "海沧精密",
        "91350100M000100Y43",
        "13800138000",
        "林经理",
        "停电三次",
        "张科员",
        scene.emulator.token,
        scene.emulator.token.split(":")[1],
    ]
    for secret in identity:
        assert secret not in text, secret


def test_configure_logging_replaces_the_handlers_with_one_of_that_format() -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        configure_logging(fmt="json", level="WARNING")
        [handler] = root.handlers
        assert root.level == logging.WARNING
        record = logging.LogRecord(
            "bot.delivery.sender",
            logging.WARNING,
            __file__,
            1,
            "GET %s",
            ("/bot12345:ABCDEFGHIJKLMNOPQRSTUV/x",),
            None,
        )
        record.ticket = "GX-20261127-0007"
        assert handler.filter(record)
        line = json.loads(handler.format(record))
        assert line["ticket"] == "GX-20261127-0007"
        assert line["msg"] == "GET /bot<redacted>/x"
        configure_logging(fmt="text", level="INFO")
        [handler] = root.handlers
        assert "WARNING bot.delivery.sender: GET /bot<redacted>/x" in handler.format(record)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
