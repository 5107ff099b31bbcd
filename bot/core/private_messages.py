"""Where a private message from an enterprise goes: the one place that decides.

The first of these that applies takes the message:

1. a menu entry (the keyboard's 我要投诉 / 我要办事, 我的工单, 帮助): filing of that kind
   begins (``intake.start_filing``), the enterprise's tickets are listed, or help is shown;
2. a reply to one of the desk's messages about a ticket (a department's question or
   reply): it continues that ticket's conversation (``feedback.enterprise_reply``);
3. while the enterprise is adding information to a ticket (``conversation.AddingInfo``):
   it is added to that ticket (``tickets.add_info``);
4. while a draft is active: it answers the draft's step (``intake.on_message``; the steps
   are the table in ``bot/core/filing_steps.py``);
5. a ticket waiting for this enterprise's information: it is added there, with the way
   out 这是新问题，另起工单 (``feedback.asking_ticket``);
6. anything else: a text is offered for filing as a new ticket (``intake.offer_from_text``),
   a file alone is told how to file it, and what has neither (a sticker, a location) is
   told what the desk reads.

An edited message changes nothing; the enterprise hears how to correct (:func:`on_edit`).
Commands and buttons are not messages: the handlers route them by command and by callback
prefix.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.core import conversation, feedback, intake, tickets
from bot.core.intake import Incoming, words
from bot.core.screens import Name, Screen
from storage import queries
from storage.models import Reporter


def on_message(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    incoming: Incoming,
    now: datetime,
    menu: str | None = None,
    first_contact: bool = False,
) -> list[Screen]:
    """Any private message that is not a command; ``menu``: the menu entry its text is
    (complaint, request, my, help), which only the render layer can tell.
    ``first_contact``: the reporter was created by this message, so it answers no ticket
    and no question and continues no draft (nothing to look up: the burst of first
    messages the day the desk is announced); it may not be written yet (its words are
    written with it), so every other path writes it first."""
    if first_contact and menu is None:
        return _outside_any_conversation(session, settings, reporter, incoming, _said(incoming))
    queries.reporters.stored(session=session, reporter=reporter)
    if menu == "my":
        return [tickets.my_tickets(session=session, settings=settings, reporter=reporter)]
    if menu == "help":
        return [Screen(Name.HELP)]
    if menu is not None and menu in intake.KINDS:
        return intake.start_filing(
            session=session, settings=settings, reporter=reporter, kind=menu, now=now
        )
    attachment = incoming.attachment.as_dict() if incoming.attachment else None
    said = _said(incoming)
    answered = feedback.reply_target(
        session=session, reporter=reporter, replied_message_id=incoming.reply_to_message_id
    )
    if answered is not None:
        ticket = queries.tickets.get_ticket(session=session, ticket_id=answered.ticket_id or 0)
        assert ticket is not None
        return [
            feedback.enterprise_reply(
                session=session,
                settings=settings,
                reporter=reporter,
                ticket=ticket,
                text=said or None,
                attachment=attachment,
                now=now,
                answering=answered,
            )
        ]
    if conversation.awaiting(reporter) is not None:
        return [
            tickets.add_info(
                session=session,
                settings=settings,
                reporter=reporter,
                text=words(incoming.text or "") or None,  # a file's caption travels with it
                attachment=attachment,
                now=now,
            )
        ]
    draft = intake.active_draft(session=session, reporter=reporter)
    if draft is not None:
        return intake.on_message(session=session, reporter=reporter, draft=draft, incoming=incoming)
    asking = feedback.asking_ticket(session=session, reporter=reporter)
    if asking is not None:
        added = feedback.enterprise_reply(
            session=session,
            settings=settings,
            reporter=reporter,
            ticket=asking,
            text=said or None,
            attachment=attachment,
            now=now,
        )
        if added.name is Name.INFO_FORWARDED:  # with the way out: 这是新问题，另起工单
            added = Screen(Name.ADDED_TO_TICKET, added.params)
        return [added]
    return _outside_any_conversation(session, settings, reporter, incoming, said)


def _said(incoming: Incoming) -> str:
    """What the message says, a file's caption included."""
    return words(
        incoming.text or (incoming.attachment.caption if incoming.attachment else "") or ""
    )


def _outside_any_conversation(
    session: Session, settings: Settings, reporter: Reporter, incoming: Incoming, said: str
) -> list[Screen]:
    if said:
        return intake.offer_from_text(
            session=session, settings=settings, reporter=reporter, text=said
        )
    if incoming.attachment is not None:
        return [Screen(Name.FILE_OUTSIDE)]
    return [Screen(Name.UNSUPPORTED)]


def on_edit(*, session: Session, reporter: Reporter) -> Screen:
    """The enterprise edited a message it had sent: nothing changes, and it hears how to
    correct (the draft notes messages as they come; tickets keep what was submitted)."""
    if intake.active_draft(session=session, reporter=reporter) is not None:
        return Screen(Name.EDIT_IGNORED_FILING)
    return Screen(Name.EDIT_IGNORED)
