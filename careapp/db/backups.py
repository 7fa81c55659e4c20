"""Copies of the SQLite database file: rolling daily ones, ones before a migration, ones kept when a
restore replaced the database, and backing up to / restoring from any file.

Every copy is made with SQLite's online backup API, so it is consistent even while another
connection writes. A copy is written under a temporary name and renamed when complete, so a process
killed mid-copy never leaves a half file that looks like a backup.

Restoring copies the checked file *into* the live database through the same API: SQLite does that as
one write transaction under the database's lock, so other connections (another careapp on the same
file) see either the old database or the restored one, never a mixture, and a crash mid-restore
leaves the old database. Their screens still show what they had read, so close other careapp
windows before restoring (README: "Backups").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

DAILY_KEEP = 7
BEFORE_MIGRATION_KEEP = 5
REPLACED_KEEP = 5
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupKind(StrEnum):
    DAILY = "daily"
    BEFORE_MIGRATION = "before-migration"
    REPLACED = "replaced"
    MANUAL = "manual"


@dataclass(frozen=True)
class BackupFile:
    """One copy in the backups folder."""

    path: Path
    kind: BackupKind
    taken_at: dt.datetime  # local time of the file's last write
    size: int


class BackupRejected(Exception):
    """The file cannot be restored; the message says why in words. Nothing was changed."""


@dataclass(frozen=True)
class CheckedBackup:
    path: Path
    revision: str


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kept_copy: Path | None  # where the replaced database went (None: there was none)
    from_revision: str  # the schema of the restored file, before any migration


def copy_database(source: Path, target: Path) -> Path:
    """Copy a live database with the online backup API into ``target`` (0600), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # copies of personal data
    partial = target.with_name(target.name + ".part")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(partial, 0o600)
    try:
        _backup_api_copy(source, partial)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return target


def _backup_api_copy(source: Path, target: Path) -> None:
    # Read-only URI: copying never creates or changes the source (a missing file is an error).
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def daily_name(day: dt.date) -> str:
    return f"daily-{day:%Y%m%d}.db"


def ensure_daily_backup(
    database: Path, backup_dir: Path, today: dt.date, keep: int = DAILY_KEEP
) -> Path | None:
    """Today's daily copy if it is missing (None when it already exists), then prune old copies."""
    if not database.exists():
        return None
    target = backup_dir / daily_name(today)
    made = None
    if not target.exists():
        made = copy_database(database, target)
        log.info("daily backup written to %s", made)
    prune(backup_dir, keep)
    return made


def _kind_of(name: str) -> BackupKind | None:
    if not name.endswith(".db"):
        return None
    for kind in (BackupKind.DAILY, BackupKind.BEFORE_MIGRATION, BackupKind.REPLACED, BackupKind.MANUAL):
        if name.startswith(f"{kind.value}-"):
            return kind
    return None


def list_backups(backup_dir: Path) -> list[BackupFile]:
    """Every copy in the folder, newest first."""
    if not backup_dir.is_dir():
        return []
    found = []
    for path in backup_dir.iterdir():
        kind = _kind_of(path.name)
        if kind is None or not path.is_file():
            continue
        stat = path.stat()
        found.append(BackupFile(path, kind, taken_at(path.name, stat.st_mtime), stat.st_size))
    # Names carry the date (daily-YYYYMMDD, ...-YYYYMMDD-HHMMSS): newest first within equal times.
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def taken_at(name: str, mtime: float) -> dt.datetime:
    """When a copy was taken, local time: from its name's UTC stamp (…-YYYYMMDD-HHMMSS.db) or day
    (daily-YYYYMMDD.db), which survive copying the folder; the file's time where the name has none."""
    modified = dt.datetime.fromtimestamp(mtime)
    stamp = _stamp_of(name)
    try:
        if len(stamp) == 14:
            utc = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
            return utc.astimezone().replace(tzinfo=None)
        if len(stamp) == 8:
            day = dt.datetime.strptime(stamp, "%Y%m%d").date()
            return modified if modified.date() == day else dt.datetime.combine(day, dt.time())
    except ValueError:
        pass
    return modified


def prune(backup_dir: Path, daily_keep: int = DAILY_KEEP) -> list[Path]:
    """Delete all but the newest copies of each kind; manual copies are never deleted."""
    keep = {
        BackupKind.DAILY: daily_keep,
        BackupKind.BEFORE_MIGRATION: BEFORE_MIGRATION_KEEP,
        BackupKind.REPLACED: REPLACED_KEEP,
    }
    removed = []
    for kind, count in keep.items():
        # Names sort by date within a kind (daily-YYYYMMDD, before-migration-REV-YYYYMMDD-HHMMSS).
        copies = sorted(
            (b for b in list_backups(backup_dir) if b.kind is kind),
            key=lambda b: (_stamp_of(b.path.name), b.taken_at),
            reverse=True,
        )
        protected = _first_and_last_per_revision(copies) if kind is BackupKind.BEFORE_MIGRATION else set()
        for old in copies[max(count, 1) :]:
            if old.path in protected:
                continue
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()
                removed.append(old.path)
    return removed


def _first_and_last_per_revision(copies: list[BackupFile]) -> set[Path]:
    """The oldest and the newest before-migration copy of each schema revision. Retried starts add
    copies of one revision; the first was taken before any attempt (an older careapp copied the
    half-upgraded file at every failed start), the last is the newest good one: neither is pruned."""
    by_revision: dict[str, list[Path]] = {}
    for copy in copies:  # newest first
        revision = copy.path.name.removeprefix(f"{BackupKind.BEFORE_MIGRATION.value}-").split("-")[0]
        by_revision.setdefault(revision, []).append(copy.path)
    return {path for paths in by_revision.values() for path in (paths[0], paths[-1])}


def _stamp_of(name: str) -> str:
    """The date-time part of a backup's name (its last one or two dash-separated parts)."""
    parts = name.removesuffix(".db").split("-")
    digits = [p for p in parts if p.isdigit() and len(p) in (6, 8)]
    return "".join(digits)


def check_backup(path: Path, known_revisions: set[str], head: str) -> CheckedBackup:
    """Open the file read-only and check it is a whole careapp database this version can use."""
    if not path.is_file():
        raise BackupRejected(f"{path} does not exist or is not a file.")
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupRejected(f"{path} cannot be read: {error.strerror or error}.") from error
    if header != SQLITE_HEADER:
        raise BackupRejected(f"{path} is not a careapp database (it is not an SQLite file).")
    revision = _check_contents(path)
    if revision not in known_revisions:
        raise BackupRejected(
            f"{path} was made by a newer careapp (database schema {revision}; this careapp knows up to "
            f"{head}). Update careapp, then restore it."
        )
    from careapp.db.upgrade_safety import expected_signature, file_signature

    if file_signature(path) != expected_signature(revision):
        raise BackupRejected(
            f"{path} is a half-upgraded careapp database (its tables do not match its schema version "
            f"{revision}: an upgrade was stopped half way before it was copied). Choose an older copy."
        )
    return CheckedBackup(path, revision)


def _check_contents(path: Path) -> str:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupRejected(f"{path} cannot be opened: {error}.") from error
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchall()
        if verdict != [("ok",)]:
            first = verdict[0][0] if verdict else "no answer"
            raise BackupRejected(f"{path} is damaged (SQLite's integrity check says: {first}).")
        has_version = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_version:
            raise BackupRejected(f"{path} is an SQLite file but not a careapp database.")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRejected(f"{path} is damaged or not a database ({error}).") from error
    finally:
        connection.close()
    if row is None:
        raise BackupRejected(f"{path} is a careapp database that was never set up (no schema version).")
    return str(row[0])


def _page_size(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])
    finally:
        connection.close()


@contextlib.contextmanager
def _same_page_size(source: Path, database: Path) -> Iterator[Path]:
    """``source``, or a private copy of it with the database's page size: SQLite cannot back up into a
    WAL database from one whose pages are another size (it says "readonly database")."""
    if not database.exists() or database.stat().st_size == 0:
        yield source
        return
    wanted = _page_size(database)
    if _page_size(source) == wanted:
        yield source
        return
    resized = copy_database(source, database.with_name(database.name + ".restore.tmp"))
    try:
        connection = sqlite3.connect(resized)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.execute(f"PRAGMA page_size={wanted}")
            connection.execute("VACUUM")
        finally:
            connection.close()
        yield resized
    finally:
        for leftover in (resized, Path(f"{resized}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def restore_into(checked: CheckedBackup, database: Path, backup_dir: Path, now: dt.datetime) -> RestoreResult:
    """Keep a copy of the current database, then load the checked file into it (one transaction)."""
    kept = None
    if database.exists() and database.stat().st_size > 0:
        kept = copy_database(database, backup_dir / f"replaced-{now:%Y%m%d-%H%M%S}.db")
        log.info("kept the database being replaced at %s", kept)
    else:
        database.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(database, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    with _same_page_size(checked.path, database) as source:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(str(database), timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    os.chmod(database, 0o600)
    log.info("restored %s (schema %s) into %s", checked.path, checked.revision, database)
    return RestoreResult(checked.path, kept, checked.revision)
