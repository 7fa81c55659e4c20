"""New customers as plain rows for bulk Core inserts (the import writes 100,000 at a time).

The columns are exactly what :func:`careapp.services.customers.mapping.write_draft` puts on a record
(tests/services/test_import_bulk_rows.py checks the two agree), built without ORM objects: a flush
per customer costs milliseconds, a batched INSERT of 500 rows costs about as much as one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.fast_insert import insert_rows
from careapp.db.models import CustomerRecord, DateRecord, EmailRecord, PhoneRecord, TagRecord, core_table
from careapp.db.sequences import next_ids
from careapp.domain.customer import CustomerDraft, LoyaltyStage, display_name, normalize_tags
from careapp.domain.phones import digits_only
from careapp.services.customers.mapping import search_text_for, sort_name_for


def customer_values(draft: CustomerDraft, stamp: dict[str, Any]) -> dict[str, Any]:
    """The ``customer`` row for ``draft``; ``stamp`` adds created/updated times, actor, batch."""
    tags = normalize_tags(draft.tags)
    clean = CustomerDraft(**{**draft.__dict__, "tags": tags})
    birthday = draft.birthday
    return {
        **stamp,
        "first_name": draft.first_name.strip(),
        "last_name": draft.last_name.strip(),
        "company": draft.company.strip(),
        "street": draft.address.street,
        "city": draft.address.city,
        "region": draft.address.region,
        "postcode": draft.address.postcode,
        "country": draft.address.country,
        "birthday_month": birthday.month if birthday else None,
        "birthday_day": birthday.day if birthday else None,
        "birthday_year": birthday.year if birthday else None,
        "loyalty_stage": LoyaltyStage(draft.loyalty_stage).value,
        "referred_by_id": draft.referred_by_id,
        "notes": draft.notes,
        "display_name": display_name(draft.first_name, draft.last_name, draft.company, draft.emails),
        "sort_name": sort_name_for(draft),
        "primary_email": draft.emails[0].address if draft.emails else "",
        "primary_phone": draft.phones[0].raw if draft.phones else "",
        "tags_text": ", ".join(tags),
        "search_text": search_text_for(clean),
    }


def insert_customers(
    session: Session,
    drafts: Sequence[CustomerDraft],
    created_at: dt.datetime,
    actor: str,
    batch_id: int | None,
) -> list[int]:
    """Insert ``drafts`` as new customers with their emails, phones, dates and tags; their ids in order."""
    if not drafts:
        return []
    stamp = {
        "created_at": created_at,
        "updated_at": created_at,
        "updated_by": actor,
        "version": 1,
        "import_batch_id": batch_id,
    }
    rows = [customer_values(draft, stamp) for draft in drafts]
    ids = _insert_in_order(session, rows)
    emails, phones, dates, tags = [], [], [], []
    for customer_id, draft in zip(ids, drafts, strict=True):
        emails += [
            {
                "customer_id": customer_id,
                "address": e.address.strip(),
                "address_key": e.address.strip().lower(),
                "label": e.label,
                "position": i,
            }
            for i, e in enumerate(draft.emails)
        ]
        phones += [
            {
                "customer_id": customer_id,
                "raw": p.raw,
                "e164": p.e164,
                "digits": digits_only(p.raw),
                "label": p.label,
                "position": i,
            }
            for i, p in enumerate(draft.phones)
        ]
        dates += [
            {
                "customer_id": customer_id,
                "kind": d.kind.value,
                "label": d.label,
                "month": d.date.month,
                "day": d.date.day,
                "year": d.date.year,
            }
            for d in draft.dates
        ]
        tags += [{"customer_id": customer_id, "tag": tag} for tag in normalize_tags(draft.tags)]
    for model, values in (
        (EmailRecord, emails),
        (PhoneRecord, phones),
        (DateRecord, dates),
        (TagRecord, tags),
    ):
        insert_rows(session, core_table(model), values)
    return ids


def _insert_in_order(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the customer rows; their new ids, in the rows' order.

    On SQLite, RETURNING with the rows' order kept makes SQLAlchemy send one INSERT per row (20,000
    statements for 20,000 customers), so the rows go in as one executemany and the ids are read back:
    ``customer.id`` is AUTOINCREMENT (migration 0009), so the rows just inserted have the highest ids,
    in the order inserted, and the write lock the INSERT took keeps anyone else from inserting before
    they are read. On PostgreSQL the ids are taken from the sequence first (one statement) and the rows
    go in with them, as one INSERT of arrays: SQLAlchemy's batched RETURNING sent a statement of 10,000
    parameters per 500 customers, which the driver parsed anew each time (a third of an import)."""
    table = core_table(CustomerRecord)
    if session.get_bind().dialect.name == "postgresql":
        ids = next_ids(session, table, len(rows))
        insert_rows(session, table, [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    insert_rows(session, table, rows)
    newest = select(CustomerRecord.id).order_by(CustomerRecord.id.desc()).limit(len(rows))
    return sorted(session.scalars(newest))
