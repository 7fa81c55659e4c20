"""The daily care queue: permission and restraint applied to due touches, and the item actions.

:func:`plan_queue` is pure and stateless: give it every open item, the customers' facts, the
done-touch history and today's date, and it says for each item where it stands today. Held and
carried-over are worked out afresh each day and never stored; only what an item *is* is stored
(:class:`QueueItem`: open, done, skipped or cancelled, its channel, a snooze date). The plan
marks the items whose stored state it changed (a channel chosen, a touch cancelled) so the
service can save just those.

The rules, in the order they apply to one open item:

1. A **callback** is queued, always: no consent, complaint, cap or daily limit touches it, and it
   does not use up the daily limit.
2. A **check-in** whose customer has been in touch since it was generated is cancelled: the
   interval resets and the next check-in counts from that contact. A **reward reminder** or a
   **reward waiting** note whose reward is no longer waiting (used, cancelled, taken back) or is past
   its last day is cancelled.
   A marketing touch of a customer in the shop's **control group** (``CustomerFacts.in_control_group``)
   is held with :data:`CONTROL_GROUP_HELD`, whatever their consent, from before its day until
   :data:`WITHDRAWN_SHOWN_DAYS` days after it, then cancelled: the group is there to show what
   happens without care, so nothing of it goes ahead, and the owner sees why.
3. **Channel**: an item keeps the channel it was given (while the customer can still be reached
   on it). If consent on that channel has been withdrawn, the item moves to the first other channel
   of its rule that the customer accepts and can be reached on, and says so, with the day of the
   withdrawal ("Moved from text message to post: Ann Evans withdrew consent to text message on 3
   Dec."); with none, it is held with the reason (:data:`WITHDRAWN_SHOWN_DAYS` days
   from the withdrawal, or from its day if that is later, so the owner sees why it did not go),
   then cancelled. An item without a channel
   gets the first of its rule's channels that the customer has consented to and can be reached on.
   With none: an upcoming item is held ("no consent yet"; consent given before the day lets it go
   ahead); a touch due today or overdue is cancelled (dropped, with the reason kept), never carried
   around as clutter.
4. A **cheerful** touch is held while the customer has an open complaint.
5. **Cap**: at most ``marketing_cap`` marketing touches per customer in any ``cap_window_days``
   consecutive days (the day itself and the 29 before, by default), counting done touches from
   the history and the touches planned before it, oldest first. The rest are held, with the first
   day they could go ahead. A touch due now (today or overdue) and not done yet counts against
   every later touch, whatever the distance: it will count on the day it is done, and until then
   that day is unknown. (Counting it only in the windows that reach today made each new day move the
   touches a window's length ahead, one day's worth of them, for every customer with an overdue
   touch: at 100,000 customers, a fifth of the stored plan re-made every morning.)
6. **Daily limit**: of the touches due today or overdue, ``daily_limit`` are queued, in the
   queue's order of priority (below); the others are carried over to tomorrow.

**What comes first** (:func:`priority`): promised callbacks; then time-bound touches, which lose
their point once their day has passed (a birthday or another date, a follow-up after a purchase, a
feedback request, a thank-you for a referral); then open-ended ones, which keep (a check-in, an
article to share). Within a rank, the oldest first (day, then key). So a check-in long past its
interval is one item for its customer at the back of today's list, never a reason to carry today's
birthday greetings over to tomorrow; the queue says it is "long overdue" and since when
(:func:`careapp.domain.touches.describe_on`). The Overdue and Today sections are in that order; the sections
ahead are by day.

Days are local calendar days in the shop's time zone; a timed callback falls on the local day of
its time, whatever the daylight-saving offset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

from careapp.domain.customer import Channel
from careapp.domain.recurrence import add_days, add_months, local_date, long_date, next_weekday, short_date
from careapp.domain.touches import (
    REWARD_KINDS,
    CustomerFacts,
    DueTouch,
    TouchKind,
    check_in_anchor,
    is_marketing,
    reward_id_of,
)


class ItemStatus(StrEnum):
    """What a queue item is, as stored. Snoozed items are open, with ``snoozed_until`` set."""

    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class Bucket(StrEnum):
    """The care queue's sections; LATER items (beyond 30 days) are planned but not shown."""

    OVERDUE = "overdue"
    TODAY = "today"
    NEXT_7_DAYS = "next_7_days"  # tomorrow to today + 7
    NEXT_30_DAYS = "next_30_days"  # today + 8 to today + 30
    LATER = "later"


BUCKET_ORDER: tuple[Bucket, ...] = tuple(Bucket)


class Placement(StrEnum):
    """Where an item stands in today's plan."""

    QUEUED = "queued"
    HELD = "held"
    CARRIED_OVER = "carried_over"
    CANCELLED = "cancelled"


class TouchOutcome(StrEnum):
    """What an action on an item did, for the touch log."""

    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


CHANNEL_WORDS: Mapping[Channel, str] = {
    Channel.EMAIL: "email",
    Channel.SMS: "text message",
    Channel.PHONE: "phone",
    Channel.POST: "post",
}


@dataclass(frozen=True)
class CareSettings:
    """Shop-wide restraint. ``daily_limit`` None: no limit. ``timezone``: an IANA zone name.

    The default zone is UTC only because the domain cannot know better; the service passes the
    shop's zone.
    """

    marketing_cap: int = 2
    cap_window_days: int = 30
    daily_limit: int | None = 10
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.marketing_cap < 0 or self.cap_window_days < 1:
            raise ValueError("the marketing cap cannot be negative and its window is at least a day")
        if self.daily_limit is not None and self.daily_limit < 1:
            raise ValueError("the daily limit is at least one touch")

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class QueueItem:
    """A due touch as the store keeps it."""

    touch: DueTouch
    status: ItemStatus = ItemStatus.OPEN
    channel: Channel | None = None
    snoozed_until: dt.date | None = None
    reason: str = ""  # why it was skipped or cancelled

    @property
    def key(self) -> str:
        return self.touch.key

    @property
    def customer_id(self) -> int:
        return self.touch.customer_id

    @property
    def kind(self) -> TouchKind:
        return self.touch.kind


@dataclass(frozen=True)
class TouchLogEntry:
    """What to record when an item is acted on: which touch, what happened, who, when.

    Only a done touch is a contact with the customer (:attr:`is_contact`): it moves the last real
    contact and counts towards the marketing cap. ``at`` is stored the careapp way (naive UTC) or
    aware; both are read correctly.
    """

    customer_id: int
    touch_key: str
    kind: TouchKind
    outcome: TouchOutcome
    who: str
    at: dt.datetime
    channel: Channel | None = None
    note: str = ""

    @property
    def is_contact(self) -> bool:
        return self.outcome is TouchOutcome.DONE


@dataclass(frozen=True)
class ActionResult:
    """An action's result: the item's new state to save and the log entry to record."""

    item: QueueItem
    log: TouchLogEntry


@dataclass(frozen=True)
class PlannedItem:
    """One open item in today's plan. ``day`` is the local day it falls on (snoozed: that day).

    ``changed`` is True when ``item`` differs from what was passed in and must be saved.
    ``held_until`` is the first day a capped touch could go ahead.
    """

    item: QueueItem
    placement: Placement
    bucket: Bucket
    day: dt.date
    reason: str = ""
    held_until: dt.date | None = None
    changed: bool = False


@dataclass(frozen=True)
class CarePlan:
    """Today's plan: every open item, ordered by bucket, then day, then time, then key."""

    today: dt.date
    items: tuple[PlannedItem, ...]

    def with_placement(self, placement: Placement) -> list[PlannedItem]:
        return [p for p in self.items if p.placement is placement]

    def queued(self, bucket: Bucket | None = None) -> list[PlannedItem]:
        """Queued items, in order; only those in ``bucket`` when given."""
        return [p for p in self.with_placement(Placement.QUEUED) if bucket is None or p.bucket is bucket]

    def held(self) -> list[PlannedItem]:
        return self.with_placement(Placement.HELD)

    def carried_over(self) -> list[PlannedItem]:
        return self.with_placement(Placement.CARRIED_OVER)

    def cancelled(self) -> list[PlannedItem]:
        return self.with_placement(Placement.CANCELLED)

    def find(self, key: str) -> PlannedItem | None:
        return next((p for p in self.items if p.item.key == key), None)

    def to_save(self) -> list[QueueItem]:
        return [p.item for p in self.items if p.changed]


# ---------------------------------------------------------------------------------------------
# Days and buckets.


def item_day(item: QueueItem, tz: dt.tzinfo) -> dt.date:
    """The local day an item falls on: its snooze day, its callback time's day, or its due day."""
    if item.snoozed_until is not None:
        return item.snoozed_until
    if item.touch.due_at is not None:
        return local_date(item.touch.due_at, tz)
    return item.touch.due


def bucket_for(item: QueueItem, today: dt.date, tz: dt.tzinfo) -> Bucket:
    """Overdue once past its day (a check-in: past its deadline), else by how far ahead it is."""
    day = item_day(item, tz)
    last_day = day if item.snoozed_until is not None else max(day, item.touch.deadline or day)
    if last_day < today:
        return Bucket.OVERDUE
    ahead = (day - today).days
    if ahead <= 0:
        return Bucket.TODAY
    if ahead <= 7:
        return Bucket.NEXT_7_DAYS
    if ahead <= 30:
        return Bucket.NEXT_30_DAYS
    return Bucket.LATER


# ---------------------------------------------------------------------------------------------
# Planning.


@dataclass(frozen=True)
class _Context:
    facts: Mapping[int, CustomerFacts]
    settings: CareSettings
    today: dt.date
    tz: dt.tzinfo

    def plan(
        self,
        item: QueueItem,
        original: QueueItem,
        placement: Placement,
        reason: str = "",
        held_until: dt.date | None = None,
    ) -> PlannedItem:
        if not reason and placement is Placement.QUEUED:
            reason = item.reason  # e.g. "Moved from text message to post: …"
        return PlannedItem(
            item=item,
            placement=placement,
            bucket=bucket_for(item, self.today, self.tz),
            day=item_day(item, self.tz),
            reason=reason,
            held_until=held_until,
            changed=item != original,
        )


def plan_queue(
    items: Iterable[QueueItem],
    facts_by_customer: Mapping[int, CustomerFacts],
    settings: CareSettings,
    today: dt.date,
    history: Iterable[TouchLogEntry] = (),
) -> CarePlan:
    """Today's plan for every open item (others are ignored). See the module docstring for the rules.

    ``history`` is the touch log; its done marketing touches count towards the cap.
    """
    ctx = _Context(facts_by_customer, settings, today, settings.tz())
    decided: list[PlannedItem] = []
    marketing: list[tuple[QueueItem, QueueItem]] = []
    for original in items:
        if original.status is not ItemStatus.OPEN:
            continue
        outcome = _permission(original, ctx)
        if isinstance(outcome, PlannedItem):
            decided.append(outcome)
        else:
            marketing.append((outcome, original))
    accepted, capped = _apply_cap(marketing, list(history), ctx)
    planned = decided + capped + _apply_daily_limit(accepted, ctx)
    return CarePlan(today, tuple(sorted(planned, key=_order)))


# The queue's ranks (see the module docstring): lower comes first.
TIME_BOUND_KINDS: frozenset[TouchKind] = frozenset(
    {
        TouchKind.BIRTHDAY,
        TouchKind.IMPORTANT_DATE,
        TouchKind.PURCHASE_FOLLOW_UP,
        TouchKind.FEEDBACK_REQUEST,
        TouchKind.REFERRAL_THANKS,
        TouchKind.REWARD_EXPIRING,
        TouchKind.REWARD_WAITING,
    }
)
DUE_NOW: frozenset[Bucket] = frozenset({Bucket.OVERDUE, Bucket.TODAY})


def priority(kind: TouchKind) -> int:
    """0 a promised callback, 1 a time-bound touch, 2 an open-ended one (a check-in, an article)."""
    if kind is TouchKind.CALLBACK:
        return 0
    return 1 if kind in TIME_BOUND_KINDS else 2


def _order(p: PlannedItem) -> tuple[int, int, dt.date, dt.datetime, str]:
    moment = p.item.touch.due_at or dt.datetime.combine(p.day, dt.time.min, dt.UTC)
    rank = priority(p.item.kind) if p.bucket in DUE_NOW else 0
    return (BUCKET_ORDER.index(p.bucket), rank, p.day, moment.astimezone(dt.UTC), p.item.key)


def _permission(item: QueueItem, ctx: _Context) -> PlannedItem | QueueItem:
    """Steps 1 to 4. A PlannedItem when decided here; else the item (with its channel) for the cap."""
    facts = ctx.facts.get(item.customer_id)
    if facts is None:
        return _cancel(item, "The customer is no longer in the shop's records.", ctx)
    if item.kind is TouchKind.CALLBACK:
        channel = item.channel or (item.touch.channels[0] if item.touch.channels else Channel.PHONE)
        return ctx.plan(replace(item, channel=channel), item, Placement.QUEUED)
    if item.kind is TouchKind.CHECK_IN:
        anchor = check_in_anchor(facts)
        if anchor is not None and item.touch.occasion is not None and anchor > item.touch.occasion:
            return _cancel(
                item,
                f"{facts.name()} has been in touch since (on {long_date(anchor)}); "
                "the next check-in counts from then.",
                ctx,
            )
    if item.kind in REWARD_KINDS:
        gone = _reward_gone(item, facts, ctx.today)
        if gone:
            return _cancel(item, gone, ctx)
    if facts.in_control_group:  # every kind left here is marketing (a callback returned above)
        return _control_group(item, ctx)
    routed = _route(item, facts, ctx)
    if isinstance(routed, PlannedItem):
        return routed
    if routed.touch.is_cheerful and facts.open_complaint:
        return ctx.plan(
            routed, item, Placement.HELD, reason=f"On hold while {facts.name()}'s complaint is open."
        )
    return routed


CONTROL_GROUP_HELD = (
    "In the control group: marketing touches skip this customer so the effect of care can be measured "
    "(the shop's setting)."
)


def _control_group(item: QueueItem, ctx: _Context) -> PlannedItem:
    """Held while it is recent enough to show, then cancelled, as a withdrawn consent is."""
    until = add_days(item_day(item, ctx.tz), WITHDRAWN_SHOWN_DAYS)
    if ctx.today > until:
        return _cancel(item, "Not sent: " + CONTROL_GROUP_HELD[0].lower() + CONTROL_GROUP_HELD[1:], ctx)
    # held_until: the day it is cancelled, so a new day's plan looks at it again then.
    return ctx.plan(item, item, Placement.HELD, reason=CONTROL_GROUP_HELD, held_until=add_days(until, 1))


def _reward_gone(item: QueueItem, facts: CustomerFacts, today: dt.date) -> str:
    """Why a touch about a reward has nothing left to say ("" while the reward waits)."""
    reward_id = reward_id_of(item.touch)
    expires = _reward_expiry(item.touch, reward_id, facts)
    if expires is not None and today > expires:
        return f"The reward expired on {long_date(expires)}; there is nothing to remind of."
    if all(reward.id != reward_id for reward in facts.rewards):
        return f"{facts.name()}'s reward is no longer waiting (used, cancelled or taken back)."
    return ""


def _reward_expiry(touch: DueTouch, reward_id: int | None, facts: CustomerFacts) -> dt.date | None:
    """A reminder is about the expiry day itself; a waiting note reads it from the reward."""
    if touch.kind is TouchKind.REWARD_EXPIRING:
        return touch.occasion
    return next((r.expires_on for r in facts.rewards if r.id == reward_id), None)


def _cancel(item: QueueItem, reason: str, ctx: _Context) -> PlannedItem:
    cancelled = replace(item, status=ItemStatus.CANCELLED, reason=reason)
    return ctx.plan(cancelled, item, Placement.CANCELLED, reason=reason)


def _route(item: QueueItem, facts: CustomerFacts, ctx: _Context) -> PlannedItem | QueueItem:
    """Keep the item's channel while consent holds, or choose one; step 3 of the rules."""
    if item.channel is not None and item.channel in facts.reachable:
        if facts.has_consent(item.channel):
            return item
        return _withdrawn(item, item.channel, facts, ctx)
    usable = [c for c in item.touch.channels if c in facts.reachable]
    for channel in usable:
        if facts.has_consent(channel):
            return replace(item, channel=channel)
    if usable:
        words = _or_list([CHANNEL_WORDS[c] for c in usable])
        declined = all((state := facts.consent(c)) is not None and state.granted is False for c in usable)
        if declined:  # they said no (an import's "no" is an answer, not "never asked")
            waiting = (
                f"{facts.name()} declined to be contacted by {words}; it goes ahead if they agree and "
                "you record it."
            )
        else:
            waiting = (
                f"No consent yet to contact {facts.name()} by {words}; it goes ahead if consent is given."
            )
        dropped = f"Not sent: no consent to contact {facts.name()} by {words}."
    else:
        words = _or_list([CHANNEL_WORDS[c] for c in item.touch.channels] or ["any channel"])
        waiting = f"{facts.name()} has no contact details for {words} yet."
        dropped = f"Not sent: {facts.name()} has no contact details for {words}."
    if item_day(item, ctx.tz) > ctx.today:
        return ctx.plan(item, item, Placement.HELD, reason=waiting)
    return _cancel(item, dropped, ctx)


# How long a touch whose channel was withdrawn, with no other channel to move to, stays under Held
# (after its day) so the owner sees why it did not go.
WITHDRAWN_SHOWN_DAYS = 30


def _withdrawn(
    item: QueueItem, channel: Channel, facts: CustomerFacts, ctx: _Context
) -> PlannedItem | QueueItem:
    """Consent on the item's channel was withdrawn: move to another channel the customer accepts, or
    hold with the reason for a while, then cancel."""
    word, name = CHANNEL_WORDS[channel], facts.name()
    state = facts.consent(channel)
    withdrawn = local_date(state.since, ctx.tz) if state is not None and state.since is not None else None
    when = f" on {_short_day(withdrawn, item_day(item, ctx.tz).year)}" if withdrawn is not None else ""
    for other in item.touch.channels:
        if other is not channel and other in facts.reachable and facts.has_consent(other):
            note = f"Moved from {word} to {CHANNEL_WORDS[other]}: {name} withdrew consent to {word}{when}."
            return replace(item, channel=other, reason=note)
    reason = f"{name} withdrew consent to be contacted by {word}{when}"
    shown_from = max(item_day(item, ctx.tz), withdrawn) if withdrawn is not None else item_day(item, ctx.tz)
    until = add_days(shown_from, WITHDRAWN_SHOWN_DAYS)
    if ctx.today > until:
        return _cancel(item, f"{reason}.", ctx)
    others = [CHANNEL_WORDS[c] for c in item.touch.channels if c is not channel]
    tail = f" and accepts no other way this touch can go ({_or_list(others)})" if others else ""
    shown = f"{reason}{tail}. It stays here until {long_date(until)}, so you know why it did not go."
    # held_until: the day it goes, so a new day's plan looks at it again then.
    return ctx.plan(item, item, Placement.HELD, reason=shown, held_until=add_days(until, 1))


def _short_day(day: dt.date, year_of_touch: int) -> str:
    """``3 Dec``, or ``3 Dec 2026`` when the touch's day is in another year. Measured against the
    touch's day, not today: a reason that changed on 1 January by itself would need the stored plan
    of every such customer made again that day (see careapp.services.care.plan_store)."""
    return short_date(day, with_year=day.year != year_of_touch)


def _or_list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _apply_cap(
    candidates: list[tuple[QueueItem, QueueItem]], history: list[TouchLogEntry], ctx: _Context
) -> tuple[list[PlannedItem], list[PlannedItem]]:
    """Step 5: (accepted, held) among the marketing touches that passed permission."""
    accepted: list[PlannedItem] = []
    held: list[PlannedItem] = []
    by_customer: dict[int, list[tuple[QueueItem, QueueItem]]] = {}
    for pair in candidates:
        by_customer.setdefault(pair[0].customer_id, []).append(pair)
    done_by_customer: dict[int, list[dt.date]] = {}  # (one pass: the history covers every customer)
    for e in history:
        if e.customer_id in by_customer and e.is_contact and is_marketing(e.kind):
            done_by_customer.setdefault(e.customer_id, []).append(local_date(e.at, ctx.tz))
    for customer_id, pairs in by_customer.items():
        done = done_by_customer.get(customer_id, [])
        planned: list[dt.date] = []  # the days of the touches accepted before this one
        pairs.sort(key=lambda pair: (max(item_day(pair[0], ctx.tz), ctx.today), pair[0].key))
        for item, original in pairs:
            day = max(item_day(item, ctx.tz), ctx.today)
            start = add_days(day, 1 - ctx.settings.cap_window_days)
            # A touch planned for today (due now, not done) counts however far ahead this one is.
            in_window = [d for d in done if start <= d <= day]
            in_window += [d for d in planned if (start <= d or d == ctx.today) and d <= day]
            if len(in_window) < ctx.settings.marketing_cap:
                planned.append(day)
                accepted.append(ctx.plan(item, original, Placement.QUEUED))
                continue
            # A touch due now counts as if done today; while it is not done, "today" moves on. Its
            # first free day is worked out from the other touches alone, so it does not move daily.
            settled = sorted(
                [d for d in done if start <= d <= day]
                + [d for d in planned if start <= d <= day and d != ctx.today]
            )
            held.append(_capped(item, original, settled, ctx))
    return accepted, held


def _capped(item: QueueItem, original: QueueItem, settled: list[dt.date], ctx: _Context) -> PlannedItem:
    """Held by the cap. ``settled``: the days in its window of touches done, or planned on a day
    other than today (a touch due now is not done yet: the day it counts on moves on daily)."""
    cap, window = ctx.settings.marketing_cap, ctx.settings.cap_window_days
    name = ctx.facts[item.customer_id].name()
    if cap == 0:
        return ctx.plan(item, original, Placement.HELD, reason="The shop has marketing touches turned off.")
    if len(settled) < cap:
        reason = (
            f"{name} has a touch due now that, with the others, makes the shop's limit of {cap} "
            f"within {window} days; this goes ahead once that one is done, snoozed or skipped."
        )
        return ctx.plan(item, original, Placement.HELD, reason=reason)
    until = add_days(settled[len(settled) - cap], window)
    # Said without the count in the window, which for a touch due now changes from day to day while
    # the first free day does not: the stored plan need not be made again every day for it.
    reason = (
        f"{name} has had the shop's limit of {cap} touches within {window} days; "
        f"this can go ahead from {long_date(until)}."
    )
    return ctx.plan(item, original, Placement.HELD, reason=reason, held_until=until)


def _apply_daily_limit(planned: list[PlannedItem], ctx: _Context) -> list[PlannedItem]:
    """Step 6: the first touches due today, by priority then age, stay queued; the rest move to
    tomorrow (no callbacks here)."""
    limit = ctx.settings.daily_limit
    due_now = [p for p in planned if p.bucket in DUE_NOW]
    due_now.sort(key=lambda p: (priority(p.item.kind), p.day, p.item.key))
    if limit is None or len(due_now) <= limit:
        return planned
    over = {p.item.key for p in due_now[limit:]}
    reason = f"Today's list is full ({limit} touches); this moves to tomorrow."
    return [
        replace(p, placement=Placement.CARRIED_OVER, reason=reason) if p.item.key in over else p
        for p in planned
    ]


# ---------------------------------------------------------------------------------------------
# Actions on one item.


@dataclass(frozen=True)
class SnoozeChoice:
    """One quick snooze button: its label and the day it snoozes to."""

    label: str
    until: dt.date


def snooze_choices(today: dt.date) -> tuple[SnoozeChoice, ...]:
    """Tomorrow; next week (the next Monday, a week away when today is Monday); in a month."""
    return (
        SnoozeChoice("Tomorrow", add_days(today, 1)),
        SnoozeChoice("Next week", next_weekday(today, 0)),
        SnoozeChoice("In a month", add_months(today, 1)),
    )


def _require_open(item: QueueItem) -> None:
    if item.status is not ItemStatus.OPEN:
        raise ValueError(f"This touch is already {item.status.value}.")


def _log(item: QueueItem, outcome: TouchOutcome, who: str, at: dt.datetime, note: str = "") -> TouchLogEntry:
    return TouchLogEntry(item.customer_id, item.key, item.kind, outcome, who, at, item.channel, note)


def done(
    item: QueueItem, *, who: str, at: dt.datetime, channel: Channel | None = None, note: str = ""
) -> ActionResult:
    """The touch was made (on ``channel``, else the item's own)."""
    _require_open(item)
    used = channel or item.channel or (item.touch.channels[0] if item.touch.channels else None)
    new = replace(item, status=ItemStatus.DONE, channel=used, snoozed_until=None)
    return ActionResult(new, _log(new, TouchOutcome.DONE, who, at, note))


def snooze(item: QueueItem, until: dt.date, *, today: dt.date, who: str, at: dt.datetime) -> ActionResult:
    """Put the touch off until ``until`` (a day after ``today``); it stays open."""
    _require_open(item)
    if until <= today:
        raise ValueError("Choose a day after today to snooze to.")
    new = replace(item, snoozed_until=until)
    return ActionResult(new, _log(new, TouchOutcome.SNOOZED, who, at, f"until {long_date(until)}"))


def skip(item: QueueItem, reason: str, *, who: str, at: dt.datetime) -> ActionResult:
    """Decide not to make the touch, saying why; it is never generated again."""
    _require_open(item)
    if not reason.strip():
        raise ValueError("Say why this touch is skipped, so the next person knows.")
    new = replace(item, status=ItemStatus.SKIPPED, reason=reason.strip(), snoozed_until=None)
    return ActionResult(new, _log(new, TouchOutcome.SKIPPED, who, at, reason.strip()))
