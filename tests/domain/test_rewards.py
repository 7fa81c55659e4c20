"""Rewards derived from a customer's history, with explicit dates and purchases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from careapp.domain.rewards import (
    Event,
    History,
    InvalidRewardRule,
    Offer,
    OfferKind,
    OpenReward,
    PurchaseFact,
    ReferralFact,
    RewardRule,
    RuleKind,
    check_rule,
    default_rules,
    derive_rewards,
    expires_soon,
    is_expired,
    reconcile,
)

D = dt.date
COFFEE = RewardRule(
    1,
    RuleKind.STAMP,
    True,
    Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=90),
    every=10,
    category="Coffee",
)


def buy(pid: int, day: dt.date, category: str = "Coffee", amount: str = "3.20") -> PurchaseFact:
    return PurchaseFact(pid, day, category, Decimal(amount))


NEW_YEAR = D(2026, 1, 1)


def days(n: int, start: dt.date = NEW_YEAR) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def test_defaults_are_all_off_and_earn_nothing() -> None:
    rules = default_rules()
    assert {r.kind for r in rules} == set(RuleKind) and not any(r.enabled for r in rules)
    history = History(1, [buy(i, d) for i, d in enumerate(days(30))])
    assert derive_rewards(rules, history).rewards == ()


def test_the_tenth_stamp_counts_only_the_category_and_earns_on_that_purchase() -> None:
    purchases = [buy(i, d) for i, d in enumerate(days(9))]
    purchases.append(buy(100, D(2026, 1, 20), "Tea"))  # not coffee: no stamp
    assert derive_rewards([COFFEE], History(1, purchases)).rewards == ()
    assert derive_rewards([COFFEE], History(1, purchases)).cards[0].have == 9
    purchases.append(buy(101, D(2026, 2, 3), "coffee"))  # the category ignores case
    derived = derive_rewards([COFFEE], History(1, purchases))
    (reward,) = derived.rewards
    assert (reward.key, reward.purchase_id, reward.earned_on) == ("stamp:1:1", 101, D(2026, 2, 3))
    assert reward.expires_on == D(2026, 5, 4)
    assert reward.because == "10th stamp"
    assert derived.cards[0].have == 0


def test_a_minimum_amount_keeps_small_purchases_off_the_card() -> None:
    rule = RewardRule(1, RuleKind.STAMP, True, every=2, min_amount=Decimal("5"))
    history = History(
        1,
        [
            buy(1, D(2026, 1, 1), amount="4.99"),
            buy(2, D(2026, 1, 2), amount="5"),
            buy(3, D(2026, 1, 3), amount="20"),
        ],
    )
    (reward,) = derive_rewards([rule], history).rewards
    assert reward.purchase_id == 3


def test_a_refund_before_redemption_takes_the_stamp_and_the_reward_back() -> None:
    purchases = [buy(i, d) for i, d in enumerate(days(10))]
    assert len(derive_rewards([COFFEE], History(1, purchases)).rewards) == 1
    refunded = [*purchases, buy(50, D(2026, 1, 20), amount="-3.20")]
    derived = derive_rewards([COFFEE], History(1, refunded))
    assert derived.rewards == ()
    assert (derived.cards[0].have, derived.cards[0].owed) == (9, 0)
    # A refund in another category takes nothing back.
    other = [*purchases, buy(51, D(2026, 1, 20), "Tea", "-3.20")]
    assert len(derive_rewards([COFFEE], History(1, other)).rewards) == 1


def test_a_refund_after_redemption_keeps_the_reward_and_the_card_owes_a_stamp() -> None:
    purchases = [buy(i, d) for i, d in enumerate(days(10))]
    refunded = [*purchases, buy(50, D(2026, 1, 20), amount="-3.20")]
    derived = derive_rewards([COFFEE], History(1, refunded), redeemed={"stamp:1:1"})
    assert [r.key for r in derived.rewards] == ["stamp:1:1"]
    assert (derived.cards[0].have, derived.cards[0].owed) == (0, 1)
    # The next reward needs the owed stamp made up: 11 more purchases, not 10.
    more = [buy(200 + i, d) for i, d in enumerate(days(10, D(2026, 2, 1)))]
    assert [r.key for r in derive_rewards([COFFEE], History(1, refunded + more), {"stamp:1:1"}).rewards] == [
        "stamp:1:1"
    ]
    more.append(buy(300, D(2026, 3, 1)))
    keys = [r.key for r in derive_rewards([COFFEE], History(1, refunded + more), {"stamp:1:1"}).rewards]
    assert keys == ["stamp:1:1", "stamp:1:2"]


def test_a_deleted_purchase_is_simply_gone_from_the_history() -> None:
    purchases = [buy(i, d) for i, d in enumerate(days(10))]
    assert derive_rewards([COFFEE], History(1, purchases[1:])).rewards == ()


REFERRAL = RewardRule(
    2,
    RuleKind.REFERRAL,
    True,
    Offer(OfferKind.AMOUNT_OFF, "£5 off", Decimal("5"), 30),
    welcome=Offer(OfferKind.PERCENT_OFF, "10% off", Decimal("10")),
)


def test_a_referral_earns_on_the_referred_customers_first_purchase_only() -> None:
    waiting = History(1, referrals=[ReferralFact(7, D(2026, 3, 1), None, "Ben")])
    assert derive_rewards([REFERRAL], waiting).rewards == ()
    bought = History(1, referrals=[ReferralFact(7, D(2026, 3, 1), buy(70, D(2026, 3, 4)), "Ben")])
    (reward,) = derive_rewards([REFERRAL], bought).rewards
    assert (reward.key, reward.referred_customer_id, reward.purchase_id) == ("referral:2:7", 7, 70)
    assert reward.because == "Ben's first purchase" and reward.expires_on == D(2026, 4, 3)


def test_no_referral_reward_for_old_purchases_imported_from_before_the_referral() -> None:
    # The referred person's orders file brought purchases from 2025: they were no new customer.
    old = History(1, referrals=[ReferralFact(7, D(2026, 3, 1), buy(70, D(2025, 11, 2)), "Ben")])
    assert derive_rewards([REFERRAL], old).rewards == ()


def test_the_referred_customer_gets_the_welcome_reward_on_their_first_purchase() -> None:
    new = History(7, [buy(70, D(2026, 3, 4)), buy(71, D(2026, 3, 9))], referred_on=D(2026, 3, 1))
    (reward,) = derive_rewards([REFERRAL], new).rewards
    assert (reward.key, reward.purchase_id, reward.offer.wording) == ("welcome:2", 70, "10% off")
    assert reward.expires_on is None
    old = History(7, [buy(70, D(2026, 2, 4))], referred_on=D(2026, 3, 1))
    assert derive_rewards([REFERRAL], old).rewards == ()


def test_a_spend_milestone_earns_once_on_the_crossing_day_and_a_refund_below_takes_it_back() -> None:
    rule = RewardRule(
        3,
        RuleKind.MILESTONE,
        True,
        Offer(OfferKind.AMOUNT_OFF, "£20 off", Decimal("20")),
        threshold=Decimal("100"),
    )
    purchases = [
        buy(1, D(2026, 1, 1), amount="60"),
        buy(2, D(2026, 1, 5), amount="40"),
        buy(3, D(2026, 2, 1), amount="90"),
    ]
    (reward,) = derive_rewards([rule], History(1, purchases)).rewards
    assert (reward.key, reward.purchase_id, reward.earned_on) == ("milestone:3", 2, D(2026, 1, 5))
    refund = buy(4, D(2026, 2, 2), amount="-100")
    assert derive_rewards([rule], History(1, [*purchases, refund])).rewards == ()


def test_a_stage_step_earns_once() -> None:
    rule = RewardRule(4, RuleKind.STAGE, True, stage="advocate")
    steps = [
        (D(2026, 1, 1), "client"),
        (D(2026, 4, 2), "advocate"),
        (D(2026, 5, 1), "client"),
        (D(2026, 6, 1), "advocate"),
    ]
    (reward,) = derive_rewards([rule], History(1, stage_steps=steps)).rewards
    assert (reward.key, reward.earned_on) == ("stage:4", D(2026, 4, 2))


def test_expiry_at_the_boundary() -> None:
    last_day = D(2026, 3, 3)
    assert not is_expired(last_day, D(2026, 3, 3))
    assert is_expired(last_day, D(2026, 3, 4))
    assert not is_expired(None, D(2999, 1, 1))
    assert not expires_soon(last_day, D(2026, 2, 23))
    assert expires_soon(last_day, D(2026, 2, 24)) and expires_soon(last_day, last_day)
    assert not expires_soon(last_day, D(2026, 3, 4))


def test_reconcile_earns_new_takes_back_lost_and_expires_overdue() -> None:
    purchases = [buy(i, d) for i, d in enumerate(days(20))]
    derived = derive_rewards([COFFEE], History(1, purchases)).rewards
    assert [r.key for r in derived] == ["stamp:1:1", "stamp:1:2"]
    first = reconcile(derived, [], [], D(2026, 1, 25))
    assert [r.key for r in first.earn] == ["stamp:1:1", "stamp:1:2"] and not first.take_back
    held = [OpenReward(11, "stamp:1:1", D(2026, 4, 11)), OpenReward(12, "stamp:1:2", D(2026, 4, 21))]
    assert not reconcile(derived, held, [], D(2026, 4, 11))
    later = reconcile(derived, held, [], D(2026, 4, 12))
    assert [r.id for r in later.expire] == [11]
    # Purchase 19 deleted: the second reward is no longer earned and is taken back.
    fewer = derive_rewards([COFFEE], History(1, purchases[:19])).rewards
    assert [r.id for r in reconcile(fewer, held, [], D(2026, 1, 25)).take_back] == [12]
    # A key closed for good (redeemed, cancelled, expired) is never earned again.
    assert not reconcile(derived, [], ["stamp:1:1", "stamp:1:2"], D(2026, 1, 25))
    assert Event.TAKEN_BACK.value == "taken_back"


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (RewardRule(1, RuleKind.STAMP, every=1), "every 2nd"),
        (RewardRule(1, RuleKind.STAMP, offer=Offer(wording="  ")), "wording"),
        (
            RewardRule(1, RuleKind.STAMP, offer=Offer(OfferKind.PERCENT_OFF, "x", Decimal("150"))),
            "percentage",
        ),
        (RewardRule(1, RuleKind.STAMP, offer=Offer(OfferKind.AMOUNT_OFF, "x", Decimal("0"))), "amount off"),
        (RewardRule(1, RuleKind.STAMP, offer=Offer(expires_after_days=0)), "expiry"),
        (RewardRule(1, RuleKind.MILESTONE), "milestone"),
        (RewardRule(1, RuleKind.STAGE, stage="king"), "stage"),
    ],
)
def test_bad_rules_are_refused_with_a_sentence(rule: RewardRule, words: str) -> None:
    with pytest.raises(InvalidRewardRule, match=words):
        check_rule(rule)


def test_a_reward_of_a_rule_switched_off_is_still_owed_but_still_expires() -> None:
    held = [OpenReward(11, "stamp:1:1", D(2026, 4, 11), rule_id=1)]
    assert not reconcile([], held, [], D(2026, 4, 11), live_rules=set())
    assert [r.id for r in reconcile([], held, [], D(2026, 4, 11), live_rules={1}).take_back] == [11]
    assert [r.id for r in reconcile([], held, [], D(2026, 4, 12), live_rules=set()).expire] == [11]
