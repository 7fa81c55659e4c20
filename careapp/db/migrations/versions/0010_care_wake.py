"""care wake: the day each customer's touches next need making, and new touches noted apart
(issue 14: a new day costs what the date changes; one refresh per reason)

``care_wake`` holds, per customer, the first day a refresh's horizon reaches a touch their facts would
make (see careapp.domain.touches.next_wake); a new day works on those customers only. ``care_dirty``
gains ``touch_only``: the trigger on new touches sets it, so the planner plans them and the touches'
refresh leaves them alone. Empty at first: the first refresh after the upgrade works on everyone
(its signature changed) and fills it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from careapp.db import care_triggers

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('care_wake',
    sa.Column('customer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('wake_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_care_wake'))
    )
    with op.batch_alter_table('care_wake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_wake_wake_on'), ['wake_on'], unique=False)
    # A plain ADD COLUMN (no table copy): care_dirty has no triggers of its own to lose.
    op.add_column('care_dirty', sa.Column('touch_only', sa.Boolean(), server_default=sa.false(), nullable=False))
    care_triggers.run(op.execute, care_triggers.touch_only_statements(op.get_bind().dialect.name))


def downgrade() -> None:
    care_triggers.run(op.execute, care_triggers.touch_only_undo_statements(op.get_bind().dialect.name))
    with op.batch_alter_table('care_dirty', schema=None) as batch_op:
        batch_op.drop_column('touch_only')
    with op.batch_alter_table('care_wake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_wake_wake_on'))
    op.drop_table('care_wake')
