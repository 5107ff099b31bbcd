"""Filing a ticket through the core, without Telegram, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.config import Settings
from bot.core import intake, private_messages, tickets
from bot.core.intake import Attachment, Incoming
from bot.core.screens import Name
from bot.core.validation import UsccProblem
from bot.render import callbacks as cb
from storage import queries
from storage.db import transaction
from storage.models import Draft, Outbox, Reporter, Ticket, TicketEvent

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
USER_ID = 777000111


def reporter(session, language: str = "zh") -> Reporter:
    found = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=USER_ID)
    found.language = found.language or language
    return found


def button(engine, settings, prefix: str, *args: str | int):
    with transaction(engine) as session:
        return intake.on_button(
            session=session,
            settings=settings,
            reporter=reporter(session),
            data=cb.parse(cb.make(prefix, *args)),
            now=NOW,
        )


def say(engine, settings, text: str | None = None, **kwargs):
    with transaction(engine) as session:
        return private_messages.on_message(
            session=session,
            settings=settings,
            reporter=reporter(session),
            incoming=Incoming(text=text, **kwargs),
            now=NOW,
        )


def names(screens) -> list[Name]:
    return [s.name for s in screens]


def file_until_confirm(
    engine, settings, *, category: str, description: str, visibility: str = "company"
) -> None:
    with transaction(engine) as session:
        assert names(
            intake.start_filing(
                session=session,
                settings=settings,
                reporter=reporter(session),
                kind="complaint",
                now=NOW,
            )
        ) == [Name.ASK_CATEGORY]
    assert names(button(engine, settings, cb.CATEGORY, category)) == [Name.ASK_DESCRIPTION]
    assert names(say(engine, settings, description)) == [Name.DESCRIPTION_SAVED]
    photo = Attachment(kind="photo", file_id="PHOTO-1", chat_id=USER_ID, message_id=5)
    assert names(say(engine, settings, attachment=photo)) == [Name.EVIDENCE_SAVED]
    assert names(button(engine, settings, cb.DESCRIPTION_DONE)) == [Name.ASK_COMPANY]
    assert names(say(engine, settings, "厦门海沧精密机械有限公司")) == [Name.ASK_USCC]
    assert names(say(engine, settings, "91350100M000100Y43")) == [Name.ASK_CONTACT_NAME]
    assert names(say(engine, settings, "林经理")) == [Name.ASK_PHONE]
    assert names(say(engine, settings, "138 0013 8000")) == [Name.PHONE_SAVED, Name.ASK_CONSENT]
    assert names(button(engine, settings, cb.VISIBILITY, visibility)) == [Name.SUMMARY]


def test_complaint_is_routed_with_card_ack_and_evidence(engine, settings: Settings) -> None:
    file_until_confirm(
        engine,
        settings,
        category="other",
        description="厂房消防验收一直排不上号，已经等了两个月，影响投产。",
    )
    assert names(button(engine, settings, cb.CONFIRM, "submit")) == [Name.SUBMITTED]
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        department = queries.zone.get_department(
            session=session, department_id=ticket.department_id
        )
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
        events = [e.action for e in session.exec(select(TicketEvent))]
        assert session.get(Draft, reporter(session).id) is None
        profile = reporter(session)
    assert ticket.number == "GX-20261127-0001"
    assert ticket.status == "assigned"
    assert department is not None and department.code == "planning"
    assert ticket.phone == "13800138000" and ticket.uscc == "91350100M000100Y43"
    assert ticket.share_company and not ticket.share_contact
    assert events == ["submit", "route"]
    assert [r.purpose for r in rows] == ["ack", "card", "evidence"]
    ack, card, evidence = rows
    assert ack.chat_id == USER_ID and "GX-20261127-0001" in ack.payload["text"]
    assert department.name in ack.payload["text"]
    # The department's chat is not bound yet: the card is held for it, not lost.
    assert card.chat_id is None and card.held_for_department_id == department.id
    assert "厦门海沧精密机械有限公司" in card.payload["text"]
    assert "林经理" not in card.payload["text"] and "13800138000" not in card.payload["text"]
    assert str(USER_ID) not in card.payload["text"]
    assert evidence.method == "copyMessage" and evidence.refers_to_outbox_id == card.id
    assert profile.company_name == "厦门海沧精密机械有限公司"
    # Working-time deadline: Friday 10:00 + 2 working hours = 12:00 Shanghai = 04:00 UTC.
    assert ticket.accept_due == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def test_unmatched_complaint_goes_to_dispatcher_with_department_buttons(engine, settings):
    file_until_confirm(engine, settings, category="other", description="想咨询一下相关情况。")
    button(engine, settings, cb.CONFIRM, "submit")
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        card = queries.outbox.ticket_card(session=session, ticket_id=ticket.id, purpose="dispatch")
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    assert ticket.status == "unrouted" and ticket.department_id is None
    assert card is not None and card.held_for_department_id == dispatcher.id
    buttons = [
        b["callback_data"] for row in card.payload["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert f"as:{ticket.id}:econ" in buttons and f"as:{ticket.id}:bizenv" not in buttons
    # The desk sees everything, including the contact the enterprise kept from departments.
    assert "林经理" in card.payload["text"]


def test_conduct_complaint_goes_to_discipline_office(engine, settings):
    file_until_confirm(
        engine,
        settings,
        category="other",
        description="税务局某工作人员办事时暗示要好处费，否则一直拖着不办。",
    )
    button(engine, settings, cb.CONFIRM, "submit")
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        department = queries.zone.get_department(
            session=session, department_id=ticket.department_id
        )
    assert department is not None and department.code == "discipline"


def test_wrong_uscc_is_explained_and_can_be_skipped(engine, settings):
    with transaction(engine) as session:
        intake.start_filing(
            session=session, settings=settings, reporter=reporter(session), kind="request", now=NOW
        )
    button(engine, settings, cb.CATEGORY, "approval")
    say(engine, settings, "营业执照变更要跑三次窗口")
    button(engine, settings, cb.DESCRIPTION_DONE)
    say(engine, settings, "某某科技有限公司")
    [problem] = say(engine, settings, "91350100M000100Y44")
    assert problem.name is Name.USCC_PROBLEM
    assert problem.params["problem"] is UsccProblem.BAD_CHECK_CHARACTER
    assert problem.params["expected"] == "3"
    [problem] = say(engine, settings, "12345")
    assert problem.params["problem"] is UsccProblem.WRONG_LENGTH
    assert names(button(engine, settings, cb.SKIP_USCC)) == [Name.ASK_CONTACT_NAME]


def test_cancel_keeps_draft_and_resume_continues(engine, settings):
    with transaction(engine) as session:
        intake.start_filing(
            session=session,
            settings=settings,
            reporter=reporter(session),
            kind="complaint",
            now=NOW,
        )
    button(engine, settings, cb.CATEGORY, "fees")
    say(engine, settings, "园区转供电加价收费")
    with transaction(engine) as session:
        assert names(intake.cancel(session=session, reporter=reporter(session))) == [Name.CANCELLED]
        assert names(intake.cancel(session=session, reporter=reporter(session))) == [
            Name.NOTHING_TO_CANCEL
        ]
    # Outside the conversation a plain text is an offer, not part of the draft.
    assert names(say(engine, settings, "另外还有个问题")) == [Name.OFFER]
    with transaction(engine) as session:
        screens = intake.start_filing(
            session=session,
            settings=settings,
            reporter=reporter(session),
            kind="complaint",
            now=NOW,
        )
    assert names(screens) == [Name.DRAFT_FOUND]
    with transaction(engine) as session:
        screens = intake.resume_or_restart(
            session=session, reporter=reporter(session), choice="resume"
        )
    assert names(screens) == [Name.DESCRIPTION_SAVED]
    with transaction(engine) as session:
        draft = session.get(Draft, reporter(session).id)
    assert draft.data["description"] == "园区转供电加价收费" and draft.active


def test_plain_text_offer_suggests_category_and_prefills(engine, settings):
    [offer] = say(engine, settings, "区里承诺的研发补贴到现在还没兑现")
    assert offer.name is Name.OFFER and offer.params["category"] is not None
    with transaction(engine) as session:
        screens = intake.accept_offer(
            session=session,
            settings=settings,
            reporter=reporter(session),
            choice="complaint",
            now=NOW,
        )
        draft = session.get(Draft, reporter(session).id)
    assert names(screens) == [Name.DESCRIPTION_SAVED]
    assert draft.data["description"] == "区里承诺的研发补贴到现在还没兑现"
    assert draft.data["category"] == "policy"


def test_double_submit_files_one_ticket(engine, settings):
    file_until_confirm(engine, settings, category="fees", description="转供电加价")
    button(engine, settings, cb.CONFIRM, "submit")
    assert names(button(engine, settings, cb.CONFIRM, "submit")) == [Name.ALREADY_SUBMITTED]
    with transaction(engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 1


def test_withdraw_and_add_info(engine, settings):
    file_until_confirm(engine, settings, category="fees", description="转供电加价")
    button(engine, settings, cb.CONFIRM, "submit")
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        me = reporter(session)
        assert (
            tickets.start_adding_info(session=session, reporter=me, ticket_id=ticket.id).name
            is Name.ASK_ADD_INFO
        )
    [added] = say(engine, settings, "补充：电费单见附件")
    assert added.name is Name.INFO_ADDED and added.params["count"] == 1
    with transaction(engine) as session:
        done = tickets.finish_adding_info(session=session, reporter=reporter(session))
        assert done.name is Name.INFO_ADDED and done.params["count"] == 1
        other = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=1)
        # Someone else's ticket looks exactly like a missing one.
        assert (
            tickets.withdraw(
                session=session, settings=settings, reporter=other, ticket_id=ticket.id, now=NOW
            ).name
            is Name.UNKNOWN_TICKET
        )
        screen = tickets.withdraw(
            session=session,
            settings=settings,
            reporter=reporter(session),
            ticket_id=ticket.id,
            now=NOW,
        )
        assert screen.name is Name.WITHDRAWN
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket.id)
        purposes = [r.purpose for r in session.exec(select(Outbox).order_by(Outbox.id))]
        again = tickets.withdraw(
            session=session,
            settings=settings,
            reporter=reporter(session),
            ticket_id=ticket.id,
            now=NOW,
        )
    assert ticket.status == "withdrawn"
    assert purposes == ["ack", "card", "evidence", "info", "notice", "card_edit"]
    assert again.name is Name.CANNOT_WITHDRAW
