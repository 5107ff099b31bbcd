"""The ticket lifecycle log: one line per ticket event, written once the transaction commits.

``transition`` hands every event it records to :func:`note_ticket_event`; an event that was
rolled back never happened, so it is never logged. A line names the ticket, its department,
the action and the actor's role — never a Telegram id, a name, a phone, a company or text.
"""

from __future__ import annotations

import logging

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session

from storage.models import Department, Ticket, TicketEvent

_PENDING = "dianxiaoer.ticket_log"
events_log = logging.getLogger("bot.events")


def note_ticket_event(*, session: Session, ticket: Ticket, event: TicketEvent) -> None:
    """Remember one ticket event; it is logged when ``session`` commits."""
    department = session.get(Department, ticket.department_id) if ticket.department_id else None
    session.info.setdefault(_PENDING, []).append(
        {
            "ticket": ticket.number,
            "department": department.code if department else None,
            "event": event.action,
            "actor": event.actor,  # a role (enterprise, staff, dispatcher, system), not a person
            "from_status": event.from_status,
            "to_status": event.to_status,
        }
    )


@listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for fields in session.info.pop(_PENDING, []):
        events_log.info(
            "ticket %s: %s by %s (%s → %s)%s",
            fields["ticket"],
            fields["event"],
            fields["actor"],
            fields["from_status"] or "-",
            fields["to_status"] or "-",
            f" [{fields['department']}]" if fields["department"] else "",
            extra=fields,
        )


@listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
