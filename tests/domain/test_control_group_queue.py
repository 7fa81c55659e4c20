"""The control group in the care queue (issue 21): a marketing touch of a customer in the shop's
control group is held with the reason, whatever their consent, and cancelled once it is too old to
show; a callback (service, asked for by the customer) goes ahead; other customers are untouched."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from careapp.domain.care_queue import (
    CONTROL_GROUP_HELD,
    WITHDRAWN_SHOWN_DAYS,
    CareSettings,
    ItemStatus,
    Placement,
    QueueItem,
    plan_queue,
)
from careapp.domain.customer import Channel, ConsentState
from careapp.domain.touches import MARKETING_KINDS, REWARD_KINDS, CustomerFacts, DueTouch, TouchKind
from careapp.domain.value import in_control_group

D = dt.date
SETTINGS = CareSettings(timezone="Europe/London")
TODAY = D(2027, 3, 10)
EMAIL = (Channel.EMAIL,)


def facts(customer_id: int, control: bool, *, consent: bool = True) -> CustomerFacts:
    consents = (ConsentState(Channel.EMAIL, True),) if consent else ()
    return CustomerFacts(customer_id, "Anna", f"No{customer_id}", consents=consents, in_control_group=control)


def item(key: str, due: dt.date, kind: TouchKind = TouchKind.BIRTHDAY, customer_id: int = 1) -> QueueItem:
    return QueueItem(DueTouch(key, kind, customer_id, due, EMAIL))


def test_every_marketing_kind_of_a_control_customer_is_held_with_the_reason() -> None:
    kinds = sorted(MARKETING_KINDS - {TouchKind.CHECK_IN} - REWARD_KINDS)  # (cancelled: no reward waits)
    items = [item(f"{k.value}:1", TODAY, k) for k in kinds]
    plan = plan_queue(items, {1: facts(1, True)}, SETTINGS, TODAY)
    assert [p.placement for p in plan.items] == [Placement.HELD] * len(kinds)
    assert {p.reason for p in plan.items} == {CONTROL_GROUP_HELD}
    assert CONTROL_GROUP_HELD == (
        "In the control group: marketing touches skip this customer so the effect of care can be "
        "measured (the shop's setting)."
    )
    # The same touches of a customer outside the group are queued (consent given, no cap reached).
    others = [replace(i, touch=replace(i.touch, customer_id=2)) for i in items[:2]]
    plan = plan_queue(others, {2: facts(2, False)}, SETTINGS, TODAY)
    assert [p.placement for p in plan.items] == [Placement.QUEUED, Placement.QUEUED]


def test_the_group_holds_before_consent_decides_and_callbacks_still_go() -> None:
    # Without consent, a touch due today of someone outside the group is cancelled ("Not sent");
    # in the group it is held with the control group's reason instead, so the owner sees why.
    plan = plan_queue([item("birthday:1", TODAY)], {1: facts(1, True, consent=False)}, SETTINGS, TODAY)
    (held,) = plan.items
    assert (held.placement, held.reason, held.changed) == (Placement.HELD, CONTROL_GROUP_HELD, False)
    callback = QueueItem(DueTouch("callback:7", TouchKind.CALLBACK, 1, TODAY, (Channel.PHONE,)))
    plan = plan_queue([callback], {1: facts(1, True)}, SETTINGS, TODAY)
    assert plan.items[0].placement is Placement.QUEUED


def test_a_held_touch_stays_shown_for_thirty_days_then_is_cancelled() -> None:
    due = D(2027, 2, 8)  # 30 days before TODAY: the last day it is shown
    plan = plan_queue([item("birthday:1", due)], {1: facts(1, True)}, SETTINGS, TODAY)
    (held,) = plan.items
    assert held.placement is Placement.HELD
    assert held.held_until == D(2027, 3, 11)  # the day a new day's plan must look at it again
    assert WITHDRAWN_SHOWN_DAYS == 30
    plan = plan_queue([item("birthday:1", due)], {1: facts(1, True)}, SETTINGS, D(2027, 3, 11))
    (gone,) = plan.items
    assert gone.placement is Placement.CANCELLED and gone.item.status is ItemStatus.CANCELLED
    assert gone.reason.startswith("Not sent: in the control group") and gone.changed


def test_a_held_control_touch_does_not_use_up_the_cap() -> None:
    # Two touches today for a customer in the group, cap 1: both held by the group, none by the cap.
    items = [item("birthday:1", TODAY), item("feedback:1", TODAY, TouchKind.FEEDBACK_REQUEST)]
    plan = plan_queue(items, {1: facts(1, True)}, replace(SETTINGS, marketing_cap=1), TODAY)
    assert {p.reason for p in plan.items} == {CONTROL_GROUP_HELD}


def test_membership_is_a_stable_share_of_the_customers() -> None:
    # The draw is the domain's (tested in tests/domain/test_value.py); here: about 5 % of 20,000
    # customers, and the 5 % group is inside the 10 % group of the same seed (raising the share
    # adds customers, never swaps them).
    five = {c for c in range(1, 20_001) if in_control_group(c, "seed", 5)}
    ten = {c for c in range(1, 20_001) if in_control_group(c, "seed", 10)}
    assert 850 <= len(five) <= 1150 and five < ten
