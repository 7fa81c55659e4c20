"""The import's bulk insert writes exactly what the ORM path (write_draft) writes, on both backends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import CustomerRecord, DateRecord, EmailRecord, PhoneRecord, TagRecord
from careapp.domain.customer import (
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    normalize_tags,
)
from careapp.services.customers.mapping import write_draft
from careapp.services.customers.rows import insert_customers

NOW = dt.datetime(2026, 3, 1, 12, 0)
SKIP = {"id", "created_at", "updated_at", "updated_by", "version", "import_batch_id"}

DRAFTS = [
    CustomerDraft(
        first_name="  Zoë ",
        last_name="Ménard",
        emails=[EmailAddress(" Zoe.Menard@Example.org ", "home"), EmailAddress("z@work.example", "work")],
        phones=[
            PhoneNumber("+44 7700 900123", "+447700900123", "mobile"),
            PhoneNumber("(029) 2018 0000", None),
        ],
        address=PostalAddress("1 High St", "Cardiff", "Wales", "CF10 1AA", "GB"),
        birthday=PartialDate(2, 29, None),
        dates=[ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate(5, 4, 2019))],
        tags=["Coffee", "coffee ", "Board games"],
        notes="Likes the Ethiopian beans.\nCall before noon.",
        loyalty_stage=LoyaltyStage.ADVOCATE,
    ),
    CustomerDraft(company="Fancy Co.", emails=[EmailAddress("orders@fancy.example")]),
    CustomerDraft(first_name="Ann", phones=[PhoneNumber("07700 900456", "+447700900456")], tags=[]),
]


def _columns(record: CustomerRecord) -> dict[str, object]:
    return {c.key: getattr(record, c.key) for c in CustomerRecord.__table__.columns if c.key not in SKIP}


def _children(services: Services, customer_id: int) -> list[list[tuple[object, ...]]]:
    with services.db.session() as session:
        return [
            [
                tuple(
                    getattr(row, c.key) for c in model.__table__.columns if c.key not in ("id", "customer_id")
                )
                for row in session.scalars(
                    select(model).where(model.customer_id == customer_id).order_by(*model.__table__.columns)
                )
            ]
            for model in (EmailRecord, PhoneRecord, DateRecord, TagRecord)
        ]


def test_bulk_rows_match_write_draft(services: Services) -> None:
    with services.db.session() as session:
        bulk_ids = insert_customers(session, DRAFTS, NOW, "importer", None)
        orm_ids = []
        for draft in DRAFTS:
            record = CustomerRecord(created_at=NOW, updated_at=NOW, updated_by="importer", version=1)
            write_draft(record, draft)
            session.add(record)
            session.flush()
            orm_ids.append(record.id)
    assert len(bulk_ids) == len(DRAFTS) and bulk_ids == sorted(bulk_ids)
    with services.db.session() as session:
        for bulk_id, orm_id in zip(bulk_ids, orm_ids, strict=True):
            bulk, orm = session.get(CustomerRecord, bulk_id), session.get(CustomerRecord, orm_id)
            assert bulk is not None and orm is not None
            assert _columns(bulk) == _columns(orm)
    for bulk_id, orm_id in zip(bulk_ids, orm_ids, strict=True):
        assert _children(services, bulk_id) == _children(services, orm_id)
    first = services.customers.get(bulk_ids[0])
    assert first.tags == sorted(normalize_tags(DRAFTS[0].tags))
    assert services.customers.search_ids("ménard") == [bulk_ids[0], orm_ids[0]]
