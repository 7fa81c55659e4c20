"""Reading the care queue's sections from the stored plan, in SQL (see :mod:`care_plan_store`).

Each open touch row holds its placement before the daily limit and the days it falls on; for a day
``T`` the sections are::

    overdue       queued, last day before T, and (a callback, or among the first `limit` due now)
    today         queued, last day T or later, day T or earlier, and the same condition
    next_7_days   queued, day after T up to T + 7
    next_30_days  queued, day after T + 7 up to T + 30
    held          held, not beyond 30 days (overdue or day up to T + 30)
    carried_over  queued marketing touches due now (day T or earlier) beyond the first `limit`

where "the first `limit` due now" are the queued marketing touches with day T or earlier, by the
domain's priority (time-bound kinds before open-ended ones), then oldest first (day, then key):
exactly the domain's daily limit. Each section is in the plan's order (section's bucket, then in
overdue, today and carried over the priority, then day, time, key), so one page of the sections
ahead is one indexed query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from careapp.db.models import TouchRecord, core_table
from careapp.domain.care_queue import TIME_BOUND_KINDS, Bucket, ItemStatus, Placement, PlannedItem, priority
from careapp.domain.recurrence import add_days
from careapp.domain.touches import TouchKind
from careapp.services.care.touch_store import StoredItem, stored_item
from careapp.services.care.view import SECTION_KEYS

_BUCKETS = (Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS, Bucket.NEXT_30_DAYS, Bucket.LATER)
_PLACEMENTS = {p.value: p for p in Placement}


def _rank(table: Table) -> ColumnElement[int]:
    """The domain's :func:`~careapp.domain.care_queue.priority`, in SQL."""
    time_bound = sorted(k.value for k in TIME_BOUND_KINDS)
    return case(
        (table.c.kind == TouchKind.CALLBACK.value, 0), (table.c.kind.in_(time_bound), 1), else_=2
    )


_MARKETING_KINDS = tuple(k.value for k in TouchKind if k is not TouchKind.CALLBACK)
# The marketing kinds by the domain's priority: time-bound ones, then open-ended ones.
_RANKED_MARKETING_KINDS = (
    tuple(k for k in _MARKETING_KINDS if TouchKind(k) in TIME_BOUND_KINDS),
    tuple(k for k in _MARKETING_KINDS if TouchKind(k) not in TIME_BOUND_KINDS),
)


def _due_now(t: Table, today: dt.date) -> ColumnElement[bool]:
    """The queued marketing touches due by ``today``: what the daily limit chooses from."""
    return and_(
        t.c.status == ItemStatus.OPEN.value,
        t.c.plan_placement == Placement.QUEUED.value,
        t.c.plan_day <= today,
        t.c.kind != TouchKind.CALLBACK.value,
    )


def _first_by_priority(
    session: Session, t: Table, where: ColumnElement[bool], end: int, columns: tuple[Any, ...] = ()
) -> list[Any]:
    """The first ``end`` marketing touches matching ``where`` in the domain's priority (time-bound
    kinds first, then day, then key): ``columns`` of them, or whole rows.

    Read kind by kind, each oldest first from ``ix_touch_status_kind_placement_plan`` and no further
    than ``end``, then merged: one walk of the plan's index in (day, key) order passed over every
    queued touch due, tens of thousands at 100,000 customers, to find the few of the kinds wanted,
    and one query ordered by rank sorted every one of them."""
    found: list[Any] = []
    for rank_kinds in _RANKED_MARKETING_KINDS:
        if len(found) >= end:
            break
        candidates: list[Any] = []
        for kind in rank_kinds:
            statement = (
                select(*(columns or (t,)))
                .where(where, t.c.kind == kind)
                .order_by(t.c.plan_day, t.c.key)
                .limit(end - len(found))
            )
            candidates += session.connection().execute(statement)
        found += sorted(candidates, key=lambda row: (row.plan_day, row.key))[: end - len(found)]
    return found


def _kept_by_the_limit(session: Session, t: Table, today: dt.date, limit: int) -> list[int]:
    """The ids of the queued marketing touches due by ``today`` that the daily limit keeps: the
    oldest time-bound ones (day, then key), then the oldest open-ended ones, ``limit`` in all."""
    oldest = _first_by_priority(session, t, _due_now(t, today), limit, (t.c.plan_day, t.c.key, t.c.id))
    return [row.id for row in oldest]


def carried_reason(limit: int) -> str:
    return f"Today's list is full ({limit} touches); this moves to tomorrow."


@dataclass(frozen=True)
class SectionRows:
    """One section's rows as planned items with their stored rows, and its full size."""

    key: str
    total: int
    items: tuple[tuple[PlannedItem, StoredItem], ...]


class Sections:
    """The section conditions for one day and daily limit. ``kept`` are the ids of the marketing
    touches due now that the daily limit keeps (read once, first).

    A section is read bucket by bucket (its order's first key), each bucket in index order
    (``ix_touch_status_plan``: placement, day, key, kind, last day), so a page stops early instead
    of sorting every matching row.
    """

    def __init__(
        self, session: Session, today: dt.date, limit: int | None, until: dt.date | None = None
    ) -> None:
        """``until``: leave out items falling after that day (carried-over ones are today's, kept)."""
        t = self.t = core_table(TouchRecord)
        self.today, self.limit = today, limit
        self.due_now_rows: list[Any] | None = None
        self.kept_ids: set[int] = set()
        week, month = add_days(today, 7), add_days(today, 30)
        is_open = t.c.status == ItemStatus.OPEN.value
        queued = and_(is_open, t.c.plan_placement == Placement.QUEUED.value)
        callback = t.c.kind == TouchKind.CALLBACK.value
        due_now = _due_now(t, today)
        kept: ColumnElement[bool]
        carried: ColumnElement[bool]
        if limit is None:
            kept, carried = true(), false()
        else:
            kept_ids = _kept_by_the_limit(session, t, today, limit)
            kept = t.c.id.in_(kept_ids)
            carried = and_(due_now, not_(kept))
            # Overdue and today are the kept touches and the callbacks: few, read at once, each by
            # its own index (as one "kept OR callback" condition, SQLite walked every queued touch:
            # 20-35 ms at 100,000 customers, against 1 ms).
            callbacks = and_(queued, callback, t.c.plan_day <= today)
            self.due_now_rows = list(session.execute(select(t).where(t.c.id.in_(kept_ids))))
            self.due_now_rows += session.execute(select(t).where(callbacks))
            self.kept_ids = set(kept_ids)
        self.due_now_marketing = due_now
        if until is not None:
            week, month = min(week, until), min(month, until)
        self.buckets: tuple[ColumnElement[bool], ...] = (
            and_(t.c.plan_day < today, t.c.plan_last_day < today),
            and_(t.c.plan_day <= today, t.c.plan_last_day >= today),
            and_(t.c.plan_day > today, t.c.plan_day <= week),
            and_(t.c.plan_day > week, t.c.plan_day <= month),
        )
        held = and_(is_open, t.c.plan_placement == Placement.HELD.value)
        self.conditions: dict[str, tuple[ColumnElement[bool], tuple[int, ...]]] = {
            "overdue": (and_(queued, or_(callback, kept)), (0,)),
            "today": (and_(queued, or_(callback, kept)), (1,)),
            "next_7_days": (queued, (2,)),
            "next_30_days": (queued, (3,)),
            "held": (held, (0, 1, 2, 3)),
            "carried_over": (carried, (0, 1)),
        }

    def _where(self, key: str, bucket: int) -> ColumnElement[bool]:
        return and_(self.conditions[key][0], self.buckets[bucket])

    def _order(self, key: str, bucket: int) -> tuple[Any, ...]:
        t = self.t
        if key == "held":
            # Never a callback here, so the time is the day's start: (day, key) orders them alike;
            # held touches due now go by priority first, as the domain orders them (a control group
            # holds a check-in days past beside today's follow-up).
            return (_rank(t), t.c.plan_day, t.c.key) if bucket in (0, 1) else (t.c.plan_day, t.c.key)
        if key == "carried_over":
            return (_rank(t), t.c.plan_day, t.c.key)
        if key in ("overdue", "today"):
            return (_rank(t), t.c.plan_day, t.c.plan_at, t.c.key)
        return (t.c.plan_day, t.c.plan_at, t.c.key)

    def _count(self, session: Session, key: str, bucket: int) -> int:
        statement = select(func.count()).select_from(self.t).where(self._where(key, bucket))
        return session.connection().scalar(statement) or 0

    def _bucket_now(self, row: Any) -> int:
        return 0 if row.plan_last_day < self.today else 1

    def _due_now(self, key: str) -> list[Any]:
        """Overdue or today (with a daily limit): the kept touches and callbacks of that bucket."""
        assert self.due_now_rows is not None
        bucket = self.conditions[key][1][0]
        rows = [r for r in self.due_now_rows if self._bucket_now(r) == bucket]
        return sorted(rows, key=lambda r: (priority(TouchKind(r.kind)), r.plan_day, r.plan_at, r.key))

    def count(self, session: Session, key: str) -> int:
        if self.due_now_rows is not None and key in ("overdue", "today"):
            return len(self._due_now(key))
        if key == "carried_over":
            # All queued marketing touches due now in the bucket, less the few the limit keeps.
            # Both buckets together are exactly "day on or before today": one range of the index.
            statement = select(func.count()).select_from(self.t).where(self.due_now_marketing)
            total = session.connection().scalar(statement) or 0
            assert self.due_now_rows is not None
            return total - sum(1 for r in self.due_now_rows if r.id in self.kept_ids)
        condition, buckets = self.conditions[key]
        where = and_(condition, or_(*(self.buckets[b] for b in buckets)))
        return session.connection().scalar(select(func.count()).select_from(self.t).where(where)) or 0

    def rows(
        self, session: Session, key: str, offset: int = 0, limit: int | None = None
    ) -> list[tuple[PlannedItem, StoredItem]]:
        """The section's rows from ``offset``, at most ``limit`` (None: all), in order."""
        if self.due_now_rows is not None and key in ("overdue", "today"):
            bucket = self.conditions[key][1][0]
            rows = self._due_now(key)[offset:]
            return [self.planned(key, bucket, row) for row in (rows if limit is None else rows[:limit])]
        found: list[tuple[PlannedItem, StoredItem]] = []
        for bucket in self.conditions[key][1]:
            if offset:
                size = self._count(session, key, bucket)
                if offset >= size:
                    offset -= size
                    continue
            wanted = None if limit is None else limit - len(found)
            page = self._page(session, key, bucket, offset, wanted)
            found += [self.planned(key, bucket, row) for row in page]
            offset = 0
            if limit is not None and len(found) >= limit:
                break
        return found

    def _page(self, session: Session, key: str, bucket: int, offset: int, limit: int | None) -> list[Any]:
        if key == "carried_over" and limit is not None:
            return self._carried(session, bucket, offset, limit)
        statement = select(self.t).where(self._where(key, bucket)).order_by(*self._order(key, bucket))
        statement = statement.offset(offset).limit(limit) if limit is not None else statement.offset(offset)
        return list(session.connection().execute(statement))

    def _carried(self, session: Session, bucket: int, offset: int, limit: int) -> list[Any]:
        """A page of the carried-over touches of ``bucket`` in the section's order (time-bound kinds
        first, then day and key), without sorting every touch carried over (66,000 at 100,000
        customers: 20-25 ms) for a page of 200."""
        where = self._where("carried_over", bucket)
        return _first_by_priority(session, self.t, where, offset + limit)[offset:]

    def planned(self, key: str, bucket: int, row: Any) -> tuple[PlannedItem, StoredItem]:
        stored = stored_item(row)
        if key == "carried_over":
            assert self.limit is not None
            placement, reason = Placement.CARRIED_OVER, carried_reason(self.limit)
        else:
            placement, reason = _PLACEMENTS[row.plan_placement], row.plan_reason or ""
        planned = PlannedItem(
            item=stored.item,
            placement=placement,
            bucket=_BUCKETS[bucket],
            day=row.plan_day,
            reason=reason,
            held_until=row.plan_held_until,
        )
        return planned, stored


def read_sections(
    session: Session,
    today: dt.date,
    daily_limit: int | None,
    page: int | None,
    until: dt.date | None = None,
    without: Collection[str] = (),
) -> dict[str, SectionRows]:
    """Every section's first ``page`` rows (None: all) and its size; only items on or before
    ``until`` when given (carried-over ones are today's). A section in ``without`` is not read: it
    comes back empty."""
    sections = Sections(session, today, daily_limit, until)
    found: dict[str, SectionRows] = {}
    for key in SECTION_KEYS:
        if key in without:
            found[key] = SectionRows(key, 0, ())
            continue
        items = tuple(sections.rows(session, key, 0, page))
        total = len(items) if page is None or len(items) < page else sections.count(session, key)
        found[key] = SectionRows(key, total, items)
    return found


def read_section(
    session: Session,
    today: dt.date,
    daily_limit: int | None,
    key: str,
    offset: int,
    limit: int,
    until: dt.date | None = None,
) -> SectionRows:
    sections = Sections(session, today, daily_limit, until)
    items = tuple(sections.rows(session, key, offset, limit))
    return SectionRows(key, sections.count(session, key), items)


def counts(session: Session, today: dt.date, daily_limit: int | None) -> dict[str, int]:
    sections = Sections(session, today, daily_limit)
    return {key: sections.count(session, key) for key in SECTION_KEYS}
