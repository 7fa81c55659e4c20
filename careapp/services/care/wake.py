"""When each customer's touches next need making: the ``care_wake`` table (see
:func:`careapp.domain.touches.next_wake`).

A refresh on a new day generates touches only for the customers whose wake day its horizon has
reached (plus those whose data changed, and those with a promised callback not yet made a touch),
instead of re-deriving every customer: at 100,000 customers that is a few hundred a day, not all.
Beside it, each customer's last real contact, from the same facts: the Overview's "drifting away"
reads that instead of grouping every contact, ticket and purchase (see
:mod:`careapp.services.care.overview`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from careapp.db.fast_insert import insert_rows
from careapp.db.models import CareWakeRecord, TouchRecord, core_table
from careapp.domain.touches import CustomerFacts, TouchKind, last_real_contact

_CHUNK = 500
_WAKES = core_table(CareWakeRecord)


def save_wakes(
    session: Session,
    wakes: Mapping[int, dt.date],
    anchors: Mapping[int, dt.date | None],
    cleared: bool = False,
) -> None:
    """Store (replace) these customers' wake days and last real contacts (``anchors``). ``cleared``:
    their rows are known to be gone already (:func:`clear_wakes` of their slice), so none is deleted."""
    table = CareWakeRecord
    if cleared:  # a slice of a fresh import is thousands of rows: the driver's executemany
        rows = [{"customer_id": i, "wake_on": wakes[i], "anchor_on": anchors.get(i)} for i in sorted(wakes)]
        insert_rows(session, _WAKES, rows)
        return
    ids = sorted(wakes)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(delete(table).where(table.customer_id.in_(chunk)))
        rows = [{"customer_id": i, "wake_on": wakes[i], "anchor_on": anchors.get(i)} for i in chunk]
        session.execute(insert(table), rows)


def anchors_of(facts: Iterable[CustomerFacts]) -> dict[int, dt.date | None]:
    """Each customer's last real contact, the day a check-in counts from (kept for the Overview)."""
    return {f.id: last_real_contact(f) for f in facts}


def clear_wakes(session: Session, first: int, last: int) -> None:
    """Forget the wake days of the customers with ids ``first`` to ``last`` (a slice planned anew)."""
    session.execute(delete(CareWakeRecord).where(CareWakeRecord.customer_id.between(first, last)))


def woken(session: Session, horizon_end: dt.date) -> set[int]:
    """The customers whose wake day a horizon ending ``horizon_end`` reaches."""
    w = CareWakeRecord
    return set(session.scalars(select(w.customer_id).where(w.wake_on <= horizon_end)))


def callbacks_without_touch(session: Session, callbacks: Collection[tuple[int, int]]) -> set[int]:
    """Of ``(customer id, contact id)`` promises, the customers whose promise has no touch yet."""
    keys = {f"callback:{contact_id}": customer_id for customer_id, contact_id in callbacks}
    wanted = sorted(keys)
    stored: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        t = TouchRecord
        callbacks_stored = select(t.key).where(t.kind == TouchKind.CALLBACK.value, t.key.in_(chunk))
        stored.update(session.scalars(callbacks_stored))
    return {customer_id for key, customer_id in keys.items() if key not in stored}
