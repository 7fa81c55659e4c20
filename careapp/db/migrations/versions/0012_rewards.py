"""loyalty and referral rewards: the owner's reward rules and the append-only rewards ledger (issue 22)

``reward_rule`` holds a rule only once the owner saved it (no row: the default, switched off).
``reward_ledger`` is one row per event of a reward (earned, redeemed, expired, cancelled, taken back);
``reward_id`` is unique, so a reward is closed once, whichever seat gets there first. AUTOINCREMENT on
SQLite: a reward's number is never handed out twice.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reward_rule',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('params_json', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_rule')),
    )
    op.create_table(
        'reward_ledger',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('reward_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=12), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('purchase_id', sa.Integer(), nullable=True),
        sa.Column('referred_customer_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('offer_json', sa.Text(), nullable=False),
        sa.Column('earned_on', sa.Date(), nullable=True),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('cost_cents', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['customer_id'], ['customer.id'], name=op.f('fk_reward_ledger_customer_id_customer'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_ledger')),
        sa.UniqueConstraint('reward_id', name=op.f('uq_reward_ledger_reward_id')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_reward_ledger_customer_id', 'reward_ledger', ['customer_id', 'id'], unique=False)
    op.create_index('ix_reward_ledger_event_at', 'reward_ledger', ['event', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reward_ledger_event_at', table_name='reward_ledger')
    op.drop_index('ix_reward_ledger_customer_id', table_name='reward_ledger')
    op.drop_table('reward_ledger')
    op.drop_table('reward_rule')
