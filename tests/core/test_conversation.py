"""What the desk waits for from an enterprise: typed values and their stored forms."""

from __future__ import annotations

import pytest

from bot.core import conversation, intake, tickets
from bot.core.conversation import AddingInfo, parse_awaiting, serialise_awaiting
from bot.core.screens import Name
from storage.db import transaction
from storage.models import Draft, Reporter
from tests.core.test_intake import NOW, reporter, say


@pytest.mark.parametrize(
    "value", [AddingInfo(ticket_id=1), AddingInfo(ticket_id=42, count=3), AddingInfo(10**12, 999)]
)
def test_awaiting_round_trip(value: AddingInfo) -> None:
    stored = serialise_awaiting(value)
    assert stored is not None and len(stored) <= 64  # the column's width
    assert parse_awaiting(stored) == value


def test_the_stored_form_is_the_one_every_version_wrote() -> None:
    assert serialise_awaiting(AddingInfo(ticket_id=12, count=3)) == "info:12:3"
    assert parse_awaiting("info:12:0") == AddingInfo(ticket_id=12)
    assert serialise_awaiting(None) is None
    assert parse_awaiting(None) is None and parse_awaiting("") is None


@pytest.mark.parametrize(
    "stored",
    [
        "info",
        "info:",
        "info:12",
        "info:12:",
        "info:x:1",
        "info:12:many",
        "info:1:2:3",
        "info:-1:0",
        "info: 12:0",
        "info:١٢:0",  # Arabic-Indic digits, which int() would take
        "INFO:12:0",
        "rate:12",
        '{"adding_info": 12}',
        "\x00",
    ],
)
def test_an_unreadable_stored_value_is_nothing_awaited(stored: str) -> None:
    assert parse_awaiting(stored) is None
    assert conversation.awaiting(Reporter(telegram_user_id=1, awaiting=stored)) is None


def test_adding_one_counts() -> None:
    assert AddingInfo(ticket_id=7).added_one().added_one() == AddingInfo(ticket_id=7, count=2)


def test_set_awaiting_writes_the_column() -> None:
    someone = Reporter(telegram_user_id=1)
    conversation.set_awaiting(someone, AddingInfo(ticket_id=5, count=1))
    assert someone.awaiting == "info:5:1"
    assert conversation.awaiting(someone) == AddingInfo(ticket_id=5, count=1)
    conversation.set_awaiting(someone, None)
    assert someone.awaiting is None and conversation.awaiting(someone) is None


def test_offer_is_taken_once() -> None:
    someone = Reporter(telegram_user_id=1)
    assert conversation.offered_text(someone) is None
    conversation.offer(someone, "物业乱收费")
    assert conversation.offered_text(someone) == "物业乱收费"
    assert conversation.take_offer(someone) == "物业乱收费"
    assert conversation.take_offer(someone) is None and someone.offer_text is None
    someone.offer_text = ""  # what an older row may hold: no offer
    assert conversation.offered_text(someone) is None


def test_draft_flags() -> None:
    draft = Draft(reporter_id=1, step="category", data={"kind": "complaint"})
    assert not conversation.editing(draft) and conversation.requested_kind(draft) is None
    conversation.set_editing(draft, True)
    conversation.set_requested_kind(draft, "request")
    assert conversation.editing(draft) and conversation.requested_kind(draft) == "request"
    conversation.set_editing(draft, False)
    assert not conversation.editing(draft)
    assert draft.data == {"kind": "complaint", "requested_kind": "request"}
    draft.data["requested_kind"] = 3  # not a kind: ignored
    assert conversation.requested_kind(draft) is None


def test_a_bad_stored_value_is_answered_politely(engine, settings) -> None:
    """A row an older version left: messages, /cancel and 补充完了 carry on without it."""
    with transaction(engine) as session:
        reporter(session).awaiting = "info:oops"
    assert [s.name for s in say(engine, settings, "物业乱收费")] == [Name.OFFER]
    with transaction(engine) as session:
        assert [s.name for s in intake.cancel(session=session, reporter=reporter(session))] == [
            Name.NOTHING_TO_CANCEL
        ]
        done = tickets.finish_adding_info(session=session, reporter=reporter(session))
        assert done.name is Name.INFO_NOTHING
        assert reporter(session).awaiting is None
    with transaction(engine) as session:
        me = reporter(session)
        me.awaiting = "info:oops"
        accepted = intake.accept_offer(
            session=session, settings=settings, reporter=me, choice="complaint", now=NOW
        )
        assert accepted[-1].name in (Name.ASK_CATEGORY, Name.DESCRIPTION_SAVED)
    with transaction(engine) as session:
        intake.start_filing(
            session=session, settings=settings, reporter=reporter(session), kind="request", now=NOW
        )
        assert reporter(session).awaiting is None
