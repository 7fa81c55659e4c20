"""The "reward waiting" touch with explicit days: due the day after a reward is earned (its rule, key
and due day), once per reward; cancelled once the reward is redeemed, cancelled, taken back or past
its day; left out when the expiry reminder would come first; the message names the reward; consent
and the cap apply as to any marketing touch."""

from __future__ import annotations

import datetime as dt

from careapp.domain.care_queue import CareSettings, Placement, QueueItem, plan_queue
from careapp.domain.customer import Channel, ConsentState
from careapp.domain.templates import render, template_for, values_for
from careapp.domain.touches import (
    CustomerFacts,
    DueTouch,
    RewardFact,
    RewardReminderRule,
    RewardWaitingRule,
    TouchKind,
    TouchRules,
    describe,
    generate_due_touches,
    next_wake,
)

D = dt.date
COFFEE = RewardFact(41, "a free coffee", D(2026, 12, 3), D(2027, 3, 3))
FOREVER = RewardFact(42, "a thank-you gift", D(2026, 12, 3), None)
EMAIL_OK = (ConsentState(Channel.EMAIL, True),)


def facts(*rewards: RewardFact, consents: tuple[ConsentState, ...] = EMAIL_OK) -> CustomerFacts:
    return CustomerFacts(7, "Ann", "Lee", consents=consents, rewards=rewards)


def waiting(customer: CustomerFacts, start: D, end: D, rules: TouchRules | None = None) -> list[DueTouch]:
    made = generate_due_touches([customer], rules or TouchRules(), [], start, end, ())
    return [t for t in made if t.kind is TouchKind.REWARD_WAITING]


def _plan(
    customer: CustomerFacts, touch: DueTouch, today: D, settings: CareSettings | None = None
) -> Placement:
    (planned,) = plan_queue(
        [QueueItem(touch)], {customer.id: customer}, settings or CareSettings(timezone="UTC"), today
    ).items
    return planned.placement


def test_earned_on_3_december_it_falls_due_on_4_december() -> None:
    assert waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 3)) == []  # the day it was earned
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 4))
    assert (touch.key, touch.due, touch.occasion, touch.deadline, touch.label) == (
        "reward_waiting:41",
        D(2026, 12, 4),
        D(2026, 12, 3),
        None,
        "a free coffee",
    )
    assert touch.is_marketing and touch.channels == (Channel.EMAIL, Channel.SMS)
    assert describe(touch) == "Reward waiting: a free coffee, earned 3 Dec"
    # Once per reward: a key already generated is never made again.
    again = generate_due_touches(
        [facts(COFFEE)], TouchRules(), [], D(2026, 12, 1), D(2027, 1, 1), {touch.key}
    )
    assert [t for t in again if t.kind is TouchKind.REWARD_WAITING] == []
    # Rewards that never expire are waiting too.
    assert [t.key for t in waiting(facts(FOREVER), D(2026, 12, 1), D(2026, 12, 31))] == ["reward_waiting:42"]


def test_the_days_after_and_the_switch_come_from_the_rule() -> None:
    three = TouchRules(reward_waiting=RewardWaitingRule(days_after=3))
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 31), three)
    assert touch.due == D(2026, 12, 6)
    off = TouchRules(reward_waiting=RewardWaitingRule(enabled=False))
    assert waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 31), off) == []
    assert RewardWaitingRule().enabled and RewardWaitingRule().days_after == 1


def test_a_reward_noticed_late_is_still_told_while_it_can_be_used() -> None:
    assert [t.due for t in waiting(facts(COFFEE), D(2027, 1, 10), D(2027, 1, 20))] == [D(2026, 12, 4)]
    assert waiting(facts(COFFEE), D(2027, 3, 4), D(2027, 3, 30)) == []  # past its last day


def test_no_note_when_the_expiry_reminder_comes_first() -> None:
    # Earned 3 Dec, last day 8 Dec: the reminder is due the day it was earned, before the note.
    short = RewardFact(43, "10% off", D(2026, 12, 3), D(2026, 12, 8))
    made = generate_due_touches([facts(short)], TouchRules(), [], D(2026, 12, 1), D(2026, 12, 31), ())
    assert [t.key for t in made] == ["reward_expiring:43"]
    # With the reminder off, the note comes instead.
    no_reminder = TouchRules(reward_expiring=RewardReminderRule(enabled=False))
    assert [t.key for t in waiting(facts(short), D(2026, 12, 1), D(2026, 12, 31), no_reminder)] == [
        "reward_waiting:43"
    ]
    # A note that would come after the last day is not made.
    late = TouchRules(
        reward_expiring=RewardReminderRule(enabled=False), reward_waiting=RewardWaitingRule(days_after=6)
    )
    assert waiting(facts(short), D(2026, 12, 1), D(2026, 12, 31), late) == []


def test_the_next_wake_is_the_note_s_day() -> None:
    assert next_wake(facts(FOREVER), TouchRules(), [], D(2026, 11, 1), D(2026, 11, 30), ()) == D(2026, 12, 4)


def test_the_note_is_cancelled_once_the_reward_is_redeemed_or_gone_or_past_its_day() -> None:
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 4))
    assert _plan(facts(COFFEE), touch, D(2026, 12, 4)) is Placement.QUEUED
    (redeemed,) = plan_queue(
        [QueueItem(touch)], {7: facts()}, CareSettings(timezone="UTC"), D(2026, 12, 5)
    ).items
    assert redeemed.placement is Placement.CANCELLED
    assert redeemed.reason == "Ann Lee's reward is no longer waiting (used, cancelled or taken back)."
    (expired,) = plan_queue(
        [QueueItem(touch)], {7: facts(COFFEE)}, CareSettings(timezone="UTC"), D(2027, 3, 4)
    ).items
    assert expired.placement is Placement.CANCELLED
    assert expired.reason == "The reward expired on 3 March 2027; there is nothing to remind of."
    assert _plan(facts(COFFEE), touch, D(2027, 3, 3)) is Placement.QUEUED  # its last day


def test_consent_and_the_cap_apply_as_to_any_marketing_touch() -> None:
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 4))
    assert _plan(facts(COFFEE, consents=()), touch, D(2026, 12, 4)) is Placement.CANCELLED  # no consent
    other = DueTouch("birthday:7:2026", TouchKind.BIRTHDAY, 7, D(2026, 12, 4), (Channel.EMAIL,))
    plan = plan_queue(
        [QueueItem(other), QueueItem(touch)],
        {7: facts(COFFEE)},
        CareSettings(marketing_cap=1, timezone="UTC"),
        D(2026, 12, 4),
    )
    placements = {p.item.key: p.placement for p in plan.items}
    assert sorted(placements.values()) == sorted([Placement.QUEUED, Placement.HELD])


def test_the_message_names_the_reward() -> None:
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 4))
    email = render(
        template_for(TouchKind.REWARD_WAITING, Channel.EMAIL),
        values_for(touch, facts(COFFEE), shop_name="Bean"),
    )
    assert email.subject == "A reward for you: a free coffee"
    assert (
        "Thank you for shopping with us: a free coffee is waiting for you at Bean. "
        "It can be used until 3 March 2027." in email.body
    )
    sms = render(
        template_for(TouchKind.REWARD_WAITING, Channel.SMS),
        values_for(touch, facts(COFFEE), shop_name="Bean"),
    )
    assert (
        sms.body
        == "Hi Ann, a free coffee is waiting for you at Bean. Just mention it next time. See you soon!"
    )
    # A reward that never expires: the sentence about its last day drops out.
    (forever,) = waiting(facts(FOREVER), D(2026, 12, 1), D(2026, 12, 4))
    body = render(
        template_for(TouchKind.REWARD_WAITING, Channel.EMAIL),
        values_for(forever, facts(FOREVER), shop_name="Bean"),
    ).body
    assert "a thank-you gift is waiting for you at Bean. Just mention it" in body and "until" not in body


def test_a_customer_in_the_control_group_is_not_told() -> None:
    (touch,) = waiting(facts(COFFEE), D(2026, 12, 1), D(2026, 12, 4))
    control = CustomerFacts(7, "Ann", "Lee", consents=EMAIL_OK, rewards=(COFFEE,), in_control_group=True)
    assert _plan(control, touch, D(2026, 12, 4)) is Placement.HELD
