"""outbox: an index on refers_to_outbox_id — a card's waiting edit is found by it on every
staff reply (storage.queries.outbox.replace_pending_edit); without it each reply scanned
the whole outbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_refers_to", "outbox", ["refers_to_outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_refers_to", table_name="outbox")
