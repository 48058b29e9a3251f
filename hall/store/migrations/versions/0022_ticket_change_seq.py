"""tickets.change_seq and halls.ticket_seq: which ticket rows changed since a reader looked

Every unit of work that writes a hall's tickets moves ``halls.ticket_seq`` by one at its
end, under the hall's lock, and stamps the rows it wrote with the new number; today's
dashboard reads only the rows stamped after the number it last saw.

Revision ID: 0022_ticket_change_seq
Revises: 0021_kiosk_devices
Create Date: 2026-12-05 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_ticket_change_seq"
down_revision = "0021_kiosk_devices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ticket_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_index(
        "ix_tickets_hall_change_seq", "tickets", ["hall_id", "service_day", "change_seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_hall_change_seq", table_name="tickets")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("change_seq")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("ticket_seq")
