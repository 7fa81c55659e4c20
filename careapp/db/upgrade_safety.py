"""What makes a schema upgrade of an SQLite file safe to interrupt, and what mends one that was not.

- :func:`atomic_sqlite_engine`: an engine whose transactions are real SQLite transactions, DDL
  included. The pysqlite driver's own handling starts a transaction only before INSERT/UPDATE/DELETE,
  so CREATE TABLE and friends commit on their own; a process killed mid-upgrade then left new tables
  behind while ``alembic_version`` still named the old schema, and every later start failed with
  "table ... already exists". Here the driver is put in autocommit and ``BEGIN IMMEDIATE`` is emitted
  explicitly (SQLAlchemy's pysqlite recipe), so the whole upgrade commits at once or not at all.
- :func:`schema_signature` / :func:`expected_signature`: the tables, columns, indexes and triggers a
  file holds, and what a file at a given revision should hold (built by migrating an in-memory
  database), so a file whose schema does not match its recorded revision (half-upgraded by an older
  careapp) is recognised before anything copies it or upgrades it.
- :func:`last_good_copy`: the newest before-migration copy that is whole and matches its revision.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

Signature = frozenset[tuple[str, str, str]]

# Objects SQLite or careapp's own start-up make outside the migrations.
_IGNORED_PREFIXES = ("sqlite_",)


def _set_migration_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit in the driver: it must not open or close transactions behind our back.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Off before BEGIN (SQLite ignores the pragma inside a transaction): batch migrations recreate
    # tables that others point to; env.py runs foreign_key_check before the commit.
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin_immediately(connection: Any) -> None:
    # IMMEDIATE: take the write lock now, so two careapps starting together upgrade one after the
    # other (the second then finds the schema at head and does nothing).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def atomic_sqlite_engine(url: str) -> Engine:
    """An engine for running the migrations on an SQLite file as one real transaction."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _set_migration_pragmas)
    event.listen(engine, "begin", _begin_immediately)
    return engine


def schema_signature(connection: sqlite3.Connection) -> Signature:
    """Every table (with its columns), index and trigger in the file, by name."""
    found: set[tuple[str, str, str]] = set()
    objects = connection.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')"
    ).fetchall()
    for kind, name, table in objects:
        if name.startswith(_IGNORED_PREFIXES) or name == "alembic_version":
            continue
        found.add((kind, table, name))
        if kind == "table":
            columns = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            found.update(("column", name, str(column[1])) for column in columns)
    return frozenset(found)


def file_signature(path: Path) -> Signature:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return schema_signature(connection)
    finally:
        connection.close()


@functools.lru_cache(maxsize=16)
def expected_signature(revision: str | None) -> Signature:
    """What a file at ``revision`` holds: an in-memory database migrated there (None: nothing)."""
    if revision is None:
        return frozenset()
    from alembic import command

    from careapp.db.database import alembic_config

    engine = create_engine("sqlite://", poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
            raw = connection.connection.dbapi_connection
            assert raw is not None
            return schema_signature(raw)  # type: ignore[arg-type]
    finally:
        engine.dispose()


@functools.lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from careapp.db.database import alembic_config

    return frozenset(
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def known_revision(revision: str) -> bool:
    return revision in _known_revisions()


def recorded_revision(connection: sqlite3.Connection) -> str | None:
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def integrity_problem(connection: sqlite3.Connection) -> str | None:
    """SQLite's first complaint about the file, or None when ``integrity_check`` says ok."""
    verdict = connection.execute("PRAGMA integrity_check").fetchall()
    if verdict == [("ok",)]:
        return None
    return str(verdict[0][0]) if verdict else "no answer"


def is_good_copy(path: Path, revision: str | None = None) -> bool:
    """A whole careapp database whose schema matches its recorded revision (and is ``revision``)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        if integrity_problem(connection) is not None:
            return False
        recorded = recorded_revision(connection)
        if recorded is None or (revision is not None and recorded != revision):
            return False
        return schema_signature(connection) == expected_signature(recorded)
    except sqlite3.DatabaseError:
        return False
    finally:
        connection.close()


def last_good_copy(backup_dir: Path, revision: str) -> Path | None:
    """The newest before-migration copy at ``revision`` that is whole and not half-upgraded."""
    from careapp.db.backups import BackupKind, list_backups

    for copy in list_backups(backup_dir):
        if copy.kind is BackupKind.BEFORE_MIGRATION and is_good_copy(copy.path, revision):
            return copy.path
    return None


def holds_rows(connection: sqlite3.Connection) -> bool:
    """Whether any table (bar the schema version and careapp's own bookkeeping) holds a row."""
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'"
        )
    ]
    return any(connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in tables)


def drop_everything(connection: Any) -> None:
    """Drop every table, index and trigger (inside the caller's transaction): a first start that an
    older careapp left half done, holding no data, is set up again from nothing."""
    rows = connection.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name in sorted(rows, key=lambda row: row[0] != "trigger"):
        connection.exec_driver_sql(f'DROP {kind.upper()} IF EXISTS "{name}"')
