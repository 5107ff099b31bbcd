"""SQLModel tables. Times are aware UTC datetimes (see storage.types.UTCDateTime)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _time(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


def _chat_id(*, nullable: bool = True, index: bool = False) -> Any:
    # Telegram ids exceed 32 bits (supergroups are -100…).
    return Field(default=None, sa_type=BigInteger, nullable=nullable, index=index)


class Department(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    role: str = Field(default="department", max_length=16)
    active: bool = True
    chat_id: int | None = _chat_id(index=True)
    thread_id: int | None = Field(default=None, nullable=True)
    bound_at: datetime | None = _time(nullable=True)
    bound_by: int | None = _chat_id()
    # Telegram user ids allowed to act for the department; empty = any member of its chat.
    staff: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    def local_name(self, language: str | None) -> str:
        """The name in the reader's language (Chinese unless English was chosen)."""
        return self.name_en if language == "en" else self.name


class Category(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    conduct: bool = False
    priority: str = Field(default="normal", max_length=16)
    hint_keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    active: bool = True


class RoutingRule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    keywords: list[str] = Field(sa_column=Column(JSON, nullable=False))
    department_id: int = Field(foreign_key="department.id")
    priority: int = 100
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    # Decides before the routing model (config ``always = true``); otherwise a hint to it.
    always: bool = False


class DeskSetting(SQLModel, table=True):
    """Small key/value facts the desk keeps, e.g. the conduct keywords seeded from config."""

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=False))


class Reporter(SQLModel, table=True):
    """An enterprise user as the desk knows them; their Telegram identity stays here."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    language: str | None = Field(default=None, max_length=8)
    company_name: str | None = None
    uscc: str | None = Field(default=None, max_length=18)
    contact_name: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    awaiting: str | None = Field(default=None, max_length=64)
    offer_text: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    # Set when a message to them failed with 403 (they blocked the bot); cleared when a
    # message reaches them again or they unblock it.
    unreachable_since: datetime | None = _time(nullable=True)
    # Blocked by an admin (/block): told politely, creates nothing (bot/core/abuse.py).
    blocked_at: datetime | None = _time(nullable=True)
    blocked_by: int | None = _chat_id()
    blocked_reason: str | None = Field(default=None, sa_type=Text)


class Draft(SQLModel, table=True):
    """A ticket being filed; kept in the database so a restart or /cancel loses nothing."""

    reporter_id: int = Field(foreign_key="reporter.id", primary_key=True)
    step: str = Field(max_length=32)
    active: bool = True
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _time()


class CommonGroup(SQLModel, table=True):
    """同类诉求: tickets from different enterprises about one problem (bot/core/common).

    Holds no enterprise's identity: what the dispatcher and leadership read is ``summary``.
    """

    __tablename__ = "commongroup"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _time(index=True)
    updated_at: datetime = _time()
    # The problem in a few words (the first member's complaint, cut short).
    summary: str = Field(sa_type=Text)
    # When the group reached K enterprises within D days and the dispatcher was told (共性问题).
    raised_at: datetime | None = _time(nullable=True)
    # The department proposed to lead (牵头) the group's answer, and the one confirmed.
    proposed_lead_department_id: int | None = Field(default=None, foreign_key="department.id")
    lead_department_id: int | None = Field(default=None, foreign_key="department.id")
    lead_confirmed_at: datetime | None = _time(nullable=True)
    lead_confirmed_by: int | None = _chat_id()


class Ticket(SQLModel, table=True):
    __table_args__ = (Index("ix_ticket_department_status", "department_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=32)
    kind: str = Field(max_length=16)
    priority: str = Field(default="normal", max_length=16)
    status: str = Field(max_length=24, index=True)
    category_id: int = Field(foreign_key="category.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    reporter_id: int = Field(foreign_key="reporter.id", index=True)
    description: str = Field(sa_type=Text)
    company_name: str
    uscc: str | None = Field(default=None, max_length=18)
    contact_name: str
    phone: str = Field(max_length=32)
    share_company: bool = False
    share_contact: bool = False
    route_reason: str = Field(max_length=24)
    route_keyword: str | None = None
    # The routing decision as the dispatcher sees it (bot/core/routing): the chosen department's
    # confidence, the best three candidates [[code, probability], …] and, for a conduct
    # complaint, the departments it must never reach (named in it, or the category's).
    route_confidence: float | None = None
    route_top: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conduct: bool = False
    # The enterprise's answer to "is this about an official's conduct?"; None = not asked.
    conduct_answer: bool | None = None
    route_excluded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    accept_due: datetime = _time(index=True)
    first_reply_due: datetime = _time(index=True)
    resolve_due: datetime = _time(index=True)
    accepted_at: datetime | None = _time(nullable=True)
    accepted_by: int | None = _chat_id()
    accepted_by_name: str | None = None
    first_reply_at: datetime | None = _time(nullable=True)
    waiting_since: datetime | None = _time(nullable=True)
    resolved_at: datetime | None = _time(nullable=True)
    resolution: str | None = Field(default=None, sa_type=Text)
    closed_at: datetime | None = _time(nullable=True)
    rating: int | None = None
    rating_comment: str | None = Field(default=None, sa_type=Text)
    reopen_count: int = 0
    # The 同类诉求 group the ticket belongs to; ``common_manual``: staff linked or unlinked it
    # by hand, so the desk never links it again on its own.
    common_group_id: int | None = Field(default=None, foreign_key="commongroup.id", index=True)
    common_manual: bool = False
    created_at: datetime = _time(index=True)
    updated_at: datetime = _time()


class TicketMessage(SQLModel, table=True):
    """Text and files exchanged on a ticket (the description's evidence, later additions)."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author: str = Field(max_length=16)
    author_id: int | None = _chat_id()
    author_name: str | None = None
    department_id: int | None = Field(default=None, foreign_key="department.id")
    text: str | None = Field(default=None, sa_type=Text)
    file_kind: str | None = Field(default=None, max_length=16)
    file_id: str | None = None
    file_name: str | None = None
    source_chat_id: int | None = _chat_id()
    source_message_id: int | None = Field(default=None)
    created_at: datetime = _time()


class TicketEvent(SQLModel, table=True):
    """The audit trail: who did what to a ticket, and when."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = _time()
    actor: str = Field(max_length=16)
    actor_id: int | None = _chat_id()
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketRequest(SQLModel, table=True):
    """A department's request to the dispatcher: a transfer (退单/转办) or an extension (延期)."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    department_id: int = Field(foreign_key="department.id")
    previous_status: str = Field(max_length=24)
    reason_code: str = Field(max_length=24)
    reason_text: str | None = Field(default=None, sa_type=Text)
    days: int | None = None
    requested_by: int = Field(sa_type=BigInteger)
    requested_by_name: str
    requested_at: datetime = _time()
    status: str = Field(default="pending", max_length=16)
    decided_by: int | None = _chat_id()
    decided_by_name: str | None = None
    decided_at: datetime | None = _time(nullable=True)
    decision_note: str | None = Field(default=None, sa_type=Text)
    new_department_id: int | None = Field(default=None, foreign_key="department.id")


class ReminderSent(SQLModel, table=True):
    """One row per reminder that went out: (ticket, clock, deadline, level, repeat) is unique,
    so a restart or a second instance never sends the same reminder twice."""

    __table_args__ = (
        UniqueConstraint(
            "ticket_id", "clock", "deadline", "level", "repeat", name="uq_reminder_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    clock: str = Field(max_length=16)
    deadline: datetime = _time()
    level: str = Field(max_length=16)
    repeat: int = 0
    sent_at: datetime = _time()


class JobRun(SQLModel, table=True):
    """A periodic job's run for one period (the weekly summary of 2026-W48): once, ever."""

    job: str = Field(primary_key=True, max_length=32)
    period: str = Field(primary_key=True, max_length=32)
    at: datetime = _time()


class TicketCounter(SQLModel, table=True):
    """Per-day sequence behind ticket numbers (GX-20261127-0007)."""

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class Purpose(StrEnum):
    """What an outbox row is for: delivery failures, prompts and the relay rule read it."""

    # To the enterprise
    ACK = "ack"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    QUESTION = "question"
    RESOLUTION = "resolution"
    RELAY = "relay"
    EXTENSION = "extension"
    RATED = "rated"
    ASK_COMMENT = "ask_comment"
    AUTO_CLOSED = "auto_closed"
    # Cards and what hangs under them in a department's chat
    CARD = "card"
    CARD_EDIT = "card_edit"
    DISPATCH = "dispatch"
    DISPATCH_EDIT = "dispatch_edit"
    OVERFLOW = "overflow"
    EVIDENCE = "evidence"
    MARKUP_EDIT = "markup_edit"
    INFO = "info"
    ENTERPRISE_REPLY = "enterprise_reply"
    ENTERPRISE_FILE = "enterprise_file"
    # Questions put to staff (their answers are read as replies)
    ASK_QUESTION = "ask_question"
    ASK_RESOLUTION = "ask_resolution"
    TRANSFER_REASONS = "transfer_reasons"
    EXTENSION_DAYS = "extension_days"
    ASK_TRANSFER_REASON = "ask_transfer_reason"
    ASK_EXTENSION_REASON = "ask_extension_reason"
    ASK_REJECT_REASON = "ask_reject_reason"
    ASK_COMMON_REPLY = "ask_common_reply"  # 一并答复: the words for every ticket of a group
    # Requests and decisions at the dispatcher's desk
    TRANSFER_REQUEST = "transfer_request"
    EXTENSION_REQUEST = "extension_request"
    DECISION = "decision"
    COMMON_PROBLEM = "common_problem"  # 共性问题: a group raised, its lead confirmed
    # Chaser, summaries, the desk's own notices
    REMINDER = "reminder"
    ESCALATION = "escalation"
    WEEKLY = "weekly"
    WEEKLY_LIST = "weekly_list"
    CALENDAR = "calendar"
    NOTICE = "notice"
    DELIVERY_NOTICE = "delivery_notice"  # the desk told of a delivery that failed


class Outbox(SQLModel, table=True):
    """A Bot API call to make, written in the same transaction as the change that causes it.

    ``chat_id`` is NULL while the target department has no bound chat: the row is held and
    released by /bind.  ``status``: pending → sending (in flight) → sent, or failed (for
    good), or uncertain (a send whose answer was lost: maybe delivered, never re-sent
    automatically; an operator decides with ``dianxiaoer outbox resend``).
    ``refers_to_outbox_id`` lets a row reply to a message that an earlier row sends
    (evidence under its card, an edit of a card) before its id is known.
    """

    __table_args__ = (
        Index("ix_outbox_pending", "status", "next_attempt_at"),
        Index("ix_outbox_sent_message", "chat_id", "telegram_message_id"),
        # A card's waiting edit is looked up by the card on every staff reply.
        Index("ix_outbox_refers_to", "refers_to_outbox_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _time()
    method: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chat_id: int | None = _chat_id()
    thread_id: int | None = None
    held_for_department_id: int | None = Field(default=None, foreign_key="department.id")
    refers_to_outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    purpose: str = Field(max_length=24)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # A file to upload with the call (the weekly workbook and chart); small, so kept inline.
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    attachment_name: str | None = Field(default=None, max_length=128)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0  # every call made (sets the backoff)
    # Only failures that may be the row's own fault: these use up sender.max_attempts.
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime = _time()
    sent_at: datetime | None = _time(nullable=True)
    telegram_message_id: int | None = None
    last_error: str | None = None
    # Which desk instance marked the row ``sending``, and when: a row whose instance died
    # is settled by another one (bot/delivery/outbox.recover_in_flight), never one still working.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = _time(nullable=True)


class OpenPrompt(SQLModel, table=True):
    """A question the desk put to one person in a group about a ticket (a ForceReply
    question or a row of buttons), recorded in the same transaction as the press.

    A reply from that person to a desk message whose id is not (yet) known is matched to
    their latest open prompt there: the prompt's own id is recorded only once the sender
    has posted it, and a reply can arrive first.
    """

    __table_args__ = (Index("ix_openprompt_asker", "chat_id", "user_id", "answered_at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_id(nullable=False)
    thread_id: int | None = None
    user_id: int = Field(sa_type=BigInteger)
    ticket_id: int = Field(foreign_key="ticket.id")
    outbox_id: int = Field(foreign_key="outbox.id")
    purpose: str = Field(max_length=24)
    asked_at: datetime = _time()
    answered_at: datetime | None = _time(nullable=True)


class RoutingModelRow(SQLModel, table=True):
    """A trained routing classifier (bot/core/routing): every instance uses the newest active
    one."""

    __tablename__ = "routingmodel"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(unique=True, max_length=64)
    trained_at: datetime = _time()
    # Accuracy on the split held out from its own training.
    accuracy: float
    n_examples: int
    sklearn_version: str = Field(max_length=32)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    active: bool = Field(default=True, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update changes nothing."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = _time()


class JobState(SQLModel, table=True):
    """A periodic job's latest run, by whichever instance made it (the chaser: one run per
    period across instances; /healthz shows when it last ran)."""

    job: str = Field(primary_key=True, max_length=32)
    last_run_at: datetime = _time()
    last_run_by: str = Field(max_length=64)


class RateEvent(SQLModel, table=True):
    """Private messages counted against ``abuse.messages_per_minute``, shared by every
    instance. ``kind`` "message": one counted message at ``at``; "told": the user was told
    to wait, quiet until ``at``. Rows older than a minute are deleted as new ones come."""

    __table_args__ = (Index("ix_rateevent_user_at", "telegram_user_id", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger)
    kind: str = Field(default="message", max_length=8)
    at: datetime = _time()
