"""Changing many customers at once (tags and loyalty stage), as one transaction, with undo.

Each changed customer's version moves on and records who made the change, like a single edit; the
result keeps a snapshot of each one as it was, so the whole change can be undone while nobody has
edited those customers since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from careapp.db.models import CustomerRecord, StageChangeRecord, TagRecord
from careapp.domain.customer import LoyaltyStage, normalize_tags
from careapp.services.customers.mapping import draft_from_record, search_text_for, with_children
from careapp.services.customers.snapshots import restore_snapshot, take_snapshot

# Ids per IN (...) list: PostgreSQL takes at most 65,535 parameters in one statement, and the whole
# list of 100,000 customers can be selected.
IDS_PER_QUERY = 10_000


def _parts(ids: Sequence[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[start : start + IDS_PER_QUERY] for start in range(0, len(ordered), IDS_PER_QUERY)]


@dataclass(frozen=True)
class BulkChange:
    """What to do to every selected customer; empty parts change nothing."""

    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    stage: LoyaltyStage | None = None

    def is_empty(self) -> bool:
        return not (
            normalize_tags(list(self.add_tags)) or normalize_tags(list(self.remove_tags)) or self.stage
        )


@dataclass(frozen=True)
class BulkEditResult:
    """The customers changed (others already matched), and what undo needs."""

    changed_ids: tuple[int, ...]
    unchanged: int
    # customer id -> (version after the edit, snapshot JSON from before it)
    undo: dict[int, tuple[int, str]] = field(default_factory=dict, repr=False)


class BulkUndoWouldLoseEdits(Exception):
    """Some of the customers were edited after the bulk change; undo would throw that away."""


def apply_bulk_change(
    session: Session, ids: Sequence[int], change: BulkChange, actor: str, now: dt.datetime
) -> BulkEditResult:
    add = normalize_tags(list(change.add_tags))
    remove = set(normalize_tags(list(change.remove_tags)))
    records = [
        record
        for part in _parts(ids)
        for record in session.scalars(
            select(CustomerRecord)
            .where(CustomerRecord.id.in_(part))
            .options(*with_children())
            .order_by(CustomerRecord.id)
        )
    ]
    undo: dict[int, tuple[int, str]] = {}
    for record in records:
        old_tags = [t.tag for t in record.tags]
        tags = normalize_tags([t for t in old_tags if t not in remove] + add)
        stage = change.stage.value if change.stage else record.loyalty_stage
        if tags == old_tags and stage == record.loyalty_stage:
            continue
        snapshot = take_snapshot(session, record.id, (TagRecord,))
        if stage != record.loyalty_stage:
            session.add(
                StageChangeRecord(
                    customer_id=record.id, at=now, old_stage=record.loyalty_stage, new_stage=stage, by=actor
                )
            )
        _write_tags_and_stage(record, tags, stage)
        record.version += 1
        record.updated_at = now
        record.updated_by = actor
        undo[record.id] = (record.version, snapshot)
    session.flush()
    return BulkEditResult(tuple(undo), len(records) - len(undo), undo)


def _write_tags_and_stage(record: CustomerRecord, tags: list[str], stage: str) -> None:
    record.tags = [TagRecord(tag=tag) for tag in tags]
    record.tags_text = ", ".join(tags)
    record.loyalty_stage = stage
    draft = draft_from_record(record)
    record.search_text = search_text_for(replace(draft, tags=tags))


def undo_bulk_change(session: Session, result: BulkEditResult, actor: str, now: dt.datetime) -> int:
    """Put every changed customer back; refuses (changing nothing) if any was edited since."""
    current = {
        row.id: row.version
        for part in _parts(list(result.undo))
        for row in session.execute(
            select(CustomerRecord.id, CustomerRecord.version).where(CustomerRecord.id.in_(part))
        )
    }
    edited = [cid for cid, (version, _) in result.undo.items() if current.get(cid) not in (None, version)]
    if edited:
        names = _names(session, edited)
        raise BulkUndoWouldLoseEdits(
            f"The change cannot be undone: {names} changed since, and undoing would lose that."
        )
    restored = 0
    for cid, (_, snapshot) in result.undo.items():
        if cid not in current:
            continue  # deleted since: nothing to put back
        before = session.scalar(select(CustomerRecord.loyalty_stage).where(CustomerRecord.id == cid))
        restore_snapshot(session, snapshot, replace_existing=True)
        # The undo is a change of its own: who made it, and when.
        session.execute(
            update(CustomerRecord).where(CustomerRecord.id == cid).values(updated_by=actor, updated_at=now)
        )
        after = session.scalar(select(CustomerRecord.loyalty_stage).where(CustomerRecord.id == cid))
        if before != after and after is not None:
            session.add(
                StageChangeRecord(customer_id=cid, at=now, old_stage=before, new_stage=after, by=actor)
            )
        restored += 1
    return restored


def _names(session: Session, ids: Sequence[int]) -> str:
    """The first three customers by name, and how many more (all of them may have been changed)."""
    first = sorted(set(ids))[:3]
    names = list(session.scalars(select(CustomerRecord.display_name).where(CustomerRecord.id.in_(first))))
    more = len(set(ids)) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")
