"""Where a message in a department's (or the dispatcher's) group goes: the one place that decides.

Only replies to the desk's own messages are about tickets; everything else people say in
the group is their own conversation and the desk stays out of it. A reply goes by the
desk message it answers (:func:`answered_row`, then :func:`on_reply`):

1. the ticket's card, the card's continuation, or what the desk relayed from the
   enterprise under it (:data:`RELAYED`): the department's answer, relayed to the
   enterprise (a sticker or location, which carries nothing, is refused);
2. a question the desk asked with ForceReply (``prompts.TEXT``: the question for the
   enterprise, the resolution, the reason for a transfer, an extension or a rejection):
   its answer, acted on; words are needed, a bare file answers nothing;
3. a question answered with buttons (``prompts.BUTTONS``): refused, the buttons answer it;
4. anything else the desk posts (notices, reminders, the dispatcher's requests and
   decisions): refused, and the person hears that the reply stays in the group;
5. a desk message the desk has no record of: the person's latest open question here if
   the reply quotes it; otherwise refused as unmatched in a group the desk serves, and
   silence in one it does not.

An edited reply changes nothing that was sent on; if it is about a ticket the person
hears so (:func:`edit_is_about_ticket`). Commands in groups and membership changes have
their own handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core import common_problems, decisions, notices, permissions, prompts, staff
from bot.core.intake import Attachment
from bot.core.lifecycle import Status
from bot.core.notices import Buttons, Keys, UnderCard, say
from bot.core.permissions import Actor, Refused
from storage import queries
from storage.models import Outbox, Purpose, Ticket

#: The one rule for what reaches the enterprise: a reply to the ticket's card (or the
#: card's continuation) or to what the desk relayed from the enterprise under it. Replies
#: to the desk's prompts are consumed by them (``prompts.TEXT``) or refused
#: (``prompts.BUTTONS``); replies to anything else the desk posts (notices, reminders,
#: the dispatcher's requests and decisions) stay in the group, and the person is told so.
RELAYED = (
    Purpose.CARD,
    Purpose.OVERFLOW,
    Purpose.EVIDENCE,
    Purpose.INFO,
    Purpose.ENTERPRISE_REPLY,
    Purpose.ENTERPRISE_FILE,
)


def answered_row(
    *,
    session: Session,
    actor: Actor,
    message_id: int,
    quotes: Callable[[Outbox], bool],
    now: datetime,
) -> Outbox | None:
    """The desk message a reply in a group answers; None when the chat is none of the desk's.

    By its message id; failing that (a prompt not yet recorded as sent, or whose send was
    cut off) the person's latest open prompt here that the reply ``quotes`` (the render
    layer knows what a desk message shows). Raises ``Refused("unmatched")`` when
    nothing says which ticket the reply is about.
    """
    row = queries.outbox.outbox_for_message(
        session=session, chat_id=actor.chat_id, message_id=message_id
    )
    if row is None:
        row = prompts.match(
            session=session,
            chat_id=actor.chat_id,
            thread_id=actor.thread_id,
            user_id=actor.user_id,
            quotes=quotes,
            now=now,
        )
    if row is not None and row.ticket_id is not None:
        return row
    if not queries.zone.departments_bound_to(session=session, chat_id=actor.chat_id):
        return None  # a group the desk does not serve: stay quiet
    raise Refused("unmatched")


def ask_for_text(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    purpose: Purpose,
    meta: dict[str, Any],
    now: datetime,
) -> None:
    """A ForceReply question under the card, re-checking who may ask for it: the words for
    a transfer (``ask_transfer_reason``) or for an extension of ``meta["days"]``."""
    permissions.for_department(permissions.Act.PROMPT, session=session, ticket=ticket, actor=actor)
    if Status(ticket.status) not in (Status.ASSIGNED, Status.ACCEPTED):
        raise Refused("state", ticket)
    question = (
        say("ask_extension_reason", number=ticket.number, days=meta.get("days"))
        if purpose is Purpose.ASK_EXTENSION_REASON
        else say("ask_transfer_other", number=ticket.number)
    )
    asked = notices.post(
        UnderCard(ticket, purpose, question, Buttons(Keys.FORCE_REPLY), meta=meta),
        session=session,
        settings=settings,
    )
    staff.record_prompt(session=session, asked=asked, actor=actor, now=now)


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
    if purpose in prompts.BUTTONS:
        raise Refused(purpose, ticket)  # answered with its buttons; the words go nowhere
    if purpose not in prompts.TEXT and purpose not in RELAYED:
        raise Refused("internal", ticket)
    if purpose in prompts.TEXT:
        if not text:
            raise Refused("need_text", ticket)  # a sticker or a bare photo answers no question
        prompts.answered(
            session=session, row=answering, user_id=actor.user_id, chat_id=actor.chat_id, now=now
        )
    elif not text and attachment is None:
        raise Refused("unsupported", ticket)  # a sticker, location, poll …: nothing to relay
    if purpose == Purpose.ASK_QUESTION:
        staff.ask_info(
            session=session, settings=settings, ticket=ticket, actor=actor, question=text, now=now
        )
        return True
    if purpose == Purpose.ASK_COMMON_REPLY:
        common_problems.answer_together(
            session=session, settings=settings, ticket=ticket, actor=actor, text=text, now=now
        )
        return True
    if purpose == Purpose.ASK_RESOLUTION:
        staff.resolve(
            session=session, settings=settings, ticket=ticket, actor=actor, resolution=text, now=now
        )
        return True
    if purpose == Purpose.ASK_TRANSFER_REASON:
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
    if purpose == Purpose.ASK_EXTENSION_REASON:
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
    if purpose == Purpose.ASK_REJECT_REASON:
        decisions.reject(
            session=session,
            settings=settings,
            request_id=meta.get("request_id"),
            actor=actor,
            reason=text,
            now=now,
        )
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


def edit_is_about_ticket(*, session: Session, chat_id: int, replied_message_id: int) -> bool:
    """An edited message in a group replies to a desk message about a ticket."""
    row = queries.outbox.outbox_for_message(
        session=session, chat_id=chat_id, message_id=replied_message_id
    )
    return row is not None and row.ticket_id is not None
