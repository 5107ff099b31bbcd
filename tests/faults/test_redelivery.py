"""The same update delivered twice, before and after a restart: handled once.

The update id is claimed (ProcessedUpdate) in the same transaction as the change it
causes, so the claim survives a restart exactly when the change does.
"""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.playground import Scene
from storage.db import transaction
from storage.models import TicketEvent
from tests.e2e.test_department_work import member
from tests.faults.conftest import delivered, file_directly


def events(scene: Scene) -> list[str]:
    with transaction(scene.desk.engine) as session:
        return [e.action for e in session.exec(select(TicketEvent).order_by(TicketEvent.id))]


async def test_a_redelivered_press_changes_nothing_even_after_a_restart(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    number = file_directly(scene, scene.person("严"))
    await delivered(scene)
    staff = member(scene, econ.id, "张科长")
    card = next(m for m in scene.emulator.bot_messages(econ.id) if number in m.content)
    press = scene.emulator.user_presses(staff.user, econ.id, card.message_id, button_text="✅ 签收")
    update_id = scene.emulator.last_update_id
    await delivered(scene)
    assert events(scene).count("accept") == 1
    answers, edits = len(scene.emulator.callback_answers), card.edit_count

    # Telegram delivers it again (the confirmation was lost), to a freshly started desk.
    await scene.restart()
    scene.emulator.deliver_raw_update({"update_id": update_id, "callback_query": press})
    await delivered(scene)
    assert events(scene).count("accept") == 1
    assert len(scene.emulator.callback_answers) == answers  # dropped before any handler spoke
    assert scene.emulator.message(econ.id, card.message_id).edit_count == edits
