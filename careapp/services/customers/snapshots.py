"""Row snapshots of one customer, as JSON, so deletes and imports can be undone.

A snapshot is ``{table name: [row dict, ...]}`` with dates as ISO text; restoring inserts
the rows back with their original ids, so references from elsewhere still hold.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Date, DateTime, Table, delete, insert, select
from sqlalchemy.orm import Session

from careapp.db.models import (
    Base,
    ConsentEventRecord,
    ContactRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    FeedbackRecord,
    NoteRecord,
    PhoneRecord,
    PurchaseRecord,
    RewardLedgerRecord,
    StageChangeRecord,
    TagRecord,
    TicketAuditRecord,
    TicketRecord,
    TicketStateChangeRecord,
    TouchLogRecord,
    TouchRecord,
    core_table,
)
from careapp.db.sequences import advance_id_sequences

# What an import may change on an existing customer (it only ever adds purchases and
# consent events, which carry the batch id and are removed by id instead).
PROFILE_TABLES: tuple[type[Base], ...] = (EmailRecord, PhoneRecord, DateRecord, TagRecord)
# Everything that belongs to one customer, in restore order: tickets before the contacts,
# state changes, audit entries and feedback that point at them.
ALL_CHILD_TABLES: tuple[type[Base], ...] = (
    *PROFILE_TABLES,
    PurchaseRecord,
    ConsentEventRecord,
    NoteRecord,
    TicketRecord,
    ContactRecord,
    # Touches keep their dedup keys: restoring them stops a greeting being generated twice.
    TouchRecord,
    TouchLogRecord,
    StageChangeRecord,
    TicketStateChangeRecord,
    TicketAuditRecord,
    FeedbackRecord,
    # The rewards ledger: an undone delete must not offer again what was already redeemed.
    RewardLedgerRecord,
)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _decode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(row)
    for column in table.columns:
        value = decoded.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime):
            decoded[column.name] = dt.datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            decoded[column.name] = dt.date.fromisoformat(value)
    return decoded


def _rows(session: Session, table: Table, where: Any) -> list[dict[str, Any]]:
    result = session.execute(select(table).where(where)).mappings()
    return [{key: _encode(value) for key, value in row.items()} for row in result]


def take_snapshot(session: Session, customer_id: int, children: tuple[type[Base], ...]) -> str:
    customer_table = core_table(CustomerRecord)
    snapshot = {"customer": _rows(session, customer_table, customer_table.c.id == customer_id)}
    for model in children:
        table = core_table(model)
        snapshot[table.name] = _rows(session, table, table.c.customer_id == customer_id)
    return json.dumps(snapshot)


def restore_snapshot(session: Session, snapshot_json: str, *, replace_existing: bool) -> int:
    """Put a customer back as the snapshot has it; returns the customer id.

    With ``replace_existing`` the customer row is updated in place and the snapshot's
    child tables are replaced; otherwise everything is inserted (undo of a delete).
    """
    snapshot: dict[str, list[dict[str, Any]]] = json.loads(snapshot_json)
    customer_table = core_table(CustomerRecord)
    customer_row = _decode_row(customer_table, snapshot["customer"][0])
    customer_id = int(customer_row["id"])
    if replace_existing:
        # A restore is a new change: the version moves on, so copies read before it are stale.
        current_version = session.scalar(
            select(customer_table.c.version).where(customer_table.c.id == customer_id)
        )
        customer_row["version"] = int(current_version or 0) + 1
        session.execute(
            customer_table.update().where(customer_table.c.id == customer_id).values(**customer_row)
        )
    else:
        session.execute(insert(customer_table).values(**customer_row))
    for name, rows in snapshot.items():
        if name == "customer":
            continue
        table = Base.metadata.tables[name]
        if replace_existing:
            session.execute(delete(table).where(table.c.customer_id == customer_id))
        if rows:
            session.execute(insert(table), [_decode_row(table, row) for row in rows])
    # Rows came back with their old ids; on PostgreSQL the id sequences must stay ahead of them.
    advance_id_sequences(session, [customer_table, *(Base.metadata.tables[name] for name in snapshot)])
    session.expire_all()
    return customer_id
