"""What the value figures are made from, read once per state of the data and kept.

A :class:`Snapshot` holds each customer's purchases summed per month (one GROUP BY per customer and
month), their loyalty stages and, once asked for, the shop's category first-purchase days, purchase
days and consent changes. It belongs to one value of the ``customers`` and ``care`` change counters
(any seat's purchase, refund, consent change, customer change or touch done moves one), so a report
asked again with nothing changed is worked out from memory, and a change anywhere makes a new one.

Figures derived from it (totals, the RFM scale, segments as of a month, a report) are kept in its
``memo`` under a key naming what they depend on besides the data (the day, the range, the control
group). A snapshot is used from more than one thread: its memo is filled under its lock.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from careapp.db.changes import read_counters
from careapp.domain.value import (
    NO_SEGMENT,
    CustomerTotals,
    RfmScale,
    segments_of,
)
from careapp.services.value import loading

T = TypeVar("T")


def data_key(session: Session) -> tuple[int, int]:
    counters = read_counters(session)
    return counters.get("customers", 0), counters.get("care", 0)


@dataclass
class Snapshot:
    """The data behind the value figures at one ``key`` (the change counters), read part by part as
    the figures ask for them, through ``read`` (a callable given a new session's work)."""

    key: tuple[int, int]
    days: loading.Days = field(default_factory=loading.Days)
    memo: dict[Hashable, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kept(self, key: Hashable, make: Callable[[], T]) -> T:
        """The figure under ``key``, made by ``make`` the first time."""
        with self.lock:
            if key in self.memo:
                return self.memo[key]
        made = make()
        with self.lock:
            return self.memo.setdefault(key, made)

    def totals(self, session: Session) -> list[CustomerTotals]:
        """Every customer with a purchase row: one GROUP BY per customer."""
        return self.kept("totals", lambda: loading.customer_totals(session, self.days))

    def stages(self, session: Session) -> dict[int, str]:
        """Every customer's loyalty stage (every customer is a key)."""
        return self.kept("stages", lambda: loading.stages(session))

    def scale(self, session: Session) -> RfmScale:
        return self.kept("scale", lambda: RfmScale.of(self.totals(session)))

    def monthly(self, session: Session) -> dict[int, list[loading.MonthRow]]:
        return self.kept("monthly", lambda: loading.monthly_rows(session, self.days))

    def segments_before(self, session: Session, month: dt.date, customers: list[int]) -> dict[int, str]:
        """Each of ``customers``' RFM segment scored from their purchases before ``month``."""
        index = month.year * 12 + month.month - 1

        def make() -> dict[int, str]:
            before = [
                _fold(cid, [r for r in rows if r[0] < index]) for cid, rows in self.monthly(session).items()
            ]
            found = segments_of(before)
            return {cid: found.get(cid, NO_SEGMENT) for cid in customers}

        return self.kept(("segments", month), make)


def _fold(customer_id: int, rows: list[loading.MonthRow]) -> CustomerTotals:
    firsts = [r[3] for r in rows if r[3] is not None]
    lasts = [r[4] for r in rows if r[4] is not None]
    return CustomerTotals(
        customer_id,
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
        firsts[0] if firsts else None,
        lasts[-1] if lasts else None,
    )


class SnapshotKeeper:
    """The current snapshot, made again when the change counters moved since it was read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Snapshot | None = None

    def get(self, session: Session) -> Snapshot:
        key = data_key(session)
        with self._lock:
            if self._current is not None and self._current.key == key:
                return self._current
        snapshot = Snapshot(key)
        with self._lock:
            self._current = snapshot
        return snapshot
