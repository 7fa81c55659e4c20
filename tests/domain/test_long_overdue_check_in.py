"""A check-in past its maximum interval is one "long overdue" item per customer (issue 14, must-have
7). Every date here was worked out by hand: Jo is a client (check-in ideally 60 days after the last
real contact, at most 90); her last contact was a purchase on 2 June 2022, so her check-in is due on
1 August 2022 (2 June + 60) and overdue after 31 August 2022 (2 June + 90)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from careapp.domain.care_queue import Bucket, QueueItem, bucket_for
from careapp.domain.customer import LoyaltyStage, Purchase
from careapp.domain.touches import (
    CustomerFacts,
    DueTouch,
    TouchKind,
    default_rules,
    describe,
    describe_on,
    generate_due_touches,
    is_long_overdue,
)

D = dt.date
LONDON = ZoneInfo("Europe/London")
JO = CustomerFacts(
    16, "Jo", "Hill", stage=LoyaltyStage.CLIENT, purchases=(Purchase(D(2022, 6, 2), "Lamp", id=7),)
)


def check_ins(start: dt.date, end: dt.date) -> list[DueTouch]:
    touches = generate_due_touches([JO], default_rules(), [], start, end, set())
    return [t for t in touches if t.kind is TouchKind.CHECK_IN]


def test_jos_check_in_is_due_on_1_august_and_overdue_after_31_august_2022() -> None:
    [touch] = check_ins(D(2022, 7, 25), D(2022, 8, 24))
    assert (touch.key, touch.due, touch.occasion, touch.deadline) == (
        "check_in:16:2022-06-02",
        D(2022, 8, 1),
        D(2022, 6, 2),
        D(2022, 8, 31),
    )


def test_within_its_maximum_interval_a_check_in_is_only_a_check_in() -> None:
    [touch] = check_ins(D(2022, 7, 25), D(2022, 8, 24))
    for today in (D(2022, 8, 1), D(2022, 8, 31)):  # its day, and the last day of its interval
        assert not is_long_overdue(touch, today)
        assert describe_on(touch, today) == "Check-in"
        assert bucket_for(QueueItem(touch), today, LONDON) is not Bucket.OVERDUE


def test_past_its_maximum_interval_it_says_long_overdue_and_since_when() -> None:
    [touch] = check_ins(D(2022, 7, 25), D(2022, 8, 24))
    for today in (D(2022, 9, 1), D(2027, 3, 10)):  # the day after the interval, and years later
        assert is_long_overdue(touch, today)
        assert describe_on(touch, today) == "Check-in: long overdue (last contact 2 June 2022)"
        assert bucket_for(QueueItem(touch), today, LONDON) is Bucket.OVERDUE
    assert describe(touch) == "Check-in"  # what the touch log says of it, whenever it is done


def test_years_later_it_is_still_one_item_for_jo() -> None:
    """Nearly five years without contact: still the one check-in counting from 2 June 2022, not one
    per interval missed."""
    assert [t.key for t in check_ins(D(2027, 3, 1), D(2027, 3, 31))] == ["check_in:16:2022-06-02"]
    assert check_ins(D(2027, 3, 1), D(2027, 3, 31))[0].due == D(2022, 8, 1)


def test_only_a_check_in_is_long_overdue() -> None:
    """Other touches have no maximum interval: a birthday missed long ago is described as it is."""
    birthday = DueTouch("birthday:16:2022", TouchKind.BIRTHDAY, 16, D(2022, 8, 1), (), years=40)
    assert not is_long_overdue(birthday, D(2027, 3, 10))
    assert describe_on(birthday, D(2027, 3, 10)) == "Birthday greeting: turns 40"
