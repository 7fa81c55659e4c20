"""erasure audit: customers erased on request, without their personal data (issue 6, privacy)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasure_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('counts_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_audit'))
    )
    with op.batch_alter_table('erasure_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_audit_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('erasure_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_audit_customer_id'))
    op.drop_table('erasure_audit')
