"""Bulk edit of customers (tags, loyalty stage) on a real SQLite file: all or nothing, versions and
who, the stage history, undo, and undo refused once someone edited a customer since."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from careapp.config import Paths
from careapp.db.database import Database, open_database
from careapp.db.models import StageChangeRecord
from careapp.domain.customer import CustomerDraft, LoyaltyStage
from careapp.services.customers.bulk import BulkUndoWouldLoseEdits
from careapp.services.customers.service import CustomerService, InvalidCustomer

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def db(paths: Paths) -> Iterator[Database]:
    database, _ = open_database(paths.database_url, None, NOW)
    yield database
    database.dispose()


@pytest.fixture
def customers(db: Database) -> CustomerService:
    return CustomerService(db, lambda: NOW)


def make(customers: CustomerService, first: str, tags: list[str], stage: LoyaltyStage) -> int:
    draft = CustomerDraft(first_name=first, last_name="Shopper", tags=tags, loyalty_stage=stage)
    return customers.create(draft, "Sam").id


def test_bulk_edit_changes_every_selected_customer_once(customers: CustomerService, db: Database) -> None:
    ann = make(customers, "Ann", ["coffee", "vip"], LoyaltyStage.CLIENT)
    bob = make(customers, "Bob", ["tea"], LoyaltyStage.PROSPECT)
    cid = make(customers, "Cid", ["tea"], LoyaltyStage.ADVOCATE)
    result = customers.bulk_edit([ann, bob], "Owner Olga", add_tags=["Board Games"], remove_tags=["VIP"])
    assert result.changed_ids == (ann, bob) and result.unchanged == 0
    got = {c: customers.get(c) for c in (ann, bob, cid)}
    assert sorted(got[ann].tags) == ["board games", "coffee"] and got[ann].version == 2
    assert sorted(got[bob].tags) == ["board games", "tea"] and got[bob].updated_by == "Owner Olga"
    assert got[cid].tags == ["tea"] and got[cid].version == 1  # not selected
    assert customers.search_ids("#board") == sorted([ann, bob], key=lambda i: got[i].display_name())
    assert [r.tags for r in customers.rows([ann])] == ["coffee, board games"]
    again = customers.bulk_edit([ann, bob], "Owner Olga", add_tags=["board games"])
    assert again.changed_ids == () and again.unchanged == 2  # already so: versions stay
    assert customers.get(ann).version == 2


def test_bulk_stage_is_recorded_with_who_did_it(customers: CustomerService, db: Database) -> None:
    ann = make(customers, "Ann", [], LoyaltyStage.CLIENT)
    bob = make(customers, "Bob", [], LoyaltyStage.ADVOCATE)
    result = customers.bulk_edit([ann, bob], "Sam", stage=LoyaltyStage.ADVOCATE)
    assert result.changed_ids == (ann,)
    assert customers.get(ann).loyalty_stage is LoyaltyStage.ADVOCATE
    with db.session() as session:
        moves = session.execute(
            select(
                StageChangeRecord.customer_id,
                StageChangeRecord.old_stage,
                StageChangeRecord.new_stage,
                StageChangeRecord.by,
            )
        ).all()
    # Creating them noted their first stage; the bulk edit adds one move, for Ann only.
    assert [tuple(m) for m in moves] == [
        (ann, None, "client", "Sam"),
        (bob, None, "advocate", "Sam"),
        (ann, "client", "advocate", "Sam"),
    ]


def test_bulk_edit_is_all_or_nothing(customers: CustomerService, db: Database, paths: Paths) -> None:
    ids = [make(customers, name, ["tea"], LoyaltyStage.CLIENT) for name in ("Ann", "Bob", "Cid", "Dee")]
    # A real failure inside the transaction, after some customers were already written: the database
    # itself refuses the third customer's change.
    connection = sqlite3.connect(paths.data_dir / "careapp.db")
    connection.execute(
        f"CREATE TRIGGER refuse AFTER UPDATE ON customer WHEN NEW.id = {ids[2]} "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )
    connection.commit()
    connection.close()
    with pytest.raises(Exception, match="refused for the test"):
        customers.bulk_edit(ids, "Sam", add_tags=["cake"], stage=LoyaltyStage.ADVOCATE)
    for cid in ids:
        customer = customers.get(cid)
        assert (customer.tags, customer.loyalty_stage, customer.version) == (["tea"], LoyaltyStage.CLIENT, 1)


def test_empty_change_is_refused_in_words(customers: CustomerService) -> None:
    ann = make(customers, "Ann", [], LoyaltyStage.CLIENT)
    with pytest.raises(InvalidCustomer, match="Choose a tag"):
        customers.bulk_edit([ann], "Sam", add_tags=["  "])
    with pytest.raises(InvalidCustomer, match="The tag is too long: at most 100 characters"):
        customers.bulk_edit([ann], "Sam", add_tags=["x" * 101])
    assert customers.get(ann).version == 1


def test_undo_puts_everyone_back(customers: CustomerService) -> None:
    ann = make(customers, "Ann", ["coffee"], LoyaltyStage.CLIENT)
    bob = make(customers, "Bob", [], LoyaltyStage.PROSPECT)
    result = customers.bulk_edit(
        [ann, bob], "Sam", add_tags=["cake"], remove_tags=["coffee"], stage=LoyaltyStage.ADVOCATE
    )
    assert customers.undo_bulk_edit(result, "Olga") == 2
    a, b = customers.get(ann), customers.get(bob)
    assert (a.tags, a.loyalty_stage, a.version, a.updated_by) == (["coffee"], LoyaltyStage.CLIENT, 3, "Olga")
    assert (b.tags, b.loyalty_stage) == ([], LoyaltyStage.PROSPECT)
    assert customers.search_ids("#cake") == []


def test_undo_refuses_when_someone_edited_since(customers: CustomerService) -> None:
    ann = make(customers, "Ann", ["coffee"], LoyaltyStage.CLIENT)
    bob = make(customers, "Bob", [], LoyaltyStage.PROSPECT)
    result = customers.bulk_edit([ann, bob], "Sam", add_tags=["cake"])
    edited = customers.get(bob)
    draft = CustomerDraft(first_name="Bob", last_name="Shopper", tags=["cake"], notes="Called today.")
    customers.update(bob, draft, edited.version, "Olga")
    with pytest.raises(BulkUndoWouldLoseEdits, match="Bob Shopper changed since"):
        customers.undo_bulk_edit(result, "Sam")
    assert sorted(customers.get(ann).tags) == ["cake", "coffee"]  # nothing was undone
    assert customers.get(bob).notes == "Called today."


def test_a_selection_longer_than_one_query_takes_is_changed_and_undone_whole(
    customers: CustomerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The whole list of 100,000 can be selected; PostgreSQL takes at most 65,535 parameters in one
    # statement, so the ids go in parts (here of 3, over 11 customers picked out of order).
    from careapp.services.customers import bulk as customer_bulk

    monkeypatch.setattr(customer_bulk, "IDS_PER_QUERY", 3)
    ids = [make(customers, f"Cu{n:02d}", ["tea"], LoyaltyStage.CUSTOMER) for n in range(11)]
    picked = [*reversed(ids), ids[0]]  # any order, one twice
    result = customers.bulk_edit(picked, "Sam", add_tags=["cake"])
    assert result.changed_ids == tuple(ids) and result.unchanged == 0
    assert all(sorted(customers.get(i).tags) == ["cake", "tea"] for i in ids)

    for edited_id in ids[:5]:
        edited = customers.get(edited_id)
        customers.update(edited_id, edited.draft(), edited.version, "Olga")
    expected = "The change cannot be undone: Cu00 Shopper, Cu01 Shopper, Cu02 Shopper and 2 more changed"
    with pytest.raises(BulkUndoWouldLoseEdits, match=f"^{expected}"):
        customers.undo_bulk_edit(result, "Sam")

    others = customers.bulk_edit(ids[5:], "Sam", remove_tags=["tea"])
    assert customers.undo_bulk_edit(others, "Sam") == 6
    assert all(sorted(customers.get(i).tags) == ["cake", "tea"] for i in ids[5:])
