"""The care queue as the owner sees it, and what staff do with its items: done, snooze, skip.

:meth:`CareQueueService.queue` plans the stored open touches for a day (consent, complaints, the
marketing cap and the daily limit: :mod:`careapp.domain.care_queue`) and returns plain data in the
queue's sections: overdue, today, the next 7 days, the next 30 days, held (with the reason) and
carried over to tomorrow. It does not generate touches: :meth:`TouchService.refresh` does, at start-up
and on a timer.

Each action is one transaction: it takes the write lock, reads the touch as it is now, checks who
acts (any active member of the staff list), applies the domain's action, and writes the touch and a
``touch_log`` row. Doing a touch also writes a ``contact`` row (outgoing, by the staff member) so the
customer's timeline shows it and the next check-in counts from it; for a callback the contact goes
on the ticket and the promise is marked kept. Snoozing and skipping are not contacts with the
customer (nothing reached them): they are written as *internal* contacts by the staff member, which
show on the timeline but do not reset the check-in anchor; the touch log keeps all three: see
:meth:`history`.

A touch the plan holds today (an open complaint, the marketing cap, no consent yet) cannot be done
until it is released; one whose consent was withdrawn is cancelled. A promised callback cannot be
skipped, only done or snoozed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import ContactRecord, CustomerRecord, PurchaseRecord, TouchLogRecord, TouchRecord
from careapp.domain import care_queue as queue_rules
from careapp.domain.care_queue import (
    CHANNEL_WORDS,
    ActionResult,
    Bucket,
    CarePlan,
    CareSettings,
    ItemStatus,
    Placement,
    PlannedItem,
    QueueItem,
    SnoozeChoice,
    TouchOutcome,
)
from careapp.domain.customer import Channel
from careapp.domain.message_routes import Route, route_ending
from careapp.domain.recurrence import local_date, long_date
from careapp.domain.tickets import ContactChannel, Direction
from careapp.domain.touches import (
    KIND_TITLES,
    CustomerFacts,
    DueTouch,
    TouchKind,
    describe,
    describe_on,
    reward_note,
)
from careapp.services.care.facts import CustomerExtras, LoadedFacts, load_facts
from careapp.services.care.plan_store import (
    PLAN,
    dirty_since,
    ensure_planned,
    latest_seq,
    pruned_after,
    read_state,
)
from careapp.services.care.planning import PlannedQueue, minimal_window, plan_stored
from careapp.services.care.rules import read_care_settings
from careapp.services.care.sections import read_section, read_sections
from careapp.services.care.touch_store import StoredItem, queue_item, write_item
from careapp.services.care.touches import TouchService, write_lock
from careapp.services.care.view import CareQueue, QueueEntry, TouchContext
from careapp.services.shop.staff import Actor, check_actor

Clock = Callable[[], dt.datetime]
# How many entries of each section the window asks for at a time.
PAGE = 50

# The contact table speaks the ticket domain's channels; a card by post is logged as a message.
CONTACT_CHANNELS: dict[Channel, ContactChannel] = {
    Channel.EMAIL: ContactChannel.EMAIL,
    Channel.SMS: ContactChannel.MESSAGE,
    Channel.PHONE: ContactChannel.PHONE,
    Channel.POST: ContactChannel.MESSAGE,
}


class TouchNotFound(LookupError):
    def __init__(self, touch_id: int) -> None:
        super().__init__(f"Touch {touch_id} is no longer in the queue; its customer may have been deleted.")
        self.touch_id = touch_id


class TouchActionRefused(ValueError):
    """The action cannot be done; the message says why and what to do instead."""


@dataclass(frozen=True)
class SentMessage:
    """What was sent (or said): kept in the touch log so nothing is repeated by accident."""

    body: str
    subject: str = ""
    # How it left careapp: only SENT (the shop's mail server accepted it) may be called sent.
    route: Route = Route.SENT


@dataclass(frozen=True)
class TouchLogView:
    """One line of the touch log: what happened to a touch, who did it and when (naive UTC)."""

    id: int
    touch_id: int
    customer_id: int
    kind: TouchKind
    title: str
    at: dt.datetime
    who: str
    outcome: TouchOutcome
    channel: Channel | None
    note: str
    subject: str
    body: str
    contact_id: int | None


def _context(touch: DueTouch, base: TouchContext) -> TouchContext:
    if touch.kind is TouchKind.BIRTHDAY:
        return replace(base, age_turning=touch.years)
    return base


def _base_context(facts: CustomerFacts, extras: CustomerExtras | None) -> TouchContext:
    """The context every touch of one customer shares."""
    latest = max(facts.purchases, key=lambda p: (p.date, p.id or 0), default=None)
    return TouchContext(
        age_turning=None,
        last_purchase=latest.item if latest else "",
        last_purchase_on=latest.date if latest else None,
        interests=tuple(sorted(facts.tags | facts.interests)),
        last_contact=facts.last_contact,
        open_tickets=extras.open_tickets if extras else 0,
        rewards=reward_note(facts.rewards),
    )


def usable_channels(item: QueueItem, facts: CustomerFacts) -> tuple[Channel, ...]:
    """The channels the touch may be done on now: a callback any the customer has details for (the
    promised one first); a marketing touch only those consented to."""
    if item.kind is TouchKind.CALLBACK:
        first = item.channel or Channel.PHONE
        return (first, *(c for c in Channel if c is not first and c in facts.reachable))
    return tuple(c for c in item.touch.channels if c in facts.reachable and facts.has_consent(c))


class _EntryMaker:
    """Builds queue entries, working out each customer's shared context once."""

    def __init__(self, planned: PlannedQueue) -> None:
        self.planned = planned
        self.tz = planned.settings.tz()
        self.bases: dict[int, TouchContext] = {}

    def entry(self, p: PlannedItem) -> QueueEntry:
        planned = self.planned
        stored = planned.stored[p.item.key]
        touch = p.item.touch
        customer_id = touch.customer_id
        facts = planned.loaded.facts[customer_id]
        extras = planned.loaded.extras.get(customer_id)
        base = self.bases.get(customer_id)
        if base is None:
            base = self.bases[customer_id] = _base_context(facts, extras)
        return _entry(
            p,
            stored,
            self.tz,
            planned.plan.today,
            name=extras.name if extras else facts.name(),
            channels=usable_channels(p.item, facts),
            reachable=tuple(c for c in p.item.touch.channels if c in facts.reachable),
            context=_context(touch, base),
        )


def _entry(
    p: PlannedItem,
    stored: StoredItem,
    tz: dt.tzinfo,
    today: dt.date,
    *,
    name: str,
    channels: tuple[Channel, ...],
    reachable: tuple[Channel, ...],
    context: TouchContext,
) -> QueueEntry:
    """A queue entry: what the plan and the stored row say, with who and what the maker knows."""
    touch = p.item.touch
    return QueueEntry(
        touch_id=stored.id,
        version=stored.version,
        key=touch.key,
        customer_id=touch.customer_id,
        customer_name=name,
        kind=touch.kind,
        title=KIND_TITLES[touch.kind],
        description=describe_on(touch, today),
        day=p.day,
        due=touch.due,
        due_at=touch.due_at.astimezone(tz) if touch.due_at else None,
        deadline=touch.deadline,
        channel=p.item.channel,
        channels=channels,
        reachable=reachable,
        status=p.placement,
        bucket=p.bucket,
        reason=p.reason,
        held_until=p.held_until,
        snoozed_until=p.item.snoozed_until,
        is_service=touch.kind is TouchKind.CALLBACK,
        context=context,
    )


_NO_CONTEXT = TouchContext(None, "", None, (), None, 0)


class _NameMaker:
    """Builds entries for a listing that shows who, what, when and why only (``careapp agenda``):
    the customers' names in one query instead of their facts, so a long section costs a read of
    names, not of every customer's history. ``channels``, ``reachable`` and ``context`` are empty."""

    def __init__(
        self, session: Session, items: list[tuple[PlannedItem, StoredItem]], tz: dt.tzinfo, today: dt.date
    ) -> None:
        ids = sorted({p.item.customer_id for p, _ in items})
        c = CustomerRecord
        self.names: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            statement = select(c.id, c.display_name).where(c.id.in_(ids[start : start + 500]))
            self.names.update({row.id: row.display_name for row in session.execute(statement)})
        self.stored = {s.item.key: s for _, s in items}
        self.tz = tz
        self.today = today

    def entry(self, p: PlannedItem) -> QueueEntry:
        stored, name = self.stored[p.item.key], self.names.get(p.item.customer_id, "")
        return _entry(
            p, stored, self.tz, self.today, name=name, channels=(), reachable=(), context=_NO_CONTEXT
        )


def queue_counts(planned: PlannedQueue) -> dict[str, int]:
    """How many items each section of the queue has (what :meth:`CareQueue.counts` says), without
    building the entries."""
    counts = dict.fromkeys(("overdue", "today", "next_7_days", "next_30_days", "held", "carried_over"), 0)
    names = {
        Bucket.OVERDUE: "overdue",
        Bucket.TODAY: "today",
        Bucket.NEXT_7_DAYS: "next_7_days",
        Bucket.NEXT_30_DAYS: "next_30_days",
    }
    for p in planned.plan.items:
        if p.placement is Placement.CARRIED_OVER:
            counts["carried_over"] += 1
        elif p.bucket is Bucket.LATER or p.placement is Placement.CANCELLED:
            continue
        elif p.placement is Placement.HELD:
            counts["held"] += 1
        else:
            counts[names[p.bucket]] += 1
    return counts


def build_queue(planned: PlannedQueue) -> CareQueue:
    """The plan as the queue shows it; items beyond 30 days (LATER) and cancelled ones are left out."""
    sections: dict[Bucket, list[QueueEntry]] = {b: [] for b in Bucket}
    held: list[QueueEntry] = []
    carried: list[QueueEntry] = []
    make = _EntryMaker(planned).entry
    for p in planned.plan.items:
        if p.placement is Placement.CARRIED_OVER:
            carried.append(make(p))
        elif p.bucket is Bucket.LATER or p.placement is Placement.CANCELLED:
            continue
        elif p.placement is Placement.HELD:
            held.append(make(p))
        else:
            sections[p.bucket].append(make(p))
    return CareQueue(
        today=planned.plan.today,
        overdue=tuple(sections[Bucket.OVERDUE]),
        due_today=tuple(sections[Bucket.TODAY]),
        next_7_days=tuple(sections[Bucket.NEXT_7_DAYS]),
        next_30_days=tuple(sections[Bucket.NEXT_30_DAYS]),
        held=tuple(held),
        carried_over=tuple(carried),
    )


class FactsCache:
    """The facts the queue's entries show, by customer, kept between reads.

    Valid for one day and time zone; customers noted in ``care_dirty`` since the last look are
    dropped and loaded again. Thread-safe (a lock around each use).
    """

    MAX_CUSTOMERS = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[dt.date, str] | None = None
        self._seq = 0
        self._loaded = LoadedFacts()

    def clear(self) -> None:
        with self._lock:
            self._key = None

    def get(self, session: Session, today: dt.date, care: CareSettings, ids: set[int]) -> LoadedFacts:
        with self._lock:
            key = (today, care.timezone)
            cached = self._loaded
            if key != self._key or pruned_after(session, self._seq) or len(cached.facts) > self.MAX_CUSTOMERS:
                self._key, self._seq = key, latest_seq(session)
                cached = self._loaded = LoadedFacts()
            else:
                changed, self._seq = dirty_since(session, self._seq)
                for customer_id in changed:
                    cached.facts.pop(customer_id, None)
                    cached.extras.pop(customer_id, None)
            missing = ids - cached.facts.keys()
            if missing:
                fresh = load_facts(session, care.tz(), minimal_window(today), missing)
                cached.facts.update(fresh.facts)
                cached.extras.update(fresh.extras)
            return LoadedFacts(
                {i: cached.facts[i] for i in ids if i in cached.facts},
                {i: cached.extras[i] for i in ids if i in cached.extras},
            )


def _maker(
    session: Session,
    today: dt.date,
    care: CareSettings,
    items: list[tuple[PlannedItem, StoredItem]],
    cache: FactsCache,
) -> _EntryMaker:
    """An entry maker for these stored items, with their customers' facts."""
    loaded = cache.get(session, today, care, {p.item.customer_id for p, _ in items})
    plan = CarePlan(today, tuple(p for p, _ in items))
    return _EntryMaker(PlannedQueue(plan, {s.item.key: s for _, s in items}, loaded, care))


def _log_view(record: TouchLogRecord, key_kind: str) -> TouchLogView:
    kind = TouchKind(record.kind or key_kind)
    return TouchLogView(
        id=record.id,
        touch_id=record.touch_id,
        customer_id=record.customer_id,
        kind=kind,
        title=KIND_TITLES[kind],
        at=record.at,
        who=record.who,
        outcome=TouchOutcome(record.outcome),
        channel=Channel(record.channel) if record.channel else None,
        note=record.note,
        subject=record.subject,
        body=record.body,
        contact_id=record.contact_id,
    )


@dataclass(frozen=True)
class _Acting:
    """One action in progress: the locked row, the item as stored, and when and on which day."""

    session: Session
    record: TouchRecord
    item: QueueItem
    settings: CareSettings
    now: dt.datetime
    today: dt.date


class CareQueueService:
    """The care queue and its actions. One short session per call; plain data out."""

    def __init__(self, db: Database, clock: Clock, touches: TouchService) -> None:
        self._db = db
        self._clock = clock
        self._touches = touches
        self._facts = FactsCache()

    # --- reading ----------------------------------------------------------------------------------

    def queue(
        self,
        today: dt.date | None = None,
        page: int | None = None,
        *,
        plan_all: bool = True,
        until: dt.date | None = None,
        names_only: bool = False,
        without: Collection[str] = (),
    ) -> CareQueue:
        """The queue on ``today`` (None: today by the clock); with ``page``, only the first ``page``
        entries of each section (and every section's size: :meth:`CareQueue.counts`).

        The plan is stored and brought up to date first, re-planning only the customers whose data
        changed since (see :mod:`careapp.services.care.plan_store`): what planning changed (a consent
        withdrawn: its touches cancelled) is saved. A day after today is a preview: planned afresh
        and nothing saved. With ``plan_all`` False a plan of everyone (the first of a new day, new
        settings) is left to the touches' refresh (the window runs it on another thread) and the
        stored plan is read as it is meanwhile. ``until``: only the items on or before that day (what
        ``careapp agenda --days`` asks for; carried-over items are today's). ``without``: sections
        (keys as in :meth:`CareQueue.counts`) not read, empty in the queue returned, for a reader that
        has no use for them (the calendar leaves out the touches carried over to tomorrow)."""
        care = self._touches.care_settings()
        real_today = local_date(self._clock(), care.tz())
        today = today or real_today
        if today > real_today:  # a preview: planned afresh, nothing stored
            with self._db.session() as session:
                return build_queue(plan_stored(session, today, care))
        ensure_planned(self._db, today, care, lock=write_lock, full=plan_all)
        with self._db.session() as session:
            return self._read(session, today, care, page, until, names_only, without)

    def stored_queue(self, page: int | None = PAGE) -> CareQueue | None:
        """The queue as last planned, read without bringing it up to date first (for the window's
        first paint; :meth:`queue` follows). None when nothing was planned yet."""
        with self._db.session() as session:
            care = read_care_settings(session, self._touches.zone)
            signature, _ = read_state(session, PLAN)
            if signature is None:
                return None
            return self._read(session, local_date(self._clock(), care.tz()), care, page)

    def section(
        self,
        key: str,
        offset: int,
        limit: int,
        today: dt.date | None = None,
        until: dt.date | None = None,
        *,
        names_only: bool = False,
    ) -> tuple[QueueEntry, ...]:
        """More of one section (``key`` as in :meth:`CareQueue.counts`), in order, from the stored plan
        (as :meth:`queue` last brought it up to date); only items on or before ``until`` if given.
        ``names_only``: entries with who, what, when and why but no context (see :class:`_NameMaker`)."""
        with self._db.session() as session:
            care = read_care_settings(session, self._touches.zone)
            today = today or local_date(self._clock(), care.tz())
            rows = read_section(session, today, care.daily_limit, key, offset, limit, until)
            maker: _EntryMaker | _NameMaker
            if names_only:
                maker = _NameMaker(session, list(rows.items), care.tz(), today)
            else:
                maker = _maker(session, today, care, list(rows.items), self._facts)
            return tuple(maker.entry(p) for p, _ in rows.items)

    def _read(
        self,
        session: Session,
        today: dt.date,
        care: CareSettings,
        page: int | None,
        until: dt.date | None = None,
        names_only: bool = False,
        without: Collection[str] = (),
    ) -> CareQueue:
        found = read_sections(session, today, care.daily_limit, page, until, without)
        items = [pair for rows in found.values() for pair in rows.items]
        maker: _EntryMaker | _NameMaker
        if names_only:
            maker = _NameMaker(session, items, care.tz(), today)
        else:
            maker = _maker(session, today, care, items, self._facts)
        entries = {key: tuple(maker.entry(p) for p, _ in rows.items) for key, rows in found.items()}
        return CareQueue(
            today=today,
            overdue=entries["overdue"],
            due_today=entries["today"],
            next_7_days=entries["next_7_days"],
            next_30_days=entries["next_30_days"],
            held=entries["held"],
            carried_over=entries["carried_over"],
            totals=None if page is None else {key: rows.total for key, rows in found.items()},
        )

    def quiet_customers(self) -> tuple[int, int]:
        """(customers, those with neither a birthday nor a purchase): why a queue may be empty."""
        c, p = CustomerRecord, PurchaseRecord
        has_purchase = select(p.id).where(p.customer_id == c.id).exists()
        with self._db.session() as session:
            total = session.scalar(select(func.count()).select_from(c)) or 0
            quiet = session.scalar(
                select(func.count()).select_from(c).where(c.birthday_month.is_(None), ~has_purchase)
            )
        return total, quiet or 0

    def snooze_choices(self, today: dt.date | None = None) -> tuple[SnoozeChoice, ...]:
        """The quick snooze buttons: tomorrow, next week, in a month."""
        return queue_rules.snooze_choices(today or self._touches.today())

    def history(self, customer_id: int) -> list[TouchLogView]:
        """The customer's touch log, newest first: what was done, snoozed or skipped, and what was sent."""
        statement = (
            select(TouchLogRecord, TouchRecord.kind)
            .join(TouchRecord, TouchRecord.id == TouchLogRecord.touch_id)
            .where(TouchLogRecord.customer_id == customer_id)
            .order_by(TouchLogRecord.at.desc(), TouchLogRecord.id.desc())
        )
        with self._db.session() as session:
            return [_log_view(record, kind) for record, kind in session.execute(statement)]

    # --- actions --------------------------------------------------------------------------------------

    def done(
        self,
        actor: Actor,
        touch_id: int,
        channel: Channel | None = None,
        message: SentMessage | None = None,
        note: str = "",
    ) -> TouchLogView:
        """The touch was made, on ``channel`` (None: the one the queue chose). ``message`` is what was
        sent, kept in the log. Writes the touch, the log and an outgoing contact, in one transaction."""
        with self._acting(actor, touch_id) as acting:
            item, facts = self._planned_now(acting)
            used = channel or item.channel or (usable_channels(item, facts) or (None,))[0]
            self._check_channel(item, facts, used)
            result = queue_rules.done(item, who=actor.name, at=acting.now, channel=used, note=note.strip())
            acting.record.done_at = acting.now
            acting.record.done_by = actor.name
            contact = self._write_contact(acting, result, message)
            return self._save(acting, result, message, contact)

    def snooze(self, actor: Actor, touch_id: int, until: dt.date) -> TouchLogView:
        """Put the touch off until ``until`` (after today); it comes back on that day."""
        with self._acting(actor, touch_id) as acting:
            try:
                result = queue_rules.snooze(
                    acting.item, until, today=acting.today, who=actor.name, at=acting.now
                )
            except ValueError as error:
                raise TouchActionRefused(str(error)) from error
            note = self._write_note(
                acting, result, f"Snoozed: {describe(acting.item.touch)}, until {long_date(until)}"
            )
            return self._save(acting, result, contact=note)

    def skip(self, actor: Actor, touch_id: int, reason: str) -> TouchLogView:
        """Decide not to make the touch, saying why; it is never made again."""
        with self._acting(actor, touch_id) as acting:
            if acting.item.kind is TouchKind.CALLBACK:
                raise TouchActionRefused(
                    "A promised callback cannot be skipped; call back and mark it done, or snooze it to "
                    "another day."
                )
            try:
                result = queue_rules.skip(acting.item, reason, who=actor.name, at=acting.now)
            except ValueError as error:
                raise TouchActionRefused(str(error)) from error
            note = self._write_note(
                acting, result, f"Skipped: {describe(acting.item.touch)}. {result.item.reason}"
            )
            return self._save(acting, result, contact=note)

    # --- helpers ----------------------------------------------------------------------------------------

    @contextmanager
    def _acting(self, actor: Actor, touch_id: int) -> Iterator[_Acting]:
        """One transaction around one action on a touch, holding the write lock from the start."""
        with self._db.session() as session:
            yield self._open(session, actor, touch_id)

    def _open(self, session: Session, actor: Actor, touch_id: int) -> _Acting:
        result = session.execute(
            update(TouchRecord)
            .where(TouchRecord.id == touch_id)
            .values(version=TouchRecord.version)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 1):
            raise TouchNotFound(touch_id)
        check_actor(session, actor)
        record = session.get(TouchRecord, touch_id, populate_existing=True)
        assert record is not None
        item = queue_item(record)
        if item.status is not ItemStatus.OPEN:
            raise TouchActionRefused(_already(record, item))
        settings = read_care_settings(session, self._touches.zone)
        now = self._clock()
        return _Acting(session, record, item, settings, now, local_date(now, settings.tz()))

    @staticmethod
    def _planned_now(acting: _Acting) -> tuple[QueueItem, CustomerFacts]:
        """Today's plan for the customer's open touches, and this touch's place in it."""
        planned = plan_stored(acting.session, acting.today, acting.settings, [acting.item.customer_id])
        found = planned.plan.find(acting.item.key)
        assert found is not None  # the touch is open, so it is planned
        if found.placement is Placement.HELD:
            raise TouchActionRefused(f"This touch is on hold: {found.reason}")
        if found.placement is Placement.CANCELLED:
            raise TouchActionRefused(f"This touch can no longer be made: {found.reason}")
        return found.item, planned.loaded.facts[acting.item.customer_id]

    @staticmethod
    def _check_channel(item: QueueItem, facts: CustomerFacts, channel: Channel | None) -> None:
        if channel is None:
            raise TouchActionRefused("Choose how the touch was made: email, text message, phone or post.")
        if item.kind is TouchKind.CALLBACK:
            return
        word = CHANNEL_WORDS[channel]
        if channel not in facts.reachable:
            raise TouchActionRefused(f"careapp has no {word} details for {facts.name()}; add them first.")
        if not facts.has_consent(channel):
            raise TouchActionRefused(
                f"{facts.name()} has not agreed to be contacted by {word}; choose another way, or record "
                "their consent first."
            )

    @staticmethod
    def _write_contact(acting: _Acting, result: ActionResult, message: SentMessage | None) -> ContactRecord:
        item = result.item
        assert item.channel is not None
        summary = f"{describe(item.touch)}, by {CHANNEL_WORDS[item.channel]}"
        if message is not None and message.subject.strip():
            summary += f": {message.subject.strip()}"
        if result.log.note:
            summary += f". {result.log.note}"
        how = CONTACT_CHANNELS[item.channel]
        if message is not None and how in (ContactChannel.EMAIL, ContactChannel.MESSAGE):
            summary += route_ending(message.route, how.value)  # the timeline never says "sent" for a copy
        ticket_id = _keep_promise(acting) if item.kind is TouchKind.CALLBACK else None
        return _add_contact(acting, result, how, Direction.OUT, summary, ticket_id)

    @staticmethod
    def _write_note(acting: _Acting, result: ActionResult, summary: str) -> ContactRecord:
        """A snooze or skip on the customer's timeline, by the staff member: an internal contact, which
        the check-in rules ignore (nobody was reached) and which never sits on a ticket."""
        channel = result.item.channel
        how = CONTACT_CHANNELS[channel] if channel else ContactChannel.MESSAGE
        return _add_contact(acting, result, how, Direction.INTERNAL, summary)

    @staticmethod
    def _save(
        acting: _Acting,
        result: ActionResult,
        message: SentMessage | None = None,
        contact: ContactRecord | None = None,
    ) -> TouchLogView:
        write_item(acting.record, result.item)
        entry = result.log
        record = TouchLogRecord(
            touch_id=acting.record.id,
            customer_id=entry.customer_id,
            at=entry.at,
            who=entry.who,
            outcome=entry.outcome.value,
            kind=entry.kind.value,
            channel=entry.channel.value if entry.channel else None,
            note=entry.note,
            subject=message.subject if message else "",
            body=message.body if message else "",
            contact_id=contact.id if contact else None,
        )
        acting.session.add(record)
        acting.session.flush()
        return _log_view(record, acting.record.kind)


def _add_contact(
    acting: _Acting,
    result: ActionResult,
    channel: ContactChannel,
    direction: Direction,
    summary: str,
    ticket_id: int | None = None,
) -> ContactRecord:
    """Write the contact an action on a touch leaves on the customer's timeline, by the staff member."""
    contact = ContactRecord(
        customer_id=result.item.customer_id,
        ticket_id=ticket_id,
        at=acting.now,
        channel=channel.value,
        direction=direction.value,
        staff=result.log.who,
        summary=summary,
    )
    acting.session.add(contact)
    acting.session.flush()
    return contact


def _keep_promise(acting: _Acting) -> int | None:
    """Mark the promised callback kept; the contact goes on its ticket (returned)."""
    _, _, contact_id = acting.item.key.partition(":")
    promise = acting.session.get(ContactRecord, int(contact_id)) if contact_id.isdigit() else None
    if promise is None:
        return None
    if promise.callback_done_at is None:
        promise.callback_done_at = acting.now
        promise.callback_done_by = acting.record.done_by
    return promise.ticket_id


def _already(record: TouchRecord, item: QueueItem) -> str:
    if item.status is ItemStatus.DONE:
        who = record.done_by or "someone"
        when = f" on {long_date(record.done_at.date())}" if record.done_at else ""
        return f"{who} already did this touch{when}."
    if item.status is ItemStatus.SKIPPED:
        return f"This touch was skipped: {item.reason}"
    return f"This touch was cancelled: {item.reason}"
