"""Write locks taken before a check-then-write, so two seats cannot both pass the check.

A save that compares the version the user saw with the stored one must hold a write lock from
before that read until its commit; otherwise two seats both read version 1, both pass, and the
later write silently replaces the earlier one.

- SQLite locks the whole file at a transaction's first write statement (a read outside a write
  transaction takes no lock, and ``SELECT ... FOR UPDATE`` does not exist there), so the lock is
  a write that changes nothing.
- PostgreSQL locks rows: the same no-op ``UPDATE`` locks the row until commit, and a second seat's
  read waits for it and then sees the new version. Where the row may not exist yet (a setting or a
  rule saved for the first time) a transaction-scoped advisory lock stands in for it.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session


def lock_versioned_row(session: Session, model: Any, key: Any) -> bool:
    """Lock one row of a table with ``id`` and ``version`` columns; False if there is no such row."""
    result = session.execute(
        update(model)
        .where(model.id == key)
        .values(version=model.version)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 1))


def lock_named(session: Session, name: str) -> None:
    """On PostgreSQL, hold the lock called ``name`` until the transaction ends (a no-op on SQLite,
    where the caller's own first write locks the file)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode()))))
