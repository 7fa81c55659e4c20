"""Bulk writers note the customers they changed in one statement instead of a trigger per row.

The care_dirty triggers (careapp/db/care_triggers.py) append one row per written fact row: a demo of
100,000 customers with a million history rows appends a million rows, and runs a trigger program for
each (three times the cost of the inserts themselves, issue 14). A bulk writer instead runs inside
:func:`bulk_care_marking`: the per-row marking is off for its own transaction only, it says which
customers it wrote (:class:`BulkMarks`), and one INSERT ... SELECT notes them in ``care_dirty`` in the
same transaction, just before the marking comes back on. A kill at any moment leaves either nothing or
everything written and noted.

How the marking is turned off for one transaction only:

- PostgreSQL: ``SET LOCAL careapp.bulk_care = 'on'``; every trigger has ``WHEN (current_setting(...)
  IS DISTINCT FROM 'on')`` (migration 0014). Other sessions never see the setting and keep marking.
- SQLite: the transaction takes the write lock first (BEGIN IMMEDIATE), then drops the care_dirty
  triggers and re-creates them from their own stored SQL before it ends. DDL is transactional in
  SQLite, and no other connection can write while the lock is held, so every other writer (thread,
  seat, process) writes with the triggers in place; readers keep seeing the schema as committed.

The marking comes back on when the block ends, whether it ends normally or with an exception (a
rollback would restore it anyway). Threading: one block belongs to one session on one thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from careapp.db.care_triggers import BULK_SETTING

log = logging.getLogger(__name__)


@dataclass
class BulkMarks:
    """The customers a bulk writer wrote, noted in ``care_dirty`` as its triggers would have noted them.

    ``customers``: customer rows inserted or updated; whoever referred them is noted too (their
    referral thank-you depends on the referral), as the customer table's trigger does.
    ``facts``: customers whose dates, tags, purchases, consents, contacts or tickets were written.
    """

    customers: set[int] = field(default_factory=set)
    facts: set[int] = field(default_factory=set)

    def wrote_customers(self, ids: Iterable[int]) -> None:
        self.customers.update(ids)

    def wrote_facts(self, ids: Iterable[int | None]) -> None:
        """``None`` (no such customer, e.g. no referrer) is passed over."""
        self.facts.update(i for i in ids if i is not None)


@contextmanager
def bulk_care_marking(session: Session) -> Iterator[BulkMarks]:
    """Turn the per-row care marking off for this session's transaction; note ``BulkMarks`` at the end.

    Call it before the block's first write (on SQLite it starts the write transaction). ORM changes
    made inside the block are flushed before the marking comes back on."""
    connection = session.connection()
    saved = _switch_off(connection)
    marks = BulkMarks()
    try:
        yield marks
        session.flush()
        _note(connection, marks)
    except BaseException:
        _switch_back_quietly(connection, saved)
        raise
    _switch_on(connection, saved)


def _switch_off(connection: Connection) -> list[str]:
    """Turn the marking off; the SQL to re-create SQLite's triggers (nothing to keep on PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL {BULK_SETTING} = 'on'")
        return []
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        # pysqlite would run DDL outside a transaction (committed at once); take the write lock first.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'trigger' AND name GLOB 'care_dirty_*' ORDER BY name"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in triggers]


def _switch_on(connection: Connection, saved: list[str]) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL {BULK_SETTING} = 'off'")
        return
    for sql in saved:
        connection.exec_driver_sql(sql)


def _switch_back_quietly(connection: Connection, saved: list[str]) -> None:
    """After a failure: the rollback that follows restores the marking anyway; this covers a caller
    that catches the error and commits what it had."""
    try:
        _switch_on(connection, saved)
    except Exception:  # the transaction is broken; its rollback brings the triggers back
        log.debug("care marking not switched back after a failed bulk write", exc_info=True)


def _note(connection: Connection, marks: BulkMarks) -> None:
    """One INSERT ... SELECT: the customers written, their referrers, and the customers of facts."""
    if not marks.customers and not marks.facts:
        return
    ids = _id_list(connection.dialect.name)
    statement = f"""
        INSERT INTO care_dirty (customer_id)
        WITH written(id) AS ({ids.format(":customers")}),
             facts(id) AS ({ids.format(":facts")})
        SELECT id FROM written
        UNION SELECT c.referred_by_id FROM customer c JOIN written w ON c.id = w.id
              WHERE c.referred_by_id IS NOT NULL
        UNION SELECT id FROM facts
    """
    connection.execute(text(statement), _id_parameters(connection.dialect.name, marks))


def _id_list(dialect: str) -> str:
    """A SELECT of the ids in one parameter (a JSON array on SQLite, an array on PostgreSQL): one
    statement for any number of customers, within both databases' parameter limits."""
    if dialect == "postgresql":
        return "SELECT unnest(CAST({} AS integer[]))"
    return "SELECT value FROM json_each({})"


def _id_parameters(dialect: str, marks: BulkMarks) -> dict[str, object]:
    customers, facts = sorted(marks.customers), sorted(marks.facts)
    if dialect == "postgresql":
        return {"customers": customers, "facts": facts}
    return {"customers": json.dumps(customers), "facts": json.dumps(facts)}
