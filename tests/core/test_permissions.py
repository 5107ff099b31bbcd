"""Who may act (bot/core/permissions.py): the table of acts × roles, membership as Telegram
reported it, the staff list, the bound chats, the admins."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core.permissions import (
    ANONYMOUS_ADMIN_ID,
    WHO_MAY,
    Act,
    Actor,
    Membership,
    Refused,
    Role,
    check_person,
    for_admin,
    for_department,
    for_dispatcher,
    is_anonymous,
    owns,
    reads_as_desk,
    reveals_identity,
)
from storage import queries
from storage.db import transaction
from storage.models import Reporter, Ticket

USER, DISPATCH_CHAT = 7_000_000_005, -1_002_000_000_009
DEPARTMENT_CHAT, TOPIC = -1_002_000_000_010, 42

#: The rules as a maintainer reads them (Y: that role may). The end-to-end matrix
#: (tests/e2e/test_authorization_matrix.py) checks the same on the running desk.
TABLE = """
act                  owner department dispatcher admin
accept                 .       Y          .        .
prompt                 .       Y          .        .
ask_info               .       Y          .        .
resolve                .       Y          .        .
request_transfer       .       Y          .        .
request_extension      .       Y          .        .
reply                  .       Y          .        .
answer_together        .       Y          .        .
link_common            .       Y          Y        Y
confirm_lead           .       .          Y        Y
assign                 .       .          Y        Y
approve_transfer       .       .          Y        Y
approve_extension      .       .          Y        Y
reject_request         .       .          Y        Y
own_ticket             Y       .          .        .
bind                   .       .          .        Y
unbind                 .       .          .        Y
departments            .       .          .        Y
assign_by_command      .       .          .        Y
ticket_detail          .       .          .        Y
summary                .       .          .        Y
block                  .       .          .        Y
unblock                .       .          .        Y
"""


def _table() -> dict[Act, frozenset[Role]]:
    header, *rows = (line.split() for line in TABLE.strip().splitlines())
    roles = [Role(name) for name in header[1:]]
    return {
        Act(act): frozenset(r for r, mark in zip(roles, marks, strict=True) if mark == "Y")
        for act, *marks in rows
    }


def test_who_may_do_what() -> None:
    assert dict(WHO_MAY) == _table()
    assert set(WHO_MAY) == set(Act)  # every act has an answer


def test_who_may_approve_an_extension() -> None:
    assert WHO_MAY[Act.APPROVE_EXTENSION] == {Role.DISPATCHER, Role.ADMIN}


def actor(membership: Membership, *, chat_id: int = DISPATCH_CHAT, user_id: int = USER) -> Actor:
    return Actor(user_id, "陈科长", chat_id, None, membership=membership)


@pytest.mark.parametrize(
    ("membership", "staff", "refusal"),
    [
        (Membership.MEMBER, [], None),
        (Membership.MEMBER, [USER], None),
        (Membership.MEMBER, [1], "not_staff"),
        (Membership.NOT_MEMBER, [USER], "not_member"),  # the list narrows, never widens
        (Membership.MUTED, [], "muted"),
        (Membership.UNKNOWN, [], "membership_unknown"),
        (Membership.UNCHECKED, [], "membership_unknown"),  # nobody asked Telegram: refuse
    ],
)
def test_a_person_acts_only_as_a_current_member(
    membership: Membership, staff: list[int], refusal: str | None
) -> None:
    if refusal is None:
        check_person(actor(membership), staff)
        return
    with pytest.raises(Refused) as refused:
        check_person(actor(membership), staff)
    assert refused.value.code == refusal


def test_anonymous_admins_are_refused_before_anyone_asks_telegram() -> None:
    for anonymous in (
        Actor(ANONYMOUS_ADMIN_ID, "Group", DISPATCH_CHAT, None, membership=Membership.MEMBER),
        Actor(USER, "频道", DISPATCH_CHAT, None, anonymous=True, membership=Membership.MEMBER),
    ):
        with pytest.raises(Refused, match="anonymous"):
            check_person(anonymous, [])


def _bind_dispatcher(engine: Engine, staff: list[int]) -> None:
    with transaction(engine) as session:
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        assert dispatcher is not None
        dispatcher.chat_id, dispatcher.staff = DISPATCH_CHAT, staff
        session.add(dispatcher)


@pytest.mark.parametrize(
    ("where", "membership", "staff", "admin", "refusal"),
    [
        (DISPATCH_CHAT, Membership.MEMBER, [], False, None),
        (DISPATCH_CHAT, Membership.NOT_MEMBER, [], False, "not_member"),
        (DISPATCH_CHAT, Membership.MUTED, [], False, "muted"),
        (DISPATCH_CHAT, Membership.MEMBER, [1], False, "not_staff"),
        (-1001, Membership.MEMBER, [], False, "dispatcher_only"),
        (USER, Membership.MEMBER, [], True, None),  # an admin decides anywhere
        (DISPATCH_CHAT, Membership.NOT_MEMBER, [], True, None),
    ],
)
def test_dispatcher_decisions(
    engine: Engine,
    settings: Settings,
    where: int,
    membership: Membership,
    staff: list[int],
    admin: bool,
    refusal: str | None,
) -> None:
    settings = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"admins": [USER] if admin else []})}
    )
    _bind_dispatcher(engine, staff)
    with transaction(engine) as session:
        if refusal is None:
            for_dispatcher(
                Act.APPROVE_EXTENSION,
                session=session,
                settings=settings,
                actor=actor(membership, chat_id=where),
            )
            return
        with pytest.raises(Refused) as refused:
            for_dispatcher(
                Act.APPROVE_EXTENSION,
                session=session,
                settings=settings,
                actor=actor(membership, chat_id=where),
            )
    assert refused.value.code == refusal


def _bind(engine: Engine, code: str, chat_id: int, thread_id: int | None, staff: list[int]) -> int:
    with transaction(engine) as session:
        department = queries.zone.get_department_by_code(session=session, code=code)
        assert department is not None and department.id is not None
        department.chat_id, department.thread_id, department.staff = chat_id, thread_id, staff
        session.add(department)
        return department.id


@pytest.mark.parametrize(
    ("act", "where", "thread", "bound_thread", "membership", "staff", "refusal"),
    [
        (Act.ACCEPT, DEPARTMENT_CHAT, None, None, Membership.MEMBER, [], None),
        (Act.REPLY, DEPARTMENT_CHAT, TOPIC, None, Membership.MEMBER, [], None),  # any topic
        (Act.ACCEPT, DEPARTMENT_CHAT, TOPIC, TOPIC, Membership.MEMBER, [USER], None),
        (Act.ACCEPT, DEPARTMENT_CHAT, None, TOPIC, Membership.MEMBER, [], "not_bound"),
        (Act.ACCEPT, DISPATCH_CHAT, None, None, Membership.MEMBER, [], "not_bound"),
        (Act.RESOLVE, DEPARTMENT_CHAT, None, None, Membership.NOT_MEMBER, [], "not_member"),
        (Act.RESOLVE, DEPARTMENT_CHAT, None, None, Membership.MEMBER, [1], "not_staff"),
        # Not a department's act, whoever asks and wherever.
        (Act.APPROVE_EXTENSION, DEPARTMENT_CHAT, None, None, Membership.MEMBER, [], "not_bound"),
    ],
)
def test_department_work(
    engine: Engine,
    act: Act,
    where: int,
    thread: int | None,
    bound_thread: int | None,
    membership: Membership,
    staff: list[int],
    refusal: str | None,
) -> None:
    department_id = _bind(engine, "econ", DEPARTMENT_CHAT, bound_thread, staff)
    ticket = Ticket(number="XM-1", status="assigned", department_id=department_id)
    someone = Actor(USER, "陈科长", where, thread, membership=membership)
    with transaction(engine) as session:
        if refusal is None:
            department = for_department(act, session=session, ticket=ticket, actor=someone)
            assert department.id == department_id
            return
        with pytest.raises(Refused) as refused:
            for_department(act, session=session, ticket=ticket, actor=someone)
    assert refused.value.code == refusal
    assert refused.value.number == "XM-1"


def test_an_unrouted_ticket_has_no_department_to_act_for(engine: Engine) -> None:
    ticket = Ticket(number="XM-2", status="new", department_id=None)
    member = actor(Membership.MEMBER, chat_id=DEPARTMENT_CHAT)
    with transaction(engine) as session, pytest.raises(Refused, match="not_bound"):
        for_department(Act.ACCEPT, session=session, ticket=ticket, actor=member)


def test_an_admin_decides_only_what_the_table_lets_admins_decide(
    engine: Engine, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"admins": [USER]})}
    )
    _bind_dispatcher(engine, [])
    admin_alone = actor(Membership.MEMBER, chat_id=USER)
    in_dispatch = actor(Membership.MEMBER, user_id=USER + 1)
    with transaction(engine) as session:
        for_dispatcher(Act.ASSIGN, session=session, settings=settings, actor=admin_alone)
        for who in (admin_alone, in_dispatch):  # accepting is no dispatcher's decision
            with pytest.raises(Refused, match="dispatcher_only"):
                for_dispatcher(Act.ACCEPT, session=session, settings=settings, actor=who)
        with pytest.raises(Refused, match="dispatcher_only"):  # binding is the admins' alone
            for_dispatcher(Act.BIND, session=session, settings=settings, actor=in_dispatch)


def test_an_anonymous_admin_decides_nothing(engine: Engine, settings: Settings) -> None:
    settings = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"admins": [ANONYMOUS_ADMIN_ID]})}
    )
    _bind_dispatcher(engine, [])
    anonymous = Actor(
        ANONYMOUS_ADMIN_ID, "Group", DISPATCH_CHAT, None, membership=Membership.MEMBER
    )
    assert is_anonymous(anonymous)
    with transaction(engine) as session, pytest.raises(Refused, match="anonymous"):
        for_dispatcher(Act.ASSIGN, session=session, settings=settings, actor=anonymous)


def test_admin_commands(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"desk": settings.desk.model_copy(update={"admins": [USER]})}
    )
    assert for_admin(Act.BIND, settings, USER)
    assert not for_admin(Act.BIND, settings, USER + 1)
    assert not for_admin(Act.BIND, settings, None)
    assert not for_admin(Act.ACCEPT, settings, USER)  # an admin is not a department


def test_an_enterprise_owns_only_its_own_tickets() -> None:
    mine, theirs = Reporter(id=1, telegram_user_id=USER), Reporter(id=2, telegram_user_id=9)
    ticket = Ticket(number="XM-3", reporter_id=1)
    assert owns(mine, ticket)
    assert not owns(theirs, ticket)
    assert not owns(mine, None)


def test_what_the_desk_reads_of_an_enterprise(engine: Engine) -> None:
    _bind_dispatcher(engine, [])
    assert reveals_identity(private=True)
    assert not reveals_identity(private=False)  # not even in the dispatcher's chat
    with transaction(engine) as session:
        assert reads_as_desk(session=session, chat_id=USER, thread_id=None, private=True)
        assert reads_as_desk(session=session, chat_id=DISPATCH_CHAT, thread_id=None, private=False)
        assert not reads_as_desk(
            session=session, chat_id=DEPARTMENT_CHAT, thread_id=None, private=False
        )
        assert not reads_as_desk(
            session=session, chat_id=DISPATCH_CHAT, thread_id=TOPIC, private=False
        )
