"""``careapp backup FILE`` and ``careapp restore FILE``: run on the database file itself, before any
services are built, so a restore checks the file before anything is opened or migrated."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from careapp.clock import utc_now
from careapp.config import Paths, ensure_private_dir
from careapp.db.database import DatabaseError, sqlite_path
from careapp.services.shop.connection import connect_url

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USER_ERROR = 2


def run_backup_command(command: str, paths: Paths, file: Path) -> int:
    database = sqlite_path(paths.database_url)
    if database is None:
        from careapp.services.shop.secrets import SecretUnavailable

        try:  # a shared server chosen for this computer: its password is in the keyring
            url = connect_url(paths)
        except SecretUnavailable as error:
            print(f"careapp: {error}", file=sys.stderr)
            return EXIT_FAILED
        return _postgres(command, url, file)
    if command == "backup":
        return _backup(database, file)
    ensure_private_dir(paths.data_dir)
    return _restore(database, paths.backup_dir, file)


def _backup(database: Path, file: Path) -> int:
    import sqlite3

    from careapp.db.backups import copy_database

    if not database.exists():
        print(f"careapp: there is no database at {database} to back up yet.", file=sys.stderr)
        return EXIT_USER_ERROR
    if file.is_dir():
        print(f"careapp: {file} is a folder; name the backup file to write in it.", file=sys.stderr)
        return EXIT_USER_ERROR
    if file.resolve() == database.resolve():
        print(
            "careapp: a backup cannot be written over the database itself; choose another file.",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    try:
        copy_database(database, file)
    except (OSError, sqlite3.Error) as error:
        print(f"careapp: could not write the backup {file}: {_reason(error)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backed up {database} to {file} (readable by you only).")
    return EXIT_OK


def _restore(database: Path, backup_dir: Path, file: Path) -> int:
    import sqlite3

    from careapp.db.backups import BackupRejected
    from careapp.services.shop.backups import restore_file

    try:
        outcome = restore_file(file, database, backup_dir, utc_now())
    except BackupRejected as error:
        print(f"careapp: nothing was restored: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except (OSError, sqlite3.Error) as error:
        print(f"careapp: the restore failed, the database is as it was: {_reason(error)}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the file is loaded in one transaction: whatever broke, nothing changed
        logging.getLogger(__name__).exception("restore of %s failed", file)
        print(
            f"careapp: the restore failed, the database is as it was: {_reason(error)} "
            "(the log has the details)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"Restored {file} into {database}.")
    if outcome.kept_copy is not None:
        print(f"The database it replaced is kept at {outcome.kept_copy}.")
    if outcome.from_revision != outcome.to_revision:
        print(f"Upgraded it from schema {outcome.from_revision} to {outcome.to_revision}.")
    return EXIT_OK


def _postgres(command: str, url: str, file: Path) -> int:
    from careapp.db import pg_backup  # only now: SQLite never needs pg_dump/pg_restore

    try:
        if command == "backup":
            pg_backup.dump(url, file)
            print(f"Backed up the PostgreSQL database to {file} (pg_dump).")
        else:
            pg_backup.restore(url, file)
            print(f"Restored {file} into the PostgreSQL database (pg_restore).")
            print("careapp upgrades it, if it is older, when it next opens it.")
    except pg_backup.BackupFileRejected as error:  # the file named was the problem: bad input
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except DatabaseError as error:  # its sentences say what happened and that nothing changed
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # the dump's folder could not be written: the partial file is gone
        print(f"careapp: could not write the backup {file}: {_reason(error)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)
