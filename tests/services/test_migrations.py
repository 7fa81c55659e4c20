"""The schema comes from Alembic, and the models agree with it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.util.exc import CommandError
from sqlalchemy import text

from careapp.db.database import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    open_database,
)
from careapp.db.models import Base, kept_on

# SQLite files: WAL and foreign-key pragmas, file permissions, the copy taken before migrating a file.
# The same migrations on PostgreSQL: tests/services/test_postgresql.py.
pytestmark = pytest.mark.sqlite_only

NOW = dt.datetime(2026, 11, 23, 9, 0)


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine, None, NOW)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": kept_on(connection.dialect.name)}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models differ from migrations; run scripts/new_migration.py: {diff}"


def test_fresh_database_is_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db, report = open_database(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "backups", NOW)
    assert report.from_revision is None and report.to_revision == head_revision()
    assert report.backup_path is None  # nothing to protect in a new file
    with db.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_database_file_is_private(tmp_path: Path) -> None:
    db, _ = open_database(f"sqlite:///{tmp_path / 'x.db'}", None, NOW)
    db.dispose()
    assert os.stat(tmp_path / "x.db").st_mode & 0o077 == 0


def test_existing_database_is_copied_before_migrating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
        connection.execute(text("INSERT INTO setting (key, value_json, version) VALUES ('marker', '1', 1)"))
    engine.dispose()

    real_upgrade = command.upgrade

    def broken_upgrade(config: Any, revision: str) -> None:
        if revision == "head":  # the start-up upgrade (checking a file's schema upgrades to its revision)
            raise CommandError("the upgrade broke half way")
        real_upgrade(config, revision)

    # The upgrade fails; the copy must have been taken before it, and the file is still at 0007.
    monkeypatch.setattr(command, "upgrade", broken_upgrade)
    backups = tmp_path / "backups"
    with pytest.raises(CommandError, match="half way"):
        open_database(f"sqlite:///{path}", backups, NOW)
    copies = list(backups.glob("before-migration-0007-*.db"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("SELECT value_json FROM setting WHERE key='marker'").fetchone() == ("1",)
    assert current_revision(make_engine(f"sqlite:///{path}")) == "0007"


def test_a_file_from_a_newer_careapp_is_refused_with_a_sentence_and_not_copied(tmp_path: Path) -> None:
    from careapp.db.database import DatabaseError

    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, None, NOW)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    backups = tmp_path / "backups"
    with pytest.raises(DatabaseError, match=r"newer careapp \(schema 9999\)"):
        open_database(f"sqlite:///{path}", backups, NOW)
    assert not list(backups.glob("before-migration-*"))


def test_upgrade_at_head_is_a_no_op(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    db, _ = open_database(url, tmp_path / "b", NOW)
    db.dispose()
    db, report = open_database(url, tmp_path / "b", NOW)
    assert report.from_revision == report.to_revision == head_revision()
    assert current_revision(db.engine) == head_revision()
    # No copy before a migration that did not run; only the day's rolling copy (taken once).
    from careapp.clock import to_local
    from careapp.db.backups import daily_name

    assert [p.name for p in (tmp_path / "b").iterdir()] == [daily_name(to_local(NOW).date())]
    db.dispose()
