"""halls.queue_version: bumped by every commit that changes the hall's tickets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queue_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("queue_version")
