"""A full disk and a read-only database give a sentence, not a traceback, and change nothing.

How they are made honestly on a machine where the tests may run as root (where chmod does not stop
writes): read-only is SQLite's own ``mode=ro`` URI (the file opened read-only: the same
SQLITE_READONLY a 0400 file gives a normal user); a full disk is ``PRAGMA max_page_count`` at the
file's current size (SQLite then reports SQLITE_FULL, "database or disk is full", the same error path
as a disk with no space left)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from careapp.config import Paths
from careapp.db.database import Database, DatabaseError, make_engine
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService

NOW = dt.datetime(2026, 11, 23, 9, 30)


def read_only_database(path: Path) -> Database:
    return Database(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))


def full_database(path: Path) -> Database:
    """Writes may not grow the file past its current size: the disk is 'full'."""
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    engine = make_engine(f"sqlite:///{path}")

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)
    return Database(engine)


@pytest.fixture
def database_file(paths: Paths) -> Iterator[Path]:
    yield paths.data_dir / "careapp.db"


def big_customer() -> CustomerDraft:
    return CustomerDraft(first_name="Ann", last_name="Evans", notes="Likes long stories. " * 4000)


def customer_count(path: Path) -> int:
    return int(sqlite3.connect(path).execute("SELECT count(*) FROM customer").fetchone()[0])


def test_read_only_database_says_so(database_file: Path) -> None:
    db = read_only_database(database_file)
    try:
        customers = CustomerService(db, lambda: NOW)
        assert customers.count() == 0  # reading still works
        with pytest.raises(DatabaseError, match="read-only, so the change was not saved"):
            customers.create(CustomerDraft(first_name="Ann"), "Sam")
    finally:
        db.dispose()
    assert customer_count(database_file) == 0


def test_full_disk_says_so_and_saves_nothing(database_file: Path) -> None:
    db = full_database(database_file)
    try:
        customers = CustomerService(db, lambda: NOW)
        with pytest.raises(DatabaseError, match="disk holding the customer database is full"):
            customers.create(big_customer(), "Sam")
    finally:
        db.dispose()
    assert customer_count(database_file) == 0
    assert sqlite3.connect(database_file).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_missing_folder_says_so(tmp_path: Path) -> None:
    db = Database(make_engine(f"sqlite:///file:{tmp_path / 'gone' / 'careapp.db'}?mode=ro&uri=true"))
    try:
        with pytest.raises(DatabaseError, match="could not open the customer database file"):
            CustomerService(db, lambda: NOW).count()
    finally:
        db.dispose()


def test_other_operational_errors_are_not_dressed_up(database_file: Path) -> None:
    db = Database(make_engine(f"sqlite:///{database_file}"))
    try:
        with pytest.raises(Exception, match="no such table") as raised, db.session() as session:
            session.connection().exec_driver_sql("SELECT * FROM no_such_table")
        assert not isinstance(raised.value, DatabaseError)
    finally:
        db.dispose()


READ_ONLY_CHILD = """
import datetime as dt, sys
from careapp.db.database import Database, DatabaseError, make_engine
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService
db = Database(make_engine("sqlite:///" + sys.argv[1]))
try:
    CustomerService(db, lambda: dt.datetime(2026, 11, 23)).create(CustomerDraft(first_name="Ann"), "Sam")
except DatabaseError as error:
    print("refused:", error)
else:
    print("saved")
"""


def test_read_only_file_for_a_normal_user(
    database_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A database file and folder the user may only read, opened by a normal user (as root, the
    check runs in a child process switched to ``nobody``, since root writes through chmod)."""
    folder = Path(tempfile.mkdtemp(prefix="careapp-ro-"))
    try:
        target = folder / "careapp.db"
        shutil.copy(database_file, target)
        command = [sys.executable, "-c", READ_ONLY_CHILD, str(target)]
        if os.geteuid() == 0:
            folder.chmod(0o755)
            os.chown(target, 65534, 65534)
            os.chown(folder, 65534, 65534)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        target.chmod(0o400)
        folder.chmod(0o500)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("refused: "), done.stdout + done.stderr
        assert "Traceback" not in done.stdout
        assert customer_count(target) == 0
    finally:
        folder.chmod(0o700)
        shutil.rmtree(folder)


def test_cli_prints_the_sentence_not_a_traceback(paths: Paths, tmp_path: Path) -> None:
    """The CLI on a 'full disk' (max_page_count set by a sitecustomize in the child) imports nothing
    and says why in a sentence."""
    hook = tmp_path / "hook"
    hook.mkdir()
    pages = sqlite3.connect(paths.data_dir / "careapp.db").execute("PRAGMA page_count").fetchone()[0]
    (hook / "sitecustomize.py").write_text(
        "import sqlalchemy.event\n"
        "import careapp.db.database as d\n"
        f"CAP = 'PRAGMA max_page_count = {pages + 40}'\n"
        "def _cap(engine):\n"
        "    sqlalchemy.event.listen(engine, 'connect', lambda c, r: c.execute(CAP))\n"
        "_make = d.make_engine\n"
        "def make_engine(url):\n"
        "    engine = _make(url)\n"
        "    _cap(engine)\n"
        "    return engine\n"
        "d.make_engine = make_engine\n"
    )
    source = tmp_path / "many.vcf"
    source.write_text(
        "".join(
            f"BEGIN:VCARD\nVERSION:3.0\nFN:Person {i}\nN:{i};Person;;;\nEMAIL:p{i}@example.com\n"
            f"NOTE:{'a long note ' * 200}\nEND:VCARD\n"
            for i in range(300)
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "careapp", "--data-dir", str(paths.data_dir), "import", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(hook), "CAREAPP_DATABASE_URL": ""},
    )
    assert result.returncode == 1, result.stderr
    assert "disk holding the customer database is full" in result.stderr
    assert "Traceback" not in result.stderr
    assert customer_count(paths.data_dir / "careapp.db") == 0


def test_a_uri_filename_is_the_file_it_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careapp.db.database import sqlite_path

    assert sqlite_path("sqlite:///file:/srv/shop/careapp.db?mode=ro&uri=true") == Path("/srv/shop/careapp.db")
    monkeypatch.chdir(tmp_path)
    make_engine(f"sqlite:///file:{tmp_path / 'gone' / 'careapp.db'}?mode=ro&uri=true").dispose()
    assert list(tmp_path.iterdir()) == []  # read-only: nothing created, not even a folder named "file:"
