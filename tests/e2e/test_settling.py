"""What a story waits for after each action (``Scene.settle``): everything the desk does.

``settle`` asks the desk instead of waiting for quiet on the wire, so these stories hold it
to that: a turn that is silent for a long while, and rows that the sender sends after the
turn, are both waited for — an assertion right after an action sees all of it.
"""

from __future__ import annotations

import asyncio
import time

from sqlmodel import select
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import Outbox
from tests.e2e.test_filing_a_complaint import file_complaint

SILENT_SECONDS = 0.3  # six times the quiet spell the old settle waited out


async def test_a_turn_silent_on_the_wire_for_a_while_is_waited_for(scene: Scene) -> None:
    async def slow_then_speaks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is None or update.message.text != "慢":
            return
        time.sleep(SILENT_SECONDS / 2)  # noqa: ASYNC251 (database work: the event loop is held)
        await asyncio.sleep(SILENT_SECONDS / 2)  # waiting on something: the loop is free
        await context.bot.send_message(update.message.chat.id, "终于答复")

    scene.application.add_handler(TypeHandler(Update, slow_then_speaks), group=-3)
    ent = scene.person("等")
    await ent.says("慢")
    assert "终于答复" in [m.text for m in ent.replies()]


async def test_what_the_turn_queued_is_sent_before_the_action_returns(scene: Scene) -> None:
    await scene.department_group("econ", "经济发展局 工单群")
    ent = scene.person("快")
    await file_complaint(ent, category="政策兑现", description="厂区停电三天了，供电所一直不给说法")
    with transaction(scene.desk.engine) as session:
        rows = list(session.exec(select(Outbox)))
    assert rows and {row.status for row in rows} == {"sent"}  # nothing still on its way
    assert "已受理" in ent.last_reply().text
