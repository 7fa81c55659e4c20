"""fcr verdict: each ticket's FCR verdict kept once its windows have passed (issue 20: `report fcr`
reads the decided verdicts instead of rebuilding every ticket's history)

Empty at first: the first report after the upgrade works every ticket out as before and keeps the
verdicts of the decided ones; later reports read those and work out only the undecided tickets and
those whose inputs changed since (careapp/services/tickets/fcr_verdicts.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fcr_verdict",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.String(length=200), nullable=False),
        sa.Column("first_resolved_us", sa.BigInteger(), nullable=False),
        sa.Column("decided_us", sa.BigInteger(), nullable=False),
        sa.Column("windows_since_us", sa.BigInteger(), nullable=True),
        sa.Column("reopen_window_days", sa.Integer(), nullable=False),
        sa.Column("repeat_window_days", sa.Integer(), nullable=False),
        sa.Column("staff", sa.String(length=100), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("repeat_ticket_ids", sa.Text(), nullable=False),
        sa.Column("first_response_us", sa.BigInteger(), nullable=True),
        sa.Column("resolution_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_fcr_verdict_ticket_id_ticket"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_fcr_verdict")),
    )
    op.create_index("ix_fcr_verdict_first_resolved_us", "fcr_verdict", ["first_resolved_us"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fcr_verdict_first_resolved_us", table_name="fcr_verdict")
    op.drop_table("fcr_verdict")
