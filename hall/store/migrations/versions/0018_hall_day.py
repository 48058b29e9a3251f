"""the hall's day: closed-out days, and the matters a "*" window does not take

Revision ID: 0018_hall_day
Revises: 0017_analytics
Create Date: 2026-12-04 23:59:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_hall_day"
down_revision = "0017_analytics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_hall_days_hall_id_halls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_days")),
        sa.UniqueConstraint("hall_id", "service_day", name=op.f("uq_hall_days_hall_id")),
    )
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.drop_column("excluded")
    op.drop_table("hall_days")
