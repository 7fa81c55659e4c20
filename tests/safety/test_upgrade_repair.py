"""A database an older careapp left half-upgraded (new tables committed, ``alembic_version`` still old)
is recognised, mended from the last good copy with a sentence, and never copied as if it were good;
a restore checks the file (and that it upgrades, on a scratch copy) before touching the database.

The half-upgraded files here are what the pysqlite driver's own transaction handling used to leave:
the schema-0004 fixture plus the CREATE TABLE of 0005's ``caldav_state`` (or, on a first start, the
tables of 0001 and no schema version).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from careapp.cli import main
from careapp.config import Paths, resolve_paths
from careapp.db.backups import BEFORE_MIGRATION_KEEP, list_backups
from careapp.db.database import DatabaseError, head_revision, open_database

pytestmark = pytest.mark.sqlite_only

FIXTURES = Path(__file__).parents[1] / "upgrades" / "fixtures"
NOW = dt.datetime(2026, 11, 23, 9, 30)


def table_sql(template: Path, table: str) -> str:
    with sqlite3.connect(template) as connection:
        row = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return str(row[0])


def half_upgrade(path: Path, template: Path) -> None:
    """What a kill right after "Running upgrade 0004 -> 0005" left: caldav_state committed, still 0004."""
    connection = sqlite3.connect(path)
    connection.execute(table_sql(template, "caldav_state"))
    connection.commit()
    connection.close()


def customer_names(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return [row[0] for row in connection.execute("SELECT first_name FROM customer ORDER BY id")]


def unchanged(path: Path, before: bytes) -> bool:
    """Every page as it was. Only the 100-byte file header may differ: opening the file switches it to
    WAL, which rewrites the journal-mode bytes, the change counter and the SQLite version stamp."""
    return path.read_bytes()[100:] == before[100:]


def revision_of(path: Path) -> str | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


@pytest.fixture
def old_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(FIXTURES / "schema-0004.db", folder / "careapp.db")
    return resolve_paths(str(folder))


def older_careapps_copies(paths: Paths, template: Path, failed_starts: int) -> Path:
    """The good copy the first attempt took, then one copy of the broken file per failed start."""
    paths.backup_dir.mkdir(mode=0o700, exist_ok=True)
    good = paths.backup_dir / "before-migration-0004-20261120-080000.db"
    shutil.copy(paths.data_dir / "careapp.db", good)
    half_upgrade(paths.data_dir / "careapp.db", template)
    for start in range(failed_starts):
        shutil.copy(
            paths.data_dir / "careapp.db",
            paths.backup_dir / f"before-migration-0004-2026112{start}-0900{start:02d}.db",
        )
    return good


def test_a_half_upgraded_file_is_mended_from_the_last_good_copy(old_folder: Paths, template_db: Path) -> None:
    database = old_folder.data_dir / "careapp.db"
    names = customer_names(database)
    good = older_careapps_copies(old_folder, template_db, failed_starts=BEFORE_MIGRATION_KEEP)
    db, report = open_database(old_folder.database_url, old_folder.backup_dir, NOW)
    db.dispose()
    assert report.repair_notice is not None and good.name in report.repair_notice
    assert "half-upgraded" in report.repair_notice
    assert (report.from_revision, report.to_revision) == ("0004", head_revision())
    assert revision_of(database) == head_revision() and customer_names(database) == names
    kept = list(old_folder.backup_dir.glob("replaced-*.db"))
    assert len(kept) == 1 and str(kept[0]) in report.repair_notice  # the broken file, for the curious
    assert good.exists()


def test_the_command_line_says_the_file_was_mended_and_carries_on(
    old_folder: Paths, template_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older_careapps_copies(old_folder, template_db, failed_starts=2)
    assert main(["--data-dir", str(old_folder.data_dir), "staff", "list"]) == 0
    err = capsys.readouterr().err
    assert "half-upgraded" in err and "put back the copy" in err and "Traceback" not in err
    assert main(["--data-dir", str(old_folder.data_dir), "staff", "list"]) == 0
    assert capsys.readouterr().err == ""  # mended once, then an ordinary start


def test_without_a_good_copy_it_refuses_in_words_and_copies_nothing(
    old_folder: Paths, template_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = old_folder.data_dir / "careapp.db"
    half_upgrade(database, template_db)
    before = database.read_bytes()
    for _start in range(BEFORE_MIGRATION_KEEP + 2):
        with pytest.raises(DatabaseError, match=r"half-upgraded.*careapp restore FILE"):
            open_database(old_folder.database_url, old_folder.backup_dir, NOW)
    assert unchanged(database, before)
    assert not list(old_folder.backup_dir.glob("before-migration-*"))  # never a copy of a broken file
    assert main(["--data-dir", str(old_folder.data_dir), "staff", "list"]) == 1
    err = capsys.readouterr().err
    assert "half-upgraded" in err and "Traceback" not in err and "already exists" not in err


def test_failed_starts_never_prune_the_first_copy_of_a_revision(
    old_folder: Paths, template_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    real_upgrade = command.upgrade

    def failing_upgrade(config: object, revision: str) -> None:
        if revision == "head":
            raise RuntimeError("the disk went away mid-upgrade")
        real_upgrade(config, revision)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", failing_upgrade)
    for start in range(BEFORE_MIGRATION_KEEP + 3):
        with pytest.raises(RuntimeError):
            open_database(old_folder.database_url, old_folder.backup_dir, NOW + dt.timedelta(minutes=start))
    copies = sorted(b.path.name for b in list_backups(old_folder.backup_dir))
    assert "before-migration-0004-20261123-093000.db" in copies  # the first, taken before any attempt
    assert len(copies) == BEFORE_MIGRATION_KEEP + 1
    assert revision_of(old_folder.data_dir / "careapp.db") == "0004"  # every attempt rolled back whole


def test_a_first_start_left_half_done_is_set_up_again(tmp_path: Path, template_db: Path) -> None:
    database = tmp_path / "careapp.db"
    connection = sqlite3.connect(database)
    for table in ("import_batch", "setting", "customer"):
        connection.execute(table_sql(template_db, table))
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.commit()
    connection.close()
    db, report = open_database(f"sqlite:///{database}", tmp_path / "backups", NOW)
    db.dispose()
    assert report.repair_notice is not None and "first start" in report.repair_notice
    assert revision_of(database) == head_revision()
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_leftover_tables_holding_data_are_never_dropped(tmp_path: Path, template_db: Path) -> None:
    database = tmp_path / "careapp.db"
    connection = sqlite3.connect(database)
    connection.execute(table_sql(template_db, "setting"))
    connection.execute("INSERT INTO setting (key, value_json, version) VALUES ('shop', '{}', 1)")
    connection.commit()
    connection.close()
    before = database.read_bytes()
    with pytest.raises(DatabaseError, match="holds tables and data but no careapp schema version"):
        open_database(f"sqlite:///{database}", tmp_path / "backups", NOW)
    assert unchanged(database, before)


def test_a_damaged_file_is_neither_copied_nor_upgraded(old_folder: Paths) -> None:
    database = old_folder.data_dir / "careapp.db"
    data = bytearray(database.read_bytes())
    data[3 * 4096 : 3 * 4096 + 200] = b"\xff" * 200
    database.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="damaged"):
        open_database(old_folder.database_url, old_folder.backup_dir, NOW)
    assert unchanged(database, bytes(data))
    assert not list(old_folder.backup_dir.glob("before-migration-*"))


# --- restore ----------------------------------------------------------------------------------------


def test_restore_of_a_half_upgraded_copy_is_refused_before_anything_changes(
    paths: Paths, tmp_path: Path, template_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = paths.data_dir / "careapp.db"
    before = database.read_bytes()
    broken = tmp_path / "before-migration-0004-20261123-090000.db"
    shutil.copy(FIXTURES / "schema-0004.db", broken)
    half_upgrade(broken, template_db)
    assert main(["--data-dir", str(paths.data_dir), "restore", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "nothing was restored" in err and "half-upgraded" in err and "Traceback" not in err
    assert database.read_bytes() == before
    assert not list(paths.backup_dir.glob("replaced-*.db"))


def test_restore_of_a_file_that_does_not_upgrade_changes_nothing(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic import command
    from alembic.util.exc import CommandError

    database = paths.data_dir / "careapp.db"
    before = database.read_bytes()
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-0004.db", old)
    real_upgrade = command.upgrade

    def failing_upgrade(config: object, revision: str) -> None:
        if revision == "head":
            raise CommandError("0005 could not be applied")
        real_upgrade(config, revision)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", failing_upgrade)
    assert main(["--data-dir", str(paths.data_dir), "restore", str(old)]) == 2
    err = capsys.readouterr().err
    assert "nothing was restored" in err and "could not be upgraded" in err and "0005 could not" in err
    assert database.read_bytes() == before
    assert not list(paths.backup_dir.glob("replaced-*.db"))
    assert not list(paths.backup_dir.glob(".restore-check-*"))


def test_restore_of_an_older_copy_lands_upgraded(paths: Paths, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-0004.db", old)
    names = customer_names(old)
    assert main(["--data-dir", str(paths.data_dir), "restore", str(old)]) == 0
    database = paths.data_dir / "careapp.db"
    assert revision_of(database) == head_revision() and customer_names(database) == names
    assert not list(paths.backup_dir.glob(".restore-check-*"))
