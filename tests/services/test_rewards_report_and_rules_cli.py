"""The rewards report on a real migrated database, ``careapp report rewards`` and ``careapp rewards
rules``: figures from the ledger, the command's formats, and the rules changed by the owner only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from careapp.config import Paths
from careapp.context import Services
from careapp.domain.customer import CustomerDraft
from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import RuleKind
from careapp.services.shop.staff import Actor, Role

OWNER = Actor("Olivia", Role.OWNER)
DAY = dt.date(2026, 11, 23)  # the conftest clock's local day


@pytest.fixture
def shop(services: Services) -> Services:
    services.staff.add(None, "Olivia", Role.OWNER)
    services.staff.add(OWNER, "Sam")
    return services


def switch_on(services: Services, kind: RuleKind, **changes: Any) -> None:
    stored = next(s for s in services.rewards.rules() if s.rule.kind is kind)
    services.rewards.save_rule(OWNER, replace(stored, rule=replace(stored.rule, enabled=True, **changes)))


def customer(services: Services, first: str) -> int:
    return services.customers.create(CustomerDraft(first_name=first, last_name="Test"), "Sam").id


def sale(services: Services, who: int, day: dt.date, amount: str = "3.20") -> int:
    return services.purchases.record(who, SaleInput(day, "Flat white", "Coffee", amount)).id


def test_the_report_counts_earned_and_redeemed_by_month_with_the_cost(shop: Services) -> None:
    from careapp.domain.rewards import Offer, OfferKind

    offer = Offer(OfferKind.FREE_ITEM, "a free coffee", cost=Decimal("2.50"))
    switch_on(shop, RuleKind.STAMP, every=2, offer=offer)
    ann, bob = customer(shop, "Ann"), customer(shop, "Bob")
    sale(shop, ann, dt.date(2026, 10, 5))
    sale(shop, ann, dt.date(2026, 10, 6))  # Ann's reward, earned in October
    sale(shop, bob, dt.date(2026, 11, 2))
    sale(shop, bob, dt.date(2026, 11, 3))  # Bob's, earned in November
    (ann_reward,) = shop.rewards.waiting(ann)
    shop.rewards.redeem(Actor("Sam"), ann_reward.id, sale(shop, ann, DAY))  # redeemed in November
    report = shop.rewards.report(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    october, november = report.months
    assert (october.earned, october.redeemed, october.cost_cents) == (1, 0, 0)
    assert (november.earned, november.redeemed, november.cost_cents) == (1, 1, 250)
    assert (report.redemption.earned, report.redemption.redeemed, report.redemption.waiting) == (2, 1, 1)
    assert report.cost_cents == 250
    assert {row.group for row in report.comparison} <= {"rewarded", "not rewarded"}
    assert sum(row.customers for row in report.comparison if row.group == "rewarded") == 2


def test_report_rewards_on_the_command_line(
    shop: Services, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from careapp.cli import main

    switch_on(shop, RuleKind.STAMP, every=2)
    ann = customer(shop, "Ann")
    sale(shop, ann, dt.date(2026, 11, 2))
    sale(shop, ann, dt.date(2026, 11, 3))
    data = ["--data-dir", str(paths.data_dir)]
    period = ["--from", "2026-10-01", "--to", "2026-11-30"]
    assert main([*data, "report", "rewards", *period, "--format", "json"]) == 0
    tables = json.loads(capsys.readouterr().out)["tables"]
    months = {row["month"]: row for row in tables[0]["rows"]}
    assert months["2026-11"]["earned"] == 1 and months["2026-10"]["earned"] == 0
    figures = {row["figure"]: row["value"] for row in tables[1]["rows"]}
    assert figures["redemption rate"] == "0/1 (0.0%)" and figures["still waiting"] == 1
    assert main([*data, "report", "rewards", *period, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][0].startswith("Rewards per month") and rows[1][0] == "month"
    assert main([*data, "report", "rewards", *period]) == 0
    text = capsys.readouterr().out
    assert "Redemption of the rewards earned" in text and "upper bound" in text
    assert main([*data, "report", "rewards", "--from", "2026-11-30", "--to", "2026-10-01"]) == 2
    err = capsys.readouterr().err
    assert "cannot end" in err and "Traceback" not in err


def test_reward_rules_on_the_command_line_only_the_owner_changes_them(
    shop: Services, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from careapp.cli import main

    data = ["--data-dir", str(paths.data_dir)]
    assert main([*data, "rewards", "rules"]) == 0
    out = capsys.readouterr().out
    assert "stamp: off" in out and "referral: off" in out and "milestone: off" in out
    change = ["rewards", "rules", "stamp", "--on", "--every", "5", "--category", "Coffee"]
    assert main([*data, *change, "--wording", "a free cake", "--by", "Sam"]) == 2
    err = capsys.readouterr().err
    assert "Only the owner can change the reward rules" in err and "Nothing was changed" in err
    assert not next(s for s in shop.rewards.rules() if s.rule.kind is RuleKind.STAMP).rule.enabled
    assert main([*data, *change, "--wording", "a free cake", "--expires-after", "30", "--by", "Olivia"]) == 0
    assert "stamp: on, every 5 purchases in Coffee" in capsys.readouterr().out
    stamp = next(s for s in shop.rewards.rules() if s.rule.kind is RuleKind.STAMP)
    assert (stamp.rule.enabled, stamp.rule.every, stamp.rule.category) == (True, 5, "Coffee")
    assert (stamp.rule.offer.wording, stamp.rule.offer.expires_after_days) == ("a free cake", 30)
    assert main([*data, "rewards", "rules", "referral", "--no-welcome", "--by", "Olivia"]) == 0
    capsys.readouterr()
    assert main([*data, "rewards", "rules", "referral", "--format", "json"]) == 0
    (referral,) = json.loads(capsys.readouterr().out)
    assert referral["welcome"] is None and referral["on"] is False
    assert main([*data, "rewards", "rules", "stamp", "--wording", " ", "--by", "Olivia"]) == 2
    err = capsys.readouterr().err
    assert "needs wording" in err and "Traceback" not in err
    assert main([*data, "rewards", "rules", "--on", "--by", "Olivia"]) == 2
    assert "say which rule" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*data, "rewards", "rules", "stamp", "--every", "ten", "--by", "Olivia"])
    assert "Traceback" not in capsys.readouterr().err


def test_a_reward_noticed_after_its_last_day_counts_as_expired_the_day_after_it(shop: Services) -> None:
    from careapp.domain.rewards import Offer, OfferKind

    switch_on(
        shop,
        RuleKind.STAMP,
        every=2,
        offer=Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=10),
    )
    ann = customer(shop, "Ann")
    sale(shop, ann, dt.date(2026, 10, 5))
    sale(shop, ann, dt.date(2026, 10, 6))  # earned 6 Oct, last day 16 Oct; the ledger first looks on 23 Nov
    october, november = shop.rewards.report(dt.date(2026, 10, 1), dt.date(2026, 11, 30)).months
    assert (october.earned, october.expired) == (1, 1)
    assert november.expired == 0
