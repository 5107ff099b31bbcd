"""The statuses a ticket row can hold, and which of them are still open.

The lifecycle (bot.core.lifecycle) owns the moves between them; the queries only filter on them.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    UNROUTED = "unrouted"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    WAITING_INFO = "waiting_info"
    TRANSFER_REQUESTED = "transfer_requested"
    EXTENSION_REQUESTED = "extension_requested"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


#: States in which the enterprise's ticket is still being handled.
OPEN_STATES: frozenset[Status] = frozenset(
    s for s in Status if s not in (Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN)
)
