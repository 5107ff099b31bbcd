"""What the core asks to be said, and to whom: typed notices with no wording and no markup.

The core names a catalogue text (:class:`Say`), the buttons it needs (:class:`Buttons`) and
the recipient (one notice class per kind of recipient). It hands the notice to :func:`post`,
which calls the writer the render layer installed at start (``bot.notify.install``): the
writer localises, escapes and lays out the text and writes the outbox rows in the caller's
session, so a notice is stored if and only if the state change that caused it commits.
The core never imports the render layer; it only knows this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from bot.screens import Label
from storage.models import Department, Outbox, Purpose, Reporter, Ticket, TicketMessage

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings


@dataclass(frozen=True)
class Say:
    """A catalogue text by its key, with raw parameters.

    ``key`` names a field of ``bot.texts.Texts`` (``"ent_accepted"``) or an entry of a table
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
        raise RuntimeError("no notice writer installed (call bot.notify.install() at start)")
    return _writer(notice, session=session, settings=settings)


__all__ = [
    "Buttons",
    "CopyEvidence",
    "CopyToEnterprise",
    "DeskCard",
    "Keys",
    "Label",
    "Notice",
    "PostCard",
    "Purpose",
    "RefreshCard",
    "RemoveButtons",
    "Say",
    "ToChat",
    "ToDispatcher",
    "ToEnterprise",
    "UnderCard",
    "Words",
    "install",
    "name_of",
    "post",
    "say",
]
