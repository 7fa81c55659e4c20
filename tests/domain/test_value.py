"""The value figures on hand-built purchase histories; each expected answer is worked out in a comment."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import pytest

from careapp.domain.value import (
    NO_SEGMENT,
    SEGMENT_NAMES,
    ConsentChange,
    CustomerTotals,
    RfmScale,
    Sale,
    Touched,
    care_effect,
    churn,
    cohorts,
    customer_totals,
    in_control_group,
    is_lapsed,
    next_table,
    often_bought_next,
    quintile,
    retention,
    segment_for,
    trend_per_month,
    value_summary,
    wallet_share,
)

D = dt.date


def totals(cid: int, last: dt.date, count: int, cents: int) -> CustomerTotals:
    return CustomerTotals(cid, cents, count, last, last)


# --- quintiles ---------------------------------------------------------------------------------------


def test_quintile_of_five_distinct_values_is_their_rank() -> None:
    # n = 5: score = 1 + 5 * below // 5 = 1 + below.
    assert [quintile([1, 2, 3, 4, 5], v) for v in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]


def test_quintile_edges_of_ten_values() -> None:
    ordered = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    # n = 10: 10 -> below 0 -> 1; 20 -> 1 + 5//10 = 1; 30 -> 1 + 10//10 = 2; 40 -> 1 + 15//10 = 2;
    # 50 -> 3; 60 -> 3; 70 -> 4; 80 -> 4; 90 -> 5; 100 -> 5.
    assert [quintile(ordered, v) for v in ordered] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    scale = RfmScale(counts=tuple(ordered), last_days=tuple(ordered), spent=tuple(ordered))
    # The lowest value scoring 2, 3, 4, 5.
    assert scale.edges()["frequency"] == (30, 50, 70, 90)


def test_ties_share_the_lowest_score_of_the_tie() -> None:
    ordered = [1, 1, 1, 1, 2, 2, 3, 5, 8, 9]
    # 1: below 0 -> 1. 2: below 4 -> 1 + 20//10 = 3 (nobody scores 2). 3: below 6 -> 4.
    # 5: below 7 -> 1 + 35//10 = 4. 8: below 8 -> 5. 9: below 9 -> 1 + 45//10 = 5.
    assert [quintile(ordered, v) for v in (1, 2, 3, 5, 8, 9)] == [1, 3, 4, 4, 5, 5]
    scale = RfmScale(counts=tuple(ordered))
    assert scale.edges()["frequency"] == (2, 3, 8)  # no value scores 2


def test_rfm_scores_and_segments_of_five_customers() -> None:
    people = [
        totals(1, D(2026, 1, 10), 5, 50000),
        totals(2, D(2026, 2, 1), 1, 2000),
        totals(3, D(2026, 3, 1), 3, 30000),
        totals(4, D(2025, 6, 1), 4, 40000),
        totals(5, D(2026, 3, 1), 2, 1000),
    ]
    scale = RfmScale.of(people)
    # Last days sorted: c4 (below 0 -> R1), c1 (1 -> R2), c2 (2 -> R3), c3 and c5 tie (3 -> R4).
    # Counts 1..5 and spent rank c5 < c2 < c3 < c4 < c1 give F and M as each one's rank.
    scores = {t.customer_id: scale.score(t) for t in people}
    assert {cid: s.code for cid, s in scores.items() if s} == {
        1: "255",
        2: "312",
        3: "433",
        4: "144",
        5: "421",
    }
    # c1 R2 F5: at risk; c2 R3 F1: needs attention; c3 R4 F3 M3: loyal (not champion, F < 4);
    # c4 R1 F4: at risk; c5 R4 F2: promising.
    assert {cid: s.segment for cid, s in scores.items() if s} == {
        1: "at risk",
        2: "needs attention",
        3: "loyal",
        4: "at risk",
        5: "promising",
    }


def test_segment_table_covers_every_score_and_names_each_segment() -> None:
    named = {segment_for(r, f, m) for r, f, m in itertools.product(range(1, 6), repeat=3)}
    assert named == set(SEGMENT_NAMES)
    assert segment_for(5, 5, 5) == "champions"
    assert segment_for(4, 4, 3) == "loyal"  # M below 4: not a champion
    assert segment_for(1, 3, 1) == "at risk"
    assert segment_for(2, 1, 1) == "needs attention"
    assert segment_for(1, 2, 5) == "lost"


# --- one customer -------------------------------------------------------------------------------------


def test_one_purchase() -> None:
    (one,) = customer_totals([Sale(7, D(2026, 5, 4), "tea", 1250)]).values()
    assert (one.spent_cents, one.purchases, one.first_day, one.last_day) == (
        1250,
        1,
        D(2026, 5, 4),
        D(2026, 5, 4),
    )
    assert one.average_order_cents == 1250
    assert one.usual_interval_days is None  # no interval from one purchase
    assert not is_lapsed(one, D(2030, 1, 1))  # never lapsed: nothing to compare with
    scale = RfmScale.of([one])
    # Alone among the buyers: below 0 on every scale -> 111, "lost" (R 1, F 1).
    score = scale.score(one)
    assert score is not None and score.code == "111" and score.segment == "lost"


def test_refunds_lower_the_money_but_are_not_purchases() -> None:
    sales = [
        Sale(1, D(2026, 1, 5), "tea", 10000),
        Sale(1, D(2026, 1, 20), "cups", 5000),
        Sale(1, D(2026, 2, 2), "cups", -3000),  # a refund after the last purchase
        Sale(2, D(2026, 1, 9), "tea", -500),  # only a refund
    ]
    found = customer_totals(sales)
    # c1: 100.00 + 50.00 - 30.00 = 120.00 spent; 2 purchases; the refund's day is not the last purchase.
    c1 = found[1]
    assert (c1.spent_cents, c1.purchases, c1.first_day, c1.last_day) == (
        12000,
        2,
        D(2026, 1, 5),
        D(2026, 1, 20),
    )
    assert c1.average_order_cents == 6000  # 120.00 / 2
    c2 = found[2]
    assert (c2.spent_cents, c2.purchases, c2.last_day, c2.average_order_cents) == (-500, 0, None, None)
    scale = RfmScale.of(found.values())
    assert scale.customers == 1  # only c1 bought anything
    assert scale.score(c2) is None


def test_wallet_share() -> None:
    share = wallet_share(["tea", "cups", "tea"], ["tea", "cups", "books", "", "gifts"])
    # The shop's categories: books, cups, gifts, tea (the empty one is no category): 2 of 4.
    assert share.bought == ("cups", "tea")
    assert share.not_yet == ("books", "gifts")
    assert share.share == 0.5
    assert wallet_share([], []).share is None


# --- often bought next ---------------------------------------------------------------------------------


def small_basket() -> list[tuple[int, str, dt.date]]:
    rows = []
    for cid in range(1, 6):  # 1-5: A, then B four days later
        rows += [(cid, "A", D(2026, 1, 1)), (cid, "B", D(2026, 1, 5))]
    rows += [(6, "B", D(2026, 1, 1)), (7, "B", D(2026, 1, 1))]  # B only
    rows += [(8, "B", D(2026, 1, 1)), (8, "A", D(2026, 1, 3))]  # B, then A
    for cid in (9, 10):  # C, then D
        rows += [(cid, "C", D(2026, 1, 1)), (cid, "D", D(2026, 1, 4))]
    rows += [(11, "D", D(2026, 1, 1))]
    return rows


def test_lift_with_a_small_basket() -> None:
    table = next_table(small_basket())
    # 11 buyers. Bought A: 1-5 and 8 (6); B: 1-8 (8); C: 9, 10 (2); D: 9, 10, 11 (3).
    assert table.buyers == 11
    assert dict(table.category_buyers) == {"A": 6, "B": 8, "C": 2, "D": 3}
    a_b = table.rule("A", "B")
    # 5 went from A to B: support 5/11, confidence 5/6, lift (5/6) / (8/11) = 55/48.
    assert a_b is not None and a_b.customers == 5
    assert a_b.support == pytest.approx(5 / 11)
    assert a_b.confidence == pytest.approx(5 / 6)
    assert a_b.lift == pytest.approx(55 / 48)
    c_d = table.rule("C", "D")
    # 2 went from C to D: confidence 2/2 = 1, lift 1 / (3/11) = 11/3.
    assert c_d is not None and c_d.lift == pytest.approx(11 / 3)
    assert table.rule("B", "A") is not None and table.rule("B", "A").customers == 1  # type: ignore[union-attr]


def test_suggestions_need_enough_customers_and_lift() -> None:
    table = next_table(small_basket())
    # C -> D has lift 3.67 but only 2 customers: below the default minimum of 5.
    assert often_bought_next(table, ["C"]) == []
    assert [r.then for r in often_bought_next(table, ["C"], min_customers=2)] == ["D"]
    # A -> B has 5 customers but lift 1.15, below 1.2; with no lift floor it is suggested.
    assert often_bought_next(table, ["A"]) == []
    assert [r.then for r in often_bought_next(table, ["A"], min_lift=1.0)] == ["B"]
    # Nothing the customer already bought is suggested.
    assert often_bought_next(table, ["A", "B"], min_customers=1, min_lift=0) == []


def test_a_same_day_pair_is_no_move() -> None:
    table = next_table([(1, "A", D(2026, 1, 1)), (1, "B", D(2026, 1, 1))])
    assert table.moves == {}


# --- retention and cohorts ------------------------------------------------------------------------------

ACTIVE = [
    (1, D(2026, 1, 31)),
    (1, D(2026, 2, 1)),  # on the boundary: February's
    (2, D(2026, 1, 15)),
    (2, D(2026, 3, 1)),
    (3, D(2026, 2, 28)),
]


def test_monthly_retention_and_the_period_boundary() -> None:
    rows = retention(ACTIVE, D(2026, 1, 1), D(2026, 2, 28), "month", D(2026, 4, 1))
    # January: buyers {1, 2}; February's buyers {1, 3} -> 1 returned of 2.
    # February: buyers {1, 3}; March's {2} -> 0 of 2. March has ended by 1 April: complete.
    assert [(r.period, r.buyers, r.returned, r.complete) for r in rows] == [
        (D(2026, 1, 1), 2, 1, True),
        (D(2026, 2, 1), 2, 0, True),
    ]
    assert rows[0].rate == 0.5
    early = retention(ACTIVE, D(2026, 2, 1), D(2026, 2, 1), "month", D(2026, 3, 15))
    assert early[0].complete is False  # March is not over


def test_yearly_retention() -> None:
    rows = retention(
        [(1, D(2025, 12, 31)), (1, D(2026, 1, 1)), (2, D(2025, 3, 3))],
        D(2025, 1, 1),
        D(2025, 12, 31),
        "year",
        D(2027, 1, 1),
    )
    # 2025: buyers {1, 2}; 2026: {1} -> 1 of 2, and 2026 is over on 1 January 2027.
    assert [(r.buyers, r.returned, r.complete) for r in rows] == [(2, 1, True)]


def test_cohort_triangle() -> None:
    first = {1: D(2026, 1, 31), 2: D(2026, 1, 15), 3: D(2026, 2, 28)}
    rows = cohorts(first, ACTIVE, D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 10))
    # January's cohort {1, 2}: both in month 0, c1 in month 1 (Feb), c2 in month 2 (Mar): (2, 1, 1).
    # February's cohort {3}: month 0 only, and March (month 1) so far has nobody: (1, 0).
    assert [(r.month, r.active) for r in rows] == [(D(2026, 1, 1), (2, 1, 1)), (D(2026, 2, 1), (1, 0))]
    assert rows[0].shares() == (1.0, 0.5, 0.5)


# --- the shop's summary ----------------------------------------------------------------------------------


def test_value_summary_repeat_rate_interval_lapsed_and_stages() -> None:
    sales = [
        Sale(1, D(2026, 1, 1), "tea", 1000),
        Sale(1, D(2026, 1, 11), "tea", 1000),
        Sale(1, D(2026, 1, 21), "tea", 1000),
        Sale(2, D(2025, 1, 1), "cups", 5000),
        Sale(3, D(2026, 1, 1), "tea", 2000),
        Sale(3, D(2026, 2, 1), "tea", 2000),
        Sale(3, D(2026, 2, 5), "tea", -1000),
    ]
    found = customer_totals(sales)
    stages = {1: "client", 2: "customer", 3: "client", 4: "prospect"}
    order = ("suspect", "prospect", "customer", "client", "advocate")
    summary = value_summary(found.values(), stages, order, D(2026, 2, 11))
    # Buyers 1, 2, 3; two bought twice or more: 2/3.
    assert (summary.buyers, summary.repeat_buyers) == (3, 2)
    # Gaps: c1 20 days over 2 gaps, c3 31 days over 1: 51 / 3 = 17.
    assert summary.mean_days_between == 17.0
    # c1's usual interval is 10 days; 21 days since the last purchase > 20: lapsed. c3: 10 days of 31.
    assert summary.lapsed == (1,)
    assert not is_lapsed(found[1], D(2026, 2, 10))  # 20 days is not more than twice 10
    stage = {g.name: (g.customers, g.spent_cents, g.per_customer_cents) for g in summary.by_stage}
    # client: c1 30.00 + c3 30.00 (40.00 less a 10.00 refund); customer: c2 50.00; prospect c4: nothing.
    assert stage == {
        "suspect": (0, 0, None),
        "prospect": (1, 0, 0),
        "customer": (1, 5000, 5000),
        "client": (2, 6000, 3000),
        "advocate": (0, 0, None),
    }
    assert sum(g.customers for g in summary.by_segment) == 3


# --- churn ------------------------------------------------------------------------------------------------


def test_churn_per_month_and_channel() -> None:
    changes = [
        ConsentChange(1, "email", True, D(2025, 12, 1)),
        ConsentChange(1, "email", False, D(2026, 1, 10)),
        ConsentChange(2, "email", True, D(2025, 11, 1)),
        ConsentChange(3, "email", True, D(2026, 1, 5)),  # granted and withdrawn in January
        ConsentChange(3, "email", False, D(2026, 1, 20)),
        ConsentChange(4, "sms", True, D(2025, 10, 1)),
        ConsentChange(4, "sms", False, D(2026, 2, 1)),  # on the boundary: February's
        ConsentChange(5, "email", False, D(2026, 1, 7)),  # never had consent: no withdrawal
    ]
    rows = churn(changes, D(2026, 1, 1), D(2026, 2, 1))
    # January email: had {1, 2} on the 1st plus 3 granted = 3; withdrew 1 and 3 -> 2/3.
    # January sms: had {4}; none withdrew. February email: {2}, none. February sms: {4}, withdrew 4 -> 1/1.
    assert [(r.month.month, r.channel, r.had_consent, r.withdrew) for r in rows] == [
        (1, "email", 3, 2),
        (1, "sms", 1, 0),
        (2, "email", 1, 0),
        (2, "sms", 1, 1),
    ]
    assert rows[0].rate == pytest.approx(2 / 3)


def test_churn_counts_a_customer_once_however_often_they_change_their_mind() -> None:
    changes = [
        ConsentChange(1, "email", True, D(2025, 12, 1)),
        ConsentChange(1, "email", False, D(2026, 1, 3)),
        ConsentChange(1, "email", True, D(2026, 1, 9)),  # back again: still the one customer
        ConsentChange(1, "email", False, D(2026, 1, 15)),
        ConsentChange(2, "email", True, D(2026, 1, 2)),
        ConsentChange(2, "email", True, D(2026, 1, 4)),  # granted twice: counted once
    ]
    rows = churn(changes, D(2026, 1, 1), D(2026, 2, 1))
    # January: had {1 (from December), 2 (granted)} = 2; withdrew {1} once = 1.
    # February: 1 is out (withdrew last), 2 holds it: had 1, withdrew 0.
    assert [(r.month.month, r.had_consent, r.withdrew) for r in rows] == [(1, 2, 1), (2, 1, 0)]


def test_churn_trend_is_the_least_squares_slope() -> None:
    # Points (0, .1), (1, .2), (3, .4): mean x 4/3, mean y 0.7/3; Sxy = 0.4667, Sxx = 4.6667 -> 0.1.
    assert trend_per_month([0.1, 0.2, None, 0.4]) == pytest.approx(0.1)
    assert trend_per_month([None, 0.3]) is None


# --- the effect of care and the control group -------------------------------------------------------------


def test_care_effect_compares_within_a_segment_and_counts_only_passed_windows() -> None:
    history = {
        1: [(D(2025, 12, 1), 1000), (D(2026, 1, 20), 1000)],
        2: [(D(2025, 12, 1), 1000), (D(2026, 1, 15), -500), (D(2026, 3, 1), 1000)],
        3: [],
    }
    rows = care_effect(
        history, [Touched(1, D(2026, 1, 10))], [3], D(2026, 1, 1), D(2026, 1, 31), D(2026, 3, 20)
    )
    # Before 1 January c1 and c2 look alike (one purchase of 10.00 on 1 December): both "lost"; c3 has none.
    # Reference day: c1's touch, 10 January; the others get the month's median touch day, also 10 January.
    # By 20 March the 30- and 60-day windows have passed (9 Feb, 11 Mar), the 90-day one (10 Apr) not.
    # c1 bought on 20 Jan: within 30 and 60. c2's refund on 15 Jan is no purchase; 1 Mar is day 50: within 60.
    # c3, in the control group, bought nothing.
    assert [(r.group, r.segment, r.customers, r.counted, r.bought) for r in rows] == [
        ("touched", "lost", 1, (1, 1, 0), (1, 1, 0)),
        ("untouched", "lost", 1, (1, 1, 0), (0, 1, 0)),
        ("control group", NO_SEGMENT, 1, (1, 1, 0), (0, 0, 0)),
    ]
    assert rows[0].share(0) == 1.0 and rows[1].share(0) == 0.0 and rows[0].share(2) is None


def test_control_group_is_a_fixed_share() -> None:
    members = [cid for cid in range(1, 10_001) if in_control_group(cid, "shop-seed", 10)]
    assert 900 <= len(members) <= 1100  # about 10 %
    assert members == [cid for cid in range(1, 10_001) if in_control_group(cid, "shop-seed", 10)]
    other = [cid for cid in range(1, 10_001) if in_control_group(cid, "another-seed", 10)]
    assert other != members
    assert not any(in_control_group(cid, "shop-seed", 0) for cid in range(1, 1000))
    # Raising the share only adds customers: nobody in the 5 % leaves at 10 %.
    five = {cid for cid in range(1, 10_001) if in_control_group(cid, "shop-seed", 5)}
    assert five < set(members)


def test_control_group_assignment_is_stable_across_restarts() -> None:
    here = [cid for cid in range(1, 2001) if in_control_group(cid, "shop-seed", 7)]
    # A new interpreter (with its own hash randomisation) draws the same customers.
    code = (
        "from careapp.domain.value import in_control_group;"
        "print([c for c in range(1, 2001) if in_control_group(c, 'shop-seed', 7)])"
    )
    for hash_seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        )
        assert out.stdout.strip() == str(here)
