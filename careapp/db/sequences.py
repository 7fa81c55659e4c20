"""Keeping PostgreSQL's id sequences ahead of rows inserted with explicit ids.

SQLite hands out ``max(id) + 1``, so rows written with their own ids (demo data, a deleted
customer put back by undo, an import undone) never collide with the next new row. PostgreSQL
hands out ids from a sequence that knows nothing of such rows: the next plain insert would get
an id that is already taken. After inserting explicit ids, call :func:`advance_id_sequences` in
the same transaction. It only ever moves a sequence forward, so ids are never handed out twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


def advance_id_sequences(session: Session, tables: Iterable[Table]) -> None:
    """Move each table's ``id`` sequence past the largest id in the table (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c:
            continue
        sequence = session.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        if sequence is None:
            continue
        largest = session.scalar(select(func.max(table.c.id)))
        if largest is None:
            continue
        # The sequence's name comes from the catalog (already quoted where needed), not from input.
        session.execute(
            text(f"SELECT setval(:sequence, GREATEST(:largest, (SELECT last_value FROM {sequence})))"),
            {"sequence": sequence, "largest": int(largest)},
        )


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids from ``table``'s ``id`` sequence (PostgreSQL), ascending, in one statement.

    Taken from the sequence as a plain insert takes them, so no other writer is ever handed one of
    them; rows inserted with them need no :func:`advance_id_sequences` afterwards."""
    taken = session.scalars(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": count},
    )
    return sorted(int(new_id) for new_id in taken)
