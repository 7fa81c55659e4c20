"""The "reward waiting" touch on a real migrated database (SQLite and PostgreSQL, like the other care
service tests): a sale that earns a reward gives the customer a note the day after, naming the reward;
redeeming the reward cancels the note; the incremental queue stays the queue planned from scratch; the
rule is stored as JSON like the other sections."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import TouchRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress
from careapp.domain.purchases import SaleInput
from careapp.domain.touches import RewardWaitingRule, TouchKind
from careapp.services.care.rules import RuleKind, rule_from_json, rule_to_json
from tests.services.test_care_incremental import check_same, demo_shop, forget_refresh_state
from tests.services.test_care_rewards import stamp_card


def test_the_rule_is_stored_as_json_and_a_missing_field_takes_the_default() -> None:
    rule = RewardWaitingRule(days_after=3, channels=(Channel.SMS,))
    stored = rule_to_json(rule)
    assert stored == {"enabled": True, "channels": ["sms"], "days_after": 3}
    assert rule_from_json(RuleKind.REWARD_WAITING, stored) == rule
    assert rule_from_json(RuleKind.REWARD_WAITING, {}) == RewardWaitingRule()


def test_a_reward_earned_gets_a_note_the_next_day_and_redeeming_it_cancels_the_note(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 20)
    stamp_card(services, owner, every=2, days=90)
    draft = CustomerDraft(first_name="Ann", last_name="Lee", emails=[EmailAddress("ann@example.com")])
    ann = services.customers.create(draft, "Sam").id
    services.customers.record_consent(ann, ConsentEvent(Channel.EMAIL, True, clock[0]))
    mark, _ = services.rewards.catch_up(None)
    day = services.touches.today()
    for _ in range(2):
        services.purchases.record(ann, SaleInput(day, "Flat white", "Coffee", "3.20"))
    services.rewards.catch_up(mark)
    (reward,) = services.rewards.for_customer(ann).waiting
    services.touches.refresh()

    queue = check_same(services, day, "a reward earned")
    (note,) = [e for e in queue.entries() if e.kind is TouchKind.REWARD_WAITING and e.customer_id == ann]
    assert (note.key, note.due) == (f"reward_waiting:{reward.id}", day + dt.timedelta(days=1))
    assert note.description == f"Reward waiting: a free coffee, earned {day.day} {day:%b}"
    message = services.messages.draft(note.touch_id, Channel.EMAIL)
    assert message.subject == "A reward for you: a free coffee"
    assert "a free coffee is waiting for you at" in message.body
    forget_refresh_state(services)
    assert services.touches.refresh().generated == 0  # everyone again: nothing the increment missed

    services.rewards.redeem(owner, reward.id)
    services.touches.refresh()
    after = check_same(services, day, "the reward redeemed")
    assert after.find(note.touch_id) is None
    with services.db.session() as session:
        row = session.scalars(select(TouchRecord).where(TouchRecord.id == note.touch_id)).one()
        assert row.status == "cancelled"
        assert row.reason == "Ann Lee's reward is no longer waiting (used, cancelled or taken back)."
