"""The care queue: consent, the cap, complaints, the daily limit, buckets and item actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from careapp.domain.care_queue import (
    Bucket,
    CarePlan,
    CareSettings,
    ItemStatus,
    Placement,
    PlannedItem,
    QueueItem,
    TouchLogEntry,
    TouchOutcome,
    done,
    plan_queue,
    priority,
    skip,
    snooze,
    snooze_choices,
)
from careapp.domain.customer import Channel, ConsentState, LoyaltyStage, Purchase
from careapp.domain.touches import CustomerFacts, DueTouch, TouchKind, default_rules, generate_due_touches

D = dt.date
LONDON = ZoneInfo("Europe/London")
SETTINGS = CareSettings(timezone="Europe/London")
TODAY = D(2027, 3, 10)  # a Wednesday
CARD = (Channel.EMAIL, Channel.SMS, Channel.POST)
AT = dt.datetime(2027, 3, 10, 9, 30)


def consents(
    *granted: Channel, withdrawn: tuple[Channel, ...] = (), withdrawn_at: dt.datetime | None = None
) -> tuple[ConsentState, ...]:
    return tuple(ConsentState(c, True) for c in granted) + tuple(
        ConsentState(c, False, withdrawn_at) for c in withdrawn
    )


def anna(**changes: object) -> CustomerFacts:
    facts = CustomerFacts(1, "Anna", "Smith", consents=consents(Channel.EMAIL))
    return replace(facts, **changes)  # type: ignore[arg-type]


def item(
    key: str,
    due: dt.date,
    kind: TouchKind = TouchKind.BIRTHDAY,
    customer_id: int = 1,
    channels: tuple[Channel, ...] = CARD,
    **changes: object,
) -> QueueItem:
    touch = DueTouch(key, kind, customer_id, due, channels)
    return QueueItem(replace(touch, **changes))  # type: ignore[arg-type]


def callback(key: str, due: dt.date, customer_id: int = 1, at: dt.datetime | None = None) -> QueueItem:
    return item(key, due, TouchKind.CALLBACK, customer_id, (Channel.PHONE,), due_at=at)


def plan(
    items: list[QueueItem],
    facts: list[CustomerFacts] | None = None,
    today: dt.date = TODAY,
    settings: CareSettings = SETTINGS,
    history: list[TouchLogEntry] | None = None,
) -> CarePlan:
    facts = facts if facts is not None else [anna()]
    return plan_queue(items, {f.id: f for f in facts}, settings, today, history or [])


def found(result: CarePlan, key: str) -> PlannedItem:
    planned = result.find(key)
    assert planned is not None, f"{key} is not in the plan"
    return planned


def placement(result: CarePlan, key: str) -> tuple[Placement, str]:
    planned = found(result, key)
    return planned.placement, planned.reason


def done_entry(
    at: dt.datetime, kind: TouchKind = TouchKind.ARTICLE_SHARE, customer_id: int = 1
) -> TouchLogEntry:
    return TouchLogEntry(
        customer_id, f"old:{at.isoformat()}", kind, TouchOutcome.DONE, "sam", at, Channel.EMAIL
    )


# --- buckets -------------------------------------------------------------------------------------


def test_buckets_by_local_day() -> None:
    items = [
        item("a", D(2027, 3, 9)),
        item("b", D(2027, 3, 10)),
        item("c", D(2027, 3, 17)),
        item("d", D(2027, 3, 18)),
        item("e", D(2027, 4, 9)),
        item("f", D(2027, 4, 10)),
    ]
    result = plan(items)
    assert [(p.item.key, p.bucket) for p in result.items] == [
        ("a", Bucket.OVERDUE),
        ("b", Bucket.TODAY),
        ("c", Bucket.NEXT_7_DAYS),
        ("d", Bucket.NEXT_30_DAYS),
        ("e", Bucket.NEXT_30_DAYS),
        ("f", Bucket.LATER),
    ]


def test_a_check_in_is_due_not_overdue_until_its_deadline() -> None:
    within = item("c1", D(2027, 3, 1), TouchKind.CHECK_IN, deadline=D(2027, 3, 31))
    past = item("c2", D(2027, 2, 1), TouchKind.CHECK_IN, deadline=D(2027, 3, 9))
    result = plan([within, past])
    assert found(result, "c1").bucket is Bucket.TODAY
    assert found(result, "c2").bucket is Bucket.OVERDUE


def test_timed_callbacks_fall_on_the_local_day_when_summer_time_ends() -> None:
    # Clocks go back at 02:00 BST on Sunday 31 October 2027.
    early = callback(
        "early", D(2027, 10, 31), at=dt.datetime(2027, 10, 30, 23, 30, tzinfo=dt.UTC)
    )  # 00:30 BST
    late = callback(
        "late", D(2027, 10, 31), at=dt.datetime(2027, 10, 31, 1, 30, tzinfo=LONDON, fold=1)
    )  # GMT
    evening = callback("evening", D(2027, 10, 30), at=dt.datetime(2027, 10, 30, 22, 30, tzinfo=dt.UTC))
    result = plan([late, early, evening], today=D(2027, 10, 31))
    assert [(p.item.key, p.bucket, p.day) for p in result.items] == [
        ("evening", Bucket.OVERDUE, D(2027, 10, 30)),  # 23:30 BST on the 30th
        ("early", Bucket.TODAY, D(2027, 10, 31)),
        ("late", Bucket.TODAY, D(2027, 10, 31)),
    ]


def test_timed_callbacks_fall_on_the_local_day_when_summer_time_starts() -> None:
    # Clocks go forward at 01:00 GMT on Sunday 28 March 2027. Today is Saturday 27 March.
    sunday = callback(
        "sunday", D(2027, 3, 28), at=dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    )  # 00:30 GMT
    # 23:30 UTC on 3 April is 00:30 BST on 4 April: eight days ahead, not seven.
    week_on = callback("week_on", D(2027, 4, 4), at=dt.datetime(2027, 4, 3, 23, 30, tzinfo=dt.UTC))
    result = plan([sunday, week_on], today=D(2027, 3, 27))
    assert [(p.item.key, p.bucket, p.day) for p in result.items] == [
        ("sunday", Bucket.NEXT_7_DAYS, D(2027, 3, 28)),
        ("week_on", Bucket.NEXT_30_DAYS, D(2027, 4, 4)),
    ]


# --- consent and channels -------------------------------------------------------------------------


def test_the_channel_is_the_first_consented_one_the_customer_can_be_reached_on() -> None:
    facts = anna(
        consents=consents(Channel.EMAIL, Channel.POST), reachable=frozenset({Channel.SMS, Channel.POST})
    )
    result = plan([item("b", TODAY)], [facts])
    [planned] = result.items
    assert (planned.placement, planned.item.channel, planned.changed) == (
        Placement.QUEUED,
        Channel.POST,
        True,
    )
    assert result.to_save() == [planned.item]


def test_without_consent_an_upcoming_touch_waits_and_a_due_one_is_dropped() -> None:
    facts = anna(consents=consents(withdrawn=(Channel.SMS,)))
    result = plan([item("now", TODAY), item("soon", D(2027, 3, 20))], [facts])
    assert placement(result, "now") == (
        Placement.CANCELLED,
        "Not sent: no consent to contact Anna Smith by email, text message or post.",
    )
    assert found(result, "now").item.status is ItemStatus.CANCELLED
    assert placement(result, "soon") == (
        Placement.HELD,
        "No consent yet to contact Anna Smith by email, text message or post; "
        "it goes ahead if consent is given.",
    )
    # Consent given before the day: it goes ahead.
    later = plan([item("soon", D(2027, 3, 20))], [anna()], today=D(2027, 3, 20))
    assert found(later, "soon").item.channel is Channel.EMAIL


def test_without_contact_details_the_reason_says_so() -> None:
    facts = anna(reachable=frozenset({Channel.PHONE}))
    result = plan([item("now", TODAY), item("soon", D(2027, 3, 20))], [facts])
    assert placement(result, "now") == (
        Placement.CANCELLED,
        "Not sent: Anna Smith has no contact details for email, text message or post.",
    )
    assert placement(result, "soon") == (
        Placement.HELD,
        "Anna Smith has no contact details for email, text message or post yet.",
    )


def test_a_consent_withdrawn_moves_pending_touches_to_a_channel_still_accepted() -> None:
    """Issue 14: withdrawing email no longer silently cancels; the birthday and the follow-up (both
    may go by email, text message or post) move to text message, which Anna still accepts, and say
    so; the article (text message only) is untouched."""
    items = [
        item("birthday", D(2027, 3, 12)),
        item("follow_up", TODAY, TouchKind.PURCHASE_FOLLOW_UP),
        item("article", D(2027, 3, 15), TouchKind.ARTICLE_SHARE, channels=(Channel.SMS,)),
        callback("callback", TODAY),
    ]
    roomy = CareSettings(marketing_cap=5, timezone="Europe/London")
    day_one = plan(items, [anna(consents=consents(Channel.EMAIL, Channel.SMS))], settings=roomy)
    assert [(p.item.key, p.item.channel) for p in day_one.queued()] == [
        ("callback", Channel.PHONE),
        ("follow_up", Channel.EMAIL),
        ("birthday", Channel.EMAIL),
        ("article", Channel.SMS),
    ]
    stored = [p.item for p in day_one.items]
    # Withdrawn in the evening of 3 March (UTC, as stored; London is on UTC then).
    on_3_march = dt.datetime(2027, 3, 3, 19, 45)
    withdrawn = anna(consents=consents(Channel.SMS, withdrawn=(Channel.EMAIL,), withdrawn_at=on_3_march))
    same_day = plan(stored, [withdrawn], settings=roomy)
    moved = "Moved from email to text message: Anna Smith withdrew consent to email on 3 Mar."
    assert placement(same_day, "birthday") == (Placement.QUEUED, moved)
    assert placement(same_day, "follow_up") == (Placement.QUEUED, moved)
    assert found(same_day, "birthday").item.channel is Channel.SMS
    assert [p.item.key for p in same_day.queued()] == ["callback", "follow_up", "birthday", "article"]
    assert {i.key for i in same_day.to_save()} == {"birthday", "follow_up"}  # the new channel is kept
    tomorrow = plan(
        [p.item for p in same_day.items], [withdrawn], today=TODAY + dt.timedelta(days=1), settings=roomy
    )
    assert placement(tomorrow, "birthday") == (Placement.QUEUED, moved)  # and still says why
    assert tomorrow.to_save() == []


def test_a_consent_withdrawn_with_no_other_channel_is_held_with_the_reason_then_goes() -> None:
    """Email only, email withdrawn on 3 March: held under Held with the reason and the day of the
    withdrawal until 30 days after its day (the birthday is due 12 March: shown until 11 April, gone
    from 12 April), then cancelled."""
    stored = [replace(item("birthday", D(2027, 3, 12), channels=(Channel.EMAIL,)), channel=Channel.EMAIL)]
    on_3_march = dt.datetime(2027, 3, 3, 8, 0)
    withdrawn = anna(consents=consents(Channel.SMS, withdrawn=(Channel.EMAIL,), withdrawn_at=on_3_march))
    held = plan(stored, [withdrawn])
    kind, reason = placement(held, "birthday")
    assert kind is Placement.HELD
    assert reason == (
        "Anna Smith withdrew consent to be contacted by email on 3 Mar. It stays here until 11 April 2027, "
        "so you know why it did not go."
    )
    assert found(held, "birthday").held_until == D(2027, 4, 12)
    still = plan(stored, [withdrawn], today=D(2027, 4, 11))
    assert placement(still, "birthday")[0] is Placement.HELD
    gone = plan(stored, [withdrawn], today=D(2027, 4, 12))
    assert placement(gone, "birthday") == (
        Placement.CANCELLED, "Anna Smith withdrew consent to be contacted by email on 3 Mar."
    )  # fmt: skip


def test_a_callback_needs_no_consent() -> None:
    result = plan([callback("cb", TODAY)], [anna(consents=())])
    assert placement(result, "cb") == (Placement.QUEUED, "")


# --- complaints ----------------------------------------------------------------------------------


def test_an_open_complaint_holds_a_birthday_but_not_a_callback_or_a_follow_up() -> None:
    facts = anna(open_complaint=True)
    items = [
        item("birthday", TODAY),
        callback("callback", TODAY),
        item("follow_up", TODAY, TouchKind.PURCHASE_FOLLOW_UP),
    ]
    result = plan(items, [facts])
    assert placement(result, "birthday") == (Placement.HELD, "On hold while Anna Smith's complaint is open.")
    assert placement(result, "callback") == (Placement.QUEUED, "")
    assert placement(result, "follow_up") == (Placement.QUEUED, "")
    # Once the complaint is closed the same stored item goes ahead.
    stored = found(result, "birthday").item
    assert placement(plan([stored], [anna()]), "birthday") == (Placement.QUEUED, "")


# --- the marketing cap ----------------------------------------------------------------------------


def test_the_cap_counts_done_touches_in_the_last_30_days() -> None:
    history = [done_entry(dt.datetime(2027, 2, 20, 10)), done_entry(dt.datetime(2027, 3, 1, 10))]
    result = plan([item("birthday", TODAY), callback("callback", TODAY)], history=history)
    held = found(result, "birthday")
    assert held.placement is Placement.HELD
    # Window for 21 March: 20 Feb to 21 March, still two. For 22 March: 21 Feb on, only one.
    assert held.held_until == D(2027, 3, 22)
    assert held.reason == (
        "Anna Smith has had the shop's limit of 2 touches within 30 days; "
        "this can go ahead from 22 March 2027."
    )
    assert placement(result, "callback") == (Placement.QUEUED, "")
    assert placement(plan([item("birthday", TODAY)], today=D(2027, 3, 22), history=history), "birthday")[
        0
    ] is (Placement.QUEUED)


def test_the_cap_window_is_rolling_not_a_calendar_month() -> None:
    history = [done_entry(dt.datetime(2027, 2, 20, 10)), done_entry(dt.datetime(2027, 3, 1, 10))]
    # Due 25 March: the window 24 February to 25 March holds only 1 March.
    result = plan([item("later", D(2027, 3, 25))], history=history)
    assert placement(result, "later") == (Placement.QUEUED, "")


def test_the_cap_counts_planned_touches_oldest_first_and_ignores_skips_and_callbacks() -> None:
    history = [
        TouchLogEntry(1, "x", TouchKind.BIRTHDAY, TouchOutcome.SKIPPED, "sam", dt.datetime(2027, 3, 5, 9)),
        done_entry(dt.datetime(2027, 3, 6, 9), TouchKind.CALLBACK),
        done_entry(dt.datetime(2027, 3, 6, 9), customer_id=2),
    ]
    items = [item("c", TODAY), item("a", D(2027, 3, 8)), item("b", D(2027, 3, 9))]
    result = plan(items, history=history)
    assert [p.item.key for p in result.queued()] == ["a", "b"]
    held = found(result, "c")
    assert held.placement is Placement.HELD
    # a and b are both planned for today and not done yet: c waits for them. It has no day of its own
    # (9 April, today + 30, would move on with every day a and b stay undone; issue 14).
    assert held.held_until is None
    assert held.reason == (
        "Anna Smith has a touch due now that, with the others, makes the shop's limit of 2 within "
        "30 days; this goes ahead once that one is done, snoozed or skipped."
    )
    # Once a and b are done today, c's free day is fixed: 30 days on from today, 9 April.
    done_today = [*history, done_entry(AT), done_entry(AT)]
    later = plan([items[0]], history=done_today)
    assert found(later, "c").held_until == D(2027, 4, 9)


def test_a_touch_due_now_counts_against_later_touches_beyond_todays_window() -> None:
    # c is due today, a in 20 days, b in 35: b's window (16 March to 14 April) does not reach today,
    # but c, not done yet, will count on the day it is done, which is not known.
    items = [item("c", TODAY), item("a", D(2027, 3, 30)), item("b", D(2027, 4, 14))]
    result = plan(items)
    assert [p.item.key for p in result.queued()] == ["c", "a"]
    held = found(result, "b")
    assert (held.placement, held.held_until) == (Placement.HELD, None)
    assert held.reason.startswith("Anna Smith has a touch due now that, with the others, makes")
    # The same plan on each of the days before b's window reaches today: nothing for a new day to move.
    for days in range(1, 6):
        later = plan(items, today=TODAY + dt.timedelta(days=days))
        assert placement(later, "b") == (held.placement, held.reason)
    # Once c is done (today), b is planned against that day: outside its window, it goes ahead.
    assert placement(plan(items[1:], history=[done_entry(AT)]), "b") == (Placement.QUEUED, "")


def test_a_cap_of_zero_turns_marketing_off_but_not_callbacks() -> None:
    settings = CareSettings(marketing_cap=0, timezone="Europe/London")
    result = plan([item("b", TODAY), callback("cb", TODAY)], settings=settings)
    assert placement(result, "b") == (Placement.HELD, "The shop has marketing touches turned off.")
    assert placement(result, "cb") == (Placement.QUEUED, "")


def test_the_cap_counts_touches_by_local_day() -> None:
    # 23:30 UTC on 9 June 2027 is 00:30 BST on 10 June: inside the window for 9 July (10 June to
    # 9 July), so with the touch on 20 June the cap is reached. Read as a UTC date it would not be.
    summer = [done_entry(dt.datetime(2027, 6, 9, 23, 30)), done_entry(dt.datetime(2027, 6, 20, 10))]
    capped = plan([item("b", D(2027, 7, 9))], today=D(2027, 7, 9), history=summer)
    assert found(capped, "b").held_until == D(2027, 7, 10)
    # In winter London is on UTC: 23:30 on 9 February is 9 February, outside the window for 11 March.
    winter = [done_entry(dt.datetime(2027, 2, 9, 23, 30)), done_entry(dt.datetime(2027, 3, 1, 10))]
    assert placement(plan([item("b", D(2027, 3, 11))], history=winter), "b")[0] is Placement.QUEUED


# --- the daily limit -----------------------------------------------------------------------------


def five_customers() -> list[CustomerFacts]:
    return [anna(id=n) for n in range(1, 6)]


def test_the_daily_limit_carries_the_newest_over_and_they_come_first_tomorrow() -> None:
    settings = CareSettings(daily_limit=3, timezone="Europe/London")
    # Keys sort the other way round from the due days, so only the days can put them in order.
    items = [
        item("a", TODAY, customer_id=5),
        item("b", TODAY, customer_id=4),
        item("c", D(2027, 3, 8), customer_id=3),
        item("e", D(2027, 3, 6), customer_id=1),
        item("d", D(2027, 3, 7), customer_id=2),
        callback("cb", TODAY),
    ]
    today = plan(items, five_customers(), settings=settings)
    assert [p.item.key for p in today.queued()] == ["e", "d", "c", "cb"]
    assert [p.item.key for p in today.carried_over()] == ["a", "b"]
    assert today.carried_over()[0].reason == "Today's list is full (3 touches); this moves to tomorrow."
    # The owner does e and d; tomorrow c, a and b (the oldest) come before the new 0.
    stored = {p.item.key: p.item for p in today.items}
    left = [item("0", D(2027, 3, 11), customer_id=1), stored["c"], stored["a"], stored["b"]]
    tomorrow = plan(left, five_customers(), today=D(2027, 3, 11), settings=settings)
    assert [p.item.key for p in tomorrow.queued()] == ["c", "a", "b"]
    assert [p.item.key for p in tomorrow.carried_over()] == ["0"]


def test_held_and_upcoming_touches_do_not_use_up_the_daily_limit() -> None:
    settings = CareSettings(daily_limit=1, timezone="Europe/London")
    facts = [anna(), anna(id=2, open_complaint=True)]
    items = [item("held", D(2027, 3, 1), customer_id=2), item("due", TODAY), item("soon", D(2027, 3, 12))]
    result = plan(items, facts, settings=settings)
    assert [p.item.key for p in result.queued()] == ["due", "soon"]
    assert result.carried_over() == []


# --- check-ins reset, missing customers, missed touches ---------------------------------------


def test_a_purchase_after_a_check_in_was_generated_cancels_it_and_the_next_counts_from_the_purchase() -> None:
    jo = anna(stage=LoyaltyStage.CLIENT, last_contact=D(2027, 1, 10))
    [touch] = generate_due_touches([jo], default_rules(), [], D(2027, 3, 1), D(2027, 3, 31), set())
    assert (touch.key, touch.due) == ("check_in:1:2027-01-10", D(2027, 3, 11))
    bought = replace(jo, purchases=(Purchase(D(2027, 3, 9), "Lamp", id=5),))
    result = plan([QueueItem(touch)], [bought])
    assert placement(result, touch.key) == (
        Placement.CANCELLED,
        "Anna Smith has been in touch since (on 9 March 2027); the next check-in counts from then.",
    )
    new = generate_due_touches([bought], default_rules(), [], D(2027, 3, 10), D(2027, 5, 31), {touch.key})
    assert [(t.key, t.due) for t in new if t.kind is TouchKind.CHECK_IN] == [
        ("check_in:1:2027-03-09", D(2027, 5, 8))
    ]


def test_an_item_for_a_deleted_customer_is_cancelled() -> None:
    result = plan([item("b", TODAY, customer_id=99)])
    assert placement(result, "b") == (Placement.CANCELLED, "The customer is no longer in the shop's records.")


def test_touches_missed_while_the_app_was_closed_are_overdue() -> None:
    facts = anna(birthday=None, purchases=(Purchase(D(2027, 2, 15), "Tent", id=3),))
    # Last run 1 March; opened again 10 March. The follow-up fell due on 1 March + 0: 15 Feb + 14.
    touches = generate_due_touches([facts], default_rules(), [], D(2027, 3, 1), D(2027, 4, 9), set())
    result = plan([QueueItem(t) for t in touches], [facts])
    assert [(p.item.key, p.bucket, p.placement) for p in result.items] == [
        ("follow_up:3", Bucket.OVERDUE, Placement.QUEUED)
    ]


def test_items_that_are_not_open_are_left_out() -> None:
    finished = replace(item("b", TODAY), status=ItemStatus.DONE)
    assert plan([finished]).items == ()


# --- actions ---------------------------------------------------------------------------------------


def test_snooze_choices() -> None:
    assert [(c.label, c.until) for c in snooze_choices(TODAY)] == [
        ("Tomorrow", D(2027, 3, 11)),
        ("Next week", D(2027, 3, 15)),
        ("In a month", D(2027, 4, 10)),
    ]
    assert [c.until for c in snooze_choices(D(2027, 1, 31))] == [D(2027, 2, 1), D(2027, 2, 1), D(2027, 2, 28)]
    assert snooze_choices(D(2027, 3, 15))[1].until == D(2027, 3, 22)  # a Monday: the Monday after


def test_done_returns_the_item_and_the_contact_to_log() -> None:
    planned = plan([item("b", TODAY)]).items[0].item
    result = done(planned, who="sam", at=AT, note="Sent a card")
    assert (result.item.status, result.item.channel) == (ItemStatus.DONE, Channel.EMAIL)
    assert result.log == TouchLogEntry(
        1, "b", TouchKind.BIRTHDAY, TouchOutcome.DONE, "sam", AT, Channel.EMAIL, "Sent a card"
    )
    assert result.log.is_contact
    assert done(planned, who="sam", at=AT, channel=Channel.POST).item.channel is Channel.POST
    with pytest.raises(ValueError, match="already done"):
        done(result.item, who="sam", at=AT)


def test_a_done_touch_counts_towards_the_cap_from_then_on() -> None:
    first = done(plan([item("a", TODAY)]).items[0].item, who="sam", at=AT).log
    second = done(plan([item("b", TODAY)]).items[0].item, who="sam", at=AT).log
    assert found(plan([item("c", TODAY)], history=[first, second]), "c").placement is Placement.HELD


def test_snooze_moves_the_day_and_the_item_comes_back_overdue_if_missed() -> None:
    result = snooze(item("b", D(2027, 3, 1)), D(2027, 3, 15), today=TODAY, who="sam", at=AT)
    assert (result.item.status, result.item.snoozed_until) == (ItemStatus.OPEN, D(2027, 3, 15))
    assert (result.log.outcome, result.log.note, result.log.is_contact) == (
        TouchOutcome.SNOOZED,
        "until 15 March 2027",
        False,
    )
    snoozed = plan([result.item]).items[0]
    assert (snoozed.bucket, snoozed.day) == (Bucket.NEXT_7_DAYS, D(2027, 3, 15))
    assert plan([result.item], today=D(2027, 3, 16)).items[0].bucket is Bucket.OVERDUE
    with pytest.raises(ValueError, match="after today"):
        snooze(item("b", TODAY), TODAY, today=TODAY, who="sam", at=AT)


def test_skip_needs_a_reason_and_is_logged_but_is_not_a_contact() -> None:
    with pytest.raises(ValueError, match="Say why"):
        skip(item("b", TODAY), "  ", who="sam", at=AT)
    result = skip(item("b", TODAY), " Moved abroad ", who="sam", at=AT)
    assert (result.item.status, result.item.reason) == (ItemStatus.SKIPPED, "Moved abroad")
    assert (result.log.outcome, result.log.note, result.log.is_contact) == (
        TouchOutcome.SKIPPED,
        "Moved abroad",
        False,
    )


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        CareSettings(daily_limit=0)
    with pytest.raises(ValueError):
        CareSettings(marketing_cap=-1)


def test_old_check_ins_never_push_todays_time_bound_touches_past_the_daily_limit() -> None:
    """The demo shop's complaint (issue 14): check-ins overdue since 2022 filled the daily limit, so
    today's purchase follow-ups were "Carried over to tomorrow" while Today read 0.

    Limit 2, worked by hand: due now are two check-ins (due 2 June 2022 and 1 Jan 2023, open-ended,
    rank 2), a purchase follow-up due today and a birthday due yesterday (both time-bound, rank 1),
    and an article due today (rank 2). Kept: the birthday and the follow-up (rank 1, oldest first);
    carried over: the 2022 check-in, the 2023 one, then the article (rank 2, oldest first)."""
    settings = CareSettings(daily_limit=2, timezone="Europe/London")
    yesterday = TODAY - dt.timedelta(days=1)
    items = [
        item("check_in:1", D(2022, 6, 2), TouchKind.CHECK_IN, customer_id=1, deadline=D(2022, 9, 1)),
        item("check_in:2", D(2023, 1, 1), TouchKind.CHECK_IN, customer_id=2, deadline=D(2023, 4, 1)),
        item("follow_up:9", TODAY, TouchKind.PURCHASE_FOLLOW_UP, customer_id=3),
        item("birthday:4", yesterday, TouchKind.BIRTHDAY, customer_id=4),
        item("article:1:5", TODAY, TouchKind.ARTICLE_SHARE, customer_id=5),
    ]
    result = plan(items, five_customers(), settings=settings)
    assert [p.item.key for p in result.queued()] == ["birthday:4", "follow_up:9"]
    assert [p.item.key for p in result.carried_over()] == ["check_in:1", "check_in:2", "article:1:5"]


def test_the_order_within_today_is_callback_then_time_bound_then_open_ended() -> None:
    """No daily limit: Today lists a callback first, then a follow-up and a birthday (time-bound, by
    day then key), then the check-in and the article (open-ended), whatever their keys say."""
    settings = CareSettings(daily_limit=None, timezone="Europe/London")
    items = [
        item("a-check_in", TODAY, TouchKind.CHECK_IN, customer_id=1, deadline=TODAY + dt.timedelta(days=30)),
        item("b-article", TODAY, TouchKind.ARTICLE_SHARE, customer_id=2),
        item("c-birthday", TODAY, TouchKind.BIRTHDAY, customer_id=3),
        item("d-follow_up", TODAY, TouchKind.PURCHASE_FOLLOW_UP, customer_id=4),
        callback("z-callback", TODAY, customer_id=5),
    ]
    result = plan(items, five_customers(), settings=settings)
    assert [p.item.key for p in result.queued()] == [
        "z-callback", "c-birthday", "d-follow_up", "a-check_in", "b-article",
    ]  # fmt: skip
    assert [priority(k) for k in (TouchKind.CALLBACK, TouchKind.FEEDBACK_REQUEST, TouchKind.CHECK_IN)] == [
        0,
        1,
        2,
    ]


def test_a_declined_channel_is_said_as_declined_not_as_never_asked() -> None:
    """An import's explicit "no" is an answer (issue 14): the held touch says Anna declined."""
    upcoming = [item("birthday", D(2027, 3, 20), channels=(Channel.EMAIL,))]
    declined = anna(consents=consents(withdrawn=(Channel.EMAIL,)))
    assert placement(plan(upcoming, [declined]), "birthday") == (
        Placement.HELD,
        "Anna Smith declined to be contacted by email; it goes ahead if they agree and you record it.",
    )
    never = anna(consents=())
    assert placement(plan(upcoming, [never]), "birthday")[1].startswith("No consent yet to contact Anna")


def test_an_overdue_touch_whose_channel_is_withdrawn_is_shown_30_days_from_the_withdrawal() -> None:
    """A check-in overdue since June (its day long past) loses its only channel on 10 March: held with
    the reason until 9 April (30 days from the withdrawal), cancelled from 10 April. The check-in's day
    is in 2026, so the day of the withdrawal says its year."""
    stored = [
        replace(
            item(
                "check_in",
                D(2026, 6, 2),
                TouchKind.CHECK_IN,
                channels=(Channel.EMAIL,),
                deadline=D(2026, 9, 1),
            ),
            channel=Channel.EMAIL,
        )
    ]
    withdrawn_at = dt.datetime(2027, 3, 10, 9, 0)
    facts = anna(consents=(ConsentState(Channel.EMAIL, False, withdrawn_at),))
    held = plan(stored, [facts])
    assert placement(held, "check_in")[0] is Placement.HELD
    assert placement(held, "check_in")[1] == (
        "Anna Smith withdrew consent to be contacted by email on 10 Mar 2027. It stays here until "
        "9 April 2027, so you know why it did not go."
    )
    assert placement(plan(stored, [facts], today=D(2027, 4, 9)), "check_in")[0] is Placement.HELD
    assert placement(plan(stored, [facts], today=D(2027, 4, 10)), "check_in")[0] is Placement.CANCELLED
