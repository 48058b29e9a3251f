"""events by hall, kind and time: the window sessions and transfers of a period

Revision ID: 0017_analytics
Revises: 0004
Create Date: 2026-12-04 23:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0017_analytics"
down_revision = "0016_ratings_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_hall_kind_at", ["hall_id", "kind", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_hall_kind_at")
