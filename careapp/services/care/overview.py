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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from careapp.db.database import Database
from careapp.db.models import (
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
from careapp.domain.recurrence import local_date
from careapp.domain.tickets import Direction, TicketState
from careapp.domain.touches import CheckInRule, TouchKind
from careapp.services.care.plan_store import ensure_planned
from careapp.services.care.planning import plan_stored
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
            drifting = _drifting(session, tz, today, rules.check_in)
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
            drifting=tuple(drifting[:limit]),
            drifting_total=len(drifting),
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
        e = ConsentEventRecord
        statement = select(e.customer_id, e.channel, e.granted).order_by(e.customer_id, e.at, e.id)
        granted: dict[str, set[int]] = defaultdict(set)
        latest: dict[tuple[int, str], bool] = {}
        for customer_id, channel, was_granted in session.execute(statement):
            if was_granted:
                granted[channel].add(customer_id)
            latest[customer_id, channel] = bool(was_granted)
        withdrawn: dict[str, set[int]] = defaultdict(set)
        for (customer_id, channel), answer in latest.items():
            if not answer and customer_id in granted[channel]:
                withdrawn[channel].add(customer_id)
        everyone = set().union(*granted.values()) if granted else set()
        anyone_withdrawn = set().union(*withdrawn.values()) if withdrawn else set()
        rates = [OptOutRate(None, len(everyone), len(anyone_withdrawn))]
        rates += [OptOutRate(c, len(granted[c.value]), len(withdrawn[c.value])) for c in Channel]
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


def _latest_moments(session: Session) -> dict[int, dt.datetime]:
    """The latest contact (not an internal note), ticket opened, or ticket resolved or closed, per
    customer: each grouped in SQL (the same sources as the touch facts' ``last_contact``)."""
    c, t, s = ContactRecord, TicketRecord, TicketStateChangeRecord
    statements = (
        select(c.customer_id, func.max(c.at))
        .where(c.direction != Direction.INTERNAL.value)
        .group_by(c.customer_id),
        select(t.customer_id, func.max(t.opened_at))
        .where(t.merged_into_id.is_(None), t.exclusion.is_(None))
        .group_by(t.customer_id),
        select(s.customer_id, func.max(s.at)).where(s.new.in_(_DONE)).group_by(s.customer_id),
    )
    latest: dict[int, dt.datetime] = {}
    for statement in statements:
        for customer_id, moment in session.execute(statement):
            if moment is not None and (customer_id not in latest or moment > latest[customer_id]):
                latest[customer_id] = moment
    return latest


def _drifting(session: Session, tz: dt.tzinfo, today: dt.date, rule: CheckInRule) -> list[DriftingCustomer]:
    """Customers past their maximum check-in interval, worst first: the last real contact (a contact,
    a ticket, a purchase, or the day they became known) as :func:`last_real_contact` counts it, read
    with a few grouped queries instead of every customer's facts."""
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
    found.sort(key=lambda d: (-d.days_past, d.customer_id))
    return found


_STAGES = {s.value: s for s in LoyaltyStage}
