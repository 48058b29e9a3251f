"""staff sessions kept on the server, sign-in throttles, one window per clerk

Revision ID: 0019_staff_sessions
Revises: 0018_hall_day
Create Date: 2026-12-05 02:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_staff_sessions"
down_revision = "0018_hall_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_sessions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_staff_sessions_staff_id"), "staff_sessions", ["staff_id"], unique=False
    )
    op.create_table(
        "sign_in_throttles",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_sign_in_throttles")),
    )
    # A clerk signed in at two windows (possible before this revision, when two processes
    # raced) keeps the first window; the others are signed out so the index can be built.
    op.execute(
        "UPDATE windows SET staff_id = NULL, status = 'closed' WHERE staff_id IS NOT NULL "
        "AND id NOT IN (SELECT MIN(id) FROM windows WHERE staff_id IS NOT NULL "
        "GROUP BY staff_id)"
    )
    op.create_index(
        "uq_windows_one_per_clerk",
        "windows",
        ["staff_id"],
        unique=True,
        sqlite_where=sa.text("staff_id IS NOT NULL"),
        postgresql_where=sa.text("staff_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_windows_one_per_clerk", table_name="windows")
    op.drop_table("sign_in_throttles")
    op.drop_index(op.f("ix_staff_sessions_staff_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
