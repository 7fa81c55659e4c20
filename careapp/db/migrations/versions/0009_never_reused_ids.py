"""ids that are never handed out twice for customers, their dates and contacts; the key of what was
last pushed to CalDAV (issue 18: calendar UIDs that never move, a sync that costs what changed)

Calendar items are keyed by the id of what they come from (``birthday:<customer id>``,
``date:<date id>``, ``callback:<contact id>``). SQLite without AUTOINCREMENT hands out ``max(id) + 1``,
so deleting the newest customer and adding another gave the new person the old one's id, and with it
the old calendar event's UID. These tables become AUTOINCREMENT (SQLite recreates a table for that;
their triggers are put back as they were), and each table's counter starts past every id a calendar
item still names, so an id deleted before this upgrade is not handed out again either. PostgreSQL's
sequences never go back, so there is nothing to do there. ``calendar_item`` rows, and so every UID,
are not touched.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# table -> the calendar item source prefix that names its ids
_TABLES = {"customer": "birthday:", "customer_date": "date:", "contact": "callback:"}


def upgrade() -> None:
    with op.batch_alter_table('caldav_state', schema=None) as batch_op:
        # sequence|content hash|object format of what was pushed: compared without building the object.
        batch_op.add_column(sa.Column('pushed_key', sa.String(length=200), nullable=False, server_default=''))
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    triggers = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY 1")
    ).fetchall()
    # Every trigger goes and comes back: recreating a table drops its own, and a rename checks the
    # others' bodies against tables that are briefly missing.
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    for table in _TABLES:
        with op.batch_alter_table(
            table, schema=None, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
    for _name, sql in triggers:
        op.execute(sql)
    for table, prefix in _TABLES.items():
        _start_counter_past_named_ids(bind, table, prefix)


def _start_counter_past_named_ids(bind: sa.engine.Connection, table: str, prefix: str) -> None:
    largest = bind.execute(sa.text(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')).scalar() or 0
    for (source,) in bind.execute(
        sa.text("SELECT source FROM calendar_item WHERE source LIKE :p"), {"p": prefix + "%"}
    ):
        number = source.removeprefix(prefix)
        if number.isdigit():
            largest = max(largest, int(number))
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
    insert = sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :s)")
    bind.execute(insert, {"t": table, "s": largest})


def downgrade() -> None:
    # AUTOINCREMENT stays: going back must not start reusing ids.
    with op.batch_alter_table('caldav_state', schema=None) as batch_op:
        batch_op.drop_column('pushed_key')
