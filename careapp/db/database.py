"""Engine and session set-up, and the start-up migration with its safety copy.

Threading contract: a ``Database`` may be shared between threads; each unit of work opens
its own short session through :meth:`Database.session` and must not hand ORM objects to
another thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from careapp.db.changes import ChangeTracker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PG_CONNECT_TIMEOUT = 10  # seconds


class DatabaseError(Exception):
    """A database problem explained in words for the user."""


# SQLite's words for a file the app cannot write, and what the user can do about each.
_STORAGE_PROBLEMS = (
    (
        "database or disk is full",
        "The disk holding the customer database is full, so the change was not saved. "
        "Free some space (or move the data folder), then try again.",
    ),
    (
        "attempt to write a readonly database",
        "The customer database is read-only, so the change was not saved. Check that the file and its "
        "folder can be written by you (and that the disk is not mounted read-only), then try again.",
    ),
    (
        "unable to open database file",
        "careapp could not open the customer database file. Check that its folder exists, can be "
        "written by you and that its disk is connected, then try again.",
    ),
)


def storage_problem(error: BaseException) -> DatabaseError | None:
    """A full disk, a read-only file or a missing folder, said in words; None for anything else."""
    original = getattr(error, "orig", error)
    if type(original).__module__.startswith("psycopg"):
        return server_problem(original)
    if not isinstance(original, sqlite3.OperationalError):
        return None
    text = str(original).lower()
    for words, sentence in _STORAGE_PROBLEMS:
        if words in text:
            return DatabaseError(sentence)
    return None


def server_problem(original: BaseException) -> DatabaseError | None:
    """A PostgreSQL server that went away, is full, or refused a too-long value, said in words."""
    from psycopg import OperationalError as ServerUnreachable
    from psycopg import errors

    if isinstance(original, errors.StringDataRightTruncation):
        return DatabaseError(
            "A value is longer than the database keeps, so the change was not saved. Shorten it, then "
            "try again."
        )
    if isinstance(original, errors.DiskFull):
        return DatabaseError(
            "The database server's disk is full, so the change was not saved. Ask whoever runs the "
            "server to free some space, then try again."
        )
    # No SQLSTATE: the client lost or could not make the connection; 08: connection exceptions;
    # 57P: the server shut down; 3D000/28: the database or the login is gone.
    state = getattr(original, "sqlstate", None) or ""
    if isinstance(original, ServerUnreachable) and (not state or state.startswith(_CONNECTION_STATES)):
        return DatabaseError(
            "careapp lost its connection to the database server (or the server refused it), so the "
            "last change was not saved. Check the network and that the server is running, then try "
            f"again. The server said: {_first_line(original)}"
        )
    return None


_CONNECTION_STATES = ("08", "57P", "3D000", "28")


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup_path: Path | None
    # A sentence when the file had to be mended before the upgrade (half-upgraded by an older careapp).
    repair_notice: str | None = None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_postgresql(url: str) -> bool:
    return normalize_url(url).get_backend_name() == "postgresql"


def normalize_url(url: str) -> URL:
    """The URL SQLAlchemy should open: PostgreSQL always through psycopg 3 (the one driver careapp
    ships), so ``postgresql://`` and ``postgres://`` work as people write them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.query.get("uri") == "true" and parsed.database.startswith("file:"):
        # A URI filename (sqlite:///file:/path?mode=ro&uri=true): the path is after "file:".
        return Path(parsed.database.removeprefix("file:"))
    return Path(parsed.database)


def _read_only(url: str) -> bool:
    return make_url(url).query.get("mode") == "ro"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode; only a power cut can lose
    # the last commits, never corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left in free pages (erasure)
    cursor.close()


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None and not _read_only(url):
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private_file(path)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if is_postgresql(url):
        from careapp.db.models import declare_postgresql_indexes

        declare_postgresql_indexes()
    return create_engine(
        normalize_url(url),
        pool_pre_ping=True,
        # A server that does not answer is reported after seconds, not after the OS's minutes.
        # No statements prepared by psycopg: a prepared search (LIKE with the term as a parameter)
        # falls to a generic plan that cannot use the trigram index (migration 0016): 310 ms p95 per
        # keystroke at 100,000 customers, against 54 ms planned for each term.
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT,
            "application_name": "careapp",
            "prepare_threshold": None,
        }
        if is_postgresql(url)
        else {},
    )


def refresh_statistics(session: Session, tables: Sequence[str]) -> None:
    """At the end of a bulk write (an import, demo data), inside its transaction: on PostgreSQL,
    ANALYZE the ``tables`` written, so the planner knows their new sizes at once. Until autovacuum
    got round to it, a search keystroke over 20,000 fresh customers sorted every match (8.5 ms)
    instead of walking the name index to the first 200 (0.4 ms). Inside the transaction (ANALYZE
    counts its own uncommitted rows), a kill before the commit leaves nothing behind, the statistics
    included. SQLite plans without statistics: nothing to do there."""
    if tables and session.get_bind().dialect.name == "postgresql":
        quote = session.get_bind().dialect.identifier_preparer.quote
        session.connection().exec_driver_sql("ANALYZE " + ", ".join(quote(table) for table in tables))


def _create_private_file(path: Path) -> None:
    """Create the database file readable by the user only, before SQLite creates it."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


class Database:
    """The engine plus a session factory. Services open one short session per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Every commit that writes bumps the change counter (seeing other seats' work).
        self.changes = ChangeTracker(self._sessions)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A full disk, a read-only file or a database server that cannot be reached raises
        :class:`DatabaseError` with a sentence (the transaction is rolled back, so nothing is half
        saved)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except DBAPIError as error:
            problem = storage_problem(error)
            if problem is None:
                raise
            log.warning("database write failed: %s", error)
            raise problem from error

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


# A migration file's own lines naming it and its parent, as scripts/new_migration.py writes them.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(?:'([^']*)'|\"([^\"]*)\"|None)\s*$", re.M)


def head_revision() -> str:
    """The newest migration's id. Read from the migration files' ``revision``/``down_revision`` lines:
    asking Alembic means importing it, 0.1-0.4 s of every command's and window's start even when the
    schema is already at head. Anything but one straight chain (a merge, a branch, a line this does not
    read) is left to Alembic."""
    head = _head_of_chain(MIGRATIONS_DIR / "versions")
    return head if head is not None else _alembic_head()


def _head_of_chain(versions: Path) -> str | None:
    parents: dict[str, str | None] = {}
    for path in versions.glob("*.py"):
        found = _REVISION_LINE.finditer(path.read_text("utf-8"))
        lines = {m.group(1): m.group(2) or m.group(3) for m in found}
        if "revision" not in lines or "down_revision" not in lines:
            return None
        parents[str(lines["revision"])] = lines["down_revision"]
    children = {parent for parent in parents.values() if parent is not None}
    heads = [revision for revision in parents if revision not in children]
    chained = all(parent is None or parent in parents for parent in parents.values())
    return heads[0] if len(heads) == 1 and chained else None


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no head revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database (None: never migrated), read with one SELECT rather than
    through Alembic (see :func:`head_revision`); a version table with several rows (branches) is
    left to Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) <= 1:
        return rows[0] if rows else None
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, backup_dir: Path | None, now: dt.datetime) -> MigrationReport:
    """Bring the schema to head. An SQLite file is checked first (whole, and its schema what its
    revision says), mended if an older careapp left it half-upgraded, copied, then upgraded in one
    real transaction: a kill at any moment leaves either the old schema or the new one."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return MigrationReport(current, head, None)
    url = engine.url.render_as_string(hide_password=False)
    path = sqlite_path(url)
    if path is None:
        # PostgreSQL's DDL is transactional: engine.begin() is already one real transaction.
        _upgrade(engine, start_over=False)
        engine.dispose()
        log.info("database migrated from %s to %s", current, head)
        return MigrationReport(current, head, None)
    from careapp.db.upgrade_guard import prepare_upgrade
    from careapp.db.upgrade_safety import atomic_sqlite_engine

    # The app's engine may hold a pooled connection; the upgrade runs on its own connection.
    engine.dispose()
    prepared = prepare_upgrade(path, backup_dir, now)
    migration_engine = atomic_sqlite_engine(url)
    try:
        _upgrade(migration_engine, start_over=prepared.start_over)
    finally:
        migration_engine.dispose()
    log.info("database migrated from %s to %s", prepared.revision, head)
    return MigrationReport(prepared.revision, head, prepared.backup_path, prepared.notice)


def _upgrade(engine: Engine, start_over: bool) -> None:
    from alembic import command

    with engine.begin() as connection:
        if start_over:
            from careapp.db.upgrade_safety import drop_everything

            drop_everything(connection)
        command.upgrade(alembic_config(connection), "head")
    # The migration connection ran with foreign keys off (SQLite ignores turning them back on
    # inside a transaction); drop it so every later connection gets the normal pragmas.
    engine.dispose()


def open_database(
    url: str, backup_dir: Path | None, now: dt.datetime, *, daily_backup: bool = True
) -> tuple[Database, MigrationReport]:
    """Open and migrate; then today's copy, unless ``daily_backup`` is false (the window takes it
    on its background thread once the queue shows: copying 400 MB must not come first)."""
    engine = make_engine(url)
    try:
        report = migrate(engine, backup_dir, now)
    except Exception:
        engine.dispose()
        raise
    if daily_backup:
        take_daily_backup(url, backup_dir, now)
    return Database(engine), report


def take_daily_backup(url: str, backup_dir: Path | None, now: dt.datetime) -> Path | None:
    """Today's rolling copy of an SQLite file if it is missing; a failure is logged, not fatal
    (the app must still open on a nearly full disk, where the copy is what fails first)."""
    path = sqlite_path(url)
    if path is None or backup_dir is None:
        return None
    from careapp.clock import to_local
    from careapp.db.backups import ensure_daily_backup

    try:
        return ensure_daily_backup(path, backup_dir, to_local(now).date())
    except (OSError, sqlite3.Error) as error:
        log.warning("could not write today's backup to %s: %s", backup_dir, error)
        return None
