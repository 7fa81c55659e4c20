"""Backups and restore as use cases: list the copies, back up now, check a file, restore it.

Plain data out (:class:`BackupInfo`, :class:`RestoreOutcome`). Threading: call from the database
thread (the runner); a restore must not overlap other database work of this process, which the
runner's single worker guarantees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
    from careapp.db.database import make_engine, migrate

    checked = check_file(source)
    result = restore_into(checked, database, backup_dir, now)
    engine = make_engine(f"sqlite:///{database}")
    try:
        report = migrate(engine, backup_dir, now)
    finally:
        engine.dispose()
    return RestoreOutcome(source, result.kept_copy, result.from_revision, report.to_revision)


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
