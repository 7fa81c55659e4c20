"""Reading a customer's history for the reward rules, and keeping the ledger in step with it.

:func:`sync` works out, per customer, what the history earns (careapp.domain.rewards) and appends what
the ledger lacks: newly earned, taken back, expired. It is called before anything reads rewards, so a
purchase counts however it arrived (the counter, an orders import, an edit, an undo) without a hook in
any one screen. Writes happen under :func:`lock_rewards`, taken as the transaction's first statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from careapp.clock import to_local
from careapp.db.locks import lock_named
from careapp.db.models import (
    CareDirtyRecord,
    CustomerRecord,
    PurchaseRecord,
    RewardLedgerRecord,
    StageChangeRecord,
)
from careapp.domain.rewards import (
    FINAL_EVENTS,
    EarnedReward,
    Event,
    History,
    OpenReward,
    PurchaseFact,
    Reconciliation,
    ReferralFact,
    RewardRule,
    derive_rewards,
    is_expired,
    reconcile,
)
from careapp.services.rewards.rules import offer_json

SYSTEM = "careapp"  # who writes what the history decides (earned, taken back, expired)
REWARDS_LOCK = "careapp: rewards ledger"
REFERRAL_REASON = "first purchase of the customer they referred"
TAKEN_BACK_REASON = (
    "No longer earned: a purchase behind it was deleted or refunded, or older purchases were imported."
)


def lock_rewards(session: Session) -> None:
    """Hold the ledger's write lock until commit. Must be the transaction's first statement on SQLite
    (a write that changes nothing takes the file's write lock before anything is read)."""
    lock_named(session, REWARDS_LOCK)
    session.execute(
        update(RewardLedgerRecord)
        .where(RewardLedgerRecord.id == -1)
        .values(by=RewardLedgerRecord.by)
        .execution_options(synchronize_session=False)
    )


def note_for_care(session: Session, customer_ids: Iterable[int]) -> None:
    """Note the customers whose ledger changed in ``care_dirty``: the care queue reads their waiting
    rewards (a reminder before one expires, what to know). The other tables the queue reads have
    database triggers for this (careapp/db/care_triggers.py); the ledger, added later, has its writers
    note it here instead, in the same transaction."""
    ids = sorted(set(customer_ids))
    if ids:
        session.execute(insert(CareDirtyRecord), [{"customer_id": i} for i in ids])


def _day(value: dt.datetime) -> dt.date:
    return to_local(value).date()


def _fact(row: Any) -> PurchaseFact:
    return PurchaseFact(row.id, row.date, row.category or "", Decimal(row.amount_cents) / 100)


def _purchases(session: Session, ids: Sequence[int] | None) -> dict[int, list[PurchaseFact]]:
    p = PurchaseRecord
    statement = select(p.id, p.customer_id, p.date, p.category, p.amount_cents)
    if ids is not None:
        statement = statement.where(p.customer_id.in_(ids))
    found: dict[int, list[PurchaseFact]] = defaultdict(list)
    for row in session.execute(statement):
        found[row.customer_id].append(_fact(row))
    return found


def _first_purchases(session: Session, ids: Iterable[int]) -> dict[int, PurchaseFact]:
    p = PurchaseRecord
    first: dict[int, PurchaseFact] = {}
    wanted = list(ids)
    for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
        statement = select(p.id, p.customer_id, p.date, p.category, p.amount_cents).where(
            p.customer_id.in_(chunk)
        )
        for row in session.execute(statement):
            fact = _fact(row)
            held = first.get(row.customer_id)
            if held is None or (fact.date, fact.id) < (held.date, held.id):
                first[row.customer_id] = fact
    return first


def load_histories(session: Session, ids: Sequence[int] | None) -> dict[int, History]:
    """The histories of ``ids`` (None: every customer), read in a few set queries."""
    c = CustomerRecord
    purchases = _purchases(session, ids)
    referred = select(c.id, c.referred_by_id, c.created_at, c.display_name).where(
        c.referred_by_id.is_not(None)
    )
    mine = select(c.id, c.referred_by_id, c.created_at)
    if ids is not None:
        referred = referred.where(c.referred_by_id.in_(ids))
        mine = mine.where(c.id.in_(ids))
    referred_rows = list(session.execute(referred))
    first = _first_purchases(session, [row.id for row in referred_rows])
    referrals: dict[int, list[ReferralFact]] = defaultdict(list)
    for row in referred_rows:
        referrals[row.referred_by_id].append(
            ReferralFact(row.id, _day(row.created_at), first.get(row.id), row.display_name)
        )
    steps: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    s = StageChangeRecord
    stage_statement = select(s.customer_id, s.at, s.new_stage).order_by(s.at, s.id)
    if ids is not None:
        stage_statement = stage_statement.where(s.customer_id.in_(ids))
    for step in session.execute(stage_statement):
        steps[step.customer_id].append((_day(step.at), step.new_stage))
    return {
        row.id: History(
            row.id,
            tuple(purchases.get(row.id, ())),
            tuple(referrals.get(row.id, ())),
            _day(row.created_at) if row.referred_by_id is not None else None,
            tuple(steps.get(row.id, ())),
        )
        for row in session.execute(mine)
    }


@dataclass
class LedgerState:
    """One customer's ledger as the domain needs it."""

    open: list[OpenReward] = field(default_factory=list)
    closed_keys: set[str] = field(default_factory=set)
    redeemed_keys: set[str] = field(default_factory=set)


def ledger_rows(session: Session, ids: Sequence[int] | None) -> list[RewardLedgerRecord]:
    r = RewardLedgerRecord
    statement = select(r).order_by(r.id)
    if ids is not None:
        statement = statement.where(r.customer_id.in_(ids))
    return list(session.scalars(statement))


def ledger_states(rows: Iterable[RewardLedgerRecord]) -> dict[int, LedgerState]:
    rows = list(rows)
    closing = {row.reward_id: row for row in rows if row.reward_id is not None}
    states: dict[int, LedgerState] = defaultdict(LedgerState)
    for row in rows:
        if row.event != Event.EARNED:
            continue
        state = states[row.customer_id]
        closed = closing.get(row.id)
        if closed is None:
            state.open.append(OpenReward(row.id, row.key, row.expires_on, row.rule_id))
        elif closed.event in FINAL_EVENTS:
            state.closed_keys.add(row.key)
            if closed.event == Event.REDEEMED:
                state.redeemed_keys.add(row.key)
    return states


def plans(
    rules: Sequence[RewardRule], histories: dict[int, History], states: dict[int, LedgerState], today: dt.date
) -> dict[int, Reconciliation]:
    """What each customer's ledger lacks (only customers with something to write)."""
    live = [rule.id for rule in rules if rule.enabled]
    found = {}
    for customer_id in histories.keys() | states.keys():
        state = states.get(customer_id, LedgerState())
        history = histories.get(customer_id, History(customer_id))
        derived = derive_rewards(rules, history, state.redeemed_keys).rewards
        plan = reconcile(derived, state.open, state.closed_keys, today, live)
        if plan:
            found[customer_id] = plan
    return found


def _earned_row(customer_id: int, reward: EarnedReward, now: dt.datetime) -> RewardLedgerRecord:
    return RewardLedgerRecord(
        customer_id=customer_id,
        key=reward.key,
        rule_id=reward.rule_id,
        event=Event.EARNED.value,
        at=now,
        by=SYSTEM,
        purchase_id=reward.purchase_id,
        referred_customer_id=reward.referred_customer_id,
        # No names in the ledger: an erased customer must not live on in someone else's rows.
        reason=REFERRAL_REASON if reward.referred_customer_id is not None else reward.because,
        offer_json=json.dumps(offer_json(reward.offer), sort_keys=True),
        earned_on=reward.earned_on,
        expires_on=reward.expires_on,
    )


def closing_row(
    opened: RewardLedgerRecord | OpenReward,
    customer_id: int,
    event: Event,
    now: dt.datetime,
    by: str,
    reason: str,
) -> RewardLedgerRecord:
    key = opened.key
    rule_id = opened.rule_id
    return RewardLedgerRecord(
        customer_id=customer_id,
        reward_id=opened.id,
        key=key,
        rule_id=rule_id,
        event=event.value,
        at=now,
        by=by,
        reason=reason,
        offer_json="{}",
    )


def write_plans(session: Session, found: dict[int, Reconciliation], today: dt.date, now: dt.datetime) -> None:
    for customer_id, plan in found.items():
        for reward in plan.earn:
            row = _earned_row(customer_id, reward, now)
            session.add(row)
            if is_expired(reward.expires_on, today):
                session.flush()
                reason = f"Not used by {reward.expires_on}; it was already past its day when it was earned."
                session.add(closing_row(row, customer_id, Event.EXPIRED, now, SYSTEM, reason))
        for held in plan.take_back:
            session.add(closing_row(held, customer_id, Event.TAKEN_BACK, now, SYSTEM, TAKEN_BACK_REASON))
        for held in plan.expire:
            reason = f"Not used by {held.expires_on}."
            session.add(closing_row(held, customer_id, Event.EXPIRED, now, SYSTEM, reason))
    session.flush()
    note_for_care(session, found)


def sync_in_session(
    session: Session, rules: Sequence[RewardRule], ids: Sequence[int] | None, today: dt.date, now: dt.datetime
) -> bool:
    """Bring the ledger of ``ids`` in step with their histories; whether anything was written.
    The caller holds :func:`lock_rewards`."""
    histories = load_histories(session, ids)
    found = plans(rules, histories, ledger_states(ledger_rows(session, ids)), today)
    write_plans(session, found, today, now)
    return bool(found)
