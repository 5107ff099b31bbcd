"""Log set-up (text for people, JSON lines for collectors) and the ticket lifecycle log.

The core's transition hands every ticket event it writes to :func:`note_ticket_event`
(storage only stores the event); the line is written once the transaction commits (an
event that was rolled back never happened). It names the ticket, its department, the action and the
actor's role — never a Telegram id, a name, a phone, a company or message text.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any, Literal

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session

from bot import logsafety
from storage.models import Department, Ticket, TicketEvent

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_PENDING = "dianxiaoer.ticket_log"

events_log = logging.getLogger("bot.events")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, then the record's ``extra`` fields.

    The finished line goes through logsafety once more: ``extra`` values are not scrubbed
    by the record factory, and a token must not reach the log by any road.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return logsafety.redact(json.dumps(line, ensure_ascii=False, default=str))


def log_handler(fmt: Literal["text", "json"], stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler in this format that redacts secrets (the one the CLI installs)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(logsafety.RedactingFilter())
    return handler


def configure_logging(*, fmt: Literal["text", "json"], level: str | int) -> None:
    """Replace the root logger's handlers with one of this format, at this level."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(log_handler(fmt))
    root.setLevel(level)


# --- the ticket lifecycle log ---------------------------------------------------------------


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
