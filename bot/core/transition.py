"""The one way a ticket changes: check the lifecycle, stamp the times, move the deadlines,
record the event.

Every per-actor module (the enterprise's tickets and feedback, the department's staff
actions, the dispatcher's decisions and assignments, the chaser) calls :func:`transition`
and never sets a ticket's status, its time stamps or its deadlines, nor writes an event,
any other way. Deadlines move only through bot/core/clocks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core import clocks, event_log
from bot.core.lifecycle import Action, Status, check_transition
from bot.core.permissions import Actor
from bot.core.refusals import Refused
from storage import queries
from storage.models import Ticket, TicketEvent


class Role(StrEnum):
    """Who acts, as the event records it (``TicketEvent.actor``)."""

    ENTERPRISE = "enterprise"
    STAFF = "staff"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Who:
    """The actor of one transition: a role, and for a person their Telegram id and name."""

    role: Role
    user_id: int | None = None
    name: str = ""

    @classmethod
    def staff(cls, actor: Actor) -> Who:
        return cls(Role.STAFF, actor.user_id, actor.name)

    @classmethod
    def dispatcher(cls, actor: Actor) -> Who:
        return cls(Role.DISPATCHER, actor.user_id, actor.name)

    @classmethod
    def enterprise(cls, telegram_user_id: int) -> Who:
        return cls(Role.ENTERPRISE, telegram_user_id)


SYSTEM = Who(Role.SYSTEM)

#: Roles whose events name the person (``detail["by"]``): the desk's own people.
_NAMED = frozenset({Role.STAFF, Role.DISPATCHER, Role.ADMIN})
#: Taking an addition back leaves the ticket exactly as it was, its last change included.
_UNTOUCHED = frozenset(
    {Action.TAKE_BACK_INFO, Action.LINK_COMMON, Action.UNLINK_COMMON, Action.COMMON_LEAD}
)


@dataclass(frozen=True)
class Moved:
    """What one transition did: the state before and after, and the event it recorded.

    The notices a transition causes are still sent by its caller.
    """

    before: Status
    after: Status
    event: TicketEvent


def check(ticket: Ticket, action: Action, *, previous: Status | None = None) -> Status:
    """The state ``action`` would lead to now, or ``Refused("state", ticket)``."""
    try:
        return check_transition(Status(ticket.status), action, previous=previous)
    except Refused:
        raise Refused("state", ticket) from None


def transition(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    action: Action,
    who: Who,
    now: datetime,
    previous: Status | None = None,
    days: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Moved:
    """Apply ``action`` to ``ticket``: nothing changes if the lifecycle refuses it.

    ``previous``: where a rejected transfer returns (its request's ``previous_status``).
    ``days``: the working days an approved extension grants. ``detail``: what the event
    records besides the actor (a person's name is added as ``by``).
    """
    before = Status(ticket.status)
    after = check(ticket, action, previous=previous)
    ticket.status = after
    if action not in _UNTOUCHED:
        ticket.updated_at = now
    detail = dict(detail or {})
    _stamp(session, settings, ticket, action, who, now, days, detail)
    session.add(ticket)
    if who.role in _NAMED:
        detail = {"by": who.name, **detail}
    event = queries.tickets.add_event(
        session=session,
        ticket=ticket,
        actor=who.role.value,
        actor_id=who.user_id,
        action=action.value,
        from_status=None if action is Action.SUBMIT else before,
        detail=detail,
    )
    event_log.note_ticket_event(session=session, ticket=ticket, event=event)  # logged on commit
    return Moved(before, after, event)


def _stamp(
    session: Session,
    settings: Settings,
    ticket: Ticket,
    action: Action,
    who: Who,
    now: datetime,
    days: int | None,
    detail: dict[str, Any],
) -> None:
    """The times and deadlines an action sets, beyond the state and ``updated_at``."""
    if action is Action.ACCEPT:
        ticket.accepted_at, ticket.accepted_by, ticket.accepted_by_name = now, who.user_id, who.name
    elif action is Action.ASK_INFO:
        clocks.pause(ticket, now)
    elif action is Action.INFO_RECEIVED:
        clocks.resume(ticket, settings, now)
    elif action is Action.RESOLVE:
        ticket.resolved_at = now
        clocks.end_pause(ticket)
    elif action in (Action.RATE_SATISFIED, Action.AUTO_CLOSE):
        ticket.closed_at = now
    elif action is Action.REOPEN:
        ticket.reopen_count += 1
        ticket.resolution = ticket.resolved_at = None
        clocks.restart_resolve(session=session, settings=settings, ticket=ticket, now=now)
        detail["count"] = ticket.reopen_count
    elif action is Action.APPROVE_TRANSFER:
        ticket.accepted_at = ticket.accepted_by = ticket.accepted_by_name = None
        clocks.restart_accept(session=session, settings=settings, ticket=ticket, now=now)
    elif action is Action.APPROVE_EXTENSION:
        assert days is not None, "an extension grants days"
        clocks.extend(ticket, settings, days)
    # A question to the enterprise and a resolution are first answers too.
    if action in (Action.ASK_INFO, Action.RESOLVE, Action.REPLY) and ticket.first_reply_at is None:
        ticket.first_reply_at = now
