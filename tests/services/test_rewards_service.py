"""Rewards on a real migrated database (SQLite and PostgreSQL): rules only the owner changes, rewards
earned from purchases however they arrive, the ledger's story, and two seats redeeming one reward."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from careapp.config import Paths
from careapp.context import Services, build_services
from careapp.db.models import PurchaseRecord
from careapp.domain.customer import CustomerDraft
from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import InvalidRewardRule, Offer, OfferKind, RuleKind
from careapp.services.rewards.rules import StaleRewardRule
from careapp.services.rewards.service import RewardUnavailable, summary
from careapp.services.shop.staff import Actor, PermissionDenied, Role

OWNER = Actor("Olivia", Role.OWNER)
SAM = Actor("Sam")
DAY = dt.date(2026, 11, 23)  # the conftest clock's local day


@pytest.fixture
def shop(services: Services) -> Services:
    services.staff.add(None, "Olivia", Role.OWNER)
    services.staff.add(OWNER, "Sam")
    return services


def customer(services: Services, first: str, referred_by: int | None = None) -> int:
    return services.customers.create(
        CustomerDraft(first_name=first, last_name="Test", referred_by_id=referred_by), "Sam"
    ).id


def switch_on(services: Services, kind: RuleKind, **changes: Any) -> None:
    stored = next(s for s in services.rewards.rules() if s.rule.kind is kind)
    services.rewards.save_rule(OWNER, replace(stored, rule=replace(stored.rule, enabled=True, **changes)))


def coffee(services: Services, who: int, day: dt.date = DAY, amount: str = "3.20") -> int:
    return services.purchases.record(who, SaleInput(day, "Flat white", "Coffee", amount)).id


def test_rules_start_off_and_only_the_owner_changes_them(shop: Services) -> None:
    rules = shop.rewards.rules()
    assert {s.rule.kind for s in rules} == set(RuleKind)
    assert not any(s.rule.enabled for s in rules) and all(s.version == 0 for s in rules)
    stamp = next(s for s in rules if s.rule.kind is RuleKind.STAMP)
    with pytest.raises(PermissionDenied, match="Only the owner can change the reward rules"):
        shop.rewards.save_rule(SAM, replace(stamp, rule=replace(stamp.rule, enabled=True)))
    with pytest.raises(InvalidRewardRule, match="every 2nd"):
        shop.rewards.save_rule(OWNER, replace(stamp, rule=replace(stamp.rule, every=1)))
    saved = shop.rewards.save_rule(OWNER, replace(stamp, rule=replace(stamp.rule, enabled=True, every=5)))
    assert (saved.version, saved.updated_by) == (1, "Olivia")
    again = next(s for s in shop.rewards.rules() if s.rule.id == stamp.rule.id)
    assert (again.rule.enabled, again.rule.every, again.rule.offer) == (True, 5, stamp.rule.offer)
    with pytest.raises(StaleRewardRule, match="Olivia changed this reward rule"):
        shop.rewards.save_rule(OWNER, stamp)  # made on version 0


def test_the_tenth_purchase_earns_the_stamp_reward_and_redeeming_it_is_in_the_ledger(shop: Services) -> None:
    switch_on(
        shop,
        RuleKind.STAMP,
        category="Coffee",
        offer=Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=90, cost=Decimal("2.50")),
    )
    ann = customer(shop, "Ann")
    for _ in range(9):
        coffee(shop, ann)
    shop.purchases.record(ann, SaleInput(DAY, "Teapot", "Tea", "30"))  # another category: no stamp
    rewards = shop.rewards.for_customer(ann)
    assert rewards.waiting == () and summary(rewards) == "9 of 10 stamps"
    tenth = coffee(shop, ann)
    rewards = shop.rewards.for_customer(ann)
    (reward,) = rewards.waiting
    assert (reward.wording, reward.earned_on, reward.expires_on) == (
        "a free coffee",
        DAY,
        dt.date(2027, 2, 21),
    )
    assert (
        summary(rewards) == "1 reward waiting: a free coffee, earned 23 Nov, expires 21 Feb; 0 of 10 stamps"
    )
    earned = rewards.ledger[-1]
    assert (earned.event, earned.by, earned.purchase_id, earned.reason) == (
        "earned",
        "careapp",
        tenth,
        "10th stamp",
    )
    next_sale = coffee(shop, ann)
    given = shop.rewards.redeem(SAM, reward.id, next_sale)
    assert (given.state, given.closed_by, given.redeemed_purchase_id, given.cost) == (
        "redeemed",
        "Sam",
        next_sale,
        Decimal("2.50"),
    )
    rewards = shop.rewards.for_customer(ann)
    assert rewards.waiting == () and summary(rewards) == "1 of 10 stamps"
    assert [line.event for line in rewards.ledger] == ["earned", "redeemed"]
    with pytest.raises(RewardUnavailable, match=r"already redeemed by Sam at .*nothing was changed"):
        shop.rewards.redeem(SAM, reward.id)


def test_a_deleted_purchase_takes_an_unredeemed_reward_back_with_a_line_and_undo_earns_it_again(
    shop: Services,
) -> None:
    switch_on(shop, RuleKind.STAMP, every=3)
    ann = customer(shop, "Ann")
    ids = [coffee(shop, ann) for _ in range(3)]
    (reward,) = shop.rewards.for_customer(ann).waiting
    gone = shop.purchases.delete(ids[1])
    rewards = shop.rewards.for_customer(ann)
    assert rewards.waiting == ()
    taken = rewards.ledger[-1]
    assert (taken.event, taken.reward_id, taken.by) == ("taken_back", reward.id, "careapp")
    assert "deleted or refunded" in taken.reason
    with pytest.raises(RewardUnavailable, match="no longer owed"):
        shop.rewards.redeem(SAM, reward.id)
    shop.purchases.restore(gone)
    (again,) = shop.rewards.for_customer(ann).waiting
    assert again.id != reward.id and again.key == reward.key


def test_a_refund_imported_after_redemption_keeps_the_reward_and_the_card_owes(shop: Services) -> None:
    switch_on(shop, RuleKind.STAMP, every=2)
    ann = customer(shop, "Ann")
    coffee(shop, ann)
    coffee(shop, ann)
    (reward,) = shop.rewards.for_customer(ann).waiting
    shop.rewards.redeem(SAM, reward.id)
    with shop.db.session() as session:  # an orders import brings the refund as a negative line
        session.add(
            PurchaseRecord(
                customer_id=ann,
                date=DAY,
                item="Refund",
                category="Coffee",
                amount_cents=-320,
                created_at=shop.clock(),
                order_line="shop:R1:1",
            )
        )
    rewards = shop.rewards.for_customer(ann)
    assert [r.state for r in rewards.rewards] == ["redeemed"]
    assert summary(rewards) == "0 of 2 stamps (1 owed after a refund)"


def test_a_referral_earns_on_the_first_purchase_not_on_imported_older_ones(shop: Services) -> None:
    switch_on(shop, RuleKind.REFERRAL)
    ann = customer(shop, "Ann")
    ben = customer(shop, "Ben", referred_by=ann)
    cat = customer(shop, "Cat", referred_by=ann)
    assert shop.rewards.for_customer(ann).waiting == ()
    coffee(shop, ben)
    (reward,) = shop.rewards.for_customer(ann).waiting
    assert (reward.wording, reward.because, reward.value) == (
        "£5 off your next purchase",
        "Ben Test's first purchase",
        Decimal("5"),
    )
    (welcome,) = shop.rewards.for_customer(ben).waiting
    assert welcome.wording == "10% off your next purchase"
    with shop.db.session() as session:  # Cat's old orders, dated before she was referred
        session.add(
            PurchaseRecord(
                customer_id=cat,
                date=dt.date(2025, 5, 1),
                item="Beans",
                category="Coffee",
                amount_cents=1200,
                created_at=shop.clock(),
                order_line="shop:9:1",
            )
        )
    coffee(shop, cat)
    assert [r.id for r in shop.rewards.for_customer(ann).waiting] == [reward.id]


def test_expiry_is_written_the_day_after_the_last_day(shop: Services, clock: list[dt.datetime]) -> None:
    switch_on(shop, RuleKind.STAMP, every=2, offer=Offer(OfferKind.AMOUNT_OFF, "£3 off", Decimal("3"), 10))
    ann = customer(shop, "Ann")
    coffee(shop, ann)
    coffee(shop, ann)
    (reward,) = shop.rewards.for_customer(ann).waiting
    assert reward.expires_on == DAY + dt.timedelta(days=10)
    clock[0] += dt.timedelta(days=10)
    (still,) = shop.rewards.for_customer(ann).waiting
    assert still.expiring_soon
    clock[0] += dt.timedelta(days=1)
    rewards = shop.rewards.for_customer(ann)
    assert rewards.waiting == () and rewards.rewards[0].state == "expired"
    assert shop.rewards.listing(state="expired")[0].id == reward.id
    with pytest.raises(RewardUnavailable, match="has expired"):
        shop.rewards.redeem(SAM, reward.id)


def test_cancel_needs_the_owner_and_a_reason(shop: Services) -> None:
    switch_on(shop, RuleKind.STAMP, every=2)
    ann = customer(shop, "Ann")
    coffee(shop, ann)
    coffee(shop, ann)
    (reward,) = shop.rewards.for_customer(ann).waiting
    with pytest.raises(PermissionDenied):
        shop.rewards.cancel(SAM, reward.id, "given by mistake")
    with pytest.raises(RewardUnavailable, match="Say why"):
        shop.rewards.cancel(OWNER, reward.id, "  ")
    cancelled = shop.rewards.cancel(OWNER, reward.id, "earned on a staff purchase")
    assert (cancelled.state, cancelled.closed_by, cancelled.closed_reason) == (
        "cancelled",
        "Olivia",
        "earned on a staff purchase",
    )
    coffee(shop, ann)
    assert shop.rewards.for_customer(ann).waiting == ()  # a cancelled reward is not earned again
    with pytest.raises(RewardUnavailable, match="no reward number 999"):
        shop.rewards.redeem(SAM, 999)


def test_two_seats_redeeming_one_reward_at_once_exactly_one_succeeds(shop: Services, paths: Paths) -> None:
    switch_on(shop, RuleKind.STAMP, every=2)
    ann = customer(shop, "Ann")
    coffee(shop, ann)
    coffee(shop, ann)
    (reward,) = shop.rewards.for_customer(ann).waiting
    seats = [build_services(paths, clock=slow_clock(shop.clock())) for _ in range(2)]
    try:
        results = at_once(
            lambda: seats[0].rewards.redeem(SAM, reward.id), lambda: seats[1].rewards.redeem(OWNER, reward.id)
        )
    finally:
        for seat in seats:
            seat.close()
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], RewardUnavailable), repr(errors[0])
    winner = next(r for r in results if not isinstance(r, Exception))
    assert f"already redeemed by {winner.closed_by} at" in str(errors[0])
    lines = shop.rewards.for_customer(ann).ledger
    assert [line.event for line in lines] == ["earned", "redeemed"]


def slow_clock(moment: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock that holds the transaction open, so the other seat's redeem lands inside it."""

    def read() -> dt.datetime:
        time.sleep(0.2)
        return moment

    return read


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, call) for call in calls]]


def test_rewards_on_the_command_line(
    shop: Services, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from careapp.cli import main

    switch_on(shop, RuleKind.STAMP, every=2)
    ann = customer(shop, "Ann")
    coffee(shop, ann)
    coffee(shop, ann)
    (reward,) = shop.rewards.for_customer(ann).waiting
    data = ["--data-dir", str(paths.data_dir)]
    assert (
        main([*data, "rewards", "list", "--customer", str(ann), "--state", "earned", "--format", "json"]) == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["state"], row["wording"], row["customer_name"]) == (
        reward.id,
        "earned",
        "a free coffee",
        "Ann Test",
    )
    assert main([*data, "rewards", "redeem", str(reward.id), "--by", "Sam"]) == 0
    assert "Redeemed reward" in capsys.readouterr().out
    assert main([*data, "rewards", "redeem", str(reward.id), "--by", "Sam"]) == 2
    err = capsys.readouterr().err
    assert "already redeemed by Sam" in err and "Traceback" not in err
    assert main([*data, "rewards", "list", "--state", "redeemed", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,customer_id") and len(lines) == 2 and ",redeemed," in lines[1]
    assert main([*data, "rewards", "redeem", str(reward.id + 50), "--by", "Nobody"]) == 2
    assert "not an active member" in capsys.readouterr().err
    assert main([*data, "rewards", "list", "--customer", "999"]) == 2
    assert "999" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_code:
        main([*data, "rewards", "redeem", "abc", "--by", "Sam"])
    assert exit_code.value.code == 2 and "is not a number" in capsys.readouterr().err
