"""care bulk switch: PostgreSQL's care_dirty triggers stand aside for a bulk writer's own transaction
(issue 14: bulk writers mark what they changed in one statement)

Every care_dirty trigger gains ``WHEN (current_setting('careapp.bulk_care', true) IS DISTINCT FROM
'on')``: a bulk writer (demo data, an import, a bulk edit) sets it with SET LOCAL, so only its own
transaction skips the per-row marking, and it notes the customers it wrote with one INSERT ... SELECT
before it commits (careapp/db/care_bulk.py). Every other session keeps marking row by row. SQLite's
triggers do not change: there the bulk writer holds the only write lock and drops and re-creates them
inside its own transaction.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

from careapp.db import care_triggers

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    care_triggers.run(op.execute, care_triggers.bulk_switch_statements(op.get_bind().dialect.name))


def downgrade() -> None:
    care_triggers.run(op.execute, care_triggers.bulk_switch_undo_statements(op.get_bind().dialect.name))
