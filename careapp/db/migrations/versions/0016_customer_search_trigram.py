"""customer search trigram: on PostgreSQL, a trigram index on customer.search_text (issue 20: a search
keystroke at 100,000 customers on PostgreSQL)

Search is "search_text contains every term" (LIKE '%term%'), which PostgreSQL could only answer with a
scan of every customer: 43 ms for the page and as much again for the count at 100,000 customers. A
GIN index with pg_trgm's operator class answers LIKE '%term%' for terms of three letters or more.

pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (PostgreSQL 13+): a database owner
may create it. Where it is missing or not allowed, the upgrade goes on without the index (a log line
says so) and search works as before, only slower. SQLite: nothing (its GLOB scan is fast enough and
has no such index).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEX = "ix_customer_search_trgm"
log = logging.getLogger(__name__)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():  # a refused CREATE EXTENSION must not abort the upgrade's transaction
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        log.warning("no trigram index for customer search (pg_trgm: %s)", str(error).splitlines()[0])
        return
    bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON customer USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
