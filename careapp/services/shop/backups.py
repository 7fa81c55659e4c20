"""Backups and restore as use cases: list the copies, back up now, check a file, restore it.

Plain data out (:class:`BackupInfo`, :class:`RestoreOutcome`). Threading: call from the database
thread (the runner); a restore must not overlap other database work of this process, which the
runner's single worker guarantees.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from careapp.clock import to_local
from careapp.db.backups import (
    BackupKind,
    BackupRejected,
    CheckedBackup,
    check_backup,
    copy_database,
    ensure_daily_backup,
    list_backups,
    restore_into,
)
from careapp.db.database import DatabaseError, head_revision, sqlite_path

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

__all__ = ["BackupInfo", "BackupRejected", "BackupService", "RestoreOutcome", "known_revisions"]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: BackupKind
    taken_at: dt.datetime  # local time
    size: int


@dataclass(frozen=True)
class RestoreOutcome:
    source: Path
    kept_copy: Path | None
    from_revision: str
    to_revision: str  # head after the migration (== from_revision when none was needed)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from careapp.db.database import alembic_config

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_file(path: Path) -> CheckedBackup:
    """Raises BackupRejected with a sentence when ``path`` cannot be restored."""
    return check_backup(path, known_revisions(), head_revision())


def restore_file(source: Path, database: Path, backup_dir: Path, now: dt.datetime) -> RestoreOutcome:
    """Check ``source``, keep the current database, load the source into it, migrate it to head.

    Works on the file alone (no services open on it), so the CLI can restore a database that the
    current careapp could not even open."""
    checked = check_file(source)
    with _upgraded_scratch_copy(checked, backup_dir, now) as upgraded:
        # The database is touched only now, by one transaction, with a file already at head.
        result = restore_into(upgraded, database, backup_dir, now)
    return RestoreOutcome(source, result.kept_copy, checked.revision, upgraded.revision)


_SCRATCH_PREFIX = ".restore-check-"


@contextmanager
def _upgraded_scratch_copy(
    checked: CheckedBackup, backup_dir: Path, now: dt.datetime
) -> Iterator[CheckedBackup]:
    """A private copy of the checked file, upgraded to this careapp's schema: a file that does not
    open or upgrade is refused (BackupRejected) before the database is touched."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from careapp.db.database import make_engine, migrate

    for leftover in backup_dir.glob(f"{_SCRATCH_PREFIX}*"):  # from a restore that was killed
        leftover.unlink(missing_ok=True)
    scratch = backup_dir / f"{_SCRATCH_PREFIX}{now:%Y%m%d-%H%M%S}.tmp"
    try:
        try:
            copy_database(checked.path, scratch)
            engine = make_engine(f"sqlite:///{scratch}")
            try:
                report = migrate(engine, None, now)
            finally:
                engine.dispose()
        except (DatabaseError, CommandError, sqlite3.Error, SQLAlchemyError) as error:
            log.warning("restore check: %s did not upgrade", checked.path, exc_info=True)
            raise BackupRejected(
                f"{checked.path} could not be upgraded to this careapp's schema ({_first_line(error)})."
            ) from error
        yield CheckedBackup(scratch, report.to_revision)
    finally:
        for path in (scratch, *(Path(f"{scratch}{end}") for end in ("-wal", "-shm", "-journal"))):
            path.unlink(missing_ok=True)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class BackupService:
    """The copies of this SQLite database. Only for SQLite URLs (PostgreSQL: pg_dump, see README)."""

    def __init__(self, database_url: str, backup_dir: Path, clock: Clock) -> None:
        path = sqlite_path(database_url)
        if path is None:
            raise DatabaseError(
                "Backups from careapp are for a database on this computer; a shared PostgreSQL "
                "server is backed up with pg_dump (see the README)."
            )
        self.database = path
        self.backup_dir = backup_dir
        self._clock = clock

    def list(self) -> list[BackupInfo]:
        return [BackupInfo(b.path, b.kind, b.taken_at, b.size) for b in list_backups(self.backup_dir)]

    def back_up_now(self) -> BackupInfo:
        # Stamped in UTC like the before-migration copies (a clock change cannot reorder them).
        stamp = self._clock()
        target = copy_database(self.database, self.backup_dir / f"manual-{stamp:%Y%m%d-%H%M%S}.db")
        stat = target.stat()
        return BackupInfo(target, BackupKind.MANUAL, dt.datetime.fromtimestamp(stat.st_mtime), stat.st_size)

    def back_up_to(self, target: Path) -> Path:
        if target.resolve() == self.database.resolve():
            raise BackupRejected("A backup cannot be written over the database itself; choose another file.")
        return copy_database(self.database, target)

    def daily(self, keep: int | None = None) -> Path | None:
        today = to_local(self._clock()).date()
        return ensure_daily_backup(self.database, self.backup_dir, today, *(() if keep is None else (keep,)))

    def check(self, source: Path) -> str:
        """The schema revision of a restorable file; raises BackupRejected otherwise."""
        return check_file(source).revision

    def restore(self, source: Path) -> RestoreOutcome:
        return restore_file(source, self.database, self.backup_dir, self._clock())
