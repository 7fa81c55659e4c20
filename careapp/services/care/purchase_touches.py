"""Touches made from a purchase follow the purchase: a follow-up or feedback request whose sale was
deleted is cancelled (and opened again if the sale is put back, by Undo), and one whose sale was edited
names what was bought now.

Generation never touches a stored touch (the key decides: see touch_store), so the refresh calls
:func:`follow_purchases` for the customers it works on, in its write transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.models import PurchaseRecord, TouchRecord
from careapp.domain.care_queue import ItemStatus
from careapp.domain.touches import TouchKind

PURCHASE_GONE = "The purchase was deleted, so there is nothing to follow up."
_KINDS = (TouchKind.PURCHASE_FOLLOW_UP.value, TouchKind.FEEDBACK_REQUEST.value)
_CHUNK = 500


def follow_purchases(
    session: Session, customer_ids: Collection[int] | None = None, id_range: tuple[int, int] | None = None
) -> int:
    """Bring these customers' purchase touches (open, or cancelled for a deleted sale) in line with
    their purchases; returns how many rows changed."""
    t = TouchRecord
    statement = select(t).where(
        t.kind.in_(_KINDS), t.status.in_([ItemStatus.OPEN.value, ItemStatus.CANCELLED.value])
    )
    rows: list[Any] = []
    if id_range is not None:
        rows = list(session.scalars(statement.where(t.customer_id.between(*id_range))))
    elif customer_ids:
        ids = sorted(set(customer_ids))
        for start in range(0, len(ids), _CHUNK):
            rows += session.scalars(statement.where(t.customer_id.in_(ids[start : start + _CHUNK])))
    wanted = [
        (row, json.loads(row.payload_json or "{}"))
        for row in rows
        if row.status == ItemStatus.OPEN.value or row.reason == PURCHASE_GONE
    ]
    wanted = [(row, data) for row, data in wanted if data.get("purchase_ids")]
    sales = _sales({i for _, data in wanted for i in data["purchase_ids"]}, session)
    return sum(_follow(row, data, sales) for row, data in wanted)


def _sales(ids: set[int], session: Session) -> dict[int, str]:
    """The item bought, by purchase id, of those still there."""
    p, found, wanted = PurchaseRecord, {}, sorted(ids)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.execute(select(p.id, p.item).where(p.id.in_(chunk)))
        found.update({row.id: row.item for row in rows})
    return found


def _follow(row: Any, data: dict[str, Any], sales: dict[int, str]) -> int:
    present = [sales[i] for i in data["purchase_ids"] if i in sales]
    if row.status == ItemStatus.OPEN.value and not present:
        row.status, row.reason = ItemStatus.CANCELLED.value, PURCHASE_GONE
        row.version += 1
        return 1
    changed = 0
    if row.status == ItemStatus.CANCELLED.value and present:  # the sale came back (Undo)
        row.status, row.reason = ItemStatus.OPEN.value, ""
        changed = 1
    label = ", ".join(item for item in present if item.strip())
    if present and label != data.get("label", ""):
        data["label"] = label
        row.payload_json = json.dumps(data)
        changed = 1
    row.version += changed
    return changed
