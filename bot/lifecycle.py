"""The ticket lifecycle as one table of states and allowed transitions.

Every state change in the core goes through :func:`check_transition`; a move that is
not in :data:`TRANSITIONS` raises :class:`IllegalTransition`, which handlers turn into
a polite message. Later issues add the actions marked for them; the table is the
single source of truth for all of them.
"""

from __future__ import annotations

from enum import StrEnum

# Re-exported: the core names the statuses here; storage defines them (it imports no bot).
from storage.statuses import OPEN_STATES as OPEN_STATES
from storage.statuses import Status as Status


class Action(StrEnum):
    ROUTE = "route"
    LEAVE_UNROUTED = "leave_unrouted"
    ASSIGN = "assign"
    ACCEPT = "accept"
    ASK_INFO = "ask_info"
    INFO_RECEIVED = "info_received"
    REQUEST_TRANSFER = "request_transfer"
    APPROVE_TRANSFER = "approve_transfer"
    REJECT_TRANSFER = "reject_transfer"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RESOLVE = "resolve"
    RATE_SATISFIED = "rate_satisfied"
    REOPEN = "reopen"
    REOPEN_TO_DISPATCHER = "reopen_to_dispatcher"
    AUTO_CLOSE = "auto_close"
    WITHDRAW = "withdraw"


S, A = Status, Action


class Back(StrEnum):
    """A move back to the state the ticket had when a pending request was made."""

    PREVIOUS = "previous"


Target = Status | Back

#: (from state, action) -> to state.  Read it as the lifecycle diagram in docs/architecture.md.
#: ``Back.PREVIOUS``: a rejected transfer returns to where the ticket was (assigned or
#: accepted), which the request records.
TRANSITIONS: dict[tuple[Status, Action], Target] = {
    (S.SUBMITTED, A.ROUTE): S.ASSIGNED,
    (S.SUBMITTED, A.LEAVE_UNROUTED): S.UNROUTED,
    (S.UNROUTED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.ACCEPT): S.ACCEPTED,
    (S.ASSIGNED, A.REQUEST_TRANSFER): S.TRANSFER_REQUESTED,
    (S.ACCEPTED, A.ASK_INFO): S.WAITING_INFO,
    (S.WAITING_INFO, A.INFO_RECEIVED): S.ACCEPTED,
    (S.ACCEPTED, A.REQUEST_TRANSFER): S.TRANSFER_REQUESTED,
    (S.TRANSFER_REQUESTED, A.APPROVE_TRANSFER): S.ASSIGNED,
    (S.TRANSFER_REQUESTED, A.REJECT_TRANSFER): Back.PREVIOUS,
    (S.ACCEPTED, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, A.DECIDE_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.RESOLVE): S.RESOLVED,
    (S.WAITING_INFO, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.RATE_SATISFIED): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.ACCEPTED,
    (S.RESOLVED, A.REOPEN_TO_DISPATCHER): S.UNROUTED,
    (S.RESOLVED, A.AUTO_CLOSE): S.CLOSED,
    **{
        (state, A.WITHDRAW): S.WITHDRAWN
        for state in (
            S.SUBMITTED,
            S.UNROUTED,
            S.ASSIGNED,
            S.ACCEPTED,
            S.WAITING_INFO,
            S.TRANSFER_REQUESTED,
            S.EXTENSION_REQUESTED,
        )
    },
}

#: States in which the enterprise may still add information.
ACCEPTS_INFO: frozenset[Status] = OPEN_STATES | {S.RESOLVED}
#: States in which a staff reply to the card is relayed to the enterprise (answering an
#: assigned ticket accepts it).
RELAYS_STAFF_REPLIES: frozenset[Status] = frozenset(
    {S.ASSIGNED, S.ACCEPTED, S.WAITING_INFO, S.EXTENSION_REQUESTED}
)


class IllegalTransition(Exception):
    """An action that the ticket's current state does not allow."""

    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"{action.value} is not allowed in state {status.value}")
        self.status = status
        self.action = action


#: Where a ``Back.PREVIOUS`` move may land.
BACK_TARGETS: frozenset[Status] = frozenset({S.ASSIGNED, S.ACCEPTED})


def check_transition(status: Status, action: Action, *, previous: Status | None = None) -> Status:
    """The state after ``action``, or :class:`IllegalTransition`."""
    try:
        target = TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None
    if isinstance(target, Back):
        if previous not in BACK_TARGETS:
            raise IllegalTransition(status, action)
        return previous
    return target


def allowed_actions(status: Status) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == status]
