"""The ticket lifecycle as one table: in which state each action is allowed, and where it leads.

Every change to a ticket, and every event recorded on it, goes through
``bot/core/transition.transition``, which checks it here; an action that is not in
:data:`TRANSITIONS` raises ``Refused("state")``, which handlers turn into a polite message.
An action's value is what its TicketEvent records.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.refusals import Refused

# Re-exported: the core names the statuses here; storage defines them (it imports no bot).
from storage.statuses import OPEN_STATES as OPEN_STATES
from storage.statuses import Status as Status


class Action(StrEnum):
    SUBMIT = "submit"
    ANSWER_CONDUCT = "answer_conduct"
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
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REPLY = "reply"
    ENTERPRISE_REPLY = "enterprise_reply"
    ADD_INFO = "add_info"
    TAKE_BACK_INFO = "take_back_info"
    RESOLVE = "resolve"
    RATE_SATISFIED = "rate_satisfied"
    RATE_POOR = "rate_poor"
    COMMENT_RATING = "comment_rating"
    REOPEN = "reopen"
    REOPEN_TO_DISPATCHER = "reopen_to_dispatcher"
    AUTO_CLOSE = "auto_close"
    WITHDRAW = "withdraw"
    # 同类诉求 (bot/core/common_problems.py): the desk or staff link a ticket into a group of
    # similar tickets or take it out; the dispatcher confirms the group's lead department.
    LINK_COMMON = "link_common"
    UNLINK_COMMON = "unlink_common"
    COMMON_LEAD = "common_lead"


S, A = Status, Action


class Back(StrEnum):
    """A move back to the state the ticket had when a pending request was made."""

    PREVIOUS = "previous"


Target = Status | Back

#: A rating of 基本满意 (3 stars) or better closes a resolved ticket; a lower one reopens it.
#: The weekly report counts 满意 by the same line.
SATISFIED_FROM = 3
#: States in which the enterprise may still add information.
ACCEPTS_INFO: frozenset[Status] = OPEN_STATES | {S.RESOLVED}
#: States in which a staff reply to the card is relayed to the enterprise (answering an
#: assigned ticket accepts it).
RELAYS_STAFF_REPLIES: frozenset[Status] = frozenset(
    {S.ASSIGNED, S.ACCEPTED, S.WAITING_INFO, S.EXTENSION_REQUESTED}
)

#: (from state, action) -> to state.  Read it as the lifecycle diagram in docs/architecture.md.
#: ``Back.PREVIOUS``: a rejected transfer returns to where the ticket was (assigned or
#: accepted), which the request records. The self-loops at the end are events that change
#: no state; the table still says where they may happen.
TRANSITIONS: dict[tuple[Status, Action], Target] = {
    # The creation entry: a new ticket is submitted (its event has no from-state).
    (S.SUBMITTED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.ANSWER_CONDUCT): S.SUBMITTED,
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
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): S.ACCEPTED,
    (S.EXTENSION_REQUESTED, A.REJECT_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.RESOLVE): S.RESOLVED,
    (S.WAITING_INFO, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.RATE_SATISFIED): S.CLOSED,
    # A poor rating is recorded, then reopens the ticket (to the department, or past the
    # limit to the dispatcher).
    (S.RESOLVED, A.RATE_POOR): S.RESOLVED,
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
    # A staff reply relayed to the enterprise (an assigned ticket is accepted first).
    # (Sets are walked in the order Status lists them: the table's order is the same in
    # every process.)
    **{(s, A.REPLY): s for s in Status if s in RELAYS_STAFF_REPLIES and s is not S.ASSIGNED},
    # The enterprise's message on its ticket (while asked, it is the answer: info_received).
    **{(s, A.ENTERPRISE_REPLY): s for s in Status if s in ACCEPTS_INFO and s is not S.WAITING_INFO},
    **{(s, A.ADD_INFO): s for s in Status if s in ACCEPTS_INFO},
    # Taking an addition back and commenting on a rating leave the ticket where it is.
    **{(state, A.TAKE_BACK_INFO): state for state in Status},
    **{(state, A.COMMENT_RATING): state for state in Status},
    # A ticket joins or leaves a group of similar tickets, in any state; the group's lead
    # is recorded on each member.
    **{(state, A.LINK_COMMON): state for state in Status},
    **{(state, A.UNLINK_COMMON): state for state in Status},
    **{(state, A.COMMON_LEAD): state for state in Status},
}

#: Events about the desk's own organisation of tickets, never shown to the enterprise
#: (they name other enterprises' tickets).
INTERNAL_ACTIONS: frozenset[Action] = frozenset({A.LINK_COMMON, A.UNLINK_COMMON, A.COMMON_LEAD})


#: Where a ``Back.PREVIOUS`` move may land.
BACK_TARGETS: frozenset[Status] = frozenset({S.ASSIGNED, S.ACCEPTED})


def check_transition(status: Status, action: Action, *, previous: Status | None = None) -> Status:
    """The state after ``action``, or ``Refused("state")``."""
    try:
        target = TRANSITIONS[(status, action)]
    except KeyError:
        raise Refused("state") from None
    if isinstance(target, Back):
        if previous not in BACK_TARGETS:
            raise Refused("state")
        return previous
    return target


def allowed_actions(status: Status) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == status]
