"""event actions: every stored TicketEvent names its action by the lifecycle's Action value

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The words earlier versions wrote -> bot.core.lifecycle.Action values (as of this revision).
#: "info_received" keeps its name.
RENAMED = {
    "submitted": "submit",
    "conduct_answered": "answer_conduct",
    "routed": "route",
    "unrouted": "leave_unrouted",
    "assigned": "assign",
    "accepted": "accept",
    "asked_info": "ask_info",
    "transfer_requested": "request_transfer",
    "transfer_approved": "approve_transfer",
    "transfer_rejected": "reject_transfer",
    "extension_requested": "request_extension",
    "extension_approved": "approve_extension",
    "extension_rejected": "reject_extension",
    "replied": "reply",
    "enterprise_replied": "enterprise_reply",
    "info_added": "add_info",
    "info_taken_back": "take_back_info",
    "resolved": "resolve",
    "rating_comment": "comment_rating",
    "reopened": "reopen",
    "reopened_to_dispatcher": "reopen_to_dispatcher",
    "auto_closed": "auto_close",
    "withdrawn": "withdraw",
}
#: "rated" was one word for every rating; a satisfied one is the rating that closed the ticket.
RATED = "rated"

_event = sa.table(
    "ticketevent",
    sa.column("action", sa.String()),
    sa.column("to_status", sa.String()),
)


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(_event.update().where(_event.c.action == old).values(action=new))
    op.execute(
        _event.update()
        .where(_event.c.action == RATED, _event.c.to_status == "closed")
        .values(action="rate_satisfied")
    )
    op.execute(_event.update().where(_event.c.action == RATED).values(action="rate_poor"))


def downgrade() -> None:
    op.execute(
        _event.update()
        .where(_event.c.action.in_(("rate_satisfied", "rate_poor")))
        .values(action=RATED)
    )
    for old, new in RENAMED.items():
        op.execute(_event.update().where(_event.c.action == new).values(action=old))
