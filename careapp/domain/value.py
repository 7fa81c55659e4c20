"""Does the care pay off? Customer value, RFM segments, wallet share, "often bought next", retention,
cohorts, churn from consent withdrawals and the effect of touches: pure functions over plain rows.

Words used throughout (the Value page and ``careapp report`` print these docstrings' definitions):

- A **purchase** is a purchase row with an amount of zero or more; a **refund** is a row with a negative
  amount. Refunds lower the money spent but are not purchases: they do not count in the number of
  purchases and do not move the first or last purchase day.
- **Spent** is the net sum of every row (purchases minus refunds).
- Days are the shop's calendar days; "today" is always passed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Period = Literal["month", "year"]


# --- one customer's figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    """One purchase row: a negative ``amount_cents`` is a refund."""

    customer_id: int
    day: dt.date
    category: str
    amount_cents: int


@dataclass(frozen=True)
class CustomerTotals:
    """What one customer bought: net money spent, the number of purchases (refunds not counted), the
    first and last purchase day (None when they only ever had refunds) and the sum of the gaps in
    days between their first and last purchase (for the usual interval)."""

    customer_id: int
    spent_cents: int
    purchases: int
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def average_order_cents(self) -> int | None:
        """Net spent divided by the number of purchases (refunds lower it); None with no purchase."""
        return round(self.spent_cents / self.purchases) if self.purchases else None

    @property
    def usual_interval_days(self) -> float | None:
        """The mean gap between purchases, (last - first) / (purchases - 1); None under 2 purchases."""
        if self.purchases < 2 or self.first_day is None or self.last_day is None:
            return None
        return (self.last_day - self.first_day).days / (self.purchases - 1)


def customer_totals(sales: Iterable[Sale]) -> dict[int, CustomerTotals]:
    """Each customer's totals from their rows (see the module's words on refunds)."""
    spent: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    first: dict[int, dt.date] = {}
    last: dict[int, dt.date] = {}
    for sale in sales:
        spent[sale.customer_id] += sale.amount_cents
        if sale.amount_cents < 0:
            continue
        count[sale.customer_id] += 1
        if sale.customer_id not in first or sale.day < first[sale.customer_id]:
            first[sale.customer_id] = sale.day
        if sale.customer_id not in last or sale.day > last[sale.customer_id]:
            last[sale.customer_id] = sale.day
    return {cid: CustomerTotals(cid, spent[cid], count[cid], first.get(cid), last.get(cid)) for cid in spent}


# --- RFM ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    name: str
    rule: str
    meaning: str


# The segment table: the first row whose rule holds names the customer. Every (R, F, M) from 1 to 5 is
# covered; the documentation and the Value page print this table as it is.
SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", "R ≥ 4, F ≥ 4 and M ≥ 4", "bought lately, often and for the most money"),
    Segment("loyal", "R ≥ 3 and F ≥ 3", "buy often and not long ago"),
    Segment("promising", "R ≥ 4 (F ≤ 2)", "bought lately but not yet often"),
    Segment("at risk", "R ≤ 2 and F ≥ 3", "used to buy often, not lately"),
    Segment("needs attention", "R 2 to 3 and F ≤ 2", "neither recent nor frequent, not gone yet"),
    Segment("lost", "R = 1 and F ≤ 2", "bought seldom and longest ago"),
)
SEGMENT_NAMES: tuple[str, ...] = tuple(segment.name for segment in SEGMENTS)


def segment_for(r: int, f: int, m: int) -> str:
    """The segment of scores ``r``, ``f``, ``m`` (each 1-5) by :data:`SEGMENTS`."""
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if r >= 3 and f >= 3:
        return "loyal"
    if r >= 4:
        return "promising"
    if f >= 3:
        return "at risk"
    if r >= 2:
        return "needs attention"
    return "lost"


def quintile(ordered: Sequence[int], value: int) -> int:
    """The score 1-5 of ``value`` among ``ordered`` (sorted ascending; higher is better).

    score = 1 + floor(5 * below / n), where ``below`` is how many customers have a strictly worse
    value and n how many there are. Ties share the score of the lowest of them, so customers with the
    same value always score the same, and a value shared by most customers scores low.
    """
    if not ordered:
        return 1
    return 1 + (5 * bisect_left(ordered, value)) // len(ordered)


@dataclass(frozen=True)
class RfmScore:
    recency: int
    frequency: int
    monetary: int
    segment: str

    @property
    def code(self) -> str:
        return f"{self.recency}{self.frequency}{self.monetary}"


@dataclass(frozen=True)
class RfmScale:
    """The shop's customers who made at least one purchase, sorted three ways, to score anyone by.

    Recency is scored by the last purchase day (later is better), frequency by the number of purchases,
    monetary by net spent; each 1-5 by :func:`quintile` over these customers.
    """

    last_days: tuple[int, ...] = ()
    counts: tuple[int, ...] = ()
    spent: tuple[int, ...] = ()

    @classmethod
    def of(cls, totals: Iterable[CustomerTotals]) -> RfmScale:
        buyers = [t for t in totals if t.last_day is not None]
        return cls(
            tuple(sorted(t.last_day.toordinal() for t in buyers if t.last_day is not None)),
            tuple(sorted(t.purchases for t in buyers)),
            tuple(sorted(t.spent_cents for t in buyers)),
        )

    @property
    def customers(self) -> int:
        return len(self.counts)

    def score(self, totals: CustomerTotals) -> RfmScore | None:
        """None for a customer without a purchase."""
        if totals.last_day is None or not self.counts:
            return None
        r = quintile(self.last_days, totals.last_day.toordinal())
        f = quintile(self.counts, totals.purchases)
        m = quintile(self.spent, totals.spent_cents)
        return RfmScore(r, f, m, segment_for(r, f, m))

    def edges(self) -> dict[str, tuple[int, ...]]:
        """The lowest value scoring 2, 3, 4 and 5 on each scale (recency as a day ordinal)."""
        return {
            name: _edges(values)
            for name, values in (
                ("recency", self.last_days),
                ("frequency", self.counts),
                ("monetary", self.spent),
            )
        }


def _edges(ordered: Sequence[int]) -> tuple[int, ...]:
    found: dict[int, int] = {}
    for value in dict.fromkeys(ordered):
        found.setdefault(quintile(ordered, value), value)
    return tuple(found[score] for score in range(2, 6) if score in found)


# --- wallet share and "often bought next" -----------------------------------------------------------


@dataclass(frozen=True)
class WalletShare:
    """Categories the customer bought out of every category the shop has sold (a simple share of
    wallet: what else they could buy from the shop)."""

    bought: tuple[str, ...]
    not_yet: tuple[str, ...]

    @property
    def share(self) -> float | None:
        total = len(self.bought) + len(self.not_yet)
        return len(self.bought) / total if total else None


def wallet_share(bought: Iterable[str], shop_categories: Iterable[str]) -> WalletShare:
    shop = sorted({c for c in shop_categories if c})
    mine = {c for c in bought if c}
    return WalletShare(tuple(c for c in shop if c in mine), tuple(c for c in shop if c not in mine))


# Thresholds for "often bought next": a suggestion needs at least this many customers who made the
# move, and buyers of the first category must go on to the next at least this many times as often as
# customers in general buy it (lift).
MIN_CUSTOMERS = 5
MIN_LIFT = 1.2


@dataclass(frozen=True)
class NextRule:
    """Customers who bought ``after`` went on to buy ``then``.

    ``customers``: how many bought ``then`` for the first time on a later day than they first bought
    ``after``. support = customers / all buyers; confidence = customers / buyers of ``after``;
    lift = confidence / (buyers of ``then`` / all buyers): above 1, buyers of ``after`` go on to
    ``then`` more often than customers in general buy it.
    """

    after: str
    then: str
    customers: int
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class NextTable:
    """Co-purchase counts over the shop's buyers: per category how many bought it, per ordered pair
    how many bought the second first on a later day than the first."""

    buyers: int = 0
    category_buyers: Mapping[str, int] = field(default_factory=dict)
    moves: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def rule(self, after: str, then: str) -> NextRule | None:
        moved = self.moves.get((after, then), 0)
        base, then_buyers = self.category_buyers.get(after, 0), self.category_buyers.get(then, 0)
        if not moved or not base or not then_buyers:
            return None
        confidence = moved / base
        return NextRule(
            after, then, moved, moved / self.buyers, confidence, confidence / (then_buyers / self.buyers)
        )


def next_table(first_days: Iterable[tuple[int, str, dt.date]]) -> NextTable:
    """From (customer, category, first day they bought it) rows, one per customer and category."""
    per_customer: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for customer_id, category, day in first_days:
        if category:
            per_customer[customer_id].append((day, category))
    category_buyers: dict[str, int] = defaultdict(int)
    moves: dict[tuple[str, str], int] = defaultdict(int)
    for bought in per_customer.values():
        for day, category in bought:
            category_buyers[category] += 1
            for later_day, later in bought:
                if later_day > day:
                    moves[(category, later)] += 1
    return NextTable(len(per_customer), dict(category_buyers), dict(moves))


def often_bought_next(
    table: NextTable,
    bought: Iterable[str],
    min_customers: int = MIN_CUSTOMERS,
    min_lift: float = MIN_LIFT,
    limit: int = 3,
) -> list[NextRule]:
    """Categories this customer has not bought that buyers of what they bought went on to buy, the
    strongest (lift, then customers) first; only rules from ``min_customers`` customers and
    ``min_lift`` up. For each suggested category the best rule is kept."""
    mine = {c for c in bought if c}
    best: dict[str, NextRule] = {}
    for after in mine:
        for then in table.category_buyers:
            if then in mine:
                continue
            rule = table.rule(after, then)
            if rule is None or rule.customers < min_customers or rule.lift < min_lift:
                continue
            if then not in best or (rule.lift, rule.customers) > (best[then].lift, best[then].customers):
                best[then] = rule
    return sorted(best.values(), key=lambda r: (-r.lift, -r.customers, r.then))[:limit]


# --- the "suggest a related product" touch's table ------------------------------------------------------

# A suggestion touch asks more than the panel's "often bought next": a move made by at least this many
# customers, with lift at least this (buyers of the first category go on to the next twice as often as
# customers in general buy it). Both are the touch rule's defaults; the owner may set others.
SUGGEST_MIN_CUSTOMERS = 10
SUGGEST_MIN_LIFT = 2.0


@dataclass(frozen=True)
class Suggestion:
    """The category to suggest to a customer (``category``), because they bought ``after`` and buyers
    of it go on to buy the category ``lift`` times as often as customers in general (to a tenth)."""

    category: str
    after: str
    lift: float


@dataclass(frozen=True)
class SuggestionTable:
    """The strong moves of a :class:`NextTable`, reduced to what a customer's suggestion depends on:
    per first category, the next categories with their lift rounded to a tenth, strongest first.

    Rounding keeps the table (and its :meth:`version`) the same while a sale nudges the counts, so the
    touches' refresh re-derives everyone only when a move crosses a threshold or changes its lift by a
    tenth; a customer's suggestion is worked out from their own categories and this table alone.
    """

    moves: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    def version(self) -> str:
        rows = sorted((after, list(map(list, nexts))) for after, nexts in self.moves.items())
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]

    def suggest(self, bought: Iterable[str]) -> Suggestion | None:
        """The strongest move from a category they bought to one they have not (ties: the category
        name, then the first category's), or None."""
        mine = {c for c in bought if c}
        best: Suggestion | None = None
        for after in sorted(mine):
            for then, lift in self.moves.get(after, ()):
                if then in mine:
                    continue
                if best is None or (-lift, then, after) < (-best.lift, best.category, best.after):
                    best = Suggestion(then, after, lift)
        return best


def suggestion_table(
    table: NextTable, min_customers: int = SUGGEST_MIN_CUSTOMERS, min_lift: float = SUGGEST_MIN_LIFT
) -> SuggestionTable:
    """The moves of at least ``min_customers`` customers whose lift, to a tenth, is ``min_lift`` or more."""
    moves: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for after, then in table.moves:
        rule = table.rule(after, then)
        if rule is None or rule.customers < min_customers:
            continue
        lift = round(rule.lift, 1)
        if lift >= min_lift:
            moves[after].append((then, lift))
    strongest_first = {a: tuple(sorted(n, key=lambda m: (-m[1], m[0]))) for a, n in sorted(moves.items())}
    return SuggestionTable(strongest_first)


# --- retention and cohorts ----------------------------------------------------------------------------


def period_of(day: dt.date, by: Period) -> dt.date:
    """The first day of the month or year ``day`` falls in."""
    return dt.date(day.year, day.month, 1) if by == "month" else dt.date(day.year, 1, 1)


def next_period(start: dt.date, by: Period) -> dt.date:
    if by == "year":
        return dt.date(start.year + 1, 1, 1)
    return dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)


@dataclass(frozen=True)
class RetentionRow:
    """Of the ``buyers`` who made a purchase in the period starting ``period``, ``returned`` made one
    in the next period too. ``complete`` is False while the next period has not ended (the rate can
    still rise)."""

    period: dt.date
    buyers: int
    returned: int
    complete: bool

    @property
    def rate(self) -> float | None:
        return self.returned / self.buyers if self.buyers else None


def retention(
    active: Iterable[tuple[int, dt.date]], first_day: dt.date, last_day: dt.date, by: Period, today: dt.date
) -> list[RetentionRow]:
    """Retention for each period from the one holding ``first_day`` to the one holding ``last_day``.

    ``active``: (customer, purchase day) for every purchase (refunds left out by the caller or not:
    only the day counts, so pass purchases only). A purchase on a period's first day belongs to that
    period, not the one before.
    """
    buyers: dict[dt.date, set[int]] = defaultdict(set)
    for customer_id, day in active:
        buyers[period_of(day, by)].add(customer_id)
    rows = []
    start = period_of(first_day, by)
    while start <= last_day:
        after = next_period(start, by)
        these = buyers.get(start, set())
        returned = len(these & buyers.get(after, set()))
        rows.append(RetentionRow(start, len(these), returned, next_period(after, by) <= today))
        start = after
    return rows


@dataclass(frozen=True)
class CohortRow:
    """Customers whose first purchase was in ``month``; ``active[k]`` of them bought in the k-th month
    after it (``active[0]`` is everyone), up to the current month."""

    month: dt.date
    active: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.active[0] if self.active else 0

    def shares(self) -> tuple[float, ...]:
        return tuple(n / self.size for n in self.active) if self.size else ()


def months_between(first: dt.date, later: dt.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def cohorts(
    first_purchase: Mapping[int, dt.date],
    active: Iterable[tuple[int, dt.date]],
    first_month: dt.date,
    last_month: dt.date,
    today: dt.date,
) -> list[CohortRow]:
    """The retention triangle by month of first purchase, for cohorts from ``first_month`` to
    ``last_month``. ``first_purchase``: each customer's first purchase day ever (not only in the range);
    ``active``: (customer, purchase day) pairs."""
    first_month, last_month = period_of(first_month, "month"), period_of(last_month, "month")
    seen: dict[dt.date, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for customer_id, day in active:
        first = first_purchase.get(customer_id)
        if first is None:
            continue
        cohort = period_of(first, "month")
        if first_month <= cohort <= last_month:
            seen[cohort][months_between(cohort, day)].add(customer_id)
    rows = []
    month = first_month
    while month <= last_month:
        width = months_between(month, today) + 1
        found = seen.get(month, {})
        rows.append(CohortRow(month, tuple(len(found.get(k, ())) for k in range(max(width, 1)))))
        month = next_period(month, "month")
    return rows


# --- the shop's value summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupValue:
    """Customers in a group (a loyalty stage, an RFM segment), what they spent in all, and per head."""

    name: str
    customers: int
    spent_cents: int

    @property
    def per_customer_cents(self) -> int | None:
        return round(self.spent_cents / self.customers) if self.customers else None


@dataclass(frozen=True)
class ValueSummary:
    """``buyers``: customers with a purchase; ``repeat_buyers``: with two or more (repeat-purchase
    rate = repeat_buyers / buyers); ``mean_days_between``: the mean gap in days between one purchase
    and the customer's next, over every gap of every customer; ``lapsed``: customers with two or more
    purchases and no purchase for more than twice their usual interval."""

    buyers: int
    repeat_buyers: int
    mean_days_between: float | None
    by_stage: tuple[GroupValue, ...]
    by_segment: tuple[GroupValue, ...]
    lapsed: tuple[int, ...]

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_buyers / self.buyers if self.buyers else None


def is_lapsed(totals: CustomerTotals, today: dt.date) -> bool:
    """No purchase for more than twice the usual interval (so never with fewer than two purchases)."""
    usual = totals.usual_interval_days
    if usual is None or totals.last_day is None:
        return False
    return (today - totals.last_day).days > 2 * max(usual, 1.0)


def value_summary(
    totals: Iterable[CustomerTotals], stages: Mapping[int, str], stage_order: Sequence[str], today: dt.date
) -> ValueSummary:
    """The shop's figures from every customer's totals; ``stages`` gives each customer's loyalty stage
    (customers without purchases count in their stage with 0 spent)."""
    every = list(totals)
    buyers = [t for t in every if t.purchases]
    gaps = sum((t.last_day - t.first_day).days for t in buyers if t.first_day and t.last_day)
    gap_count = sum(t.purchases - 1 for t in buyers)
    stage_spent: dict[str, int] = dict.fromkeys(stage_order, 0)
    stage_people: dict[str, int] = dict.fromkeys(stage_order, 0)
    spent_of = {t.customer_id: t.spent_cents for t in every}
    for customer_id, stage in stages.items():
        stage_people[stage] = stage_people.get(stage, 0) + 1
        stage_spent[stage] = stage_spent.get(stage, 0) + spent_of.get(customer_id, 0)
    segment_spent: dict[str, int] = dict.fromkeys(SEGMENT_NAMES, 0)
    segment_people: dict[str, int] = dict.fromkeys(SEGMENT_NAMES, 0)
    segments = segments_of(every)
    for t in buyers:
        segment = segments[t.customer_id]
        if segment != NO_SEGMENT:
            segment_people[segment] += 1
            segment_spent[segment] += t.spent_cents
    return ValueSummary(
        buyers=len(buyers),
        repeat_buyers=sum(1 for t in buyers if t.purchases >= 2),
        mean_days_between=gaps / gap_count if gap_count else None,
        by_stage=tuple(GroupValue(s, stage_people[s], stage_spent[s]) for s in stage_people),
        by_segment=tuple(GroupValue(s, segment_people[s], segment_spent[s]) for s in SEGMENT_NAMES),
        lapsed=tuple(sorted(t.customer_id for t in buyers if is_lapsed(t, today))),
    )


# --- churn: consent withdrawals ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentChange:
    customer_id: int
    channel: str
    granted: bool
    day: dt.date


@dataclass(frozen=True)
class ChurnRow:
    """In the month starting ``month`` on ``channel``: ``had_consent`` customers had consent on its first
    day or were granted it during the month; ``withdrew`` of those withdrew it within the month."""

    month: dt.date
    channel: str
    had_consent: int
    withdrew: int

    @property
    def rate(self) -> float | None:
        return self.withdrew / self.had_consent if self.had_consent else None


def churn(changes: Iterable[ConsentChange], first_month: dt.date, last_month: dt.date) -> list[ChurnRow]:
    """Churn as consent withdrawals per month and channel, as a share of those who had consent.

    A change on a month's first day belongs to that month. Withdrawing twice in a month counts once.
    """
    ordered = sorted(changes, key=lambda c: (c.day, c.customer_id))
    first_month, last_month = period_of(first_month, "month"), period_of(last_month, "month")
    state: dict[tuple[int, str], bool] = {}
    # Customers holding consent now, per channel, kept as the changes pass (not recounted each month).
    holding: Counter[str] = Counter()
    channels = sorted({c.channel for c in ordered})
    rows: list[ChurnRow] = []
    index = 0
    while index < len(ordered) and ordered[index].day < first_month:
        _apply(state, holding, ordered[index])
        index += 1
    month = first_month
    while month <= last_month:
        end = next_period(month, "month")
        had = Counter(holding)
        at_start: dict[tuple[int, str], bool] = {}
        granted_in_month: set[tuple[int, str]] = set()
        withdrew: set[tuple[int, str]] = set()
        while index < len(ordered) and ordered[index].day < end:
            change = ordered[index]
            key = (change.customer_id, change.channel)
            had_it = at_start.setdefault(key, state.get(key, False))
            if change.granted:
                if not had_it and key not in granted_in_month:
                    had[change.channel] += 1  # had no consent at the month's start nor yet this month
                granted_in_month.add(key)
            elif had_it or key in granted_in_month:
                withdrew.add(key)
            _apply(state, holding, change)
            index += 1
        withdrew_by_channel = Counter(channel for _cid, channel in withdrew)
        rows += [ChurnRow(month, c, had[c], withdrew_by_channel[c]) for c in channels]
        month = end
    return rows


def _apply(state: dict[tuple[int, str], bool], holding: Counter[str], change: ConsentChange) -> None:
    key = (change.customer_id, change.channel)
    before = state.get(key, False)
    if before != change.granted:
        holding[change.channel] += 1 if change.granted else -1
    state[key] = change.granted


def trend_per_month(rates: Sequence[float | None]) -> float | None:
    """The least-squares slope of the rates over the months (per month), skipping months without a
    rate; None with fewer than two. Positive: churn is rising."""
    points = [(float(i), r) for i, r in enumerate(rates) if r is not None]
    if len(points) < 2:
        return None
    return statistics.linear_regression([x for x, _ in points], [y for _, y in points]).slope


# --- the effect of care -----------------------------------------------------------------------------

CONTROL_BUCKETS = 10_000
EFFECT_WINDOWS = (30, 60, 90)


def in_control_group(customer_id: int, seed: str, percent: float) -> bool:
    """Whether the customer is in the control group: a fixed random ``percent`` of customers whom
    marketing touches skip. The draw is a hash of the shop's seed and the customer's id, so it is the
    same after every restart and on every seat, and a customer never moves in or out while the seed
    and percent stay the same."""
    digest = hashlib.sha256(f"{seed}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % CONTROL_BUCKETS < percent * CONTROL_BUCKETS / 100


@dataclass(frozen=True)
class Touched:
    """A done marketing touch: the customer and the day."""

    customer_id: int
    day: dt.date


@dataclass(frozen=True)
class EffectRow:
    """Customers of one group (touched, comparable untouched, or the control group) in one RFM segment:
    ``counted[i]`` of them have had ``EFFECT_WINDOWS[i]`` days pass since their reference day, and
    ``bought[i]`` of those bought within those days (after the day, not on it)."""

    group: str
    segment: str
    customers: int
    counted: tuple[int, ...]
    bought: tuple[int, ...]

    def share(self, index: int) -> float | None:
        return self.bought[index] / self.counted[index] if self.counted[index] else None


NO_SEGMENT = "no purchase yet"


def segments_as_of(history: Mapping[int, Sequence[tuple[dt.date, int]]], day: dt.date) -> dict[int, str]:
    """Every customer's RFM segment from the rows before ``day`` (purchases as (day, cents) sorted by
    day); customers with no purchase before it are :data:`NO_SEGMENT`."""
    totals = {}
    for customer_id, rows in history.items():
        before = rows[: bisect_left(rows, (day, -(2**62)))]
        totals[customer_id] = _totals_of(customer_id, before)
    return segments_of(totals.values())


def segments_of(totals: Iterable[CustomerTotals]) -> dict[int, str]:
    """Each customer's RFM segment among these customers (:data:`NO_SEGMENT` without a purchase).

    Scores each distinct value once (a shop has far fewer distinct values than customers)."""
    every = list(totals)
    scale = RfmScale.of(every)
    tables = [_score_table(values) for values in (scale.last_days, scale.counts, scale.spent)]
    recency, frequency, monetary = tables
    segments = {}
    for t in every:
        if t.last_day is None:
            segments[t.customer_id] = NO_SEGMENT
        else:
            r, f, m = recency[t.last_day.toordinal()], frequency[t.purchases], monetary[t.spent_cents]
            segments[t.customer_id] = segment_for(r, f, m)
    return segments


def _score_table(ordered: Sequence[int]) -> dict[int, int]:
    """value -> :func:`quintile` score for every value in ``ordered`` (sorted)."""
    table: dict[int, int] = {}
    count = len(ordered)
    for index, value in enumerate(ordered):
        if value not in table:
            table[value] = 1 + (5 * index) // count
    return table


def _totals_of(customer_id: int, rows: Sequence[tuple[dt.date, int]]) -> CustomerTotals:
    days = [day for day, cents in rows if cents >= 0]
    return CustomerTotals(
        customer_id, sum(c for _, c in rows), len(days), min(days, default=None), max(days, default=None)
    )


def purchase_ordinals(rows: Sequence[tuple[dt.date, int]]) -> list[int]:
    """The sorted day ordinals of the purchases (not refunds) among (day, cents) rows."""
    return sorted({day.toordinal() for day, cents in rows if cents >= 0})


def care_effect(
    history: Mapping[int, Sequence[tuple[dt.date, int]]],
    touched: Iterable[Touched],
    control: Iterable[int],
    first_month: dt.date,
    last_month: dt.date,
    today: dt.date,
) -> list[EffectRow]:
    """Customers who received a marketing touch against comparable customers who did not.

    For each month in the range: a customer touched that month is *touched*, with their first touch
    day as reference day; every other customer is *untouched* (or *control group* if in it), with as
    reference day the median day of that month's touches (so both look the same number of days ahead).
    Comparable means the same RFM segment, scored from the purchases before the month's first day.
    ``history`` holds every customer (one with no rows too) as sorted (day, cents) rows. A window of
    30/60/90 days counts only once it has passed by ``today``.
    """
    days = {customer_id: purchase_ordinals(rows) for customer_id, rows in history.items()}
    controls = set(control)
    sums = [
        effect_of_month(days, segments_as_of(history, month), touched_days, controls, today)
        for month, touched_days in touched_by_month(touched, first_month, last_month).items()
    ]
    return effect_rows(sums)


EffectSums = dict[tuple[str, str], list[int]]


def touched_by_month(
    touched: Iterable[Touched], first_month: dt.date, last_month: dt.date
) -> dict[dt.date, dict[int, dt.date]]:
    """Per month from ``first_month`` to ``last_month`` with a touch: each touched customer's first
    touch day that month."""
    first_month, last_month = period_of(first_month, "month"), period_of(last_month, "month")
    by_month: dict[dt.date, dict[int, dt.date]] = defaultdict(dict)
    for touch in touched:
        month = period_of(touch.day, "month")
        if not first_month <= month <= last_month:
            continue
        known = by_month[month].get(touch.customer_id)
        if known is None or touch.day < known:
            by_month[month][touch.customer_id] = touch.day
    return dict(sorted(by_month.items()))


def effect_of_month(
    purchase_days: Mapping[int, Sequence[int]],
    segments: Mapping[int, str],
    touched_days: Mapping[int, dt.date],
    controls: set[int],
    today: dt.date,
) -> EffectSums:
    """One month of :func:`care_effect`: every customer of ``purchase_days`` (sorted purchase day
    ordinals) counted in their group and segment, as (customers, counted per window, bought per
    window)."""
    middle = sorted(touched_days.values())[len(touched_days) // 2]
    sums: EffectSums = {}
    for customer_id, days in purchase_days.items():
        if customer_id in touched_days:
            group, day = "touched", touched_days[customer_id]
        else:
            group, day = ("control group" if customer_id in controls else "untouched"), middle
        _add(sums, (group, segments.get(customer_id, NO_SEGMENT)), days, day, today)
    return sums


def effect_rows(months: Iterable[EffectSums]) -> list[EffectRow]:
    """The months' sums added up, one row per group and segment, in the report's order."""
    total: EffectSums = {}
    for sums in months:
        for key, counts in sums.items():
            kept = total.setdefault(key, [0] * 7)
            for i, n in enumerate(counts):
                kept[i] += n
    return [
        EffectRow(group, segment, v[0], tuple(v[1:4]), tuple(v[4:7]))
        for (group, segment), v in sorted(total.items(), key=_effect_order)
    ]


def _add(sums: EffectSums, key: tuple[str, str], days: Sequence[int], day: dt.date, today: dt.date) -> None:
    """A purchase counts on a day after ``day`` and at most the window's days after it."""
    counts = sums.setdefault(key, [0] * 7)
    counts[0] += 1
    start = day.toordinal()
    following = bisect_right(days, start)
    gap = days[following] - start if following < len(days) else None
    waited = today.toordinal() - start
    for i, window in enumerate(EFFECT_WINDOWS):
        if window <= waited:
            counts[1 + i] += 1
            counts[4 + i] += gap is not None and gap <= window


_GROUP_ORDER = {"touched": 0, "untouched": 1, "control group": 2}
_SEGMENT_ORDER = {name: i for i, name in enumerate((*SEGMENT_NAMES, NO_SEGMENT))}


def _effect_order(item: tuple[tuple[str, str], list[int]]) -> tuple[int, int]:
    (group, segment), _counts = item
    return _SEGMENT_ORDER.get(segment, 99), _GROUP_ORDER.get(group, 9)
