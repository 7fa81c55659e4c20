"""Every subcommand, fed a table of bad arguments: each answer is a sentence on stderr and exit 2 (bad
input), never a Python traceback or an OS error's raw text ("[Errno 2] ..."), and the database is
unchanged afterwards. The same table runs on a SQLite file and on a real PostgreSQL server (named by
CAREAPP_DATABASE_URL, as a seat on a shared server runs careapp), where backup and restore go to
pg_dump and pg_restore."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from careapp.cli import main
from careapp.config import Paths

pytestmark = pytest.mark.sqlite_only

NOW = dt.datetime(2026, 11, 23, 9, 30)


def table(folder: Path) -> list[tuple[str, list[str]]]:
    """(what, arguments) with the files the arguments name created in ``folder``."""
    text = folder / "notes.txt"
    text.write_text("customers: Ann, Bob\n")
    picture = folder / "photo.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    empty = folder / "empty.csv"
    empty.write_bytes(b"")
    unknown_columns = folder / "till.csv"
    # "Kunde,Telefon" alone is now known for certain and imports; a column careapp cannot place is not.
    unknown_columns.write_text("Kunde,Telefon,Lieblingsfarbe\nAnn,0123 456,blau\n")
    missing = folder / "nowhere" / "file.csv"
    directory = folder / "a-folder"
    directory.mkdir()
    return [
        ("import: a missing file", ["import", str(missing)]),
        ("import: a folder", ["import", str(directory)]),
        ("import: a folder, dry run", ["import", str(directory), "--dry-run"]),
        ("import: --mapping that is not JSON", ["import", str(unknown_columns), "--mapping", "{not json"]),
        ("import: --mapping that is a list", ["import", str(unknown_columns), "--mapping", "[1, 2]"]),
        ("import: --mapping to no field", ["import", str(unknown_columns), "--mapping", '{"Kunde": "shoe"}']),
        ("import: --mapping with a number", ["import", str(unknown_columns), "--mapping", '{"Kunde": 3}']),
        ("import: a picture", ["import", str(picture)]),
        ("import: an empty file", ["import", str(empty)]),
        ("import: unknown columns", ["import", str(unknown_columns)]),
        ("import: --format xml", ["import", str(text), "--format", "xml"]),
        ("undo-import with nothing to undo", ["undo-import"]),
        ("export customers into a folder", ["export", "customers", str(directory)]),
        ("export customers --format pdf", ["export", "customers", str(folder / "x"), "--format", "pdf"]),
        ("export customer: an id that is no number", ["export", "customer", "ann", str(folder / "x.json")]),
        ("export customer: nobody with that id", ["export", "customer", "99999", str(folder / "x.json")]),
        ("export customer into a folder", ["export", "customer", "1", str(directory)]),
        ("export ics: a bad date", ["export", "ics", str(folder / "x.ics"), "--from", "2026-13-01"]),
        ("export ics: negative days", ["export", "ics", str(folder / "x.ics"), "--days", "-1"]),
        ("export ics: unknown kinds", ["export", "ics", str(folder / "x.ics"), "--kinds", "moons"]),
        ("demo: customers not a number", ["demo", "--customers", "many"]),
        ("demo: negative customers", ["demo", "--customers", "-5"]),
        ("demo: negative tickets", ["demo", "--customers", "1", "--tickets", "-5"]),
        ("report fcr: a bad date", ["report", "fcr", "--from", "yesterday"]),
        ("report fcr: a bad moment", ["report", "fcr", "--as-of", "2026-02-30T10:00"]),
        (
            "report fcr: the end before the start",
            ["report", "fcr", "--from", "2026-05-01", "--to", "2026-04-01"],
        ),
        ("report fcr into a folder", ["report", "fcr", "--output", str(directory)]),
        ("staff add: no such role", ["staff", "add", "Kim", "--role", "boss"]),
        ("staff add: an empty name", ["staff", "add", "   "]),
        ("agenda: a bad date", ["agenda", "--from", "31/12/2026"]),
        ("agenda: too many days", ["agenda", "--days", "99"]),
        ("erase: an id that is no number", ["erase", "customer", "x", "--reason", "asked", "--yes"]),
        ("erase: nobody with that id", ["erase", "customer", "99999", "--reason", "asked", "--yes"]),
        ("erase: without --yes", ["erase", "customer", "1", "--reason", "asked"]),
        ("sync: an address with a password", ["sync", "--url", "https://kim:secret@cal.example/dav/"]),
        ("backup into a folder", ["backup", str(directory)]),
        ("restore: a missing file", ["restore", str(missing)]),
        ("restore: a folder", ["restore", str(directory)]),
        ("restore: a text file", ["restore", str(text)]),
        ("a command that does not exist", ["frobnicate"]),
        ("a missing argument", ["import"]),
    ]


def database_digest(paths: Paths) -> str:
    import sqlite3

    connection = sqlite3.connect(paths.data_dir / "careapp.db")
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


def server_digest(url: str) -> str:
    """Every row of every careapp table on the server, in key order."""
    from sqlalchemy import create_engine, select

    from careapp.db.models import Base

    engine = create_engine(url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                digest.update(f"{table.name}: {connection.execute(query).all()!r}\n".encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def add_customer_one(paths: Paths) -> None:
    """Customer 1 exists, so the rows naming it test the folder and the missing --yes, not the id."""
    from careapp.context import build_services
    from careapp.domain.customer import CustomerDraft

    services = build_services(paths, clock=lambda: NOW)
    try:
        created = services.customers.create(CustomerDraft(first_name="Ann", last_name="Bell"), "test")
    finally:
        services.close()
    assert created.id == 1


def bad_answers(data_dir: Path, folder: Path) -> list[str]:
    failures = []
    for what, argv in table(folder):
        code, err = run(["--data-dir", str(data_dir), *argv])
        said = err.strip()
        if code != 2 or not said or "Traceback" in err or "Errno" in err:
            failures.append(f"{what}: exit {code}, said {said[-300:]!r}")
    return failures


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as leaving:  # argparse's own refusals
            code = int(leaving.code or 0)
    return code, err.getvalue()


def test_every_bad_argument_gets_a_sentence_and_exit_2(paths: Paths, tmp_path: Path) -> None:
    add_customer_one(paths)
    before = database_digest(paths)
    failures = bad_answers(paths.data_dir, tmp_path)
    assert not failures, "\n".join(failures)
    assert database_digest(paths) == before


def test_every_bad_argument_on_postgresql_gets_a_sentence_and_exit_2(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careapp.config import DATABASE_URL_ENV, resolve_paths

    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    data_dir = tmp_path / "seat"
    data_dir.mkdir(mode=0o700)
    paths = resolve_paths(str(data_dir))
    assert paths.database_url.startswith("postgresql")
    add_customer_one(paths)
    before = server_digest(pg_url)
    failures = bad_answers(data_dir, tmp_path)
    assert not failures, "\n".join(failures)
    assert server_digest(pg_url) == before
    assert not [p.name for p in tmp_path.glob(".a-folder.*")], "a partial dump was left behind"


def test_a_data_dir_that_is_a_file_is_a_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    code, err = run(["--data-dir", str(not_a_folder), "staff", "list"])
    assert code == 2 and "is not a folder" in err and "Errno" not in err and "Traceback" not in err


def test_an_unreadable_import_file_is_a_sentence(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.csv"
    locked.write_text("First Name,Email\nAnn,ann@example.com\n")

    def refused(self: Path) -> bytes:  # what a file without read permission answers (root reads any)
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refused)
    code, err = run(["--data-dir", str(paths.data_dir), "import", str(locked)])
    assert code == 2 and "cannot be read" in err and "Errno" not in err, err
