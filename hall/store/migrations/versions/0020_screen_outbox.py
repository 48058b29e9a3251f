"""the screen outbox: one order of a hall's screen messages for every server process

Revision ID: 0020_screen_outbox
Revises: 0018_hall_day
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_screen_outbox"
down_revision = "0019_staff_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("screen_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "screen_outbox",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_screen_outbox_hall_id_halls")
        ),
        sa.PrimaryKeyConstraint("hall_id", "seq", name=op.f("pk_screen_outbox")),
    )
    op.create_index("ix_screen_outbox_event_id", "screen_outbox", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_screen_outbox_event_id", table_name="screen_outbox")
    op.drop_table("screen_outbox")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("screen_seq")
