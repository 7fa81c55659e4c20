"""The care queue as plain data: what :class:`~careapp.services.care.queue.CareQueueService` returns.

Kept apart from the service (no SQLAlchemy here) so the window can read a saved copy of the queue
before the database stack is even imported (:mod:`careapp.ui.care.snapshot`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from careapp.domain.care_queue import Bucket, Placement
from careapp.domain.customer import Channel
from careapp.domain.touches import TouchKind

SECTION_KEYS = ("overdue", "today", "next_7_days", "next_30_days", "held", "carried_over")


@dataclass(frozen=True)
class TouchContext:
    """What to know before making the touch."""

    age_turning: int | None
    last_purchase: str
    last_purchase_on: dt.date | None
    interests: tuple[str, ...]
    last_contact: dt.date | None
    open_tickets: int
    rewards: str = ""  # "1 reward waiting: …" (careapp.domain.touches.reward_note)


@dataclass(frozen=True)
class QueueEntry:
    """One item of the care queue.

    ``day`` is the day it is shown on (its due day, its snooze day, or a callback's local day);
    ``due`` is the day the rule made it due. ``due_at`` is a callback's promised time, aware, in the
    shop's zone. ``status`` is "queued", "held" or "carried_over"; ``reason`` says why when held or
    carried over. ``channels`` are those it may be done on now (for a marketing touch: consented and
    reachable). ``version`` changes whenever the touch does.
    """

    touch_id: int
    version: int
    key: str
    customer_id: int
    customer_name: str
    kind: TouchKind
    title: str
    description: str
    day: dt.date
    due: dt.date
    due_at: dt.datetime | None
    deadline: dt.date | None
    channel: Channel | None
    channels: tuple[Channel, ...]
    status: Placement
    bucket: Bucket
    reason: str
    held_until: dt.date | None
    snoozed_until: dt.date | None
    is_service: bool
    context: TouchContext
    # The touch's channels the customer can be reached on, consent or not (what "Record consent…"
    # offers for a touch held for consent).
    reachable: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class CareQueue:
    """The queue on ``today``: queued items by section, then held and carried-over ones, each in order."""

    today: dt.date
    overdue: tuple[QueueEntry, ...]
    due_today: tuple[QueueEntry, ...]
    next_7_days: tuple[QueueEntry, ...]
    next_30_days: tuple[QueueEntry, ...]
    held: tuple[QueueEntry, ...]
    carried_over: tuple[QueueEntry, ...]
    # Each section's full size when only its first entries are here (a page); None: all are here.
    totals: Mapping[str, int] | None = None

    @property
    def complete(self) -> bool:
        """Whether every entry of every section is here (not only a page of each)."""
        return self.totals is None or all(
            self.totals[key] == len(entries)
            for key, entries in zip(SECTION_KEYS, self._tuples(), strict=True)
        )

    def _tuples(self) -> tuple[tuple[QueueEntry, ...], ...]:
        return (
            self.overdue,
            self.due_today,
            self.next_7_days,
            self.next_30_days,
            self.held,
            self.carried_over,
        )

    def sections(self) -> list[tuple[str, tuple[QueueEntry, ...]]]:
        return [
            ("Overdue", self.overdue),
            ("Today", self.due_today),
            ("Next 7 days", self.next_7_days),
            ("Next 30 days", self.next_30_days),
            ("Held", self.held),
            ("Carried over to tomorrow", self.carried_over),
        ]

    def entries(self) -> list[QueueEntry]:
        return [entry for _, entries in self.sections() for entry in entries]

    def counts(self) -> dict[str, int]:
        """How many entries each section has (all of them, also when only a page is here)."""
        if self.totals is not None:
            return dict(self.totals)
        return {
            "overdue": len(self.overdue),
            "today": len(self.due_today),
            "next_7_days": len(self.next_7_days),
            "next_30_days": len(self.next_30_days),
            "held": len(self.held),
            "carried_over": len(self.carried_over),
        }

    def find(self, touch_id: int) -> QueueEntry | None:
        return next((e for e in self.entries() if e.touch_id == touch_id), None)
