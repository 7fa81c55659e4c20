"""The rewards report's figures: pure functions over the ledger's rows (no Qt, no SQLAlchemy).

- per month: rewards earned (by the day they were earned), redeemed, expired, cancelled and taken
  back (by the day that happened), and the cost of those redeemed;
- the redemption rate of the rewards earned in the period: redeemed ÷ earned, where a reward taken
  back (the purchase behind it deleted or refunded) was never really earned and is left out; those
  still waiting are counted beside it, since a young reward has had less time to be used;
- what came after: rewarded customers against comparable ones who were not rewarded that month
  (the same RFM segment before the month), bought again within 30/60/90 days. This is the value
  report's comparison (:func:`careapp.domain.value.care_effect`) with the earned day as the reference
  day. Rewards go to customers who were buying anyway, so the rewarded look better than they are:
  :data:`COMPARISON_CAVEAT` says so beside the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from careapp.domain.value import EffectRow, Touched, care_effect, next_period, period_of

COMPARISON_CAVEAT = (
    "Rewarded customers earned their reward by buying, so they were already among the shop's keener "
    "customers; comparing them with customers of the same RFM segment takes some, not all, of that "
    "out. Read the difference as an upper bound of what the rewards did."
)
GROUP_WORDS = {"touched": "rewarded", "untouched": "not rewarded", "control group": "control group"}
CLOSING_EVENTS = ("redeemed", "expired", "cancelled", "taken_back")


@dataclass(frozen=True)
class LedgerFact:
    """One reward as the report needs it: when it was earned and, once closed, how and when (the
    local day) and, when redeemed, what it cost the shop in cents."""

    reward_id: int
    customer_id: int
    earned_on: dt.date
    closed: str = ""  # "" while waiting, else one of CLOSING_EVENTS
    closed_on: dt.date | None = None
    cost_cents: int = 0


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    earned: int = 0
    redeemed: int = 0
    expired: int = 0
    cancelled: int = 0
    taken_back: int = 0
    cost_cents: int = 0


@dataclass(frozen=True)
class Redemption:
    """Of the rewards earned in the period (less those taken back): how many were redeemed, expired,
    cancelled, and are still waiting."""

    earned: int
    redeemed: int
    expired: int
    cancelled: int
    waiting: int

    @property
    def rate(self) -> float | None:
        return self.redeemed / self.earned if self.earned else None


@dataclass(frozen=True)
class RewardsReport:
    first_day: dt.date
    last_day: dt.date
    today: dt.date
    months: tuple[MonthRow, ...]
    redemption: Redemption
    cost_cents: int  # of the rewards redeemed in the period
    comparison: tuple[EffectRow, ...]
    caveat: str = COMPARISON_CAVEAT


def months_of(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    months, month = [], period_of(first_day, "month")
    while month <= last_day:
        months.append(month)
        month = next_period(month, "month")
    return months


def _inside(day: dt.date | None, first_day: dt.date, last_day: dt.date) -> bool:
    return day is not None and first_day <= day <= last_day


def per_month(facts: Iterable[LedgerFact], first_day: dt.date, last_day: dt.date) -> list[MonthRow]:
    """One row per month of the period (every month, an empty one too)."""
    rows = {month: MonthRow(month) for month in months_of(first_day, last_day)}
    for fact in facts:
        if _inside(fact.earned_on, first_day, last_day):
            row = rows[period_of(fact.earned_on, "month")]
            rows[row.month] = replace(row, earned=row.earned + 1)
        if fact.closed and fact.closed_on is not None and _inside(fact.closed_on, first_day, last_day):
            row = rows[period_of(fact.closed_on, "month")]
            changes = {fact.closed: getattr(row, fact.closed) + 1}
            if fact.closed == "redeemed":
                changes["cost_cents"] = row.cost_cents + fact.cost_cents
            rows[row.month] = replace(row, **changes)
    return [rows[month] for month in sorted(rows)]


def redemption(facts: Iterable[LedgerFact], first_day: dt.date, last_day: dt.date) -> Redemption:
    counts = dict.fromkeys(("redeemed", "expired", "cancelled", ""), 0)
    for fact in facts:
        if _inside(fact.earned_on, first_day, last_day) and fact.closed != "taken_back":
            counts[fact.closed] += 1
    earned = sum(counts.values())
    return Redemption(earned, counts["redeemed"], counts["expired"], counts["cancelled"], counts[""])


def comparison(
    facts: Iterable[LedgerFact],
    history: Mapping[int, Sequence[tuple[dt.date, int]]],
    first_day: dt.date,
    last_day: dt.date,
    today: dt.date,
) -> list[EffectRow]:
    """Rewarded customers (counted from the day they earned the reward) against customers of the same
    RFM segment not rewarded that month (counted from the middle day of that month's rewards): who
    bought again within 30, 60 and 90 days, once that many days have passed. A customer counts once
    for each month of the period in which rewards were earned."""
    # history: every customer's purchases as sorted (day, cents) rows, those without any too.
    rewarded = [
        Touched(fact.customer_id, fact.earned_on)
        for fact in facts
        if fact.closed != "taken_back" and _inside(fact.earned_on, first_day, last_day)
    ]
    if not rewarded:
        return []
    rows = care_effect(history, rewarded, (), first_day, last_day, today)
    return [replace(row, group=GROUP_WORDS.get(row.group, row.group)) for row in rows]


def rewards_report(
    facts: Sequence[LedgerFact],
    history: Mapping[int, Sequence[tuple[dt.date, int]]],
    first_day: dt.date,
    last_day: dt.date,
    today: dt.date,
) -> RewardsReport:
    if last_day < first_day:
        raise ValueError(f"The report cannot end ({last_day}) before it starts ({first_day}).")
    months = per_month(facts, first_day, last_day)
    return RewardsReport(
        first_day,
        last_day,
        today,
        tuple(months),
        redemption(facts, first_day, last_day),
        sum(row.cost_cents for row in months),
        tuple(comparison(facts, history, first_day, last_day, today)),
    )
