"""What a reply in a department's (or the dispatcher's) chat means, by what it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import decisions, notify, permissions, staff
from bot.config import Settings
from bot.intake import Attachment
from bot.lifecycle import Status
from bot.permissions import Actor, Refused
from bot.views import force_reply
from storage.models import Outbox, Ticket

#: The bot's ForceReply questions, by the purpose of the outbox row that asked them.
PROMPTS = (
    "ask_question",
    "ask_resolution",
    "ask_transfer_reason",
    "ask_extension_reason",
    "ask_reject_reason",
)
#: The dispatcher's own messages: replies to them are not for the enterprise.
DESK_ONLY = ("transfer_request", "extension_request", "decision", "dispatch", "dispatch_edit")


def ask_for_text(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    purpose: str,
    text: str,
    meta: dict[str, Any],
) -> None:
    """A ForceReply question under the card, re-checking who may ask for it."""
    permissions.for_department(session=session, ticket=ticket, actor=actor)
    if Status(ticket.status) not in (Status.ASSIGNED, Status.ACCEPTED):
        raise Refused("state", ticket)
    notify.under_card(
        session=session,
        settings=settings,
        ticket=ticket,
        purpose=purpose,
        text=text,
        reply_markup=force_reply(settings.desk.default_language),
        meta=meta,
    )


def on_reply(
    *,
    session: Session,
    settings: Settings,
    answering: Outbox,
    ticket: Ticket,
    actor: Actor,
    text: str,
    attachment: Attachment | None,
    now: datetime,
) -> bool:
    """Act on a reply to the desk's message; True when it was relayed to the enterprise."""
    purpose, meta = answering.purpose, answering.meta
    if purpose in PROMPTS and not text:
        raise Refused("need_text", ticket)  # a sticker or a bare photo answers no question
    if purpose not in DESK_ONLY and not text and attachment is None:
        raise Refused("unsupported", ticket)  # a sticker, location, poll …: nothing to relay
    if purpose == "ask_question":
        staff.ask_info(
            session=session, settings=settings, ticket=ticket, actor=actor, question=text, now=now
        )
        return True
    if purpose == "ask_resolution":
        staff.resolve(
            session=session, settings=settings, ticket=ticket, actor=actor, resolution=text, now=now
        )
        return True
    if purpose == "ask_transfer_reason":
        staff.request_transfer(
            session=session,
            settings=settings,
            ticket=ticket,
            actor=actor,
            reason_code="other",
            reason_text=text,
            now=now,
        )
        return False
    if purpose == "ask_extension_reason":
        staff.request_extension(
            session=session,
            settings=settings,
            ticket=ticket,
            actor=actor,
            days=int(meta.get("days", 0)),
            reason=text,
            now=now,
        )
        return False
    if purpose == "ask_reject_reason":
        decisions.reject(
            session=session,
            settings=settings,
            request_id=meta.get("request_id"),
            actor=actor,
            reason=text,
            now=now,
        )
        return False
    if purpose in DESK_ONLY:
        return False
    staff.reply(
        session=session,
        settings=settings,
        ticket=ticket,
        actor=actor,
        text=text or None,
        attachment=attachment.as_dict() if attachment else None,
        now=now,
    )
    return True
