"""The care queue's plan, stored on the touch rows and kept up to date customer by customer.

Planning (:func:`careapp.domain.care_queue.plan_queue`) decides for each open touch whether it is
queued, held or cancelled. Everything but the daily limit is decided per customer, from that
customer's facts, touches and touch log, the care settings and the day. So the plan is stored on
the touch rows (``plan_placement``, ``plan_reason``, ``plan_held_until``, ``plan_day``,
``plan_last_day``, ``plan_at``) *before* the daily limit, and the limit (the oldest ``daily_limit``
marketing touches due now are queued, the rest carried over) is applied when the queue is read,
in SQL (:mod:`careapp.services.care.sections`).

Keeping it up to date: database triggers note in ``care_dirty`` every customer whose care facts
changed (see :mod:`careapp.db.care_triggers`). :func:`ensure_planned` re-plans only the customers
noted since the plan's watermark; the whole plan is made again when the signature changed (another
day, other care settings, the control group turned on or off) or when so many customers changed that
one pass is cheaper.

On PostgreSQL with several seats writing at once, a ``seq`` may become visible after a larger one
was already dealt with; such a change is then picked up with the next full plan (the next day).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import CareDirtyRecord, CarePlanStateRecord, CareWakeRecord, TouchRecord, core_table
from careapp.domain.care_queue import CareSettings, ItemStatus, Placement, PlannedItem
from careapp.services.care.facts import LoadedFacts
from careapp.services.care.planning import PlannedQueue, plan_stored
from careapp.services.care.touch_store import save_planned
from careapp.services.shop.control_group import ControlGroup, read_control_group

PLAN = "plan"
REFRESH = "refresh"
PRUNED = "pruned"
# What a touches' refresh stores per customer; a new version re-derives everyone once. 3:
# care_wake.anchor_on (migration 0013), read (see :func:`stale_anchors`) only once a refresh of this
# version has filled it.
REFRESH_VERSION = 3
# Above this many changed customers, planning everyone in one pass is cheaper than picking them out.
FULL_ABOVE = 20_000
_CHUNK = 500
# Customers per slice of a full plan (see :func:`ensure_planned`): only one slice's facts and touches
# are in memory at once, and each customer's plan depends on that customer alone (the daily limit is
# applied on reading), so slicing changes nothing.
PLAN_CHUNK = 5_000


def _table() -> Table:
    return core_table(TouchRecord)


# How the domain plans; a new version re-plans everyone once. 2: a touch due now counts against the
# cap of every later touch (careapp.domain.care_queue, step 5), so a new day moves no band of them.
# 3: a touch held for a withdrawn consent says the day of the withdrawal (the stored reasons of the
# held ones are written again).
PLAN_VERSION = 3


def plan_signature(today: dt.date, settings: CareSettings, control: ControlGroup) -> dict[str, Any]:
    """What a stored plan depends on besides the customers' own data (the daily limit is applied on
    reading, so it is not part of it). The control group decides whose marketing touches are held,
    so turning it on or off or changing its share re-plans everyone; so does a new way of planning
    (:data:`PLAN_VERSION`)."""
    return {
        "version": PLAN_VERSION,
        "day": today.isoformat(),
        "cap": settings.marketing_cap,
        "window": settings.cap_window_days,
        "tz": settings.timezone,
        "control": control.signature(),
    }


def read_state(session: Session, name: str) -> tuple[dict[str, Any] | None, int]:
    record = session.get(CarePlanStateRecord, name)
    if record is None:
        return None, 0
    try:
        return json.loads(record.signature_json), record.seq
    except ValueError:
        return None, 0


def write_state(session: Session, name: str, signature: dict[str, Any], seq: int) -> None:
    record = session.get(CarePlanStateRecord, name)
    text = json.dumps(signature, sort_keys=True)
    if record is None:
        session.add(CarePlanStateRecord(name=name, signature_json=text, seq=seq))
    else:
        record.signature_json = text
        record.seq = seq


def latest_seq(session: Session) -> int:
    return session.scalar(select(func.max(CareDirtyRecord.seq))) or 0


def dirty_since(session: Session, seq: int, *, touch_only: bool = True) -> tuple[set[int], int]:
    """The customers noted after ``seq``, and the highest ``seq`` seen. ``touch_only`` False leaves out
    the customers noted only for a new touch (the touches' refresh has nothing to make from those)."""
    d = CareDirtyRecord
    rows = session.execute(select(d.seq, d.customer_id, d.touch_only).where(d.seq > seq)).all()
    customers = {row.customer_id for row in rows if touch_only or not row.touch_only}
    return customers, max((row.seq for row in rows), default=seq)


def moved_by_the_day(session: Session, old_day: dt.date, new_day: dt.date) -> set[int]:
    """The customers whose stored plan can differ on ``new_day`` from ``old_day`` with nothing else
    changed. Planning reads the day in two places only (careapp.domain.care_queue): an item falling
    due (held for "no consent yet" until then, cancelled from then on; snoozed items fall due on their
    snooze day; a touch due now counts against the cap of every later one), and a capped or withdrawn
    item whose day to go ahead (or to go) has come (its reason says that day, not the count in the
    window, so it does not change in between). So: customers with an open item whose day came, or
    with a held item whose day has come; a touch never planned has no day yet and is planned too.
    Everyone else's plan is the same, which tests/services/test_care_incremental_property.py and
    tests/services/test_care_new_day.py check against planning everyone.
    """
    t = TouchRecord
    is_open = t.status == ItemStatus.OPEN.value
    came = select(t.customer_id).where(
        is_open, or_(t.plan_day.is_(None), and_(t.plan_day > old_day, t.plan_day <= new_day))
    )
    capped = select(t.customer_id).where(
        is_open, t.plan_placement == Placement.HELD.value, t.plan_held_until <= new_day
    )
    found: set[int] = set()
    for statement in (came, capped):
        found.update(session.scalars(statement))
    return found


def stale_anchors(session: Session, zone: str) -> set[int] | None:
    """The customers whose stored anchor (``care_wake.anchor_on``, their last real contact) may be
    out of date, being changed since the last refresh; None when no anchor can be trusted (no refresh
    of this version yet, another time zone, or the change notes since the last refresh forgotten)."""
    signature, seq = read_state(session, REFRESH)
    if signature is None or signature.get("version") != REFRESH_VERSION or signature.get("tz") != zone:
        return None
    if pruned_after(session, seq):
        return None
    return dirty_since(session, seq, touch_only=False)[0]


def trusted_anchors(session: Session, customer_ids: Collection[int], zone: str) -> dict[int, dt.date | None]:
    """The stored anchors of those of ``customer_ids`` whose anchor is up to date (see
    :func:`stale_anchors`); the others are left out (their facts must be read)."""
    stale = stale_anchors(session, zone)
    if stale is None:
        return {}
    wanted = sorted(set(customer_ids) - stale)
    w = CareWakeRecord
    found: dict[int, dt.date | None] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        statement = select(w.customer_id, w.anchor_on).where(w.customer_id.in_(chunk))
        found.update((customer_id, anchor) for customer_id, anchor in session.execute(statement))
    return found


def prune_dirty(session: Session) -> None:
    """Forget the notes both the plan and the refresh have dealt with, and say up to where (a cache
    that looked at the notes less recently than that must start again: see :func:`pruned_after`)."""
    seqs = [read_state(session, name) for name in (PLAN, REFRESH)]
    seq = min(seq for signature, seq in seqs if signature is not None) if seqs[0][0] is not None else 0
    if seq:
        session.execute(delete(CareDirtyRecord).where(CareDirtyRecord.seq <= seq))
        write_state(session, PRUNED, {}, seq)


def pruned_after(session: Session, seq: int) -> bool:
    """Whether notes after ``seq`` may have been forgotten."""
    _, pruned = read_state(session, PRUNED)
    return pruned > seq


def unlimited(settings: CareSettings) -> CareSettings:
    """The settings the stored plan is made with: the daily limit is applied when reading."""
    return replace(settings, daily_limit=None)


def plan_columns(p: PlannedItem) -> dict[str, Any]:
    touch = p.item.touch
    # A snoozed touch is overdue after its snooze day; a check-in only after its deadline.
    last_day = p.day if p.item.snoozed_until is not None else max(p.day, touch.deadline or p.day)
    moment = touch.due_at or dt.datetime.combine(p.day, dt.time.min, dt.UTC)
    return {
        "new_placement": p.placement.value,
        "new_plan_reason": p.reason,
        "new_held_until": p.held_until,
        "new_plan_day": p.day,
        "new_last_day": last_day,
        "new_plan_at": moment.astimezone(dt.UTC).replace(tzinfo=None),
    }


def save_placement(session: Session, planned: PlannedQueue) -> int:
    """Write what the plan changed in the items (see :func:`save_planned`) and the placements it changed.
    Returns how many items changed."""
    changes = [(planned.stored[item.key], item) for item in planned.plan.to_save()]
    written = save_planned(session, changes)
    table = _table()
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            plan_placement=bindparam("new_placement"),
            plan_reason=bindparam("new_plan_reason"),
            plan_held_until=bindparam("new_held_until"),
            plan_day=bindparam("new_plan_day"),
            plan_last_day=bindparam("new_last_day"),
            plan_at=bindparam("new_plan_at"),
        )
        .execution_options(synchronize_session=False)
    )
    params = []
    for p in planned.plan.items:
        stored = planned.stored[p.item.key]
        columns = plan_columns(p)
        if stored.plan is None or stored.plan != tuple(columns.values()):
            params.append({"row_id": stored.id, **columns})
    for start in range(0, len(params), _CHUNK):
        session.execute(statement, params[start : start + _CHUNK])
    return written


def plan_customers(
    session: Session,
    today: dt.date,
    settings: CareSettings,
    customer_ids: Collection[int] | None,
    loaded: LoadedFacts | None = None,
) -> tuple[PlannedQueue, int]:
    """Plan the open touches of these customers (None: of everyone) and store the result. Customers
    whose facts are not ``loaded`` are planned from the facts planning reads, with their kept anchor
    (:func:`trusted_anchors`), or from all their facts when it may be stale."""
    ids = customer_ids if customer_ids is not None else open_customer_ids(session)
    anchors = trusted_anchors(
        session, set(ids) - (loaded.facts.keys() if loaded else set()), settings.timezone
    )
    planned = plan_stored(session, today, unlimited(settings), customer_ids, loaded, anchors=anchors)
    return planned, save_placement(session, planned)


def open_customer_ids(session: Session) -> list[int]:
    """The customers with an open touch, by id (what a full plan plans)."""
    t = TouchRecord
    statement = (
        select(t.customer_id).where(t.status == ItemStatus.OPEN.value).distinct().order_by(t.customer_id)
    )
    return list(session.scalars(statement))


def _slices(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + PLAN_CHUNK] for start in range(0, len(ids), PLAN_CHUNK)]


def _a_later_day(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether ``wanted`` is ``stored`` on the same day or a later one, with the same settings."""
    same_settings = {k: v for k, v in stored.items() if k != "day"} == {
        k: v for k, v in wanted.items() if k != "day"
    }
    return same_settings and str(stored.get("day", "")) <= str(wanted["day"])


class PlanningStopped(Exception):
    """A full plan was stopped between two slices (careapp is quitting); the next one starts again."""


def is_current(session: Session, today: dt.date, settings: CareSettings) -> bool:
    """Whether the stored plan is for this day and these settings, with no change noted since."""
    signature, seq = read_state(session, PLAN)
    if signature != plan_signature(today, settings, read_control_group(session)):
        return False
    return session.scalar(select(CareDirtyRecord.seq).where(CareDirtyRecord.seq > seq).limit(1)) is None


def ensure_planned(
    db: Database,
    today: dt.date,
    settings: CareSettings,
    lock: Any = None,
    *,
    full: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    loaded: LoadedFacts | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Bring the stored plan up to date for ``today``: nothing when it is current, else re-plan the
    customers changed since (or everyone). ``lock(session)`` takes the write lock first. Returns how
    many items the planning changed (cancelled or given a channel).

    Planning everyone (another day, other settings) takes a while with many customers: each slice
    is its own transaction, so the write lock is let go between slices and other writers (a seat, a
    thread of this careapp) wait for one slice at most; what they change meanwhile is noted after the
    watermark taken first, and planned next time. With ``full`` False that is left to whoever
    refreshes the touches and None is returned: the stored plan stays as it is. ``should_stop`` is
    asked between slices; if it says so, :class:`PlanningStopped` is raised and the plan's signature
    is not written, so the next call plans everyone again.

    ``progress(done, total)`` hears how far a plan of everyone has gone (as the second half of a
    refresh's pass: see :meth:`careapp.services.care.touches.TouchService.refresh`).

    A new day with the same settings plans only the customers the day moves (:func:`moved_by_the_day`)
    and those changed since. ``loaded``: facts already read for some customers (the touches' refresh
    read them), used instead of reading them again when they cover who is planned.
    """
    with db.session() as session:
        if is_current(session, today, settings):
            return 0
        wanted = plan_signature(today, settings, read_control_group(session))
    with db.session() as session:
        if lock is not None:
            lock(session)
        signature, seq = read_state(session, PLAN)
        if signature is not None and _a_later_day(signature, wanted):
            ids, top = dirty_since(session, seq)
            planned_for = dt.date.fromisoformat(signature["day"])
            if planned_for < today:  # the same day: only what changed
                ids |= moved_by_the_day(session, planned_for, today)
            if len(ids) <= FULL_ABOVE:
                changed = plan_customers(session, today, settings, ids, loaded)[1] if ids else 0
                write_state(session, PLAN, wanted, top)
                return changed
        if not full:
            return None
        top = latest_seq(session)
        everyone = open_customer_ids(session)
    changed = 0
    for number, chunk in enumerate(_slices(everyone)):
        if progress is not None:  # the second half of a pass over everyone (the first: generating)
            done = min(number * PLAN_CHUNK, len(everyone))
            progress((len(everyone) + done) // 2, len(everyone))
        if should_stop():
            raise PlanningStopped()
        with db.session() as session:
            if lock is not None:
                lock(session)
            changed += plan_customers(session, today, settings, chunk)[1]
    with db.session() as session:
        if lock is not None:
            lock(session)
        write_state(session, PLAN, wanted, top)
        prune_dirty(session)
    return changed
