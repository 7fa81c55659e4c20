"""What happens to an SQLite file before its schema is upgraded: it is checked, mended when an older
careapp left it half-upgraded, and copied only when it is whole.

A copy is the way back when an upgrade goes wrong, so it is never taken of a damaged or half-upgraded
file (an older careapp did, once per failed start, until the one good copy was pruned away).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from careapp.db.database import DatabaseError
from careapp.db.upgrade_safety import (
    expected_signature,
    holds_rows,
    integrity_problem,
    known_revision,
    last_good_copy,
    recorded_revision,
    schema_signature,
)

log = logging.getLogger(__name__)

_RESTORE_HINT = "Restore a backup with 'careapp restore FILE' (or File → Backups… in the window)."


@dataclass(frozen=True)
class PreparedUpgrade:
    revision: str | None  # the file's schema revision once mended (None: a new, empty file)
    backup_path: Path | None  # the copy of the file as it was before the upgrade
    notice: str | None  # a sentence for the user when the file was mended
    start_over: bool  # the upgrade must first drop a first start's leftovers (no data in them)


@dataclass(frozen=True)
class _State:
    revision: str | None
    matches: bool
    holds_rows: bool


def prepare_upgrade(path: Path, backup_dir: Path | None, now: dt.datetime) -> PreparedUpgrade:
    """Check the file about to be upgraded, mend it or refuse with a sentence, copy it."""
    state = _inspect(path)
    if state.revision is None:
        return _first_start(path, state)
    if not state.matches:
        return _mend_half_upgrade(path, state.revision, backup_dir, now)
    return PreparedUpgrade(
        state.revision, _copy_before_upgrade(path, state.revision, backup_dir, now), None, False
    )


def _inspect(path: Path) -> _State:
    connection = sqlite3.connect(str(path), timeout=30)
    try:
        problem = integrity_problem(connection)
        if problem is not None:
            raise DatabaseError(
                f"The customer database {path} is damaged (SQLite's integrity check says: {problem}), so "
                f"careapp did not upgrade it and changed nothing. {_RESTORE_HINT}"
            )
        revision = recorded_revision(connection)
        if revision is not None and not known_revision(revision):
            raise DatabaseError(
                f"The customer database {path} was made by a newer careapp (schema {revision}); this "
                "careapp cannot open it. Update careapp, then start it again."
            )
        signature = schema_signature(connection)
        matches = signature == expected_signature(revision)
        return _State(revision, matches, holds_rows(connection) if revision is None and signature else False)
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            f"careapp could not read the customer database {path} ({error}), so it changed nothing. "
            f"{_RESTORE_HINT}"
        ) from error
    finally:
        connection.close()


def _first_start(path: Path, state: _State) -> PreparedUpgrade:
    if state.matches:  # a new, empty file
        return PreparedUpgrade(None, None, None, False)
    if state.holds_rows:
        raise DatabaseError(
            f"{path} holds tables and data but no careapp schema version, so careapp did not touch it. "
            "If it is not a careapp database, choose another data folder; otherwise " + _RESTORE_HINT
        )
    notice = (
        "careapp's first start on this database had been stopped half way; it held no data yet, so "
        "careapp set it up again from the start."
    )
    log.warning("%s (%s)", notice, path)
    return PreparedUpgrade(None, None, notice, True)


def _mend_half_upgrade(
    path: Path, revision: str, backup_dir: Path | None, now: dt.datetime
) -> PreparedUpgrade:
    from careapp.db.backups import CheckedBackup, restore_into

    good = last_good_copy(backup_dir, revision) if backup_dir is not None else None
    if good is None or backup_dir is None:
        raise DatabaseError(
            f"The customer database {path} was left half-upgraded (an earlier careapp was stopped during "
            f"an upgrade from schema {revision}), and no good copy taken before that upgrade is left, so "
            f"careapp changed nothing. {_RESTORE_HINT}"
        )
    result = restore_into(CheckedBackup(good, revision), path, backup_dir, now)
    notice = (
        "The customer database had been left half-upgraded by an earlier careapp that was stopped during "
        f"an upgrade; careapp put back the copy taken just before that upgrade ({good.name}) and upgraded "
        f"it again. The half-upgraded file is kept at {result.kept_copy}."
    )
    log.warning("%s", notice)
    return PreparedUpgrade(revision, good, notice, False)


def _copy_before_upgrade(path: Path, revision: str, backup_dir: Path | None, now: dt.datetime) -> Path | None:
    if backup_dir is None:
        return None
    from careapp.db.backups import copy_database, prune

    stamp = now.strftime("%Y%m%d-%H%M%S")
    copy = copy_database(path, backup_dir / f"before-migration-{revision}-{stamp}.db")
    log.info("copied the database to %s before migrating", copy)
    prune(backup_dir)
    return copy
