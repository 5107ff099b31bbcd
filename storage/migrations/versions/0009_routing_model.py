"""routing model: trained classifiers in the database; the decision stored on each ticket

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routingmodel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("trained_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=False),
        sa.Column("n_examples", sa.Integer(), nullable=False),
        sa.Column("sklearn_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    with op.batch_alter_table("routingmodel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routingmodel_active"), ["active"], unique=False)

    with op.batch_alter_table("routingrule", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("always", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    # Tickets filed before this release keep their reason; they were never conduct-flagged
    # by the new safeguard and have no candidates to show.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route_confidence", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("route_top", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("conduct", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("conduct_answer", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("route_excluded", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    # A ticket that went to the discipline office by its category was a conduct ticket.
    op.execute(
        "UPDATE ticket SET conduct = true"
        " WHERE route_reason IN ('conduct_category', 'conduct_keyword')"
    )


def downgrade() -> None:
    with op.batch_alter_table("routingrule", schema=None) as batch_op:
        batch_op.drop_column("always")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("route_excluded")
        batch_op.drop_column("conduct_answer")
        batch_op.drop_column("conduct")
        batch_op.drop_column("route_top")
        batch_op.drop_column("route_confidence")
    with op.batch_alter_table("routingmodel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routingmodel_active"))
    op.drop_table("routingmodel")
