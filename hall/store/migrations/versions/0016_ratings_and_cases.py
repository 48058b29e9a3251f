"""ratings (好差评) and cases (工单): bad ratings, 办不成事, 帮办, complaints

Revision ID: 0016_ratings_cases
Revises: 0004
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_ratings_cases"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("ticket_number", sa.String(length=8), nullable=False),
        sa.Column("matter_code", sa.String(length=32), nullable=False),
        sa.Column("window_number", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_job", sa.String(length=16), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("efficiency", sa.Integer(), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("attitude", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("excluded_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_ratings_hall_id_halls")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_ratings_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ratings_ticket_id")),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index("ix_ratings_hall_day", ["hall_id", "service_day"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=True),
        sa.Column("ticket_number", sa.String(length=8), nullable=True),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=True),
        sa.Column("window_number", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_job", sa.String(length=16), nullable=True),
        sa.Column("matter_code", sa.String(length=32), nullable=True),
        sa.Column("contact", sa.String(length=32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_job", sa.String(length=16), nullable=True),
        sa.Column("forwarded_to", sa.String(length=200), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("extension", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_cases_hall_id_halls")),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"], name=op.f("fk_cases_owner_id_staff")),
        sa.ForeignKeyConstraint(
            ["rating_id"], ["ratings.id"], name=op.f("fk_cases_rating_id_ratings")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_cases_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_cases_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("rating_id", name=op.f("uq_cases_rating_id")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_hall_status", ["hall_id", "status"], unique=False)
        batch_op.create_index("ix_cases_status_due", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index("ix_cases_hall_status")

    op.drop_table("cases")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_ratings_hall_day")

    op.drop_table("ratings")
