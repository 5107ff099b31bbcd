"""delivery failures: count only the failures that may be the row's own fault

``outbox.attempts`` counts every call (and sets the backoff); ``outbox.failures`` counts
only the ones that use up ``sender.max_attempts`` (not flood control, not Telegram down).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("failures")
