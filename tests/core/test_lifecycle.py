"""The lifecycle table entry by entry, and the one transition that applies it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.core.lifecycle import (
    ACCEPTS_INFO,
    BACK_TARGETS,
    RELAYS_STAFF_REPLIES,
    TRANSITIONS,
    Action,
    Back,
    Status,
    check_transition,
)
from bot.core.refusals import Refused
from bot.core.transition import SYSTEM, Role, Who, transition
from storage.db import transaction
from storage.models import Category, Reporter, Ticket, TicketEvent

S, A = Status, Action
FIXED = [(key, target) for key, target in TRANSITIONS.items() if isinstance(target, Status)]
NOT_IN_TABLE = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("key", "target"), FIXED, ids=lambda v: str(v))
def test_every_fixed_entry_leads_where_the_table_says(
    key: tuple[Status, Action], target: Status
) -> None:
    status, action = key
    assert check_transition(status, action) is target


@pytest.mark.parametrize(("status", "action"), NOT_IN_TABLE)
def test_every_move_outside_the_table_is_refused_as_state(status: Status, action: Action) -> None:
    with pytest.raises(Refused) as refused:
        check_transition(status, action)
    assert refused.value.code == "state"


@pytest.mark.parametrize("previous", sorted(BACK_TARGETS))
def test_a_rejected_transfer_goes_back_where_it_was(previous: Status) -> None:
    assert TRANSITIONS[(S.TRANSFER_REQUESTED, A.REJECT_TRANSFER)] is Back.PREVIOUS
    assert check_transition(S.TRANSFER_REQUESTED, A.REJECT_TRANSFER, previous=previous) is previous


@pytest.mark.parametrize("previous", [None, *sorted(set(Status) - BACK_TARGETS)])
def test_going_back_anywhere_else_is_refused(previous: Status | None) -> None:
    with pytest.raises(Refused) as refused:
        check_transition(S.TRANSFER_REQUESTED, A.REJECT_TRANSFER, previous=previous)
    assert refused.value.code == "state"


def test_the_events_that_change_no_state_say_where_they_may_happen() -> None:
    loops = {
        action: {s for (s, a), target in TRANSITIONS.items() if a is action and target is s}
        for action in (
            A.SUBMIT,
            A.ANSWER_CONDUCT,
            A.REPLY,
            A.ENTERPRISE_REPLY,
            A.ADD_INFO,
            A.TAKE_BACK_INFO,
            A.RATE_POOR,
            A.COMMENT_RATING,
        )
    }
    assert loops[A.SUBMIT] == loops[A.ANSWER_CONDUCT] == {S.SUBMITTED}
    assert loops[A.REPLY] == RELAYS_STAFF_REPLIES - {S.ASSIGNED}
    assert loops[A.ENTERPRISE_REPLY] == ACCEPTS_INFO - {S.WAITING_INFO}
    assert loops[A.ADD_INFO] == ACCEPTS_INFO
    assert loops[A.TAKE_BACK_INFO] == loops[A.COMMENT_RATING] == set(Status)
    assert loops[A.RATE_POOR] == {S.RESOLVED}


def test_every_action_is_somewhere_in_the_table() -> None:
    assert {action for _, action in TRANSITIONS} == set(Action)


# --- the one transition ------------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
STAFF = Who(Role.STAFF, 7, "张科员")


def _ticket(engine: Engine, status: Status, **fields: object) -> int:
    with transaction(engine) as session:
        category = session.exec(select(Category).where(Category.code == "policy")).one()
        reporter = Reporter(telegram_user_id=42)
        session.add(reporter)
        session.flush()
        ticket = Ticket(
            number="GX-20261124-0001",
            kind="complaint",
            status=status,
            category_id=category.id or 0,
            reporter_id=reporter.id or 0,
            description="d",
            company_name="c",
            contact_name="n",
            phone="1",
            route_reason="keyword",
            accept_due=NOW,
            first_reply_due=NOW,
            resolve_due=NOW + timedelta(days=3),
            created_at=NOW - timedelta(days=1),
            updated_at=NOW - timedelta(days=1),
        )
        for name, value in fields.items():
            setattr(ticket, name, value)
        session.add(ticket)
        session.flush()
        return ticket.id or 0


def _events(engine: Engine) -> list[TicketEvent]:
    with transaction(engine) as session:
        return list(session.exec(select(TicketEvent).order_by(TicketEvent.id)))


def test_a_transition_moves_stamps_and_records_the_action(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.ASSIGNED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        moved = transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.ACCEPT,
            who=STAFF,
            now=NOW,
            detail={"department": "econ"},
        )
        assert (moved.before, moved.after) == (S.ASSIGNED, S.ACCEPTED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.status == "accepted" and ticket.updated_at == NOW
        assert (ticket.accepted_at, ticket.accepted_by, ticket.accepted_by_name) == (
            NOW,
            7,
            "张科员",
        )
    [event] = _events(engine)
    assert (event.action, event.actor, event.actor_id) == ("accept", "staff", 7)
    assert (event.from_status, event.to_status) == ("assigned", "accepted")
    assert event.detail == {"by": "张科员", "department": "econ"}


def test_a_refused_transition_changes_nothing(engine: Engine, settings: Settings) -> None:
    ticket_id = _ticket(engine, S.CLOSED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        with pytest.raises(Refused) as refused:
            transition(
                session=session,
                settings=settings,
                ticket=ticket,
                action=A.RESOLVE,
                who=STAFF,
                now=NOW,
            )
        assert (refused.value.code, refused.value.number, refused.value.status) == (
            "state",
            "GX-20261124-0001",
            "closed",
        )
        assert ticket.status == "closed" and ticket.resolved_at is None
        assert ticket.updated_at == NOW - timedelta(days=1)
    assert _events(engine) == []


def test_asking_pauses_answering_resumes_and_resolving_ends_the_pause(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.ACCEPTED)
    later = NOW + timedelta(days=1)  # Wednesday 10:00: seven working hours later
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        due = ticket.resolve_due
        enterprise = Who.enterprise(42)
        transition(
            session=session, settings=settings, ticket=ticket, action=A.ASK_INFO, who=STAFF, now=NOW
        )
        assert ticket.waiting_since == NOW and ticket.first_reply_at == NOW
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.INFO_RECEIVED,
            who=enterprise,
            now=later,
        )
        # Friday 10:00 and a working day more: Monday 10:00.
        assert ticket.waiting_since is None and ticket.resolve_due == due + timedelta(days=3)
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.ASK_INFO,
            who=STAFF,
            now=later,
        )
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.RESOLVE,
            who=STAFF,
            now=later,
        )
        assert ticket.resolved_at == later and ticket.waiting_since is None
        assert ticket.first_reply_at == NOW  # the first answer stays the first
    actions = [(e.action, e.actor) for e in _events(engine)]
    assert actions == [
        ("ask_info", "staff"),
        ("info_received", "enterprise"),
        ("ask_info", "staff"),
        ("resolve", "staff"),
    ]


def test_a_reopen_counts_clears_the_resolution_and_restarts_the_resolve_clock(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.RESOLVED, resolution="done", resolved_at=NOW - timedelta(hours=1))
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        enterprise = Who.enterprise(42)
        for action in (A.RATE_POOR, A.REOPEN):
            transition(
                session=session,
                settings=settings,
                ticket=ticket,
                action=action,
                who=enterprise,
                now=NOW,
                detail={"rating": 1} if action is A.RATE_POOR else None,
            )
        assert ticket.status == "accepted" and ticket.reopen_count == 1
        assert ticket.resolution is None and ticket.resolved_at is None
        assert ticket.resolve_due > NOW + timedelta(days=5)  # five working days from now
    rated, reopened = _events(engine)
    assert (rated.action, rated.detail, rated.to_status) == ("rate_poor", {"rating": 1}, "resolved")
    assert (reopened.action, reopened.detail) == ("reopen", {"count": 1})


def test_an_approved_transfer_forgets_who_accepted_and_restarts_the_accept_clock(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(
        engine,
        S.TRANSFER_REQUESTED,
        accepted_at=NOW - timedelta(days=1),
        accepted_by=7,
        accepted_by_name="张科员",
    )
    dispatcher = Who(Role.DISPATCHER, 9, "陈主任")
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.APPROVE_TRANSFER,
            who=dispatcher,
            now=NOW,
            detail={"department": "tax", "from": "econ"},
        )
        assert ticket.status == "assigned"
        assert (ticket.accepted_at, ticket.accepted_by, ticket.accepted_by_name) == (None,) * 3
        assert ticket.accept_due > NOW
    [event] = _events(engine)
    assert event.detail == {"by": "陈主任", "department": "tax", "from": "econ"}


def test_an_approved_extension_moves_the_resolve_deadline(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.EXTENSION_REQUESTED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        due = ticket.resolve_due
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.APPROVE_EXTENSION,
            who=Who(Role.DISPATCHER, 9, "陈主任"),
            now=NOW,
            days=2,
        )
        # Friday 10:00 and two working days more: Tuesday 10:00.
        assert ticket.status == "accepted" and ticket.resolve_due == due + timedelta(days=4)


def test_submitting_has_no_from_state_and_closing_stamps_closed_at(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.SUBMITTED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.SUBMIT,
            who=Who.enterprise(42),
            now=NOW,
            detail={"kind": "complaint"},
        )
        ticket.status = S.RESOLVED  # the middle of the story is told above
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.AUTO_CLOSE,
            who=SYSTEM,
            now=NOW,
        )
        assert ticket.closed_at == NOW
    submitted, closed = _events(engine)
    assert (submitted.action, submitted.from_status, submitted.to_status) == (
        "submit",
        None,
        "submitted",
    )
    assert (closed.action, closed.actor, closed.actor_id, closed.detail) == (
        "auto_close",
        "system",
        None,
        {},
    )


def test_taking_an_addition_back_leaves_the_ticket_as_it_was(
    engine: Engine, settings: Settings
) -> None:
    ticket_id = _ticket(engine, S.CLOSED)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session,
            settings=settings,
            ticket=ticket,
            action=A.TAKE_BACK_INFO,
            who=Who.enterprise(42),
            now=NOW,
            detail={"text": "x"},
        )
        assert ticket.status == "closed" and ticket.updated_at == NOW - timedelta(days=1)


def test_each_event_is_logged_once_when_it_commits(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    ticket_id = _ticket(engine, S.ASSIGNED)
    caplog.set_level(logging.INFO)
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session, settings=settings, ticket=ticket, action=A.ACCEPT, who=STAFF, now=NOW
        )
        assert not [r for r in caplog.records if "GX-20261124-0001" in r.getMessage()]
    lines = [r.getMessage() for r in caplog.records if "GX-20261124-0001" in r.getMessage()]
    assert lines == ["ticket GX-20261124-0001: accept by staff (assigned → accepted)"]


def test_every_action_has_a_name_in_the_history_and_in_the_audit_trail() -> None:
    from bot.render.texts import LANGUAGES

    for texts in LANGUAGES.values():
        assert set(texts.event_names) == set(texts.event_codes) == {a.value for a in Action}
