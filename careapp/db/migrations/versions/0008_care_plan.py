"""care plan: the queue's placement stored on touch rows, and triggers noting customers whose care
facts changed (issue 7: an incremental care queue)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from careapp.db import care_triggers

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('care_dirty',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_care_dirty')),
    sqlite_autoincrement=True
    )
    op.create_table('care_plan_state',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('signature_json', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_care_plan_state'))
    )
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_placement', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('plan_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plan_held_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_last_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_at', sa.DateTime(), nullable=True))
        batch_op.create_index(
            'ix_touch_status_plan', ['status', 'plan_placement', 'plan_day', 'key', 'kind', 'plan_last_day'], unique=False
        )
        batch_op.create_index('ix_touch_status_kind_plan', ['status', 'kind', 'plan_day'], unique=False)
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index('ix_customer_referred_by_id', ['referred_by_id'], unique=False)
    care_triggers.run(op.execute, care_triggers.create_statements(op.get_bind().dialect.name))


def downgrade() -> None:
    care_triggers.run(op.execute, care_triggers.drop_statements(op.get_bind().dialect.name))
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_referred_by_id')
    with op.batch_alter_table('touch', schema=None) as batch_op:
        batch_op.drop_index('ix_touch_status_kind_plan')
        batch_op.drop_index('ix_touch_status_plan')
        batch_op.drop_column('plan_at')
        batch_op.drop_column('plan_last_day')
        batch_op.drop_column('plan_day')
        batch_op.drop_column('plan_held_until')
        batch_op.drop_column('plan_reason')
        batch_op.drop_column('plan_placement')
    op.drop_table('care_plan_state')
    op.drop_table('care_dirty')
