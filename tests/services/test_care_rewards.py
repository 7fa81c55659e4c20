"""Rewards in the care pipeline on a real migrated database (SQLite and PostgreSQL): a waiting reward
gets a reminder a week before it expires, goes away when the reward is used, and is in what to know;
the incremental queue stays the queue planned from scratch (tests/services/test_care_incremental.py's
check), and a refresh of the changed customers makes what a refresh of everyone would. The ledger
catches up right after the commit that earned a reward (RewardService.catch_up)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import RewardLedgerRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress
from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import Offer, OfferKind, RuleKind
from careapp.domain.touches import TouchKind
from careapp.services.shop.staff import Actor
from tests.services.test_care_incremental import Edits, check_same, demo_shop, forget_refresh_state


def stamp_card(services: Services, owner: Actor, every: int = 2, days: int = 20) -> None:
    stored = next(s for s in services.rewards.rules() if s.rule.kind is RuleKind.STAMP)
    offer = Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=days)
    rule = replace(stored.rule, enabled=True, every=every, offer=offer)
    services.rewards.save_rule(owner, replace(stored, rule=rule))


def reminders(services: Services, day: dt.date) -> dict[str, str]:
    queue = services.care_queue.queue(day)
    return {e.key: str(e.status) for e in queue.entries() if e.kind is TouchKind.REWARD_EXPIRING}


def test_reward_reminders_keep_incremental_equal_to_from_scratch(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 150)
    stamp_card(services, owner)
    assert services.rewards.sync()  # the demo's purchases earn rewards; the ledger notes them for care
    services.touches.refresh()
    today = services.touches.today()
    queue = check_same(services, today, "rewards earned")
    waiting = {r.id: r for r in services.rewards.listing(state="waiting") if r.expires_on is not None}
    found = {e.key: e for e in queue.entries() if e.kind is TouchKind.REWARD_EXPIRING}
    assert found, "no reward reminder was made"
    for key, entry in found.items():
        reward = waiting[int(key.rsplit(":", 1)[1])]
        assert entry.customer_id == reward.customer_id and entry.due == max(
            reward.expires_on - dt.timedelta(days=7),
            reward.earned_on,  # type: ignore[operator]
        )
        assert "reward waiting" in entry.context.rewards or "rewards waiting" in entry.context.rewards
    forget_refresh_state(services)
    assert services.touches.refresh().generated == 0  # everyone again: nothing the increments missed

    # Redeem a reminded reward: the next look cancels its reminder; incremental still equals scratch.
    key, entry = next(iter(found.items()))
    services.rewards.redeem(owner, int(key.rsplit(":", 1)[1]))
    services.touches.refresh()
    after = check_same(services, today, "a reward redeemed")
    assert after.find(entry.touch_id) is None or after.find(entry.touch_id).status == "cancelled"  # type: ignore[union-attr]

    # Random edits and days: purchases earn more rewards (caught up at once), the property holds.
    edits = Edits(services, clock, random.Random(5), owner)
    for step in range(25):
        what = edits.next_day() if step in (8, 16) else edits.random()
        services.rewards.sync()
        result = services.touches.refresh()
        check_same(services, services.touches.today(), f"step {step}: {what}")
        assert result is not None
    forget_refresh_state(services)
    assert services.touches.refresh().generated == 0


def test_a_sale_earns_its_reward_at_once_and_the_reminder_follows(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 20)
    stamp_card(services, owner, every=2, days=5)
    draft = CustomerDraft(first_name="Ann", last_name="Lee", emails=[EmailAddress("ann@example.com")])
    ann = services.customers.create(draft, "Sam").id
    services.customers.record_consent(ann, ConsentEvent(Channel.EMAIL, True, clock[0]))
    mark, wrote = services.rewards.catch_up(None)  # the first call marks where to start
    assert not wrote
    day = services.touches.today()
    services.purchases.record(ann, SaleInput(day, "Flat white", "Coffee", "3.20"))
    services.purchases.record(ann, SaleInput(day, "Flat white", "Coffee", "3.20"))
    sold_at = clock[0]
    mark, wrote = services.rewards.catch_up(mark)  # right after the commit, as the window does
    assert wrote
    clock[0] += dt.timedelta(hours=3)  # the next read comes later; the row keeps the earning moment
    assert not services.rewards.catch_up(mark)[1]  # its own note for the care queue: nothing to write
    assert [r.wording for r in services.rewards.for_customer(ann).waiting] == ["a free coffee"]
    with services.db.session() as session:
        (row,) = session.scalars(select(RewardLedgerRecord).where(RewardLedgerRecord.customer_id == ann))
        assert (row.event, row.at) == ("earned", sold_at)
    services.touches.refresh()
    assert reminders(services, day) != {}
