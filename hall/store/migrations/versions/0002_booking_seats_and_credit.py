"""booking seats and credit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:05:15.552190
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "seat_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["booking_slots.id"], name=op.f("fk_seat_releases_slot_id_booking_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_releases")),
    )
    with op.batch_alter_table("seat_releases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_seat_releases_slot_pending", ["slot_id", "released"], unique=False
        )

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("id_kind", sa.String(length=32), nullable=False, server_default="resident_id")
        )
        batch_op.add_column(
            sa.Column("late_cancellation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("booking_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matters", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:

    with op.batch_alter_table("booking_slots", schema=None) as batch_op:
        batch_op.drop_column("matters")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("no_show_at")
        batch_op.drop_column("late_cancellation")
        batch_op.drop_column("id_kind")

    with op.batch_alter_table("seat_releases", schema=None) as batch_op:
        batch_op.drop_index("ix_seat_releases_slot_pending")

    op.drop_table("seat_releases")
