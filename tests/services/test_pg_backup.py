"""pg_dump / pg_restore against the real test server: dump, change, restore, the data is back."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pg_server import PgServer

from careapp.context import Services
from careapp.db import pg_backup
from careapp.db.database import DatabaseError, open_database
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService

pytestmark = pytest.mark.postgresql_only
SECRET = "s3cret-Pässword"
DAY = dt.datetime(2026, 11, 23)


def names(services: Services) -> list[str]:
    customers = services.customers
    return [row.name for row in customers.rows(customers.search_ids())]


def test_dump_then_restore_brings_the_data_back(services: Services, tmp_path: Path) -> None:
    for first in ("Ann", "Bob"):
        services.customers.create(CustomerDraft(first_name=first), "Sam")
    url = services.db.url
    folder = tmp_path / "dumps"
    target = pg_backup.dump(url, folder / "shop.dump")
    assert target == folder / "shop.dump" and target.read_bytes()[:5] == b"PGDMP"
    assert target.stat().st_mode & 0o077 == 0
    assert [p.name for p in folder.iterdir()] == ["shop.dump"]  # no partial file left
    services.customers.delete(services.customers.search_ids("ann")[0])
    services.customers.create(CustomerDraft(first_name="Cat"), "Sam")
    assert names(services) == ["Bob", "Cat"]
    services.db.dispose()  # pg_restore --clean drops tables: no seat may hold them open
    pg_backup.restore(url, target)
    assert names(services) == ["Ann", "Bob"]
    # The id sequences came back too: a new customer does not collide with the restored ones.
    assert services.customers.create(CustomerDraft(first_name="Dee"), "Sam").id == 3


def test_the_password_goes_in_the_environment_never_on_the_command_line(
    pg_server: PgServer, pg_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not pg_server.is_throwaway:
        pytest.skip("needs the throwaway cluster, where one role must give a password")
    role = pg_server.create_password_role(SECRET)
    name = pg_server.create_database(template=pg_template)
    seen: list[tuple[list[str], str | None]] = []
    real_run = subprocess.run

    def spy(args: list[str], **kwargs: Any) -> Any:
        seen.append((list(args), kwargs["env"].get("PGPASSWORD")))
        return real_run(args, **kwargs)

    monkeypatch.setattr(pg_backup.subprocess, "run", spy)
    admin = pg_server.admin_url
    good = admin.set(username=role, password=SECRET, database=name).render_as_string(hide_password=False)
    bad = admin.set(username=role, password="wrong-" + SECRET, database=name).render_as_string(
        hide_password=False
    )
    try:
        pg_backup.dump(good, tmp_path / "ok.dump")
        assert (tmp_path / "ok.dump").read_bytes()[:5] == b"PGDMP"
        with pytest.raises(DatabaseError) as refused:
            pg_backup.dump(bad, tmp_path / "no.dump")
        assert "pg_dump could not back up the database" in str(refused.value)
        assert "password authentication failed" in str(refused.value)
        assert SECRET not in str(refused.value) and not (tmp_path / "no.dump").exists()
        pg_backup.restore(good, tmp_path / "ok.dump")
    finally:
        pg_server.drop_database(name)
    assert [password for _, password in seen] == [SECRET, "wrong-" + SECRET, SECRET]
    assert not [args for args, _ in seen if any(SECRET in arg for arg in args)]


def test_missing_tools_and_bad_files_are_explained(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_dump = tmp_path / "notes.txt"
    not_a_dump.write_text("hello")
    with pytest.raises(DatabaseError, match="is not a pg_dump backup in custom format"):
        pg_backup.restore(pg_url, not_a_dump)
    with pytest.raises(DatabaseError, match="There is no backup file at"):
        pg_backup.restore(pg_url, tmp_path / "missing.dump")
    with pytest.raises(DatabaseError, match="work on PostgreSQL databases, not on sqlite"):
        pg_backup.dump(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "x.dump")
    monkeypatch.setattr(pg_backup, "find_tool", lambda name: None)
    with pytest.raises(DatabaseError, match="careapp needs pg_dump to back up a PostgreSQL database"):
        pg_backup.dump(pg_url, tmp_path / "x.dump")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_damaged_dump_leaves_the_database_as_it_was(pg_url: str, tmp_path: Path) -> None:
    db, _ = open_database(pg_url, None, DAY)
    try:
        CustomerService(db, lambda: DAY).create(CustomerDraft(first_name="Kept"), "Sam")
    finally:
        db.dispose()
    good = pg_backup.dump(pg_url, tmp_path / "good.dump")
    damaged = tmp_path / "damaged.dump"
    data = good.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatabaseError, match=r"pg_restore could not restore the database .* as it was"):
        pg_backup.restore(pg_url, damaged)
    db, _ = open_database(pg_url, None, DAY)
    try:
        service = CustomerService(db, lambda: DAY)
        assert [r.name for r in service.rows(service.search_ids())] == ["Kept"]
    finally:
        db.dispose()
