"""change counter: one row per area, bumped by every write (issue 6, seeing others' work)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

AREAS = ("calendar", "care", "customers", "other", "settings", "tickets")


def upgrade() -> None:
    table = op.create_table('change_counter',
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('area', name=op.f('pk_change_counter'))
    )
    # Seeded, so a write only ever updates its row (two seats never race to insert it).
    op.bulk_insert(table, [{"area": area, "value": 0} for area in AREAS])


def downgrade() -> None:
    op.drop_table('change_counter')
