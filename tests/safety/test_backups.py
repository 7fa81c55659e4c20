"""Backups on real SQLite files: the rolling daily copy, ``careapp backup``/``restore`` (the file is
checked before anything is replaced, the replaced database is kept, an older schema is upgraded)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command

from careapp.cli import main
from careapp.config import Paths
from careapp.db.backups import BEFORE_MIGRATION_KEEP, DAILY_KEEP, daily_name, list_backups, prune
from careapp.db.database import alembic_config, head_revision, make_engine, open_database
from careapp.domain.customer import CustomerDraft
from careapp.services.shop.backups import BackupRejected, BackupService

NOW = dt.datetime(2026, 11, 23, 9, 30)


def add_customer(database: Path, first: str) -> None:
    from careapp.services.customers.service import CustomerService

    db, _ = open_database(f"sqlite:///{database}", None, NOW)
    try:
        CustomerService(db, lambda: NOW).create(CustomerDraft(first_name=first, last_name="Test"), "Sam")
    finally:
        db.dispose()


def first_names(database: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT first_name FROM customer ORDER BY id")]
    finally:
        connection.close()


def test_opening_takes_one_daily_copy_per_day_and_keeps_the_last_seven(paths: Paths) -> None:
    database = paths.data_dir / "careapp.db"
    add_customer(database, "Ann")
    old_days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(10)]
    paths.backup_dir.mkdir()
    for day in old_days:
        (paths.backup_dir / daily_name(day)).write_bytes(database.read_bytes())
    db, _ = open_database(paths.database_url, paths.backup_dir, NOW)
    db.dispose()
    today = paths.backup_dir / daily_name(dt.date(2026, 11, 23))
    assert first_names(today) == ["Ann"]
    assert stat.S_IMODE(today.stat().st_mode) == 0o600
    daily = sorted(p.name for p in paths.backup_dir.glob("daily-*.db"))
    assert daily == [daily_name(d) for d in old_days[-(DAILY_KEEP - 1) :]] + [today.name]
    add_customer(database, "Bob")  # opens again the same day: today's copy stays as it was
    db, _ = open_database(paths.database_url, paths.backup_dir, NOW + dt.timedelta(hours=3))
    db.dispose()
    assert first_names(today) == ["Ann"]
    assert not list(paths.backup_dir.glob("*.part"))


def test_before_migration_copies_are_pruned_to_the_last_few(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for i in range(BEFORE_MIGRATION_KEEP + 3):
        (folder / f"before-migration-0003-2026010{i}-120000.db").write_bytes(b"x")
    (folder / "manual-20200101-000000.db").write_bytes(b"x")
    prune(folder)
    left = sorted(p.name for p in folder.glob("before-migration-*.db"))
    # The newest few, and the first one of the revision (taken before any retried start).
    assert left == [
        f"before-migration-0003-2026010{i}-120000.db" for i in (0, *range(3, BEFORE_MIGRATION_KEEP + 3))
    ]
    assert (folder / "manual-20200101-000000.db").exists()  # copies the user asked for stay


def test_cli_backup_writes_a_private_consistent_copy(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    add_customer(paths.data_dir / "careapp.db", "Ann")
    target = paths.data_dir.parent / "copy.db"
    assert main(["--data-dir", str(paths.data_dir), "backup", str(target)]) == 0
    assert "Backed up" in capsys.readouterr().out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert first_names(target) == ["Ann"]
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_cli_restore_keeps_the_replaced_database(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    database = paths.data_dir / "careapp.db"
    add_customer(database, "Ann")
    backup = paths.data_dir.parent / "monday.db"
    assert main(["--data-dir", str(paths.data_dir), "backup", str(backup)]) == 0
    add_customer(database, "Bob")
    assert main(["--data-dir", str(paths.data_dir), "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert first_names(database) == ["Ann"]
    kept = list(paths.backup_dir.glob("replaced-*.db"))
    assert len(kept) == 1 and first_names(kept[0]) == ["Ann", "Bob"]
    assert str(kept[0]) in out
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def _write(path: Path, sql: str) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(sql)
    connection.close()


def bad_files(tmp_path: Path, good: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("customers: Ann, Bob\n")
    foreign = tmp_path / "other-app.db"
    _write(foreign, "CREATE TABLE things (id INTEGER);")
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    _write(newer, "UPDATE alembic_version SET version_num = '9999';")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    data[3 * page : 3 * page + 200] = b"\xff" * 200  # scribble over a b-tree page
    damaged.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: len(data) // 2])
    return {
        "text": (text, "not an SQLite file"),
        "foreign": (foreign, "not a careapp database"),
        "newer": (newer, "newer careapp"),
        "damaged": (damaged, "damaged"),
        "truncated": (truncated, "damaged"),
        "missing": (tmp_path / "nowhere.db", "does not exist"),
    }


def test_restore_refuses_what_it_cannot_use_and_changes_nothing(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = paths.data_dir / "careapp.db"
    add_customer(database, "Ann")
    good = tmp_path / "good.db"
    assert main(["--data-dir", str(paths.data_dir), "backup", str(good)]) == 0
    add_customer(database, "Bob")
    for name, (path, words) in bad_files(tmp_path, good).items():
        capsys.readouterr()
        assert main(["--data-dir", str(paths.data_dir), "restore", str(path)]) == 2, name
        err = capsys.readouterr().err
        assert "nothing was restored" in err and words in err, (name, err)
        assert "Traceback" not in err
    assert first_names(database) == ["Ann", "Bob"]
    assert not list(paths.backup_dir.glob("replaced-*.db"))


def test_restore_of_an_older_schema_upgrades_it(paths: Paths, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        connection.exec_driver_sql(
            "INSERT INTO customer (id, first_name, last_name, company, display_name, sort_name, street, city,"
            " region, postcode, country, loyalty_stage, notes, primary_email, primary_phone, tags_text,"
            " search_text, created_at, updated_at, updated_by, version) VALUES (1, 'Old', 'Timer', '',"
            " 'Old Timer', 'timer old', '', '', '', '', '', 'client', '', '', '', '', 'old timer',"
            " '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'x', 1)"
        )
    engine.dispose()
    service = BackupService(paths.database_url, paths.backup_dir, lambda: NOW)
    assert service.check(old) == "0002"
    outcome = service.restore(old)
    assert (outcome.from_revision, outcome.to_revision) == ("0002", head_revision())
    assert first_names(paths.data_dir / "careapp.db") == ["Old"]
    db, report = open_database(paths.database_url, paths.backup_dir, NOW)
    db.dispose()
    assert report.from_revision == head_revision()


def test_service_lists_copies_with_kind_and_size(paths: Paths) -> None:
    service = BackupService(paths.database_url, paths.backup_dir, lambda: NOW)
    made = service.back_up_now()
    service.daily()
    listed = service.list()
    assert {b.kind.value for b in listed} == {"manual", "daily"}
    assert made.path in {b.path for b in listed}
    assert all(b.size == os.path.getsize(b.path) and b.size > 0 for b in listed)
    with pytest.raises(BackupRejected, match="over the database itself"):
        service.back_up_to(paths.data_dir / "careapp.db")
    assert list_backups(paths.backup_dir)[0].path in {b.path for b in listed}


def test_restore_of_a_file_with_another_page_size(paths: Paths, tmp_path: Path) -> None:
    """SQLite refuses to back up into a WAL database from other-sized pages; restore copes."""
    database = paths.data_dir / "careapp.db"
    add_customer(database, "Ann")
    small = tmp_path / "small-pages.db"
    assert main(["--data-dir", str(paths.data_dir), "backup", str(small)]) == 0
    connection = sqlite3.connect(small)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("PRAGMA page_size=1024")
    connection.execute("VACUUM")
    assert connection.execute("PRAGMA page_size").fetchone() == (1024,)
    connection.close()
    add_customer(database, "Bob")
    assert main(["--data-dir", str(paths.data_dir), "restore", str(small)]) == 0
    assert first_names(database) == ["Ann"]
    assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list(paths.data_dir.glob("*.restore.tmp*"))
