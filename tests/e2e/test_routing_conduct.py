"""Stories of conduct complaints: they reach the discipline office and never the
department complained about, and the enterprise is asked when the text only hints."""

from __future__ import annotations

from sqlmodel import select

from bot.core import desk_routing
from bot.devtools.playground import Person, Scene
from storage.db import transaction
from storage.models import Ticket, TicketEvent
from tests.e2e.test_department_work import card_in, member, ticket_row
from tests.e2e.test_filing_a_complaint import file_complaint

#: Names the market regulator (the inspection category's department too) and steers the
#: company to a testing firm: actor + improper act, a conduct complaint for certain.
ACCUSING_MARKET = (
    "市场监管分局的执法人员来检查完，指定我们必须找他推荐的检测公司重新检定，说别家的报告不认。"
)
#: Actor and act, but beside a denial ("not that he insisted"): only the enterprise can say.
HINTING = "市场监管分局的执法人员检查时推荐了一家检测公司，倒也不是说非要用他们家，就是提了一下。"
QUESTION = "您反映的是工作人员的作风问题吗"


async def groups(scene: Scene) -> tuple[int, int, int]:
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    discipline = await scene.department_group("discipline", "纪工委 工单群")
    market = await scene.department_group("market", "市场监管分局 工单群")
    return dispatch.id, discipline.id, market.id


def number_of(person: Person) -> str:
    return person.last_reply().text.split("工单号：")[1].split()[0]


def events(scene: Scene) -> list[TicketEvent]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(TicketEvent).order_by(TicketEvent.id)))


def questions_asked(person: Person) -> int:
    return sum(QUESTION in m.content for m in person.replies())


async def test_a_complaint_accusing_the_market_regulator_never_reaches_it(scene: Scene) -> None:
    dispatch, discipline, market = await groups(scene)
    market_before = len(scene.emulator.bot_messages(market))
    ent = scene.person("周总")
    await file_complaint(ent, category="执法检查", description=ACCUSING_MARKET)

    number = number_of(ent)
    assert "纪工委监察工委" in ent.last_reply().text
    assert questions_asked(ent) == 0  # the signals are plain: nothing to ask
    card = card_in(scene, discipline, number)
    assert "【作风问题】" in card.text and "指定我们必须找他推荐的检测公司" in card.text
    # The discipline office works it; only the dispatcher can move it, so no transfer button.
    assert [b.text for b in card.buttons] == ["✅ 签收"]
    assert len(scene.emulator.bot_messages(market)) == market_before  # the accused heard nothing
    assert not [m for m in scene.emulator.bot_messages(dispatch) if number in m.content]
    ticket = ticket_row(scene)
    assert (ticket.conduct, ticket.route_reason) == (True, "conduct_signals")
    assert "market" in ticket.route_excluded


async def test_a_hint_is_asked_once_and_yes_goes_to_the_discipline_office(scene: Scene) -> None:
    _, discipline, market = await groups(scene)
    market_before = len(scene.emulator.bot_messages(market))
    ent = scene.person("吴经理")
    await file_complaint(ent, category="执法检查", description=HINTING)

    question = ent.last_reply()
    assert QUESTION in question.content and "被反映的部门看不到您的投诉" in question.content
    assert [b.text for b in question.buttons] == ["是", "否"]
    with transaction(scene.desk.engine) as session:
        assert session.exec(select(Ticket)).first() is None  # nothing submitted before the answer

    await ent.taps("是")
    number = number_of(ent)
    assert "纪工委监察工委" in ent.last_reply().text
    assert "【作风问题】" in card_in(scene, discipline, number).text
    assert len(scene.emulator.bot_messages(market)) == market_before
    ticket = ticket_row(scene)
    assert (ticket.conduct, ticket.conduct_answer, ticket.route_reason) == (
        True,
        True,
        "conduct_confirmed",
    )
    answered = [e for e in events(scene) if e.action == "answer_conduct"]
    assert [e.detail for e in answered] == [{"answer": "yes"}]
    assert questions_asked(ent) == 1

    # The answered question shows the answer, not the buttons; a forged press changes nothing.
    assert ent.scene.emulator.message(ent.chat_id, question.message_id).buttons == []
    scene.emulator.user_presses(ent.user, ent.chat_id, question.message_id, "cq:no", forge=True)
    await scene.settle()
    assert ticket_row(scene).conduct_answer is True


async def test_a_hint_answered_no_takes_the_ordinary_route(scene: Scene) -> None:
    dispatch, discipline, _ = await groups(scene)
    discipline_before = len(scene.emulator.bot_messages(discipline))
    ent = scene.person("郑会计")
    await file_complaint(ent, category="执法检查", description=HINTING)
    await ent.taps("否")

    number = number_of(ent)
    with transaction(scene.desk.engine) as session:
        expected = desk_routing.decide(
            session=session,
            settings=scene.desk.settings,
            text=HINTING,
            category="inspection",
            conduct_answer=False,
        )
    ticket = ticket_row(scene)
    assert (ticket.conduct, ticket.conduct_answer) == (False, False)
    assert ticket.route_reason == expected.reason.value
    assert len(scene.emulator.bot_messages(discipline)) == discipline_before
    assert questions_asked(ent) == 1
    where = expected.department or "bizenv"
    chat = scene.groups[where].id if where in scene.groups else dispatch
    assert any(number in m.content for m in scene.emulator.bot_messages(chat))
    assert [e.detail for e in events(scene) if e.action == "answer_conduct"] == [{"answer": "no"}]


async def test_a_conduct_ticket_cannot_be_moved_to_the_department_it_names(scene: Scene) -> None:
    _, discipline, market = await groups(scene)
    clerk = member(scene, discipline, "纪工委 李干事")
    ent = scene.person("钱总")
    await file_complaint(ent, category="执法检查", description=ACCUSING_MARKET)
    number = number_of(ent)
    ticket = ticket_row(scene)
    market_before = len(scene.emulator.bot_messages(market))

    # The dispatcher (an admin) tries to re-assign it to the accused department.
    scene.emulator.user_sends_text(scene.admin, discipline, f"/assign {number} market")
    await scene.settle()
    refusal = scene.emulator.last_bot_message(discipline).text
    assert "作风问题工单" in refusal and "不能交给它反映的部门" in refusal

    # Staff of the discipline office forge a transfer button the card does not have.
    card = card_in(scene, discipline, number)
    scene.emulator.user_presses(
        clerk.user, discipline, card.message_id, f"st:{ticket.id}:transfer", forge=True
    )
    await scene.settle()
    alert = scene.emulator.callback_answers[-1]
    assert alert.show_alert and alert.text is not None and "承办部门不能申请转办" in alert.text

    assert len(scene.emulator.bot_messages(market)) == market_before
    after = ticket_row(scene)
    assert (after.status, after.department_id) == ("assigned", ticket.department_id)
