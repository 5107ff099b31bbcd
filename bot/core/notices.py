"""What the core asks to be said, and to whom: typed notices with no wording and no markup.

The core names a catalogue text (:class:`Say`), the buttons it needs (:class:`Buttons`) and
the recipient (one notice class per kind of recipient). It hands the notice to :func:`post`,
which calls the writer the render layer installed at start (``bot.render.notify.install``): the
writer localises, escapes and lays out the text and writes the outbox rows in the caller's
session, so a notice is stored if and only if the state change that caused it commits.
The core never imports the render layer; it only knows this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.screens import Label
from storage import queries
from storage.models import (
    Department,
    Outbox,
    Purpose,
    Reporter,
    Ticket,
    TicketMessage,
    TicketRequest,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings


@dataclass(frozen=True)
class Say:
    """A catalogue text by its key, with raw parameters.

    ``key`` names a field of ``bot.render.texts.Texts`` (``"ent_accepted"``) or an entry of a table
    field (``"transfer_reasons.not_ours"``). Parameter values are raw: ``str`` is escaped,
    :class:`Label` is shown in the reader's language, ``datetime`` in the desk's time zone,
    ``float`` without a trailing ``.0``, a nested :class:`Say` is rendered in place.
    ``body``: a person's own words, put in the template's ``{text}`` slot and split over
    several messages when too long (nothing of it is ever cut).
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    body: str | None = None


@dataclass(frozen=True)
class Words:
    """A person's own words as a :class:`Say` parameter (the slot it fills is its name):
    escaped, and split over several messages when too long, nothing of them ever cut; at
    most one per Say (``body`` is the ``{text}`` slot's shorthand). ``lead``: catalogue
    texts shown before the words in the same slot, each followed by "；"."""

    text: str
    lead: tuple[Say, ...] = ()


@dataclass(frozen=True)
class DeskCard:
    """A Say parameter: the ticket's card as the dispatcher's desk sees it (everything)."""

    ticket: Ticket


def say(key: str, /, *, body: str | None = None, **params: Any) -> Say:
    return Say(key, params, body)


def name_of(department: Department) -> Label:
    """A department's name, to be shown in the reader's language."""
    return Label(department.name, department.name_en)


@dataclass(frozen=True)
class PersonName:
    """A person's display name (a staff member's): shown escaped, cut to the desk's name length."""

    name: str


# Parameter types: raw values whose wording and layout the render layer chooses.


@dataclass(frozen=True)
class Term:
    """An entry of a catalogue table (``delivery_purposes``, ``status_names`` …) by its key;
    without such an entry, ``default`` or else the key itself."""

    table: str
    key: str | int
    default: str | None = None


@dataclass(frozen=True)
class Excerpt:
    """The start of a person's words, cut to ``chars`` (as Telegram counts) with the cut
    marked; ``one_line``: line breaks and runs of spaces read as one space."""

    text: str
    chars: int
    one_line: bool = False


@dataclass(frozen=True)
class Lateness:
    """How long each clock is overdue (``overdue``) or has left, in working time; clocks
    that read the same share a clause."""

    spans: tuple[tuple[str, timedelta], ...]
    hours_per_day: float
    overdue: bool


@dataclass(frozen=True)
class CardLink:
    """A ticket number, linked to the ticket's card where Telegram can link to it."""

    number: str
    card: Outbox | None


@dataclass(frozen=True)
class Concat:
    """Parameters shown one after the other, as one."""

    parts: tuple[Any, ...]


class Keys(StrEnum):
    """Which buttons go with a message; the render layer builds them (labels, callbacks)."""

    MAIN_MENU = "main_menu"  # the enterprise's reply keyboard
    FORCE_REPLY = "force_reply"  # "reply to this message"
    RATING = "rating"  # the five stars under a resolution
    TRANSFER_REASONS = "transfer_reasons"
    EXTENSION_DAYS = "extension_days"
    NONE = "none"  # explicitly no buttons (removes an inline keyboard on edit)
    #: The dispatcher's answer to a transfer request: a department to send it to, or reject;
    #: ``options``: the request's id, then each department offered as ``(code, Label)``.
    TRANSFER_TO = "transfer_to"
    #: Approve or reject a department's request; ``options``: the request's id.
    APPROVE_REJECT = "approve_reject"
    #: 共性问题: confirm a lead department; ``options``: the group's id, then each department
    #: involved as ``(code, Label)``, the proposed one first.
    COMMON_LEAD = "common_lead"


@dataclass(frozen=True)
class Buttons:
    keys: Keys
    ticket_id: int = 0
    options: tuple[Any, ...] = ()


class Notice:
    """Base of every notice kind (a marker: the writer dispatches on the concrete class)."""


@dataclass(frozen=True)
class ToEnterprise(Notice):
    """A message to the enterprise's private chat, in the enterprise's language."""

    reporter: Reporter
    ticket: Ticket | None
    purpose: Purpose
    say: Say
    buttons: Buttons | None = None


@dataclass(frozen=True)
class ToChat(Notice):
    """A message to a department's bound chat (held until it is bound), in the desk's
    language; ``under_card``: as a reply to the ticket's card in that chat."""

    department: Department
    ticket: Ticket | None
    purpose: Purpose
    say: Say
    buttons: Buttons | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    refers_to: Outbox | None = None


@dataclass(frozen=True)
class UnderCard(Notice):
    """A message to the ticket's current department, as a reply to its card."""

    ticket: Ticket
    purpose: Purpose
    say: Say
    buttons: Buttons | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToDispatcher(Notice):
    """A message to the dispatcher's chat (nothing if the zone has none)."""

    ticket: Ticket | None
    purpose: Purpose
    say: Say
    buttons: Buttons | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    refers_to: Outbox | None = None


@dataclass(frozen=True)
class PostCard(Notice):
    """The ticket's card in ``department``'s chat, with its overflow and evidence below."""

    ticket: Ticket
    department: Department


@dataclass(frozen=True)
class RefreshCard(Notice):
    """Edit the ticket's card in place so the group shows the truth."""

    ticket: Ticket
    transferred_to: Department | None = None
    now: datetime | None = None
    card: Outbox | None = None
    facts: CardFacts | None = None


@dataclass(frozen=True)
class CopyEvidence(Notice):
    """A file the enterprise sent, copied (never forwarded) under the ticket's card."""

    department: Department
    ticket: Ticket
    message: TicketMessage
    card: Outbox | None


@dataclass(frozen=True)
class RemoveButtons(Notice):
    """Take the buttons off a message sent earlier."""

    message: Outbox


@dataclass(frozen=True)
class CopyToEnterprise(Notice):
    """A file staff sent, copied (never forwarded) to the enterprise's private chat with
    ``say`` as its caption when that kind of file takes one (what does not fit follows as
    messages); a file without a caption comes after ``say``."""

    reporter: Reporter
    ticket: Ticket
    purpose: Purpose
    say: Say
    file_kind: str
    from_chat_id: int
    message_id: int


@dataclass(frozen=True)
class EditInChat(Notice):
    """Replace the text of a message sent earlier to a department's chat (its buttons go)."""

    department: Department
    message: Outbox
    ticket: Ticket | None
    purpose: Purpose
    say: Say


@dataclass(frozen=True)
class ToAdmin(Notice):
    """A message to a desk admin's private chat (its chat id is the admin's user id), in the
    desk's language."""

    user_id: int
    ticket: Ticket | None
    purpose: Purpose
    say: Say
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Digest(Notice):
    """A list to a department's chat (held until it is bound): its lines packed into as few
    messages as fit, in order; ``sections`` are set apart by a blank line."""

    department: Department
    purpose: Purpose
    sections: tuple[tuple[Say, ...], ...]


@dataclass(frozen=True)
class CardFacts:
    """What a card shows besides the ticket row: its messages and any pending request."""

    messages: list[TicketMessage]
    request: TicketRequest | None


def card_facts(*, session: Session, ticket_ids: Sequence[int]) -> dict[int, CardFacts]:
    """:class:`CardFacts` of many tickets in a few queries (the chaser's thousand cards)."""
    messages = queries.tickets.ticket_messages_of(session=session, ticket_ids=ticket_ids)
    requests = queries.tickets.pending_requests_of(session=session, ticket_ids=ticket_ids)
    return {i: CardFacts(messages.get(i, []), requests.get(i)) for i in ticket_ids}


class Writer(Protocol):
    def __call__(
        self, notice: Notice, *, session: Session, settings: Settings
    ) -> Outbox | None: ...


_writer: Writer | None = None


def install(writer: Writer) -> None:
    """Set the function that renders and stores notices (the render layer's, at start)."""
    global _writer
    _writer = writer


def post(notice: Notice, *, session: Session, settings: Settings) -> Outbox | None:
    """Render ``notice`` and write its outbox rows in ``session``; the last row, if any.

    Fails loudly when no writer is installed: a notice silently dropped is a complaint lost.
    """
    if _writer is None:
        raise RuntimeError("no notice writer installed (call bot.render.notify.install() at start)")
    return _writer(notice, session=session, settings=settings)


__all__ = [
    "Buttons",
    "CardFacts",
    "CardLink",
    "Concat",
    "CopyEvidence",
    "CopyToEnterprise",
    "DeskCard",
    "Digest",
    "EditInChat",
    "Excerpt",
    "Keys",
    "Label",
    "Lateness",
    "Notice",
    "PersonName",
    "PostCard",
    "Purpose",
    "RefreshCard",
    "RemoveButtons",
    "Say",
    "Term",
    "ToAdmin",
    "ToChat",
    "ToDispatcher",
    "ToEnterprise",
    "UnderCard",
    "Words",
    "card_facts",
    "install",
    "name_of",
    "post",
    "say",
]
