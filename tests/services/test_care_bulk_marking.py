"""Bulk writers (demo data, an import, a bulk edit, consent for many) note the customers they wrote in
``care_dirty`` with one statement instead of a trigger per row (careapp/db/care_bulk.py, issue 14).

The per-row triggers are the reference: each bulk writer runs on two copies of one database, once as
it is and once with its bulk marking replaced by nothing (so the triggers note every row), and the
customers noted must be the same. Then: the triggers are back after a bulk transaction, after one
that failed, and for a write in the same transaction after a failed bulk block; another connection
writing during a bulk write is noted by its own triggers; and the care queue sees what a demo wrote.
Runs on a SQLite file and on PostgreSQL (tests/pg_server.py), both migrated by Alembic.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from careapp.context import Services, build_services
from careapp.db.care_bulk import BulkMarks, bulk_care_marking
from careapp.db.care_triggers import CHILD_TABLES
from careapp.db.database import Database
from careapp.db.models import CareDirtyRecord, CustomerRecord, PurchaseRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, LoyaltyStage
from careapp.services.demo.customers import DemoSpec, fill_demo
from careapp.services.demo.tickets import fill_demo_tickets
from tests.conftest import another_database

BULK_WRITERS = (
    "careapp.services.demo.customers",
    "careapp.services.demo.tickets",
    "careapp.services.customers.importer",
    "careapp.services.customers.service",
)


@contextmanager
def _per_row_only(_session: Session) -> Iterator[BulkMarks]:
    yield BulkMarks()  # nothing turned off, nothing noted at the end: the triggers note each row


@pytest.fixture
def twin(
    db_backend: str, tmp_path: Path, request: pytest.FixtureRequest, clock: list[dt.datetime]
) -> Iterator[Services]:
    """A second database, fresh from the same migrations, on the same backend."""
    with another_database(db_backend, tmp_path / "twin", request) as paths:
        built = build_services(paths, clock=lambda: clock[0])
        yield built
        built.close()


def watermark(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.coalesce(func.max(CareDirtyRecord.seq), 0))) or 0)


def noted_since(db: Database, seq: int) -> set[int]:
    with db.session() as session:
        return set(session.scalars(select(CareDirtyRecord.customer_id).where(CareDirtyRecord.seq > seq)))


def noted_by_both(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch, write: Callable[[Services], Any]
) -> tuple[set[int], set[int]]:
    """What ``write`` notes with its bulk marking (on ``services``) and with per-row triggers only
    (on ``twin``, which had the same writes before)."""
    seq = watermark(services.db)
    write(services)
    bulk = noted_since(services.db, seq)
    twin_seq = watermark(twin.db)
    with monkeypatch.context() as patched:
        for module in BULK_WRITERS:
            patched.setattr(f"{module}.bulk_care_marking", _per_row_only)
        write(twin)
    return bulk, noted_since(twin.db, twin_seq)


def triggers(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        if session.get_bind().dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:
            query = (
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE tgname LIKE 'care_dirty%' ORDER BY tgname"
            )
        return [(row[0], row[1]) for row in session.execute(text(query))]


def add_purchase(db: Database, customer_id: int, session: Session | None = None) -> None:
    values = {
        "customer_id": customer_id,
        "date": dt.date(2026, 11, 20),
        "item": "AeroPress",
        "category": "coffee",
        "amount_cents": 3500,
        "created_at": dt.datetime(2026, 11, 20, 10),
    }
    if session is not None:
        session.execute(insert(PurchaseRecord), [values])
        return
    with db.session() as own:
        own.execute(insert(PurchaseRecord), [values])


# --- each bulk writer notes what the per-row triggers would ----------------------------------------


def test_demo_notes_the_customers_the_triggers_would(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def demo(target: Services) -> None:
        # 5,000 customers a transaction: two batches, the second referring to the first.
        fill_demo(target.db, DemoSpec(customers=5_300, seed=7, history=8_000), target.clock())

    bulk, per_row = noted_by_both(services, twin, monkeypatch, demo)
    assert bulk == per_row
    assert bulk == set(range(1, 5_301))
    with services.db.session() as session:  # one row per customer and batch, not one per row written
        first_batch_referrers = session.scalar(
            select(func.count(func.distinct(CustomerRecord.referred_by_id))).where(
                CustomerRecord.id > 5_000, CustomerRecord.referred_by_id <= 5_000
            )
        )
        rows = session.scalar(select(func.count()).select_from(CareDirtyRecord))
    assert first_batch_referrers and rows == 5_300 + first_batch_referrers


def test_demo_tickets_note_their_customers(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for target in (services, twin):
        fill_demo(target.db, DemoSpec(customers=300, seed=3, history=0), target.clock())

    def tickets(target: Services) -> None:
        fill_demo_tickets(target.db, list(range(1, 301, 3)), 5, target.clock(), 250)

    bulk, per_row = noted_by_both(services, twin, monkeypatch, tickets)
    assert bulk == per_row
    assert bulk and bulk <= set(range(1, 301, 3))


SHOPIFY_HEADER = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,"
    "Default Address Province Code,Default Address Country Code,"
    "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags"
)
IMPORT_ROWS = (
    # new customers
    "Ann,Evans,ann@example.com,yes,,1 High St,,Cardiff,,GB,CF10 1AA,,'+442920180123,no,120.00,3,,no,coffee",
    "Dev,Patel,dev@example.com,no,,,,,,,,,,no,0.00,0,,no,tea",
    # Bob, whom Rita referred: updated (a note and a tag he did not have)
    "Bob,Hughes,bob@example.com,no,,,,,,,,,,no,0.00,0,Prefers mornings,no,vinyl",
    # Cara: nothing new but her consent (history only)
    "Cara,Lee,cara@example.com,yes,,,,,,,,,,no,0.00,0,,no,",
    # rejected
    "Cy,Jones,cy-at-example,no,,,,,,,,,,no,0.00,0,,no,",
)


def _import_setup(target: Services) -> None:
    fill_demo(target.db, DemoSpec(customers=30, seed=2), target.clock())
    rita = target.customers.create(CustomerDraft(first_name="Rita", last_name="Moss"), "Sam").id
    bob = CustomerDraft(
        first_name="Bob", last_name="Hughes", emails=[EmailAddress("bob@example.com")], referred_by_id=rita
    )
    target.customers.create(bob, "Sam")
    cara = CustomerDraft(first_name="Cara", last_name="Lee", emails=[EmailAddress("cara@example.com")])
    target.customers.create(cara, "Sam")


def test_import_notes_the_customers_the_triggers_would(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for target in (services, twin):
        _import_setup(target)
    path = tmp_path / "customers_export.csv"
    path.write_text("\n".join((SHOPIFY_HEADER, *IMPORT_ROWS)) + "\n", encoding="utf-8")
    summary = services.imports.preview(path)
    assert [r.action for r in summary.rows] == ["create", "create", "update", "update", "reject"]

    bulk, per_row = noted_by_both(services, twin, monkeypatch, lambda t: t.imports.apply(path, "Sam"))
    assert bulk == per_row
    with services.db.session() as session:
        names = set(session.scalars(select(CustomerRecord.display_name).where(CustomerRecord.id.in_(bulk))))
    # Bob's referrer is noted (his referral thank-you depends on him), as the trigger notes her.
    assert names == {"Ann Evans", "Dev Patel", "Bob Hughes", "Cara Lee", "Rita Moss"}


def test_bulk_edit_and_its_undo_note_the_customers_the_triggers_would(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for target in (services, twin):
        fill_demo(target.db, DemoSpec(customers=200, seed=4), target.clock())
    chosen = list(range(1, 201, 2))
    results = {}

    def edit(target: Services) -> None:
        results[id(target)] = target.customers.bulk_edit(
            chosen, "Sam", add_tags=["vip"], stage=LoyaltyStage.ADVOCATE
        )

    bulk, per_row = noted_by_both(services, twin, monkeypatch, edit)
    assert bulk == per_row
    assert set(results[id(services)].changed_ids) <= bulk <= set(range(1, 201))

    def undo(target: Services) -> None:
        target.customers.undo_bulk_edit(results[id(target)], "Sam")

    bulk, per_row = noted_by_both(services, twin, monkeypatch, undo)
    assert bulk == per_row


def test_consent_for_many_notes_the_customers_given_consent(
    services: Services, twin: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for target in (services, twin):
        fill_demo(target.db, DemoSpec(customers=100, seed=5), target.clock())
    agreed = ConsentEvent(Channel.POST, True, dt.datetime(2026, 11, 23, 9), "paper form at the till", "Sam")

    def consent(target: Services) -> None:
        target.customers.record_consents(list(range(1, 101)), [Channel.POST], agreed)

    bulk, per_row = noted_by_both(services, twin, monkeypatch, consent)
    assert bulk == per_row and bulk


# --- the per-row marking is back, and other writers keep theirs --------------------------------------


def test_triggers_are_back_after_a_bulk_transaction(services: Services) -> None:
    before = triggers(services.db)
    if services.db.engine.dialect.name == "postgresql":
        assert len(before) == 1 + len(CHILD_TABLES)
        assert all("current_setting('careapp.bulk_care'::text, true)" in sql for _, sql in before)
    else:
        assert len(before) == 3 + sum(len(ops) for _, ops in CHILD_TABLES)
    fill_demo(services.db, DemoSpec(customers=20, seed=1), services.clock())
    assert triggers(services.db) == before
    seq = watermark(services.db)
    add_purchase(services.db, 7)
    assert noted_since(services.db, seq) == {7}


class Boom(Exception):
    pass


def test_triggers_are_back_after_a_failed_bulk_transaction(services: Services) -> None:
    fill_demo(services.db, DemoSpec(customers=20, seed=1), services.clock())
    before = triggers(services.db)
    seq = watermark(services.db)
    with pytest.raises(Boom), services.db.session() as session, bulk_care_marking(session) as marks:
        add_purchase(services.db, 3, session)
        marks.wrote_facts([3])
        raise Boom
    assert triggers(services.db) == before
    assert noted_since(services.db, seq) == set()  # rolled back: nothing written, nothing noted
    add_purchase(services.db, 4)
    assert noted_since(services.db, seq) == {4}


def test_a_write_after_a_failed_bulk_block_in_the_same_transaction_is_noted(services: Services) -> None:
    fill_demo(services.db, DemoSpec(customers=20, seed=1), services.clock())
    seq = watermark(services.db)
    with services.db.session() as session:
        with pytest.raises(Boom), bulk_care_marking(session):
            add_purchase(services.db, 5, session)  # the block failed: nothing noted for it
            raise Boom
        add_purchase(services.db, 6, session)  # the per-row marking is on again for this one
    assert noted_since(services.db, seq) == {6}


def test_another_connection_writing_during_a_bulk_write_is_noted(services: Services) -> None:
    """PostgreSQL: the other session writes at once, its triggers on. SQLite: it waits for the bulk
    writer's lock, then writes with the triggers back in place."""
    fill_demo(services.db, DemoSpec(customers=20, seed=1), services.clock())
    seq = watermark(services.db)
    failures: list[BaseException] = []

    def other_writer() -> None:
        try:
            add_purchase(services.db, 12)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    other = threading.Thread(target=other_writer)
    with services.db.session() as session, bulk_care_marking(session) as marks:
        add_purchase(services.db, 11, session)
        marks.wrote_facts([11])
        other.start()
        other.join(timeout=1.0)  # PostgreSQL: done by now; SQLite: waiting for the lock
        if services.db.engine.dialect.name == "postgresql":
            assert not other.is_alive()
            assert 12 in noted_since(services.db, seq)  # committed, noted, while the bulk is open
    other.join(timeout=20)
    assert not other.is_alive() and not failures
    assert noted_since(services.db, seq) == {11, 12}


def test_demo_data_reaches_the_care_queue_in_one_refresh(services: Services) -> None:
    fill_demo(services.db, DemoSpec(customers=50, seed=3), services.clock())
    services.touches.refresh()  # everyone worked on once; from here on, only what was noted
    fill_demo(services.db, DemoSpec(customers=150, seed=8), services.clock())  # customers 51-200
    assert services.touches.refresh().generated > 0
    with services.db.session() as session:
        newcomers = set(
            session.scalars(text("SELECT DISTINCT customer_id FROM touch WHERE customer_id > 50"))
        )
    assert len(newcomers) > 20
    # Nothing the demo wrote is left for a second refresh: one refresh per reason.
    assert services.touches.refresh().generated == 0
