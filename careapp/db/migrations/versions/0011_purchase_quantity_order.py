"""purchase quantity and order line (issue 15: sales recorded at the counter and imported from shops)

``quantity`` is how many were bought (1 for every purchase before). ``order_line`` is the order's
number and the line within it for an imported order ("shopify:#1001:2"), unique, so importing the
same orders file again adds nothing twice; NULL for purchases recorded by hand.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX (no table copy): the purchase table's care_dirty triggers stay.
    op.add_column('purchase', sa.Column('quantity', sa.Integer(), server_default='1', nullable=False))
    op.add_column('purchase', sa.Column('order_line', sa.String(length=200), nullable=True))
    op.create_index('ux_purchase_order_line', 'purchase', ['order_line'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_purchase_order_line', table_name='purchase')
    with op.batch_alter_table('purchase', schema=None) as batch_op:
        batch_op.drop_column('order_line')
        batch_op.drop_column('quantity')
