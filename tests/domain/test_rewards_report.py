"""The rewards report's figures with explicit days: per month, the redemption rate, the cost, and the
rewarded against comparable customers in the days after."""

from __future__ import annotations

import datetime as dt

import pytest

from careapp.domain.rewards_report import (
    LedgerFact,
    comparison,
    per_month,
    redemption,
    rewards_report,
)

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
FACTS = [
    LedgerFact(1, 10, dt.date(2026, 11, 3), "redeemed", dt.date(2026, 12, 2), 250),
    LedgerFact(2, 11, dt.date(2026, 11, 10), "expired", dt.date(2026, 12, 11)),
    LedgerFact(3, 12, dt.date(2026, 12, 1)),  # still waiting
    LedgerFact(4, 13, dt.date(2026, 11, 20), "taken_back", dt.date(2026, 11, 21)),
    LedgerFact(5, 14, dt.date(2026, 10, 31), "redeemed", dt.date(2026, 11, 1), 500),  # earned before
    LedgerFact(6, 15, dt.date(2027, 1, 1), "cancelled", dt.date(2027, 1, 2)),  # after the period
]


def test_each_month_counts_what_happened_in_it_and_the_cost_of_what_was_given() -> None:
    nov, dec = per_month(FACTS, NOV, dt.date(2026, 12, 31))
    assert (nov.month, nov.earned, nov.redeemed, nov.taken_back, nov.cost_cents) == (NOV, 3, 1, 1, 500)
    assert (dec.month, dec.earned, dec.redeemed, dec.expired, dec.cost_cents) == (DEC, 1, 1, 1, 250)
    assert nov.expired == nov.cancelled == dec.cancelled == dec.taken_back == 0


def test_the_period_s_first_and_last_days_are_included_and_no_more() -> None:
    (only,) = per_month(FACTS, dt.date(2026, 11, 3), dt.date(2026, 11, 3))
    assert (only.earned, only.redeemed) == (1, 0)
    (dec,) = per_month(FACTS, dt.date(2026, 12, 2), dt.date(2026, 12, 10))
    assert (dec.earned, dec.redeemed, dec.expired, dec.cost_cents) == (0, 1, 0, 250)


def test_an_empty_month_is_a_row_of_noughts() -> None:
    rows = per_month([], dt.date(2026, 9, 15), dt.date(2026, 11, 2))
    assert [r.month for r in rows] == [dt.date(2026, 9, 1), dt.date(2026, 10, 1), NOV]
    assert all(r.earned == r.redeemed == r.cost_cents == 0 for r in rows)


def test_the_redemption_rate_leaves_out_rewards_taken_back_and_counts_those_waiting() -> None:
    found = redemption(FACTS, NOV, dt.date(2026, 12, 31))
    assert (found.earned, found.redeemed, found.expired, found.cancelled, found.waiting) == (3, 1, 1, 0, 1)
    assert found.rate == pytest.approx(1 / 3)
    assert redemption([], NOV, DEC).rate is None


def test_rewarded_customers_are_compared_with_comparable_ones_not_rewarded() -> None:
    # Four customers who bought alike before November; 10 and 11 earn a reward in November.
    before = [(dt.date(2026, 9, 1), 1000), (dt.date(2026, 10, 1), 1000)]
    history = {
        10: [*before, (dt.date(2026, 11, 3), 1000), (dt.date(2026, 11, 13), 500)],  # again 10 days after
        11: [*before, (dt.date(2026, 11, 10), 1000)],
        20: [*before],  # not rewarded, nothing after
        21: [*before, (dt.date(2026, 11, 20), 800)],  # not rewarded, bought within 30 days of the 6th
    }
    facts = [LedgerFact(1, 10, dt.date(2026, 11, 3)), LedgerFact(2, 11, dt.date(2026, 11, 10))]
    rows = comparison(facts, history, NOV, dt.date(2026, 11, 30), today=dt.date(2027, 6, 1))
    groups = {row.group: row for row in rows}
    assert set(groups) == {"rewarded", "not rewarded"}
    assert (groups["rewarded"].customers, groups["rewarded"].bought[0], groups["rewarded"].counted[0]) == (
        2,
        1,
        2,
    )
    assert (groups["not rewarded"].customers, groups["not rewarded"].bought[0]) == (2, 1)
    # A window that has not yet passed counts nobody.
    early = comparison(facts, history, NOV, dt.date(2026, 11, 30), today=dt.date(2026, 11, 20))
    assert all(row.counted == (0, 0, 0) for row in early)


def test_no_reward_in_the_period_means_nothing_to_compare_and_a_backwards_period_is_refused() -> None:
    assert comparison(FACTS, {}, dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.date(2026, 1, 1)) == []
    with pytest.raises(ValueError, match="cannot end"):
        rewards_report(FACTS, {}, DEC, NOV, DEC)
    report = rewards_report(FACTS, {}, NOV, dt.date(2026, 12, 31), dt.date(2027, 6, 1))
    assert report.cost_cents == 750 and report.redemption.redeemed == 1
