"""The change counter: two seats (two Database objects, two engines, or two processes) on one database
see each other's writes through it, and tell their own writes from the other seat's. Runs on SQLite
and, through the shared ``database`` fixture, on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from careapp.config import Paths
from careapp.db.changes import AREA_OF_TABLE, area_of
from careapp.db.database import Database, make_engine
from careapp.db.models import Base, ChangeCounterRecord, CustomerRecord
from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.domain.tickets import ContactChannel, Direction, Outcome
from careapp.services.customers.service import CustomerService
from careapp.services.shop.changes import ChangeService
from careapp.services.shop.settings import SettingsService
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, NewTicket, TicketService

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def other_seat(paths: Paths) -> Iterator[Database]:
    """A second seat: its own engine (its own connections) on the same database."""
    db = Database(make_engine(paths.database_url))
    yield db
    db.dispose()


def draft(name: str) -> CustomerDraft:
    return CustomerDraft(first_name=name, emails=[EmailAddress(f"{name.lower()}@example.com")])


def counters(db: Database) -> dict[str, int]:
    return ChangeService(db).counters()


def test_every_table_belongs_to_an_area() -> None:
    tables = set(Base.metadata.tables) - {ChangeCounterRecord.__tablename__}
    assert tables - set(AREA_OF_TABLE) == set()
    assert area_of("a_table_added_later") == "other"


def test_a_customer_saved_on_one_seat_is_seen_by_the_other(database: Database, other_seat: Database) -> None:
    mine, theirs = ChangeService(database), ChangeService(other_seat)
    seen_here, seen_there = mine.check(None).counters, theirs.check(None).counters
    CustomerService(other_seat, lambda: NOW).create(draft("Ann"), "Sam")
    here = mine.check(seen_here)
    there = theirs.check(seen_there)
    assert here.by_others == {"customers"}
    assert here.by_us == set()
    assert there.by_others == set()
    assert there.by_us == {"customers"}
    # Looking again with what was just seen: nothing new.
    assert not mine.check(here.counters).others_changed


def test_reading_does_not_move_the_counters(database: Database) -> None:
    customers = CustomerService(database, lambda: NOW)
    created = customers.create(draft("Ann"), "Sam")
    before = counters(database)
    customers.get(created.id)
    customers.search_ids("ann")
    customers.timeline(created.id)
    assert counters(database) == before


def test_a_rolled_back_transaction_moves_nothing(database: Database) -> None:
    before = counters(database)
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(CustomerRecord(first_name="Ghost", created_at=NOW, updated_at=NOW))
        session.flush()
        raise RuntimeError("changed my mind")
    assert counters(database) == before


def test_a_savepoint_rolled_back_does_not_hide_the_write_around_it(database: Database) -> None:
    """Touches are stored in savepoints (a duplicate is skipped); the rest of the transaction counts."""
    from sqlalchemy.exc import IntegrityError

    from careapp.db.models import StaffRecord

    before = counters(database)
    with database.session() as session:
        session.add(CustomerRecord(first_name="Kept", created_at=NOW, updated_at=NOW))
        session.add(StaffRecord(name="Sam", role="staff", created_at=NOW))
        session.flush()
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(
                StaffRecord(name="Sam", role="staff", created_at=NOW)
            )  # the name is taken: rolled back
    after = counters(database)
    assert after["customers"] == before["customers"] + 1
    assert after["settings"] == before["settings"] + 1


def test_core_bulk_inserts_are_counted(database: Database, other_seat: Database) -> None:
    service = ChangeService(database)
    seen = service.check(None).counters
    with other_seat.session() as session:
        session.execute(
            insert(CustomerRecord),
            [{"first_name": f"Bulk {n}", "created_at": NOW, "updated_at": NOW} for n in range(3)],
        )
    assert service.check(seen).by_others == {"customers"}


def test_demo_data_is_seen_by_the_other_seat(database: Database, other_seat: Database) -> None:
    from careapp.services.demo.customers import DemoSpec, fill_demo

    service = ChangeService(database)
    seen = service.check(None).counters
    fill_demo(other_seat, DemoSpec(customers=5, seed=2), NOW)
    assert {"customers", "tickets"} <= service.check(seen).by_others


def test_logged_calls_and_settings_bump_their_own_areas(database: Database, other_seat: Database) -> None:
    service = ChangeService(database)
    customers = CustomerService(other_seat, lambda: NOW)
    settings = SettingsService(other_seat)
    customer = customers.create(draft("Bea"), "Sam")
    seen = service.check(None).counters
    tickets = TicketService(other_seat, lambda: NOW, customers, settings)
    call = ContactInput(
        channel=ContactChannel.PHONE,
        direction=Direction.IN,
        summary="Grinder noise",
        outcome=Outcome.RESOLVED_NOW,
        new_ticket=NewTicket(title="Grinder noise"),
    )
    tickets.log_contact(Actor("Sam"), customer.id, call)
    after_call = service.check(seen)
    assert "tickets" in after_call.by_others
    shop = settings.shop()
    settings.save_shop(replace(shop, shop_name="Corner Coffee"))
    assert service.check(after_call.counters).by_others == {"settings"}


def test_own_and_others_writes_between_two_looks_count_as_others(
    database: Database, other_seat: Database
) -> None:
    """Own value, then theirs, then own again: the other seat's write in the middle is not hidden."""
    service = ChangeService(database)
    seen = service.check(None).counters
    CustomerService(database, lambda: NOW).create(draft("Ann"), "Sam")
    CustomerService(other_seat, lambda: NOW).create(draft("Bea"), "Kim")
    CustomerService(database, lambda: NOW).create(draft("Cy"), "Sam")
    check = service.check(seen)
    assert check.by_others == {"customers"}
    assert check.counters["customers"] == seen["customers"] + 3


def test_only_own_writes_are_told_apart(database: Database) -> None:
    service = ChangeService(database)
    seen = service.check(None).counters
    for name in ("Ann", "Bea"):
        CustomerService(database, lambda: NOW).create(draft(name), "Sam")
    check = service.check(seen)
    assert check.by_us == {"customers"}
    assert not check.others_changed


def test_a_counter_that_went_down_means_the_database_was_replaced(database: Database) -> None:
    service = ChangeService(database)
    seen = dict(service.check(None).counters)
    seen["customers"] += 10  # as if the database had been restored from an older copy
    assert "customers" in service.check(seen).by_others


WRITER = """
import datetime as dt, sys
from careapp.db.database import Database, make_engine
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService
db = Database(make_engine(sys.argv[1]))
CustomerService(db, lambda: dt.datetime(2026, 11, 23, 9, 30)).create(CustomerDraft(first_name="Proc"), "Kim")
db.dispose()
print("written", flush=True)
"""


def test_a_second_process_writing_is_seen_by_the_polling_one(database: Database, paths: Paths) -> None:
    service = ChangeService(database)
    seen = service.check(None).counters
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, paths.database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    noticed = set()
    try:
        deadline = time.monotonic() + 120  # generous: the writer has to import SQLAlchemy first
        while time.monotonic() < deadline and "customers" not in noticed:
            check = service.check(seen)  # polling while the other process starts, writes and ends
            noticed |= check.by_others
            if writer.poll() is not None and not noticed:
                noticed |= service.check(seen).by_others
                break
            time.sleep(0.05)
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err
    assert out.strip() == "written"
    assert noticed == {"customers"}
    with database.session() as session:
        names = session.scalars(select(CustomerRecord.first_name)).all()
    assert "Proc" in names


def test_two_seats_writing_at_once_both_succeed_and_every_write_is_counted(
    database: Database, other_seat: Database
) -> None:
    import threading

    service = ChangeService(database)
    seen = service.check(None).counters
    failures: list[BaseException] = []

    def write(db: Database, who: str) -> None:
        try:
            for n in range(10):
                CustomerService(db, lambda: NOW).create(draft(f"{who}{n}"), who)
        except BaseException as error:  # reported below, on the test's thread
            failures.append(error)

    seats = [
        threading.Thread(target=write, args=(db, who)) for db, who in ((database, "Ann"), (other_seat, "Kim"))
    ]
    for seat in seats:
        seat.start()
    for seat in seats:
        seat.join(120)
    assert failures == []
    check = service.check(seen)
    assert check.counters["customers"] == seen["customers"] + 20
    assert check.by_others == {"customers"}  # ten of the twenty were the other seat's


def test_an_import_and_its_undo_on_one_seat_are_seen_by_the_other(database: Database, paths: Paths) -> None:
    from careapp.context import build_services

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "google_contacts.csv"
    service = ChangeService(database)
    seen = service.check(None).counters
    importing_seat = build_services(paths, clock=lambda: NOW)
    try:
        importing_seat.imports.apply(fixture, "Kim")
        after_import = service.check(seen)
        assert "customers" in after_import.by_others
        importing_seat.imports.undo_last()
        assert "customers" in service.check(after_import.counters).by_others
    finally:
        importing_seat.close()
