"""A database made by every earlier schema version upgrades to head with its data intact.

The fixtures (tests/upgrades/fixtures/schema-REV.db) come from scripts/make_schema_fixture.py: a fresh
file migrated to REV and filled with SQL written for that schema. Each is upgraded by the app's own
start-up path, then every value it held is compared with what the upgraded database holds, and the
app's services read it back.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from careapp.config import Paths, resolve_paths
from careapp.db.database import head_revision, open_database
from careapp.domain.customer import Channel, DateKind, LoyaltyStage, PartialDate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).with_name("fixtures")
NOW = dt.datetime(2026, 11, 23, 9, 30)


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_schema_fixture", ROOT / "scripts" / "make_schema_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()
FIXTURE_REVISIONS = sorted(p.stem.removeprefix("schema-") for p in FIXTURES.glob("schema-*.db"))


def test_every_revision_has_a_fixture() -> None:
    missing = [rev for rev in SCRIPT.revisions() if rev not in FIXTURE_REVISIONS]
    assert not missing, (
        f"no upgrade fixture for schema revision(s) {', '.join(missing)}: run "
        f"'python scripts/make_schema_fixture.py REV' (and add the new kinds of data to its BLOCKS)"
    )


def all_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'alembic_version'"
            )
        ]
        return {
            table: [dict(row) for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
            for table in tables
        }
    finally:
        connection.close()


@pytest.fixture(params=FIXTURE_REVISIONS)
def upgraded(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Paths]]:
    revision = request.param
    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(FIXTURES / f"schema-{revision}.db", folder / "careapp.db")
    yield revision, resolve_paths(str(folder))


def test_upgrade_keeps_every_value(upgraded: tuple[str, Paths]) -> None:
    revision, paths = upgraded
    database = paths.data_dir / "careapp.db"
    before = all_rows(database)
    assert sum(len(rows) for rows in before.values()) > 20, "the fixture holds too little to test"
    db, report = open_database(paths.database_url, paths.backup_dir, NOW)
    db.dispose()
    assert report.from_revision == revision and report.to_revision == head_revision()
    if revision != head_revision():
        assert report.backup_path is not None and all_rows(report.backup_path) == before
    after = all_rows(database)
    assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for table, rows in before.items():
        assert table in after, f"{table} disappeared in the upgrade from {revision}"
        kept = [{column: row[column] for column in rows[0]} for row in after[table]] if rows else []
        assert kept == rows, f"{table} changed in the upgrade from {revision}"


def test_services_read_the_upgraded_data(upgraded: tuple[str, Paths]) -> None:
    from careapp.context import build_services

    revision, paths = upgraded
    services = build_services(paths, clock=lambda: NOW)
    try:
        check_customers(services)
        if revision >= "0002":
            check_tickets_and_staff(services)
        if revision >= "0004":
            check_touches(services)
        if revision >= "0005":
            check_calendar(services)
    finally:
        services.close()


def check_customers(services: Any) -> None:
    ann = services.customers.get(1)
    assert (ann.first_name, ann.last_name, ann.loyalty_stage) == ("Ann", "Evans", LoyaltyStage.CLIENT)
    assert ann.birthday == PartialDate(2, 29, 1996)
    assert [(e.address, e.label) for e in ann.emails] == [
        ("Ann.Evans@example.com", "home"),
        ("ann@work.example", "work"),
    ]
    assert [(p.raw, p.e164) for p in ann.phones] == [
        ("029 2018 0123", "+442920180123"),
        ("reception ext. 1234", None),
    ]
    assert [(d.kind, d.date, d.label) for d in ann.dates] == [
        (DateKind.ANNIVERSARY, PartialDate(6, 1, 2015), ""),
        (DateKind.CUSTOM, PartialDate(9, 12), "Opened her café"),
    ]
    assert sorted(ann.tags) == ["board games", "coffee"]
    assert ann.notes == "Prefers mornings. Café au lait ☕"
    assert (ann.address.city, ann.address.postcode, ann.version) == ("Cardiff", "CF10 1AA", 3)
    consent = {state.channel: state.granted for state in ann.consents}
    assert consent[Channel.EMAIL] is True and consent[Channel.SMS] is False
    assert [(p.item, p.amount) for p in services.customers.purchases(1)] == [
        ("Burr grinder", Decimal("129.99"))
    ]
    kinds = [entry.kind for entry in services.customers.timeline(1)]
    assert {"note", "contact", "purchase", "consent", "created"} <= set(kinds)
    bob = services.customers.get(2)
    assert (bob.company, bob.referred_by_name, bob.loyalty_stage) == (
        "Jones & Sons",
        "Ann Evans",
        LoyaltyStage.ADVOCATE,
    )
    assert bob.birthday == PartialDate(11, 25)
    assert services.customers.get(3).display_name() == "Zoë's Bakery"
    assert services.customers.search_ids("7700 900123") == [2]
    assert services.customers.search_ids("#coffee") == [1]
    shop = services.settings.shop()
    assert (shop.shop_name, shop.feb29_observed_on, shop.staff_names) == (
        "Bean There",
        "mar1",
        ("Olga", "Sam"),
    )


def check_tickets_and_staff(services: Any) -> None:
    assert sorted((m.name, str(m.role), m.active) for m in services.staff.list(include_inactive=True)) == [
        ("Kit", "staff", False),
        ("Olga", "owner", True),
        ("Sam", "staff", True),
    ]
    ticket = services.tickets.ticket(1)
    summary = ticket.summary
    assert (summary.title, str(summary.state), str(summary.priority)) == ("Kettle leaks", "resolved", "high")
    assert [c.summary for c in ticket.contacts] == ["Brought the kettle back."]
    assert [(str(c.old), str(c.new)) for c in ticket.state_changes] == [("new", "open"), ("open", "resolved")]
    assert [(a.field, a.old, a.new) for a in ticket.audit] == [("priority", "normal", "high")]
    fcr = services.fcr_settings.get()
    assert (fcr.reopen_window_days, fcr.repeat_window_days) == (10, 5)
    assert [s.title for s in services.tickets.tickets_for_customer(1)] == ["Wrong beans sent"]


def check_touches(services: Any) -> None:
    rules = services.touches.rule_set()
    assert rules.rules.birthday.days_ahead == 5
    assert [a.title for a in services.articles.list()] == ["Dialling in a new bag of beans"]
    services.touches.refresh(NOW.date())  # the queue builds on the stored touches without error
    services.care_queue.queue(NOW.date())


def check_calendar(services: Any) -> None:
    from careapp.context import calendar_service

    settings = calendar_service(services).calendar_settings()
    assert (settings.days, settings.alarm_minutes, settings.caldav_url) == (
        45,
        30,
        "https://cal.example/shop/care/",
    )
    calendar = calendar_service(services)
    calendar.items()
    # The UID made before the upgrade is the one the item keeps (calendars already hold it).
    ann = next(i for i in calendar.stored_items() if i.entry.source == "birthday:1")
    assert ann.uid == "c36f6d11-bdfa-4ce4-b126-2d6de855dc32"


@pytest.mark.parametrize("revision", [r for r in FIXTURE_REVISIONS if "0005" <= r < "0009"])
def test_ids_named_by_calendar_items_are_never_handed_out_again_after_the_upgrade(
    revision: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Customer 7 was deleted before the upgrade (its calendar item remains) and customer 3, the
    newest, is deleted after it: neither id comes back, so no new person takes over their UIDs."""
    from careapp.context import build_services, calendar_service
    from careapp.domain.customer import CustomerDraft

    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    database = folder / "careapp.db"
    shutil.copy(FIXTURES / f"schema-{revision}.db", database)
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "INSERT INTO calendar_item (uid, source, kind, entry_json, sequence, content_hash, "
            "schedule_hash, created_at, last_modified, cancelled) SELECT 'gone-7', 'birthday:7', kind, "
            "replace(entry_json, 'birthday:1', 'birthday:7'), 1, content_hash, schedule_hash, created_at, "
            "last_modified, 1 FROM calendar_item WHERE source = 'birthday:1'"
        )
    connection.close()
    services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    try:
        services.customers.delete(3)  # the newest: SQLite without AUTOINCREMENT would hand out 3 again
        new = services.customers.create(CustomerDraft(first_name="Dee", birthday=PartialDate(5, 3)), "test")
        assert new.id == 8
        calendar = calendar_service(services)
        uids = {i.entry.source: i.uid for i in calendar.items()}
        assert uids["birthday:8"] not in {"gone-7", "c36f6d11-bdfa-4ce4-b126-2d6de855dc32"}
    finally:
        services.close()
