"""The reward touches with explicit days: a reminder a week before a waiting reward expires (its
rule, key and due day), cancelled once the reward is used or past its day; the referral thank-you
and the reminder naming the reward; what to know saying a reward waits."""

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
    TouchKind,
    TouchRules,
    describe,
    generate_due_touches,
    next_wake,
    reward_note,
)

D = dt.date
COFFEE = RewardFact(41, "a free coffee", D(2026, 11, 3), D(2027, 2, 1))
FOREVER = RewardFact(42, "a thank-you gift", D(2026, 11, 3), None)
EMAIL_OK = (ConsentState(Channel.EMAIL, True),)


def facts(*rewards: RewardFact) -> CustomerFacts:
    return CustomerFacts(7, "Ann", "Lee", consents=EMAIL_OK, rewards=rewards)


def reminders(customer: CustomerFacts, start: D, end: D, rules: TouchRules | None = None) -> list[DueTouch]:
    made = generate_due_touches([customer], rules or TouchRules(), [], start, end, ())
    return [t for t in made if t.kind is TouchKind.REWARD_EXPIRING]


def test_a_reminder_falls_due_a_week_before_the_reward_expires() -> None:
    assert reminders(facts(COFFEE), D(2026, 12, 1), D(2027, 1, 24)) == []  # a day before the week
    (touch,) = reminders(facts(COFFEE), D(2026, 12, 1), D(2027, 1, 25))
    assert (touch.key, touch.due, touch.occasion, touch.deadline) == (
        "reward_expiring:41",
        D(2027, 1, 25),
        D(2027, 2, 1),
        D(2027, 2, 1),
    )
    assert touch.label == "a free coffee" and touch.is_marketing
    assert describe(touch) == "Reward about to expire: a free coffee, expires 1 Feb"
    # Noticed late (the ledger catches up when read): still made up to the last day, not after.
    assert [t.key for t in reminders(facts(COFFEE), D(2027, 2, 1), D(2027, 3, 1))] == ["reward_expiring:41"]
    assert reminders(facts(COFFEE), D(2027, 2, 2), D(2027, 3, 1)) == []


def test_no_reminder_for_a_reward_that_never_expires_or_when_the_rule_is_off() -> None:
    assert reminders(facts(FOREVER), D(2026, 11, 1), D(2030, 1, 1)) == []
    off = TouchRules(reward_expiring=RewardReminderRule(enabled=False))
    assert reminders(facts(COFFEE), D(2026, 12, 1), D(2027, 3, 1), off) == []


def test_a_reward_earned_inside_its_last_week_is_reminded_of_the_day_it_was_earned() -> None:
    short = RewardFact(43, "10% off", D(2027, 1, 10), D(2027, 1, 13))
    (touch,) = reminders(facts(short), D(2027, 1, 1), D(2027, 1, 31))
    assert touch.due == D(2027, 1, 10)


def test_the_next_wake_is_the_reminder_s_day() -> None:
    # (the reward's "waiting" note, due the day after it was earned, was made already)
    wake = next_wake(facts(COFFEE), TouchRules(), [], D(2026, 11, 23), D(2026, 12, 23), {"reward_waiting:41"})
    assert wake == D(2027, 1, 25)


def _plan(customer: CustomerFacts, touch: DueTouch, today: D) -> Placement:
    (planned,) = plan_queue(
        [QueueItem(touch)], {customer.id: customer}, CareSettings(timezone="UTC"), today
    ).items
    return planned.placement


def test_the_reminder_is_cancelled_once_the_reward_is_used_or_past_its_day() -> None:
    (touch,) = reminders(facts(COFFEE), D(2027, 1, 20), D(2027, 1, 30))
    assert _plan(facts(COFFEE), touch, D(2027, 1, 25)) is Placement.QUEUED
    assert _plan(facts(), touch, D(2027, 1, 25)) is Placement.CANCELLED  # redeemed meanwhile
    assert _plan(facts(COFFEE), touch, D(2027, 2, 2)) is Placement.CANCELLED  # expired


def test_the_reminder_and_the_referral_thank_you_name_the_reward() -> None:
    (touch,) = reminders(facts(COFFEE), D(2027, 1, 20), D(2027, 1, 30))
    email = render(
        template_for(TouchKind.REWARD_EXPIRING, Channel.EMAIL),
        values_for(touch, facts(COFFEE), shop_name="Bean"),
    )
    assert email.subject == "Your reward is waiting: a free coffee"
    assert "a free coffee is waiting for you at Bean. It can be used until 1 February 2027." in email.body
    referral_reward = RewardFact(
        44, "£5 off your next purchase", D(2026, 11, 20), D(2027, 2, 18), referred_customer_id=9
    )
    thanks = DueTouch(
        "referral_thanks:9",
        TouchKind.REFERRAL_THANKS,
        7,
        D(2026, 11, 10),
        (Channel.EMAIL,),
        label="Maria",
        referred_customer_id=9,
    )
    body = render(
        template_for(TouchKind.REFERRAL_THANKS, Channel.EMAIL),
        values_for(thanks, facts(referral_reward), shop_name="Bean"),
    ).body
    assert (
        "We were delighted to welcome Maria. As a thank-you, £5 off your next purchase is waiting for you."
        in body
    )
    # No reward (the referred person has not bought yet, or rewards are off): the sentence drops out.
    plain = render(
        template_for(TouchKind.REFERRAL_THANKS, Channel.EMAIL), values_for(thanks, facts(), shop_name="Bean")
    ).body
    assert "We were delighted to welcome Maria. Word of mouth" in plain and "thank-you," not in plain
    sms = render(
        template_for(TouchKind.REFERRAL_THANKS, Channel.SMS),
        values_for(thanks, facts(referral_reward), shop_name="Bean"),
    ).body
    assert "As a thank-you, £5 off your next purchase is waiting for you." in sms


def test_what_to_know_says_which_rewards_wait_soonest_to_expire_first() -> None:
    assert reward_note(()) == ""
    later = RewardFact(45, "a free cake", D(2026, 12, 1), D(2027, 3, 3))
    assert reward_note((later, FOREVER, COFFEE)) == (
        "3 rewards waiting: a free coffee, expires 1 Feb 2027; a free cake, expires 3 Mar 2027; "
        "a thank-you gift"
    )
    assert reward_note((COFFEE,)).startswith("1 reward waiting: a free coffee")
