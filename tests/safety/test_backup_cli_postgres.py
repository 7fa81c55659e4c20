"""``careapp backup`` / ``restore`` on a PostgreSQL URL go through pg_dump / pg_restore, against the real
server the test run starts (tests/pg_server.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careapp.cli import main
from careapp.db.database import open_database
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService

NOW = dt.datetime(2026, 11, 23, 9, 30)


def names(url: str) -> list[str]:
    db, _ = open_database(url, None, NOW)
    try:
        customers = CustomerService(db, lambda: NOW)
        return [row.name for row in customers.rows(customers.search_ids())]
    finally:
        db.dispose()


def add(url: str, first: str) -> None:
    db, _ = open_database(url, None, NOW)
    try:
        CustomerService(db, lambda: NOW).create(CustomerDraft(first_name=first, last_name="Test"), "Sam")
    finally:
        db.dispose()


def test_backup_and_restore_through_pg_tools(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAREAPP_DATABASE_URL", pg_url)
    data = str(tmp_path / "data")
    add(pg_url, "Ann")
    dump = tmp_path / "shop.dump"
    assert main(["--data-dir", data, "backup", str(dump)]) == 0
    assert dump.read_bytes()[:5] == b"PGDMP" and dump.stat().st_mode & 0o777 == 0o600
    add(pg_url, "Bob")
    assert names(pg_url) == ["Ann Test", "Bob Test"]
    assert main(["--data-dir", data, "restore", str(dump)]) == 0
    assert "pg_restore" in capsys.readouterr().out
    assert names(pg_url) == ["Ann Test"]


def test_restore_refuses_a_file_that_is_not_a_dump(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAREAPP_DATABASE_URL", pg_url)
    add(pg_url, "Ann")
    bad = tmp_path / "customers.csv"
    bad.write_text("name\nBob\n")
    assert main(["--data-dir", str(tmp_path / "data"), "restore", str(bad)]) == 2  # bad input, as on SQLite
    err = capsys.readouterr().err
    assert "nothing was restored" in err and "Traceback" not in err
    assert names(pg_url) == ["Ann Test"]
