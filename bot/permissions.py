"""Who may act for a department or for the dispatcher: the one check every card action,
relayed reply and dispatcher decision passes through.

callback_data is untrusted and Telegram delivers presses from anyone who can see a message
(a public supergroup's visitors, the old client of someone who left). So a person counts
only if they are a *current member* of the chat bound to the department — creator,
administrator, member, or restricted but still in the group and allowed to send messages —
and, where the department has a configured ``staff`` list, also on that list (the list
narrows membership, it never replaces it). Membership itself is looked up on Telegram by
the adapters before the core runs (``bot/members.py``); here it is a plain value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from bot.config import Settings
from storage import queries
from storage.models import Department, Ticket

ANONYMOUS_ADMIN_ID = 1087968824  # Telegram's GroupAnonymousBot: who posts for anonymous admins


class Membership(StrEnum):
    """What Telegram says about a person in the chat they act in."""

    MEMBER = "member"  # creator, administrator, member, or restricted yet free to speak
    MUTED = "muted"  # restricted: still in the group, but may not send messages
    NOT_MEMBER = "not_member"  # never joined, left, or was removed
    UNKNOWN = "unknown"  # the lookup failed (network, 5xx): nobody can tell
    UNCHECKED = "unchecked"  # nobody asked (the core refuses rather than guess)


class Refused(Exception):
    """The action is not allowed; ``code`` names why (texts.staff_refusals)."""

    def __init__(self, code: str, ticket: Ticket | None = None) -> None:
        super().__init__(code)
        self.code = code
        # Plain values: the session is rolled back (and the ticket expired) before they are read.
        self.number = ticket.number if ticket is not None else ""
        self.status = ticket.status if ticket is not None else ""


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


def check_person(actor: Actor, staff: list[int], ticket: Ticket | None = None) -> None:
    """A named person, a current member free to speak, and on the staff list if there is one."""
    if actor.anonymous or actor.user_id == ANONYMOUS_ADMIN_ID:
        raise Refused("anonymous", ticket)
    if actor.membership in (Membership.UNKNOWN, Membership.UNCHECKED):
        raise Refused("membership_unknown", ticket)
    if actor.membership is Membership.MUTED:
        raise Refused("muted", ticket)
    if actor.membership is not Membership.MEMBER:
        raise Refused("not_member", ticket)
    if staff and actor.user_id not in staff:
        raise Refused("not_staff", ticket)


def for_department(*, session: Session, ticket: Ticket, actor: Actor) -> Department:
    """The ticket's department, if this actor in this chat may act for it."""
    department = (
        queries.zone.get_department(session=session, department_id=ticket.department_id)
        if ticket.department_id
        else None
    )
    if department is None or not _bound_here(department, actor.chat_id, actor.thread_id):
        raise Refused("not_bound", ticket)
    check_person(actor, department.staff, ticket)
    return department


def for_dispatcher(*, session: Session, settings: Settings, actor: Actor) -> None:
    """Dispatcher decisions: a configured admin anywhere, or a person who passes
    :func:`check_person` in the dispatcher's bound chat (topic). Never an anonymous admin:
    every decision names the person who took it."""
    if actor.anonymous or actor.user_id == ANONYMOUS_ADMIN_ID:
        raise Refused("anonymous")
    if actor.user_id in settings.desk.admins:
        return
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    if dispatcher is None or not _dispatches_here(dispatcher, actor.chat_id, actor.thread_id):
        raise Refused("dispatcher_only")
    check_person(actor, dispatcher.staff)


def is_dispatcher_chat(*, session: Session, chat_id: int, thread_id: int | None) -> bool:
    """Whether this chat (topic) is where the dispatcher is bound."""
    dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
    return dispatcher is not None and _dispatches_here(dispatcher, chat_id, thread_id)


def _dispatches_here(dispatcher: Department, chat_id: int, thread_id: int | None) -> bool:
    return dispatcher.chat_id == chat_id and dispatcher.thread_id == thread_id


def _bound_here(department: Department, chat_id: int, thread_id: int | None) -> bool:
    return department.chat_id == chat_id and (
        department.thread_id is None or department.thread_id == thread_id
    )
