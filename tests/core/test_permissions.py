"""Who may act (bot/permissions.py): membership as Telegram reported it, the staff list,
the dispatcher's chat."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.permissions import (
    ANONYMOUS_ADMIN_ID,
    Actor,
    Membership,
    Refused,
    check_person,
    for_dispatcher,
)
from storage import queries
from storage.db import transaction

USER, DISPATCH_CHAT = 7_000_000_005, -1_002_000_000_009


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
                session=session, settings=settings, actor=actor(membership, chat_id=where)
            )
            return
        with pytest.raises(Refused) as refused:
            for_dispatcher(
                session=session, settings=settings, actor=actor(membership, chat_id=where)
            )
    assert refused.value.code == refusal
