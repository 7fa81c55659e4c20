"""touch kind placement index: one kind's queued touches due by a day, oldest first (issue 14: the
care queue's first page at 100,000 customers)

The touches the daily limit keeps are the oldest time-bound ones due, then the oldest open-ended ones.
Read through the plan's index (status, placement, day, key), that walk passed over every queued touch
due, tens of thousands at 100,000 customers, to find a few hundred of a few kinds: 15-35 ms of every
read of the queue. This index, replacing (status, kind, day), reads them kind by kind, each in order,
as far as the limit; the callbacks due, which the old one served, read it the same way.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OLD = "ix_touch_status_kind_plan"
NEW = "ix_touch_status_kind_placement_plan"


def upgrade() -> None:
    op.drop_index(OLD, table_name="touch")
    op.create_index(NEW, "touch", ["status", "kind", "plan_placement", "plan_day", "key"])


def downgrade() -> None:
    op.drop_index(NEW, table_name="touch")
    op.create_index(OLD, "touch", ["status", "kind", "plan_day"])
