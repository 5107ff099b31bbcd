"""The one refusal: an action the desk will not take, with a code naming why."""

from __future__ import annotations

from storage.models import Ticket


class Refused(Exception):
    """The action is not allowed; ``code`` names why (texts.staff_refusals, or the handler's
    own sentence for it). Codes: ``state`` (the lifecycle does not allow it now),
    ``unknown_department``, ``stale``, and the permission codes of bot/core/permissions.py."""

    def __init__(self, code: str, ticket: Ticket | None = None) -> None:
        super().__init__(code)
        self.code = code
        # Plain values: the session is rolled back (and the ticket expired) before they are read.
        self.number = ticket.number if ticket is not None else ""
        self.status = ticket.status if ticket is not None else ""
