"""Touch rows in and out: the domain's DueTouch and QueueItem as stored, and the touch log.

A touch row keeps what the care queue needs in columns (key, customer, kind, due day, callback time,
channel, status, snooze day, reason) and the rest of the :class:`~careapp.domain.touches.DueTouch` in
``payload_json``. Times are stored naive UTC like everywhere in careapp; a callback's ``due_at`` comes
back aware (UTC).

New touches go in with "insert, or do nothing if the key is already there": the unique key decides,
so two seats (or two processes) generating at the same moment never store a touch twice and never
fail. Saving a planned item checks the row's ``version``, so a plan made from an older read never
overwrites what a seat did in the meantime (the next plan sees it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.db.models import TouchLogRecord, TouchRecord, core_table
from careapp.domain.care_queue import ItemStatus, QueueItem, TouchLogEntry, TouchOutcome
from careapp.domain.customer import Channel, DateKind
from careapp.domain.touches import DueTouch, TouchKind, is_marketing

_CHUNK = 500
# Enum lookups by value, without the cost of calling the enum for each of many rows.
_KINDS = {k.value: k for k in TouchKind}
_CHANNELS = {c.value: c for c in Channel}
_STATUSES = {s.value: s for s in ItemStatus}


def _table() -> Table:
    return core_table(TouchRecord)


@dataclass(frozen=True)
class StoredItem:
    """A touch row as the planner sees it: the queue item plus its row id and version."""

    id: int
    version: int
    item: QueueItem
    # The stored plan columns (see careapp.services.care.plan_store.plan_columns), None when the
    # row was read without them: a plan writes only the rows whose plan it changed.
    plan: tuple[Any, ...] | None = None


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def payload_json(touch: DueTouch) -> str:
    """What the columns do not hold, as JSON."""
    data = {
        "channels": [c.value for c in touch.channels],
        "occasion": touch.occasion.isoformat() if touch.occasion else None,
        "deadline": touch.deadline.isoformat() if touch.deadline else None,
        "years": touch.years,
        "label": touch.label,
        "purchase_ids": list(touch.purchase_ids),
        "article_id": touch.article_id,
        "ticket_id": touch.ticket_id,
        "referred_customer_id": touch.referred_customer_id,
        "date_kind": touch.date_kind.value if touch.date_kind else None,
    }
    return json.dumps({k: v for k, v in data.items() if v not in (None, [], "")})


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def due_touch(row: Any) -> DueTouch:
    """The DueTouch of a touch row (an ORM record or a Core row with the same columns)."""
    data: dict[str, Any] = json.loads(row.payload_json or "{}")
    due_at = row.due_at.replace(tzinfo=dt.UTC) if row.due_at is not None else None
    return DueTouch(
        key=row.key,
        kind=_KINDS[row.kind],
        customer_id=row.customer_id,
        due=row.due,
        channels=tuple(_CHANNELS[c] for c in data.get("channels", ())),
        occasion=_date(data.get("occasion")),
        deadline=_date(data.get("deadline")),
        due_at=due_at,
        years=data.get("years"),
        label=data.get("label", ""),
        purchase_ids=tuple(data.get("purchase_ids", [])),
        article_id=data.get("article_id"),
        ticket_id=data.get("ticket_id"),
        referred_customer_id=data.get("referred_customer_id"),
        date_kind=DateKind(data["date_kind"]) if data.get("date_kind") else None,
    )


def queue_item(row: Any) -> QueueItem:
    return QueueItem(
        touch=due_touch(row),
        status=_STATUSES[row.status],
        channel=_CHANNELS[row.channel] if row.channel else None,
        snoozed_until=row.snoozed_until,
        reason=row.reason or "",
    )


PLAN_COLUMNS = ("plan_placement", "plan_reason", "plan_held_until", "plan_day", "plan_last_day", "plan_at")


def stored_item(row: Any) -> StoredItem:
    """A touch row with its stored plan when the row is a Core row that carries the plan columns (an
    ORM record: no plan). ``_mapping`` is made anew on each access: read once (the queue reads
    thousands of rows; hasattr and a second access made it a tenth of ``export ics``)."""
    mapping = getattr(row, "_mapping", None)
    plan = (
        tuple(mapping[name] for name in PLAN_COLUMNS)
        if mapping is not None and "plan_at" in mapping
        else None
    )
    return StoredItem(row.id, row.version, queue_item(row), plan)


def new_row(touch: DueTouch, now: dt.datetime) -> dict[str, Any]:
    return {
        "key": touch.key,
        "customer_id": touch.customer_id,
        "kind": touch.kind.value,
        "due": touch.due,
        "due_at": _naive_utc(touch.due_at),
        "channel": None,
        "status": ItemStatus.OPEN.value,
        "snoozed_until": None,
        "reason": "",
        "payload_json": payload_json(touch),
        "created_at": now,
        "done_at": None,
        "done_by": None,
        "version": 1,
    }


def insert_new(session: Session, touches: Sequence[DueTouch], now: dt.datetime) -> int:
    """Store touches whose key is not stored yet; a key already there (another seat was quicker) is
    left as it is. Returns how many rows were added."""
    if not touches:
        return 0
    rows = [new_row(t, now) for t in touches]
    dialect = session.get_bind().dialect.name
    before = _count(session)
    if dialect in ("sqlite", "postgresql"):
        for start in range(0, len(rows), _CHUNK):
            session.execute(_insert_ignoring_duplicates(dialect), rows[start : start + _CHUNK])
    else:
        insert_one_by_one(session, rows)
    return _count(session) - before


def _insert_ignoring_duplicates(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (key) DO NOTHING, in the dialect's words."""
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(_table()).on_conflict_do_nothing(index_elements=["key"])
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(_table()).on_conflict_do_nothing(index_elements=["key"])


def insert_one_by_one(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """The portable way: each row in a savepoint; a duplicate key is skipped, not an error."""
    for row in rows:
        try:
            with session.begin_nested():
                session.execute(insert(_table()), [row])
        except IntegrityError:
            continue


def _count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(_table())) or 0


def all_keys(session: Session) -> set[str]:
    """Every key ever generated, whatever became of its touch."""
    return set(session.scalars(select(TouchRecord.key)))


def keys_of(session: Session, customer_ids: Collection[int]) -> set[str]:
    """Every key ever generated for these customers."""
    ids = sorted(set(customer_ids))
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(session.scalars(select(TouchRecord.key).where(TouchRecord.customer_id.in_(chunk))))
    return found


def load_open(session: Session, customer_ids: Collection[int] | None = None) -> list[StoredItem]:
    """The open items (snoozed ones included), of some customers or of all."""
    table = _table()
    statement = select(table).where(table.c.status == ItemStatus.OPEN.value).order_by(table.c.id)
    if customer_ids is None:
        return [stored_item(row) for row in session.execute(statement)]
    ids = sorted(set(customer_ids))
    found: list[StoredItem] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found += [stored_item(r) for r in session.execute(statement.where(table.c.customer_id.in_(chunk)))]
    return found


def save_planned(session: Session, changes: Sequence[tuple[StoredItem, QueueItem]]) -> int:
    """Write what planning changed (a channel chosen, a touch cancelled), only where the row is still
    at the version that was planned from. Returns how many rows were written."""
    if not changes:
        return 0
    table = _table()
    statement = (
        update(table)
        .where(and_(table.c.id == bindparam("row_id"), table.c.version == bindparam("row_version")))
        .values(
            status=bindparam("new_status"),
            channel=bindparam("new_channel"),
            reason=bindparam("new_reason"),
            snoozed_until=bindparam("new_snoozed_until"),
            version=table.c.version + 1,
        )
    )
    params = [
        {
            "row_id": stored.id,
            "row_version": stored.version,
            "new_status": item.status.value,
            "new_channel": item.channel.value if item.channel else None,
            "new_reason": item.reason,
            "new_snoozed_until": item.snoozed_until,
        }
        for stored, item in changes
    ]
    written = 0
    for start in range(0, len(params), _CHUNK):
        result = session.execute(statement, params[start : start + _CHUNK])
        written += max(getattr(result, "rowcount", 0), 0)
    return written


def log_history(session: Session, customer_ids: Collection[int], since: dt.datetime) -> list[TouchLogEntry]:
    """Done marketing touches since ``since`` (naive UTC) of these customers: what the cap counts."""
    log = TouchLogRecord
    marketing = [k.value for k in TouchKind if is_marketing(k)]
    statement = (
        select(log.customer_id, log.kind, log.outcome, log.who, log.at, log.channel, TouchRecord.key)
        .join(TouchRecord, TouchRecord.id == log.touch_id)
        .where(log.outcome == TouchOutcome.DONE.value, log.at >= since, log.kind.in_(marketing))
    )
    wanted = set(customer_ids)
    if len(wanted) <= _CHUNK:  # a few customers: let the index pick their rows
        statement = statement.where(log.customer_id.in_(sorted(wanted)))
    return [
        TouchLogEntry(
            customer_id=row.customer_id,
            touch_key=row.key,
            kind=TouchKind(row.kind),
            outcome=TouchOutcome(row.outcome),
            who=row.who,
            at=row.at,
            channel=Channel(row.channel) if row.channel else None,
        )
        for row in session.execute(statement)
        if row.customer_id in wanted
    ]


def write_item(record: TouchRecord, item: QueueItem) -> None:
    """Copy an acted-on item's state onto its row and move the version on."""
    record.status = item.status.value
    record.channel = item.channel.value if item.channel else None
    record.snoozed_until = item.snoozed_until
    record.reason = item.reason
    record.version += 1


def with_status(item: QueueItem, status: ItemStatus, reason: str) -> QueueItem:
    return replace(item, status=status, reason=reason, snoozed_until=None)
