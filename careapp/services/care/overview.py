"""How the shop's relationships are doing: the numbers behind the care overview screen.

- **Queue counts**: the care queue's sections today (see :class:`CareQueue`).
- **Touches done this month**: done touches logged from the 1st of the month (local) to now, by kind.
- **Drifting away**: customers whose last real contact (a contact, a done touch, a purchase, a ticket)
  is longer ago than the maximum interval of their check-in rule (by stage or tag), worst first: the
  most days past that maximum. Stages without an interval (suspects, prospects) never drift.
- **Loyalty ladder**: how many customers are on each stage, and who moved this month. Moves are the
  rows of ``customer_stage_change``: :meth:`TouchService.refresh` notes every stage that differs from
  the last one noted, and :meth:`TouchService.record_stage_change` notes one at once, with who did it.
  The first time a customer is seen is not a move.
- **Opt-out rate**, per channel and overall: of the customers who ever gave consent, the share whose
  consent is now withdrawn (latest answer "no").
- **Top referrers**: customers who referred the most customers now in the records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from careapp.db.database import Database
from careapp.db.models import (
    CareWakeRecord,
    ConsentEventRecord,
    ContactRecord,
    CustomerRecord,
    PurchaseRecord,
    StageChangeRecord,
    TagRecord,
    TicketRecord,
    TicketStateChangeRecord,
    TouchLogRecord,
)
from careapp.domain.care_queue import TouchOutcome
from careapp.domain.customer import Channel, LoyaltyStage
from careapp.domain.recurrence import add_days, local_date
from careapp.domain.tickets import Direction, TicketState
from careapp.domain.touches import CheckInRule, TouchKind, last_real_contact
from careapp.services.care.facts import load_facts
from careapp.services.care.plan_store import ensure_planned, stale_anchors
from careapp.services.care.planning import minimal_window, plan_stored
from careapp.services.care.queue import queue_counts
from careapp.services.care.sections import counts as section_counts
from careapp.services.care.touches import TouchService, write_lock

Clock = Callable[[], dt.datetime]
_STAGE_RANK = {stage: rank for rank, stage in enumerate(LoyaltyStage)}


@dataclass(frozen=True)
class DriftingCustomer:
    customer_id: int
    name: str
    stage: LoyaltyStage
    last_contact: dt.date | None
    days_since: int
    max_days: int

    @property
    def days_past(self) -> int:
        """How many days past the maximum interval."""
        return self.days_since - self.max_days


@dataclass(frozen=True)
class StageMove:
    customer_id: int
    name: str
    old_stage: LoyaltyStage
    new_stage: LoyaltyStage
    at: dt.datetime
    by: str

    @property
    def up(self) -> bool:
        return _STAGE_RANK[self.new_stage] > _STAGE_RANK[self.old_stage]


@dataclass(frozen=True)
class OptOutRate:
    """``channel`` None: any channel. ``rate`` None when nobody ever gave consent."""

    channel: Channel | None
    ever_granted: int
    withdrawn: int

    @property
    def rate(self) -> float | None:
        return self.withdrawn / self.ever_granted if self.ever_granted else None


@dataclass(frozen=True)
class Referrer:
    customer_id: int
    name: str
    referrals: int


@dataclass(frozen=True)
class CareOverview:
    today: dt.date
    queue_counts: Mapping[str, int]
    done_this_month: int
    done_by_kind: Mapping[TouchKind, int]
    drifting: tuple[DriftingCustomer, ...]  # the worst first, at most ``limit``
    drifting_total: int
    ladder: Mapping[LoyaltyStage, int]
    moved_this_month: tuple[StageMove, ...]  # newest first
    opt_out: tuple[OptOutRate, ...]  # overall first, then per channel
    top_referrers: tuple[Referrer, ...]


class CareOverviewService:
    """The overview's numbers. Reads only: the queue counts come from a plan that is not saved."""

    def __init__(self, db: Database, clock: Clock, touches: TouchService) -> None:
        self._db = db
        self._clock = clock
        self._touches = touches

    def overview(
        self, today: dt.date | None = None, limit: int = 20, *, plan_all: bool = True
    ) -> CareOverview:
        """The overview's figures; ``plan_all`` as in :meth:`CareQueueService.queue`."""
        care = self._touches.care_settings()
        tz = care.tz()
        today = today or self._touches.today()
        month_start = dt.datetime.combine(today.replace(day=1), dt.time(), tz).astimezone(dt.UTC)
        since = month_start.replace(tzinfo=None)
        rules = self._touches.rule_set().rules
        if today <= self._touches.today():
            ensure_planned(self._db, today, care, lock=write_lock, full=plan_all)
        with self._db.session() as session:
            if today <= self._touches.today():
                counts = section_counts(session, today, care.daily_limit)
            else:  # a day ahead: planned afresh, nothing stored
                counts = queue_counts(plan_stored(session, today, care))
            drifting, drifting_total = _drifting(session, tz, today, rules.check_in, care.timezone, limit)
            drifting = _with_last_contact(session, tz, drifting)
            done_by_kind = self._done_by_kind(session, since)
            ladder = self._ladder(session)
            moves = self._moves(session, since)
            opt_out = self._opt_out(session)
            referrers = self._referrers(session, limit)
        return CareOverview(
            today=today,
            queue_counts=counts,
            done_this_month=sum(done_by_kind.values()),
            done_by_kind=done_by_kind,
            drifting=tuple(drifting),
            drifting_total=drifting_total,
            ladder=ladder,
            moved_this_month=moves,
            opt_out=opt_out,
            top_referrers=referrers,
        )

    @staticmethod
    def _done_by_kind(session: Session, since: dt.datetime) -> dict[TouchKind, int]:
        log = TouchLogRecord
        statement = (
            select(log.kind, func.count())
            .where(log.outcome == TouchOutcome.DONE.value, log.at >= since)
            .group_by(log.kind)
        )
        return {TouchKind(kind): count for kind, count in session.execute(statement)}

    @staticmethod
    def _ladder(session: Session) -> dict[LoyaltyStage, int]:
        statement = select(CustomerRecord.loyalty_stage, func.count()).group_by(CustomerRecord.loyalty_stage)
        found = dict.fromkeys(LoyaltyStage, 0)
        for stage, count in session.execute(statement):
            if stage in LoyaltyStage.__members__.values():
                found[LoyaltyStage(stage)] += count
        return found

    @staticmethod
    def _moves(session: Session, since: dt.datetime) -> tuple[StageMove, ...]:
        s = StageChangeRecord
        statement = (
            select(s, CustomerRecord.display_name)
            .join(CustomerRecord, CustomerRecord.id == s.customer_id)
            .where(s.at >= since, s.old_stage.is_not(None))
            .order_by(s.at.desc(), s.id.desc())
        )
        moves = []
        for record, name in session.execute(statement):
            assert record.old_stage is not None
            moves.append(
                StageMove(
                    record.customer_id,
                    name,
                    LoyaltyStage(record.old_stage),
                    LoyaltyStage(record.new_stage),
                    record.at,
                    record.by,
                )
            )
        return tuple(moves)

    @staticmethod
    def _opt_out(session: Session) -> tuple[OptOutRate, ...]:
        """Counted in SQL: who ever said yes (per channel, and to any), and whose latest answer on a
        channel they once said yes to is no (only the "no" answers are looked at one by one, each
        against its customer's later answers through the (customer, channel, at) index)."""
        e, later, yes = ConsentEventRecord, aliased(ConsentEventRecord), aliased(ConsentEventRecord)
        said_yes = e.granted.is_(True)
        granted = dict(
            session.execute(
                select(e.channel, func.count(func.distinct(e.customer_id)))
                .where(said_yes)
                .group_by(e.channel)
            ).all()
        )
        everyone = session.scalar(select(func.count(func.distinct(e.customer_id))).where(said_yes)) or 0
        same = and_(later.customer_id == e.customer_id, later.channel == e.channel)
        newer = exists().where(same, or_(later.at > e.at, and_(later.at == e.at, later.id > e.id)))
        once_yes = exists().where(
            yes.customer_id == e.customer_id, yes.channel == e.channel, yes.granted.is_(True)
        )
        latest_no = select(e.customer_id, e.channel).where(e.granted.is_(False), ~newer, once_yes)
        withdrawn: dict[str, set[int]] = defaultdict(set)
        for customer_id, channel in session.execute(latest_no):
            withdrawn[channel].add(customer_id)
        anyone_withdrawn = set().union(*withdrawn.values()) if withdrawn else set()
        rates = [OptOutRate(None, everyone, len(anyone_withdrawn))]
        rates += [OptOutRate(c, granted.get(c.value, 0), len(withdrawn[c.value])) for c in Channel]
        return tuple(rates)

    @staticmethod
    def _referrers(session: Session, limit: int) -> tuple[Referrer, ...]:
        referred = aliased(CustomerRecord)
        count = func.count(referred.id).label("referrals")
        statement = (
            select(CustomerRecord.id, CustomerRecord.display_name, count)
            .join(referred, referred.referred_by_id == CustomerRecord.id)
            .group_by(CustomerRecord.id, CustomerRecord.display_name)
            .order_by(count.desc(), CustomerRecord.id)
            .limit(limit)
        )
        return tuple(Referrer(cid, name, n) for cid, name, n in session.execute(statement))


_DONE = [TicketState.RESOLVED.value, TicketState.CLOSED.value]


def _latest_moments(session: Session, customer_ids: Collection[int] | None = None) -> dict[int, dt.datetime]:
    """The latest contact (not an internal note), ticket opened, or ticket resolved or closed, per
    customer (of ``customer_ids``, or of everyone): each grouped in SQL (the same sources as the touch
    facts' ``last_contact``)."""
    c, t, s = ContactRecord, TicketRecord, TicketStateChangeRecord
    statements = [
        select(c.customer_id, func.max(c.at))
        .where(c.direction != Direction.INTERNAL.value)
        .group_by(c.customer_id),
        select(t.customer_id, func.max(t.opened_at))
        .where(t.merged_into_id.is_(None), t.exclusion.is_(None))
        .group_by(t.customer_id),
        select(s.customer_id, func.max(s.at)).where(s.new.in_(_DONE)).group_by(s.customer_id),
    ]
    if customer_ids is not None:
        wanted = sorted(customer_ids)
        statements = [
            statement.where(column.in_(wanted))
            for statement, column in zip(
                statements, (c.customer_id, t.customer_id, s.customer_id), strict=True
            )
        ]
    latest: dict[int, dt.datetime] = {}
    for statement in statements:
        for customer_id, moment in session.execute(statement):
            if moment is not None and (customer_id not in latest or moment > latest[customer_id]):
                latest[customer_id] = moment
    return latest


def _drifting(
    session: Session, tz: dt.tzinfo, today: dt.date, rule: CheckInRule, zone: str, limit: int
) -> tuple[list[DriftingCustomer], int]:
    """The ``limit`` customers furthest past their maximum check-in interval (worst first), and how
    many are past it, by their last real contact (a contact, a ticket, a purchase, or the day they
    became known) as :func:`last_real_contact` counts it.

    The refresh keeps that day per customer (``care_wake.anchor_on``), so with intervals by stage only
    (the default) each stage is a count and a short ordered read on the anchor's index; with intervals
    by tag, the customers whose anchor is older than the shortest interval are read and each decided.
    The customers changed since the last refresh are worked out from their facts. Before a refresh has
    filled the anchors (just after the upgrade), or with many changes pending, everyone is worked out
    with a few grouped queries. ``last_contact`` is left None here: see :func:`_with_last_contact`."""
    stale = stale_anchors(session, zone)
    if stale is None or len(stale) > _FROM_FACTS_AT_MOST:
        found = _drifting_grouped(session, tz, today, rule)
        return _worst(found, limit), len(found)
    changed = _drifting_from_facts(session, tz, today, rule, stale)
    if rule.by_tag:
        found = _drifting_from_anchors(session, today, rule, stale) + changed
        return _worst(found, limit), len(found)
    worst, total = _drifting_by_stage(session, today, rule, stale, limit)
    return _worst(worst + changed, limit), total + len(changed)


def _worst(found: list[DriftingCustomer], limit: int) -> list[DriftingCustomer]:
    return sorted(found, key=lambda d: (-d.days_past, d.customer_id))[:limit]


# Pending changes worked out from the facts, one customer at a time; more, and a grouped pass is cheaper.
_FROM_FACTS_AT_MOST = 5_000


def _intervals(rule: CheckInRule) -> list[int]:
    return [iv.max_days for iv in (*rule.by_stage.values(), *rule.by_tag.values())]


def _drifting_from_anchors(
    session: Session, today: dt.date, rule: CheckInRule, skip: Collection[int]
) -> list[DriftingCustomer]:
    """From the stored anchors: only customers whose anchor is older than the shortest maximum
    interval are read (by the anchor's index), then each one's own interval decides."""
    intervals = _intervals(rule)
    if not intervals:
        return []
    oldest = add_days(today, -(min(intervals) + 1))  # more than max_days ago
    c, w = CustomerRecord, CareWakeRecord
    statement = (
        select(c.id, c.display_name, c.loyalty_stage, w.anchor_on)
        .join(w, w.customer_id == c.id)
        .where(w.anchor_on <= oldest)
    )
    rows = [row for row in session.execute(statement) if row.id not in skip]
    tags = _tags_of(session, [row.id for row in rows]) if rule.by_tag else {}
    found = []
    for customer_id, name, stage_value, anchor in rows:
        stage = _STAGES.get(stage_value, LoyaltyStage.PROSPECT)
        found += _past_interval(rule, customer_id, name, stage, tags.get(customer_id, ()), anchor, today)
    return found


def _drifting_by_stage(
    session: Session, today: dt.date, rule: CheckInRule, skip: Collection[int], limit: int
) -> tuple[list[DriftingCustomer], int]:
    """With intervals by stage only: per stage, how many customers' anchor is more than its maximum
    interval ago, and the ``limit`` oldest anchors (the worst of that stage), leaving out ``skip``."""
    c, w = CustomerRecord, CareWakeRecord
    known = [s.value for s in LoyaltyStage if s is not LoyaltyStage.PROSPECT]
    worst: list[DriftingCustomer] = []
    total = 0
    for stage, interval in rule.by_stage.items():
        # An unknown stage reads as a prospect, as everywhere else.
        of_stage = (
            c.loyalty_stage.not_in(known)
            if stage is LoyaltyStage.PROSPECT
            else c.loyalty_stage == stage.value
        )
        conditions = [of_stage, w.anchor_on <= add_days(today, -(interval.max_days + 1))]
        if skip:
            conditions.append(c.id.not_in(sorted(skip)))
        joined = select(c.id, c.display_name, w.anchor_on).join(w, w.customer_id == c.id).where(*conditions)
        total += session.scalar(select(func.count()).select_from(joined.subquery())) or 0
        oldest = joined.order_by(w.anchor_on, c.id).limit(limit)
        for customer_id, name, anchor in session.execute(oldest):
            assert anchor is not None  # compared with a day above
            days = (today - anchor).days
            worst.append(DriftingCustomer(customer_id, name, stage, None, days, interval.max_days))
    return worst, total


def _drifting_from_facts(
    session: Session, tz: dt.tzinfo, today: dt.date, rule: CheckInRule, customer_ids: Collection[int]
) -> list[DriftingCustomer]:
    """The customers changed since the last refresh, from their facts, as the refresh would count."""
    if not customer_ids:
        return []
    loaded = load_facts(session, tz, minimal_window(today), customer_ids)
    found = []
    for customer_id, facts in loaded.facts.items():
        name = loaded.extras[customer_id].name
        anchor = last_real_contact(facts)
        found += _past_interval(rule, customer_id, name, facts.stage, facts.tags, anchor, today)
    return found


def _past_interval(
    rule: CheckInRule,
    customer_id: int,
    name: str,
    stage: LoyaltyStage,
    tags: Iterable[str],
    anchor: dt.date | None,
    today: dt.date,
) -> list[DriftingCustomer]:
    """The customer as drifting, if they are (a list of one), or an empty list."""
    interval = rule.interval_for(stage, tags)
    if interval is None or anchor is None or (today - anchor).days <= interval.max_days:
        return []
    return [DriftingCustomer(customer_id, name, stage, None, (today - anchor).days, interval.max_days)]


def _tags_of(session: Session, customer_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(customer_ids), _CHUNK):
        chunk = customer_ids[start : start + _CHUNK]
        for customer_id, tag in session.execute(
            select(TagRecord.customer_id, TagRecord.tag).where(TagRecord.customer_id.in_(chunk))
        ):
            found[customer_id].append(tag)
    return found


def _with_last_contact(
    session: Session, tz: dt.tzinfo, drifting: Sequence[DriftingCustomer]
) -> list[DriftingCustomer]:
    """The shown customers with their last contact (a contact or a ticket, purchases aside)."""
    moments = _latest_moments(session, [d.customer_id for d in drifting]) if drifting else {}
    return [
        replace(d, last_contact=local_date(moments[d.customer_id], tz) if d.customer_id in moments else None)
        for d in drifting
    ]


_CHUNK = 900


def _drifting_grouped(
    session: Session, tz: dt.tzinfo, today: dt.date, rule: CheckInRule
) -> list[DriftingCustomer]:
    """Everyone, with a few grouped queries instead of every customer's facts."""
    latest = _latest_moments(session)
    p = PurchaseRecord
    last_bought = select(p.customer_id, func.max(p.date)).group_by(p.customer_id)
    purchases: dict[int, dt.date] = {cid: day for cid, day in session.execute(last_bought)}
    tags: dict[int, list[str]] = defaultdict(list)
    if rule.by_tag:
        for customer_id, tag in session.execute(select(TagRecord.customer_id, TagRecord.tag)):
            tags[customer_id].append(tag)
    c = CustomerRecord
    found: list[DriftingCustomer] = []
    rows = session.execute(select(c.id, c.display_name, c.loyalty_stage, c.created_at))
    for customer_id, name, stage_value, created_at in rows:
        stage = _STAGES.get(stage_value, LoyaltyStage.PROSPECT)
        interval = rule.interval_for(stage, tags.get(customer_id, ()))
        if interval is None:
            continue
        moment = latest.get(customer_id)
        last_contact = local_date(moment, tz) if moment is not None else None
        candidates = [d for d in (last_contact, purchases.get(customer_id)) if d is not None]
        if created_at is not None:
            candidates.append(local_date(created_at, tz))
        if not candidates:
            continue
        days = (today - max(candidates)).days
        if days > interval.max_days:
            found.append(DriftingCustomer(customer_id, name, stage, last_contact, days, interval.max_days))
    return found


_STAGES = {s.value: s for s in LoyaltyStage}
