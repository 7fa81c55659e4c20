"""Planning the care queue from what is stored: shared by the touch refresh, the queue and the actions.

The plan itself is the domain's (:func:`careapp.domain.care_queue.plan_queue`). Here it gets its
inputs, read in one transaction: the open items, fresh facts about their customers (consents, an
open complaint, the latest contact: so a withdrawn consent or a new complaint counts the very next
time anything plans), the done marketing touches within the cap's window, and the care settings.
What the plan changed is written afterwards, in a second short transaction, row by row only where
the row is still at the version that was read (see :func:`careapp.services.care.touch_store.save_planned`).

Callbacks done elsewhere (a later contact on the ticket reached the customer, or someone ticked it
off on the ticket screen) are marked done here before planning, so the queue never shows a promise
that was kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import ContactRecord, TouchLogRecord, TouchRecord
from careapp.domain.care_queue import CarePlan, CareSettings, ItemStatus, TouchOutcome, plan_queue
from careapp.domain.touches import TouchKind
from careapp.services.care.facts import FactWindow, LoadedFacts, load_facts, load_planning_facts
from careapp.services.care.touch_store import StoredItem, load_open, log_history, save_planned


@dataclass(frozen=True)
class PlannedQueue:
    """A plan with what it was made from: the stored rows (by key) and the customers' facts."""

    plan: CarePlan
    stored: dict[str, StoredItem]
    loaded: LoadedFacts
    settings: CareSettings


def minimal_window(today: dt.date) -> FactWindow:
    """Planning needs no old purchases, tickets or referrals: only the latest (always loaded)."""
    return FactWindow(purchases_since=today, tickets_since=today, referrals_since=today)


def plan_stored(
    session: Session,
    today: dt.date,
    settings: CareSettings,
    customer_ids: Collection[int] | None = None,
    loaded: LoadedFacts | None = None,
    *,
    anchors: Mapping[int, dt.date | None] | None = None,
) -> PlannedQueue:
    """Plan today's queue from the stored open items (of ``customer_ids``, or all). ``anchors``:
    customers whose kept last real contact is up to date, planned from only the facts planning reads
    (:func:`careapp.services.care.facts.load_planning_facts`); the result is the same."""
    items = load_open(session, customer_ids)
    ids = {s.item.customer_id for s in items}
    loaded = _facts_for(session, today, settings, ids, loaded, anchors or {})
    since = dt.datetime.combine(today - dt.timedelta(days=settings.cap_window_days + 1), dt.time())
    history = log_history(session, ids, since)
    plan = plan_queue([s.item for s in items], loaded.facts, settings, today, history)
    return PlannedQueue(plan, {s.item.key: s for s in items}, loaded, settings)


def _facts_for(
    session: Session,
    today: dt.date,
    settings: CareSettings,
    ids: set[int],
    loaded: LoadedFacts | None,
    anchors: Mapping[int, dt.date | None],
) -> LoadedFacts:
    """Facts for ``ids``: those ``loaded`` holds (the touches' refresh has just read them), the
    planning facts of those with a kept anchor, and all the facts of the rest, so no customer's facts
    are read twice in one refresh."""
    facts = LoadedFacts() if loaded is None else LoadedFacts(dict(loaded.facts), dict(loaded.extras))
    missing = ids - facts.facts.keys()
    light = {i for i in missing if i in anchors}
    window = minimal_window(today)
    for more in (
        load_planning_facts(session, settings.tz(), window, light, anchors) if light else None,
        load_facts(session, settings.tz(), window, missing - light) if missing - light else None,
    ):
        if more is not None:
            facts.facts.update(more.facts)
            facts.extras.update(more.extras)
    return facts


def save_plan(db: Database, planned: PlannedQueue) -> int:
    """Write what the plan changed; returns how many rows were written."""
    changes = [(planned.stored[item.key], item) for item in planned.plan.to_save()]
    if not changes:
        return 0
    with db.session() as session:
        return save_planned(session, changes)


def close_kept_callbacks(session: Session) -> int:
    """Mark open callback touches done whose promise was kept elsewhere; cancel those whose promise is
    gone. Returns how many were closed. Runs in a write transaction."""
    rows = session.execute(
        select(TouchRecord).where(
            TouchRecord.status == ItemStatus.OPEN.value, TouchRecord.kind == TouchKind.CALLBACK.value
        )
    ).scalars()
    open_items = {_contact_id(r.key): r for r in rows}
    open_items.pop(None, None)
    if not open_items:
        return 0
    contacts = {
        c.id: c for c in session.scalars(select(ContactRecord).where(ContactRecord.id.in_(list(open_items))))
    }
    closed = 0
    for contact_id, record in open_items.items():
        assert contact_id is not None
        contact = contacts.get(contact_id)
        if contact is not None and contact.callback_done_at is None and contact.callback_at is not None:
            continue
        closed += 1
        record.version += 1
        if contact is None or contact.callback_done_at is None:
            record.status = ItemStatus.CANCELLED.value
            record.reason = "The promised callback was removed from the ticket."
            continue
        record.status = ItemStatus.DONE.value
        record.done_at = contact.callback_done_at
        record.done_by = contact.callback_done_by or ""
        record.reason = "Done on the ticket."
        session.add(
            TouchLogRecord(
                touch_id=record.id,
                customer_id=record.customer_id,
                at=contact.callback_done_at,
                who=contact.callback_done_by or "",
                outcome=TouchOutcome.DONE.value,
                kind=TouchKind.CALLBACK.value,
                channel=record.channel,
                note="The callback was made and logged on the ticket.",
            )
        )
    return closed


def _contact_id(key: str) -> int | None:
    prefix, _, rest = key.partition(":")
    return int(rest) if prefix == "callback" and rest.isdigit() else None
