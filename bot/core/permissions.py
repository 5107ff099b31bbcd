"""Who may do what: the roles, the table of acts × roles, and the one check each act passes.

"Who may approve an extension?" is ``WHO_MAY[Act.APPROVE_EXTENSION]``; what each role means
is :class:`Role`; how a role is proven is the function named for it below. The end-to-end
matrix (tests/e2e/test_authorization_matrix.py) holds the desk to this table.

callback_data is untrusted and Telegram delivers presses from anyone who can see a message
(a public supergroup's visitors, the old client of someone who left). So a person counts
only if they are a *current member* of the chat bound to the department — creator,
administrator, member, or restricted but still in the group and allowed to send messages —
and, where the department has a configured ``staff`` list, also on that list (the list
narrows membership, it never replaces it). Membership itself is looked up on Telegram by
the adapters before the core runs (``bot/members.py``); here it is a plain value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlmodel import Session

from bot.config import Settings
from bot.core.refusals import Refused as Refused  # where the checks and callers have found it
from storage import queries
from storage.models import Department, Reporter, Ticket

ANONYMOUS_ADMIN_ID = 1087968824  # Telegram's GroupAnonymousBot: who posts for anonymous admins


class Role(StrEnum):
    """Whom the desk lets act, each proven in its own way."""

    #: The enterprise that filed the ticket, in its private chat (:func:`owns`).
    OWNER = "owner"
    #: A named current member of the chat (topic) bound to the ticket's department, on its
    #: staff list if it has one (:func:`for_department`).
    DEPARTMENT = "department"
    #: A named current member of the dispatcher's bound chat (topic), on its staff list if it
    #: has one (:func:`for_dispatcher`).
    DISPATCHER = "dispatcher"
    #: A person in ``[desk] admins``, in any chat (:func:`is_admin`).
    ADMIN = "admin"


class Act(StrEnum):
    """What someone may try to do (callback buttons, replies and commands map onto these)."""

    # A department's work on a ticket it holds.
    ACCEPT = "accept"
    PROMPT = "prompt"  # a question under the card: the words to relay, a reason, the days
    ASK_INFO = "ask_info"
    RESOLVE = "resolve"
    REQUEST_TRANSFER = "request_transfer"
    REQUEST_EXTENSION = "request_extension"
    REPLY = "reply"  # words relayed to the enterprise
    # 同类诉求 (bot/core/common_problems.py): one answer for the department's tickets of a
    # group; taking a ticket out of a group or linking it by number (its department, or
    # the dispatcher for any ticket); confirming the lead department of a 共性问题.
    ANSWER_TOGETHER = "answer_together"
    LINK_COMMON = "link_common"
    CONFIRM_LEAD = "confirm_lead"
    # The dispatcher's decisions.
    ASSIGN = "assign"
    APPROVE_TRANSFER = "approve_transfer"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_REQUEST = "reject_request"
    # The enterprise's own ticket: open, withdraw, add information, rate, answer.
    OWN_TICKET = "own_ticket"
    # Running the desk: the admin commands.
    BIND = "bind"
    UNBIND = "unbind"
    DEPARTMENTS = "departments"
    ASSIGN_BY_COMMAND = "assign_by_command"
    TICKET_DETAIL = "ticket_detail"
    SUMMARY = "summary"
    BLOCK = "block"
    UNBLOCK = "unblock"


_DEPARTMENT: Final = frozenset({Role.DEPARTMENT})
_DISPATCH: Final = frozenset({Role.DISPATCHER, Role.ADMIN})
_ADMIN: Final = frozenset({Role.ADMIN})

#: Who may do what. Anonymous admins never act: every act names the person who did it.
WHO_MAY: Final[Mapping[Act, frozenset[Role]]] = {
    Act.ACCEPT: _DEPARTMENT,
    Act.PROMPT: _DEPARTMENT,
    Act.ASK_INFO: _DEPARTMENT,
    Act.RESOLVE: _DEPARTMENT,
    Act.REQUEST_TRANSFER: _DEPARTMENT,
    Act.REQUEST_EXTENSION: _DEPARTMENT,
    Act.REPLY: _DEPARTMENT,
    Act.ANSWER_TOGETHER: _DEPARTMENT,
    Act.LINK_COMMON: frozenset({Role.DEPARTMENT, Role.DISPATCHER, Role.ADMIN}),
    Act.CONFIRM_LEAD: _DISPATCH,
    Act.ASSIGN: _DISPATCH,
    Act.APPROVE_TRANSFER: _DISPATCH,
    Act.APPROVE_EXTENSION: _DISPATCH,
    Act.REJECT_REQUEST: _DISPATCH,
    Act.OWN_TICKET: frozenset({Role.OWNER}),
    Act.BIND: _ADMIN,
    Act.UNBIND: _ADMIN,
    Act.DEPARTMENTS: _ADMIN,
    Act.ASSIGN_BY_COMMAND: _ADMIN,
    Act.TICKET_DETAIL: _ADMIN,
    Act.SUMMARY: _ADMIN,
    Act.BLOCK: _ADMIN,
    Act.UNBLOCK: _ADMIN,
}


class Membership(StrEnum):
    """What Telegram says about a person in the chat they act in."""

    MEMBER = "member"  # creator, administrator, member, or restricted yet free to speak
    MUTED = "muted"  # restricted: still in the group, but may not send messages
    NOT_MEMBER = "not_member"  # never joined, left, or was removed
    UNKNOWN = "unknown"  # the lookup failed (network, 5xx): nobody can tell
    UNCHECKED = "unchecked"  # nobody asked (the core refuses rather than guess)


@dataclass(frozen=True)
class Actor:
    """Who acts, and where: a Telegram user in a chat (or forum topic)."""

    user_id: int
    name: str
    chat_id: int
    thread_id: int | None
    anonymous: bool = False
    #: The person's standing in ``chat_id``, as Telegram told the adapter.
    membership: Membership = Membership.UNCHECKED


def is_anonymous(actor: Actor) -> bool:
    """An anonymous admin or a channel: nobody the desk could name as the one who acted."""
    return actor.anonymous or actor.user_id == ANONYMOUS_ADMIN_ID


def is_admin(settings: Settings, user_id: int | None) -> bool:
    """:attr:`Role.ADMIN`: a person in ``[desk] admins``."""
    return user_id is not None and user_id in settings.desk.admins


def for_admin(act: Act, settings: Settings, user_id: int | None) -> bool:
    """Whether this person may run ``act`` (an admin command), wherever they use it."""
    return Role.ADMIN in WHO_MAY[act] and is_admin(settings, user_id)


def owns(reporter: Reporter, ticket: Ticket | None) -> bool:
    """:attr:`Role.OWNER`: the enterprise filed this ticket (for :attr:`Act.OWN_TICKET`)."""
    return ticket is not None and ticket.reporter_id == reporter.id


def check_person(actor: Actor, staff: list[int], ticket: Ticket | None = None) -> None:
    """A named person, a current member free to speak, and on the staff list if there is one."""
    if is_anonymous(actor):
        raise Refused("anonymous", ticket)
    if actor.membership in (Membership.UNKNOWN, Membership.UNCHECKED):
        raise Refused("membership_unknown", ticket)
    if actor.membership is Membership.MUTED:
        raise Refused("muted", ticket)
    if actor.membership is not Membership.MEMBER:
        raise Refused("not_member", ticket)
    if staff and actor.user_id not in staff:
        raise Refused("not_staff", ticket)


def for_department(act: Act, *, session: Session, ticket: Ticket, actor: Actor) -> Department:
    """:attr:`Role.DEPARTMENT`: the ticket's department, if ``act`` is a department's and
    this actor, in this chat (topic), may act for it."""
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    if (
        Role.DEPARTMENT not in WHO_MAY[act]
        or department is None
        or not _bound_here(department, actor.chat_id, actor.thread_id)
    ):
        raise Refused("not_bound", ticket)
    check_person(actor, department.staff, ticket)
    return department


def for_dispatcher(act: Act, *, session: Session, settings: Settings, actor: Actor) -> None:
    """:attr:`Role.ADMIN` anywhere or :attr:`Role.DISPATCHER` in the dispatcher's bound chat
    (topic), as far as ``act`` lets each. Never an anonymous admin: every decision names the
    person who took it."""
    roles = WHO_MAY[act]
    if is_anonymous(actor):
        raise Refused("anonymous")
    if Role.ADMIN in roles and is_admin(settings, actor.user_id):
        return
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if (
        Role.DISPATCHER not in roles
        or dispatcher is None
        or not _dispatches_here(dispatcher, actor.chat_id, actor.thread_id)
    ):
        raise Refused("dispatcher_only")
    check_person(actor, dispatcher.staff)


def is_dispatcher_chat(*, session: Session, chat_id: int, thread_id: int | None) -> bool:
    """Whether this chat (topic) is where the dispatcher is bound."""
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    return dispatcher is not None and _dispatches_here(dispatcher, chat_id, thread_id)


def reveals_identity(*, private: bool) -> bool:
    """Who filed a ticket (their Telegram id) is said to an admin alone, never in a group:
    not even the dispatcher's."""
    return private


def reads_as_desk(*, session: Session, chat_id: int, thread_id: int | None, private: bool) -> bool:
    """Company and contact in full where the desk reads (an admin alone, the dispatcher's
    chat); elsewhere only as the enterprise let departments see them, like its card."""
    return private or is_dispatcher_chat(session=session, chat_id=chat_id, thread_id=thread_id)


def _dispatches_here(dispatcher: Department, chat_id: int, thread_id: int | None) -> bool:
    return dispatcher.chat_id == chat_id and dispatcher.thread_id == thread_id


def _bound_here(department: Department, chat_id: int, thread_id: int | None) -> bool:
    return department.chat_id == chat_id and (
        department.thread_id is None or department.thread_id == thread_id
    )
