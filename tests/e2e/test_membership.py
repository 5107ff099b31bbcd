"""Only current members of the bound group work its cards (bot/core/permissions.py): stories on the
real desk and the emulator, whose getChatMember answers from who joined, left or was muted."""

from __future__ import annotations

from sqlmodel import col, select

from bot.devtools.emulator import server_error
from bot.devtools.emulator.records import MessageRecord
from bot.devtools.playground import Person, Scene
from bot.render.texts import texts_for
from storage.db import transaction
from storage.models import Department, Outbox, TicketEvent
from tests.e2e.test_department_work import card_in, filed, member, ticket_row, trail

REFUSALS = texts_for("zh").staff_refusals


def alert(scene: Scene) -> str | None:
    answer = scene.emulator.callback_answers[-1]
    return answer.text if answer.show_alert else None


def outbox_rows(scene: Scene) -> int:
    with transaction(scene.desk.engine) as session:
        return len(session.exec(select(Outbox.id)).all())


def lookups(scene: Scene) -> int:
    return len(scene.emulator.calls("getChatMember"))


def press(scene: Scene, who: Person, card: MessageRecord, label: str) -> None:
    """Press a button as Telegram would deliver it, whether or not the presser is a member."""
    scene.emulator.user_presses(who.user, card.chat_id, card.message_id, button_text=label)


def make_public(scene: Scene, group_id: int) -> None:
    """A public supergroup that lets visitors write: anyone can see its cards and act."""
    chat = scene.emulator.chat(group_id)
    chat.username, chat.join_to_send = f"public_{abs(group_id) % 10**6}", False


async def test_a_visitor_of_a_public_group_cannot_accept_or_answer(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    make_public(scene, econ.id)
    zhang = member(scene, econ.id, "张科员")
    visitor = scene.person("路人甲")
    ent = scene.person("许总")
    number = await filed(scene, ent)
    card, told = card_in(scene, econ.id, number), len(ent.replies())
    rows, events = outbox_rows(scene), trail(scene)

    press(scene, visitor, card, "✅ 签收")
    await scene.settle()
    assert alert(scene) == REFUSALS["not_member"]
    await visitor.says("我来答复：已经在办了", chat_id=econ.id, reply_to=card.message_id)
    refusal = scene.emulator.last_bot_message(econ.id)
    assert refusal.text == REFUSALS["not_member"]
    assert refusal.reply_to_message_id is not None

    after = card_in(scene, econ.id, number)
    assert (after.text, after.edit_count) == (card.text, card.edit_count)
    assert "签收：" not in after.text and "路人甲" not in after.text
    assert ticket_row(scene).status == "assigned" and trail(scene) == events
    assert outbox_rows(scene) == rows and len(ent.replies()) == told

    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert ticket_row(scene).status == "accepted"
    assert "签收：张科员" in card_in(scene, econ.id, number).text


async def test_a_member_who_left_is_refused_at_once(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("许总")
    number = await filed(scene, ent)

    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert ticket_row(scene).status == "accepted"
    asked = lookups(scene)
    await zhang.taps("🏁 办结", chat_id=econ.id)  # the answer is remembered: no second lookup
    assert alert(scene) is None and lookups(scene) == asked

    # Leaving is a service message: the desk forgets the membership it remembered.
    scene.emulator.member_leaves(econ.id, zhang.user)
    await scene.settle()
    rows, events, told = outbox_rows(scene), trail(scene), len(ent.replies())
    card = card_in(scene, econ.id, number)
    press(scene, zhang, card, "❓ 需补充材料")  # an old client still shows the card
    await scene.settle()
    assert alert(scene) == REFUSALS["not_member"]
    assert lookups(scene) == asked + 1
    assert (outbox_rows(scene), trail(scene), len(ent.replies())) == (rows, events, told)
    assert card_in(scene, econ.id, number).edit_count == card.edit_count


async def test_a_member_muted_where_the_bot_is_admin_is_refused_at_once(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    scene.emulator.chat(econ.id).bot_is_admin = True  # Telegram sends chat_member updates
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("许总")
    number = await filed(scene, ent)
    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert ticket_row(scene).status == "accepted"

    scene.emulator.restrict_member(econ.id, zhang.user, by=scene.admin)
    await scene.settle()
    rows, events = outbox_rows(scene), trail(scene)
    press(scene, zhang, card_in(scene, econ.id, number), "🏁 办结")
    await scene.settle()
    assert alert(scene) == REFUSALS["muted"]
    assert (outbox_rows(scene), trail(scene)) == (rows, events)

    scene.emulator.restrict_member(econ.id, zhang.user, by=scene.admin, can_send_messages=True)
    await scene.settle()
    await zhang.taps("🏁 办结", chat_id=econ.id)
    assert alert(scene) is None and outbox_rows(scene) == rows + 1


async def test_when_telegram_cannot_tell_the_press_is_refused_politely(scene: Scene) -> None:
    econ = await scene.department_group("econ", "经济发展局 工单群")
    zhang = member(scene, econ.id, "张科员")
    ent = scene.person("许总")
    await filed(scene, ent)
    rows, events = outbox_rows(scene), trail(scene)

    scene.emulator.faults.append(server_error("getChatMember"))
    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert alert(scene) == REFUSALS["membership_unknown"]
    assert ticket_row(scene).status == "assigned"
    assert (outbox_rows(scene), trail(scene)) == (rows, events)

    await zhang.taps("✅ 签收", chat_id=econ.id)  # Telegram answers again: it works
    assert ticket_row(scene).status == "accepted"


async def test_a_staff_list_narrows_membership(scene: Scene) -> None:
    """Listed *and* a current member: the list never lets an outsider in."""
    econ = await scene.department_group("econ", "经济发展局 工单群")
    make_public(scene, econ.id)
    zhang = member(scene, econ.id, "张科员")
    intern = member(scene, econ.id, "实习生")
    listed_outsider = scene.person("名单上的前同事")
    with transaction(scene.desk.engine) as session:
        econ_row = session.exec(select(Department).where(Department.code == "econ")).one()
        econ_row.staff = [zhang.user.id, listed_outsider.user.id]
        session.add(econ_row)
    ent = scene.person("许总")
    number = await filed(scene, ent)
    card = card_in(scene, econ.id, number)

    press(scene, intern, card, "✅ 签收")
    await scene.settle()
    assert alert(scene) == REFUSALS["not_staff"]
    press(scene, listed_outsider, card, "✅ 签收")
    await scene.settle()
    assert alert(scene) == REFUSALS["not_member"]
    with transaction(scene.desk.engine) as session:
        assert not session.exec(
            select(TicketEvent).where(col(TicketEvent.action) == "accept")
        ).all()

    await zhang.taps("✅ 签收", chat_id=econ.id)
    assert ticket_row(scene).status == "accepted"
