"""careapp.db.fast_insert writes rows with the driver's executemany. What it stores must be exactly
what SQLAlchemy's Core insert stores, as the driver reads it back (SQLite: the very text of dates,
times and booleans), for every column type the import writes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from careapp.context import Services
from careapp.db.changes import read_counters
from careapp.db.fast_insert import insert_rows
from careapp.db.models import ConsentEventRecord, CustomerRecord
from careapp.domain.customer import CustomerDraft, PartialDate
from careapp.services.customers.rows import customer_values

NOW = dt.datetime(2026, 3, 1, 12, 5, 7)  # no microseconds: stored as ".000000" by SQLAlchemy, not by sqlite3


def raw_rows(session: Session, table: Table, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows as the driver gives them, id aside."""
    columns = [c.name for c in table.c if c.name != "id"]
    listed = ", ".join(str(i) for i in ids)
    found = session.connection().exec_driver_sql(
        f"SELECT {', '.join(columns)} FROM {table.name} WHERE id IN ({listed}) ORDER BY id"
    )
    return [tuple(row) for row in found]


def test_rows_are_stored_as_a_core_insert_stores_them(services: Services) -> None:
    customers = cast(Table, CustomerRecord.__table__)
    consents = cast(Table, ConsentEventRecord.__table__)
    stamp = {"created_at": NOW, "updated_at": NOW, "updated_by": "Sam", "version": 1, "import_batch_id": None}
    draft = CustomerDraft(first_name="Zoë", last_name="Ménard", birthday=PartialDate(2, 29, None))
    row = customer_values(draft, stamp)
    with services.db.session() as session:
        core_id = session.execute(insert(customers).returning(customers.c.id), [row]).scalar_one()
        insert_rows(session, customers, [row])
        fast_id = max(session.connection().exec_driver_sql("SELECT id FROM customer").scalars())
        consent = {
            "customer_id": core_id,
            "channel": "email",
            "granted": True,
            "at": NOW,
            "import_batch_id": None,
        }
        for granted in (True, False):  # a boolean of each value; method, recorded_by, note left to defaults
            core_event = session.execute(
                insert(consents).returning(consents.c.id), [{**consent, "granted": granted}]
            ).scalar_one()
            insert_rows(session, consents, [{**consent, "granted": granted}])
            fast_event = max(session.connection().exec_driver_sql("SELECT id FROM consent_event").scalars())
            core_row, fast_row = raw_rows(session, consents, [core_event, fast_event])
            assert core_row == fast_row
    with services.db.session() as session:
        core, fast = raw_rows(session, customers, [core_id, fast_id])
    assert core == fast


def test_a_fast_insert_is_counted_as_a_change(services: Services) -> None:
    customers = cast(Table, CustomerRecord.__table__)
    stamp = {"created_at": NOW, "updated_at": NOW, "updated_by": "Sam", "version": 1, "import_batch_id": None}
    with services.db.session() as session:
        before = read_counters(session).get("customers", 0)
    with services.db.session() as session:
        insert_rows(session, customers, [customer_values(CustomerDraft(first_name="Kim"), stamp)])
    with services.db.session() as session:
        assert read_counters(session)["customers"] == before + 1


def test_a_default_worked_out_per_row_must_be_given() -> None:
    from sqlalchemy import Column, DateTime, Integer, MetaData

    table = Table("t", MetaData(), Column("id", Integer), Column("at", DateTime, default=dt.datetime.now))
    with pytest.raises(ValueError, match=r"t\.at has a default worked out per row"):
        insert_rows(cast(Session, None), table, [{"id": 1}])
