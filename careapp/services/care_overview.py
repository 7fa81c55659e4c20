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
from careapp.db.models import ConsentEventRecord, CustomerRecord, StageChangeRecord, TouchLogRecord
from careapp.domain.care_queue import TouchOutcome
from careapp.domain.customer import Channel, LoyaltyStage
from careapp.domain.touches import TouchKind, last_real_contact
from careapp.services.care_planning import minimal_window, plan_stored
from careapp.services.care_queue import queue_counts
from careapp.services.touch_facts import load_facts
from careapp.services.touches import TouchService

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

    def overview(self, today: dt.date | None = None, limit: int = 20) -> CareOverview:
        care = self._touches.care_settings()
        tz = care.tz()
        today = today or self._touches.today()
        month_start = dt.datetime.combine(today.replace(day=1), dt.time(), tz).astimezone(dt.UTC)
        since = month_start.replace(tzinfo=None)
        rules = self._touches.rule_set().rules
        with self._db.session() as session:
            loaded = load_facts(session, tz, minimal_window(today))
            counts = queue_counts(plan_stored(session, today, care, None, loaded))
            drifting: list[DriftingCustomer] = []
            for cid, facts in loaded.facts.items():
                interval = rules.check_in.interval_for(facts.stage, facts.tags)
                anchor = last_real_contact(facts)
                if interval is None or anchor is None or (today - anchor).days <= interval.max_days:
                    continue
                name = loaded.extras[cid].name
                drifting.append(
                    DriftingCustomer(
                        cid, name, facts.stage, facts.last_contact, (today - anchor).days, interval.max_days
                    )
                )
            drifting.sort(key=lambda d: (-d.days_past, d.customer_id))
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
