"""care anchor: each customer's last real contact, kept beside their wake day (issue 14: the Overview's
"drifting away" at 100,000 customers in a fraction of a second)

``care_wake.anchor_on`` is the day a check-in counts from (careapp.domain.touches.last_real_contact):
the refresh writes it with the wake day, from the facts it has just read. The Overview finds the
customers drifting away from it with one indexed read instead of grouping every contact, ticket and
purchase. Empty at first: the touches' refresh signature moved (version 3), so the first refresh after
the upgrade works on everyone and fills it; until then the Overview reads the facts as before. An index on consent_event (granted, customer, channel) serves the
Overview's opt-out rate.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy): care_wake has no triggers to lose.
    op.add_column("care_wake", sa.Column("anchor_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_care_wake_anchor_on"), "care_wake", ["anchor_on"], unique=False)
    op.create_index(
        "ix_consent_event_granted_customer",
        "consent_event",
        ["granted", "customer_id", "channel"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_consent_event_granted_customer", table_name="consent_event")
    op.drop_index(op.f("ix_care_wake_anchor_on"), table_name="care_wake")
    with op.batch_alter_table("care_wake", schema=None) as batch_op:
        batch_op.drop_column("anchor_on")
