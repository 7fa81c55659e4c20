"""A saved copy of the first page of the care queue, shown the moment the window appears.

Opening the database takes a second or more (importing the database stack, checking migrations), so
the queue screen keeps what it last showed (each section's first entries and every section's size)
in a small JSON file beside the database, readable by the user only, and shows it at start-up
until the fresh queue arrives. The copy is marked with the database it came from and the day it is
for; a copy of another database, of another day, or of another format is not shown. Nothing can be
done on it: the actions wait for the database.

Only plain modules are imported here (no SQLAlchemy), so reading the copy costs milliseconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from careapp.domain.care_queue import Bucket, Placement
from careapp.domain.customer import Channel
from careapp.domain.touches import TouchKind
from careapp.services.care.view import SECTION_KEYS, CareQueue, QueueEntry, TouchContext

log = logging.getLogger(__name__)

FORMAT = 1
FILE_NAME = "care-queue-snapshot.json"
_FIELDS = ("overdue", "due_today", "next_7_days", "next_30_days", "held", "carried_over")


def snapshot_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def database_mark(database_url: str) -> str:
    """Which database a copy belongs to, without writing its address (or password) into the file."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:16]


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _entry_json(entry: QueueEntry) -> dict[str, Any]:
    c = entry.context
    return {
        "touch_id": entry.touch_id, "version": entry.version, "key": entry.key,
        "customer_id": entry.customer_id, "customer_name": entry.customer_name, "kind": entry.kind.value,
        "title": entry.title, "description": entry.description, "day": entry.day.isoformat(),
        "due": entry.due.isoformat(), "due_at": entry.due_at.isoformat() if entry.due_at else None,
        "deadline": entry.deadline.isoformat() if entry.deadline else None,
        "channel": entry.channel.value if entry.channel else None,
        "channels": [ch.value for ch in entry.channels], "status": entry.status.value,
        "bucket": entry.bucket.value, "reason": entry.reason,
        "held_until": entry.held_until.isoformat() if entry.held_until else None,
        "snoozed_until": entry.snoozed_until.isoformat() if entry.snoozed_until else None,
        "is_service": entry.is_service,
        "context": {
            "age_turning": c.age_turning, "last_purchase": c.last_purchase,
            "last_purchase_on": c.last_purchase_on.isoformat() if c.last_purchase_on else None,
            "interests": list(c.interests),
            "last_contact": c.last_contact.isoformat() if c.last_contact else None,
            "open_tickets": c.open_tickets,
        },
    }  # fmt: skip


def _entry(data: dict[str, Any]) -> QueueEntry:
    c = data["context"]
    due_at = data["due_at"]
    return QueueEntry(
        touch_id=data["touch_id"], version=data["version"], key=data["key"],
        customer_id=data["customer_id"], customer_name=data["customer_name"],
        kind=TouchKind(data["kind"]), title=data["title"], description=data["description"],
        day=dt.date.fromisoformat(data["day"]), due=dt.date.fromisoformat(data["due"]),
        due_at=dt.datetime.fromisoformat(due_at) if due_at else None, deadline=_day(data["deadline"]),
        channel=Channel(data["channel"]) if data["channel"] else None,
        channels=tuple(Channel(ch) for ch in data["channels"]), status=Placement(data["status"]),
        bucket=Bucket(data["bucket"]), reason=data["reason"], held_until=_day(data["held_until"]),
        snoozed_until=_day(data["snoozed_until"]), is_service=data["is_service"],
        context=TouchContext(
            age_turning=c["age_turning"], last_purchase=c["last_purchase"],
            last_purchase_on=_day(c["last_purchase_on"]), interests=tuple(c["interests"]),
            last_contact=_day(c["last_contact"]), open_tickets=c["open_tickets"],
        ),
    )  # fmt: skip


def write_snapshot(path: Path, mark: str, queue: CareQueue, page: int) -> None:
    """Keep each section's first ``page`` entries and every section's size; never fails the caller."""
    data = {
        "format": FORMAT,
        "database": mark,
        "today": queue.today.isoformat(),
        "counts": queue.counts(),
        "sections": {field: [_entry_json(e) for e in getattr(queue, field)[:page]] for field in _FIELDS},
    }
    try:
        scratch = path.with_suffix(".tmp")
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(scratch, path)
    except OSError as error:
        log.warning("could not keep a copy of the care queue in %s: %s", path, error)


def read_snapshot(path: Path, mark: str, today: dt.date) -> CareQueue | None:
    """The copy, if it is of this database and this day and can be read; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if (
            data.get("format") != FORMAT
            or data.get("database") != mark
            or data.get("today") != today.isoformat()
        ):
            return None
        sections = {field: tuple(_entry(e) for e in data["sections"][field]) for field in _FIELDS}
        counts = {key: int(data["counts"][key]) for key in SECTION_KEYS}
        return CareQueue(today=today, totals=counts, **sections)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("the saved copy of the care queue in %s cannot be read: %s", path, error)
        return None
