"""common groups: 同类诉求 — tickets from different enterprises about one problem

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commongroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("raised_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proposed_lead_department_id", sa.Integer(), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=True),
        sa.Column("lead_confirmed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lead_confirmed_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["proposed_lead_department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["lead_department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commongroup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commongroup_created_at"), ["created_at"], unique=False)

    # Tickets filed before this release belong to no group; nobody linked them by hand.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("common_group_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("common_manual", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_foreign_key(
            "fk_ticket_common_group_id", "commongroup", ["common_group_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_common_group_id"), ["common_group_id"], unique=False
        )
        # The similar-ticket window and the weekly 高频诉求 section read recent tickets.
        batch_op.create_index(batch_op.f("ix_ticket_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_created_at"))
        batch_op.drop_index(batch_op.f("ix_ticket_common_group_id"))
        batch_op.drop_constraint("fk_ticket_common_group_id", type_="foreignkey")
        batch_op.drop_column("common_manual")
        batch_op.drop_column("common_group_id")
    with op.batch_alter_table("commongroup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commongroup_created_at"))
    op.drop_table("commongroup")
