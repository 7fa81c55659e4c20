"""First-contact resolution on hand-built ticket histories, with the answers worked out in comments.

Time: ``at(d, h, m, s)`` is day ``d`` counted from 1 March 2026 (day 32 is 1 April, day 51 is
20 April), naive local time. Unless a test says otherwise R (reopen window) = N (repeat window) = 7 days.
The histories are built directly as data (not through the state machine) so each test shows exactly
what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from careapp.domain import fcr as fcr_module
from careapp.domain.fcr import (
    DEFINITIONS,
    FcrResult,
    FcrSettings,
    Rate,
    WindowsHistory,
    WindowsInForce,
    classify,
    fcr_report,
    headline,
    median_duration,
    open_backlog_by_age,
    percentile_duration,
    period_label,
    tickets_behind,
    windows_used,
)
from careapp.domain.tickets import (
    TRANSITIONS,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    StateChange,
    TicketHistory,
    TicketState,
    merge,
    not_resolvable_cause,
    resolve,
)

S = TicketState
PHONE, EMAIL, MESSAGE, WALK_IN = (
    ContactChannel.PHONE,
    ContactChannel.EMAIL,
    ContactChannel.MESSAGE,
    ContactChannel.WALK_IN,
)
DEFAULT = FcrSettings()
MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


def at(day: int, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 1, hour, minute, second) + dt.timedelta(days=day - 1)


LATER = at(90)  # long after every window in these tests: everything is decided


def inbound(when: dt.datetime, staff: str = "ana", channel: ContactChannel = PHONE) -> ContactEvent:
    return ContactEvent(when, channel, Direction.IN, staff)


def outbound(when: dt.datetime, staff: str = "ana", channel: ContactChannel = PHONE) -> ContactEvent:
    return ContactEvent(when, channel, Direction.OUT, staff)


def ticket(
    ticket_id: int,
    opened: dt.datetime,
    contacts: tuple[ContactEvent, ...] = (),
    states: tuple[tuple[dt.datetime, TicketState], ...] = (),
    *,
    customer: int = 1,
    category: str = "printer",
    opened_by: str = "ana",
    merged_into: int | None = None,
    repeat_of: int | None = None,
    not_resolvable: NotResolvableReason | None = None,
    exclusion: Exclusion | None = None,
) -> TicketHistory:
    """A ticket whose state changes are ``states`` in order, each from the state before it."""
    changes, old = [], S.NEW
    for when, new in states:
        changes.append(StateChange(when, "staff", old, new))
        old = new
    return TicketHistory(
        ticket_id,
        customer,
        category,
        opened,
        opened_by,
        contacts=contacts,
        changes=tuple(changes),
        merged_into=merged_into,
        repeat_of=repeat_of,
        not_resolvable_reason=not_resolvable,
        exclusion=exclusion,
    )


def solo(t: TicketHistory, settings: FcrSettings = DEFAULT, as_of: dt.datetime = LATER) -> FcrResult:
    """Classify a ticket that is its customer's only one."""
    return classify(t, [t], settings, as_of)


# A ticket opened by a phone call on 2 March 09:00 and resolved during it at 10:00. Its windows run
# to 9 March 10:00 (R = N = 7 days). Reopen and repeat tests build on it.
RESOLVED_AT = at(2, 10)


def base(*later: tuple[dt.datetime, TicketState], contacts: tuple[ContactEvent, ...] = ()) -> TicketHistory:
    return ticket(10, at(2), (inbound(at(2)), *contacts), ((RESOLVED_AT, S.RESOLVED), *later))


# --- settings and rates ------------------------------------------------------------------------------


def test_settings_default_to_seven_days_and_accept_1_to_30() -> None:
    assert (DEFAULT.reopen_window_days, DEFAULT.repeat_window_days) == (7, 7)
    assert FcrSettings(1, 30).repeat_window_days == 30
    assert FcrSettings(30, 1).reopen_window_days == 30


@pytest.mark.parametrize(
    ("reopen", "repeat", "message"),
    [
        (0, 7, "The reopen window must be from 1 to 30 days, not 0"),
        (31, 7, "The reopen window must be from 1 to 30 days, not 31"),
        (7, 0, "The repeat window must be from 1 to 30 days, not 0"),
        (7, -3, "The repeat window must be from 1 to 30 days, not -3"),
        (7, 31, "The repeat window must be from 1 to 30 days, not 31"),
        (7.5, 7, "The reopen window must be a whole number of days, not 7.5"),
        (True, 7, "The reopen window must be a whole number of days, not True"),
    ],
)
def test_settings_outside_1_to_30_are_refused(reopen: object, repeat: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FcrSettings(reopen, repeat)  # type: ignore[arg-type]


def test_a_rate_keeps_its_parts_and_has_no_value_over_zero() -> None:
    assert Rate(4, 7).value == Fraction(4, 7)
    assert str(Rate(4, 7)) == "4/7 (57%)"
    assert Rate(0, 0).value is None
    assert str(Rate(0, 0)) == "0/0 (n/a)"
    with pytest.raises(ValueError, match="numerator <= denominator"):
        Rate(3, 2)


def test_median_duration_takes_the_mean_of_the_middle_two() -> None:
    assert median_duration([]) is None
    assert median_duration([3 * HOUR, MINUTE, HOUR]) == HOUR
    assert median_duration([4 * HOUR, 0 * HOUR, 5 * MINUTE, 20 * MINUTE]) == dt.timedelta(
        minutes=12, seconds=30
    )


# --- one-touch and gross -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contacts", "one_touch", "gross"),
    [
        # Phone call answered and solved: 0 outbound, nothing inbound after it.
        ((inbound(at(2)),), True, True),
        # Email in, one reply out: 1 outbound -> one-touch; no second inbound -> gross.
        ((inbound(at(2), channel=EMAIL), outbound(at(2, 9, 30), channel=EMAIL)), True, True),
        # Email in, two replies out, the customer never wrote again: 2 outbound -> not one-touch, still gross.
        ((inbound(at(2), channel=EMAIL), outbound(at(2, 9, 20)), outbound(at(2, 9, 40))), False, True),
        # Call in, callback out, customer rings again: 1 outbound -> one-touch; second inbound -> not gross.
        ((inbound(at(2)), outbound(at(2, 9, 20)), inbound(at(2, 9, 50))), True, False),
        # The shop rang first, the customer rang back: an inbound contact after the first -> not gross.
        # (A shop-initiated ticket: this test counts them, see the settings below.)
        ((outbound(at(2)), inbound(at(2, 9, 30))), True, False),
        # Solved on the call; the customer came in two days later (4 March) without the ticket being
        # reopened: after the first resolution only the windows judge, so it counts against nothing.
        ((inbound(at(2)), inbound(at(4), channel=WALK_IN)), True, True),
    ],
)
def test_one_touch_counts_replies_and_gross_looks_for_a_second_inbound_contact(
    contacts: tuple[ContactEvent, ...], one_touch: bool, gross: bool
) -> None:
    counting_shop_initiated = FcrSettings(include_shop_initiated=True)
    result = solo(ticket(1, at(2), contacts, ((RESOLVED_AT, S.RESOLVED),)), counting_shop_initiated)
    assert result.eligible
    assert (result.one_touch, result.gross) == (one_touch, gross)
    # No reopen, no repeat and the windows have passed, so strict follows gross.
    assert result.strict is gross
    assert result.provisional is False


# --- reopen window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reopen_days", "reopened_at", "within"),
    [
        # First resolution 2 March 10:00; with R = 7 the window ends 9 March 10:00:00, included.
        (7, at(2, 12), True),  # same day
        (7, at(9, 10), True),  # day R, same clock time: exactly 7 days -> within
        (7, at(9, 10, 0, 1), False),  # 7 days and 1 second -> outside
        (7, at(9, 15), False),  # day R but later in the day -> outside (not counted by calendar day)
        (7, at(10, 10), False),  # day R+1 -> outside
        (1, at(3, 10), True),  # R = 1: exactly one day
        (1, at(4, 10), False),  # R = 1: day R+1
        (30, at(32, 10), True),  # R = 30: 1 April 10:00 is exactly 30 days after 2 March 10:00
        (30, at(33, 10), False),  # R = 30: day R+1
    ],
)
def test_a_reopen_counts_up_to_exactly_r_days_after_the_first_resolution(
    reopen_days: int, reopened_at: dt.datetime, within: bool
) -> None:
    history = base((reopened_at, S.OPEN), (reopened_at + HOUR, S.RESOLVED))
    result = solo(history, FcrSettings(reopen_window_days=reopen_days))
    assert result.first_resolved_at == RESOLVED_AT  # the second resolution does not move it
    assert result.gross is True  # the staff reopened it; the customer made no new contact
    assert result.reopened_within_window is within
    assert result.strict is (not within)


def test_reopen_from_closed_counts_too() -> None:
    # Resolved 2 March 10:00, closed 3 March, reopened 5 March: within 7 days -> not strict.
    history = base((at(3), S.CLOSED), (at(5), S.WAITING_SUPPLIER))
    result = solo(history)
    assert result.reopened_within_window is True
    assert result.strict is False


# --- repeat window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other", "is_repeat"),
    [
        # Ticket 10 was first resolved 2 March 10:00; with N = 7 a repeat opens by 9 March 10:00:00.
        (ticket(11, at(9, 10)), True),  # same customer and category, exactly 7 days later: within
        (ticket(11, at(9, 10, 0, 1)), False),  # 7 days and 1 second: outside
        (ticket(11, at(10, 10)), False),  # day N+1: outside
        (ticket(11, at(4), category=" Printer"), True),  # categories ignore case and spaces
        (ticket(11, at(4), category="laptop"), False),  # another category, not marked
        (ticket(11, at(4), category="laptop", repeat_of=10), True),  # marked as a repeat of 10
        (ticket(11, at(10, 10), category="laptop", repeat_of=10), False),  # marked, but opened too late
        (ticket(11, at(4), category="laptop", repeat_of=99), False),  # marked as repeat of another one
        (ticket(11, at(4), customer=2), False),  # another customer
        (ticket(11, at(4), exclusion=Exclusion.SPAM), False),  # spam is nobody's repeat
        (ticket(11, at(2, 9, 30)), False),  # opened before 10 was resolved: a duplicate, not a repeat
    ],
)
def test_a_repeat_is_a_later_ticket_of_the_customer_within_n_days(
    other: TicketHistory, is_repeat: bool
) -> None:
    history = base()
    result = classify(history, [history, other], DEFAULT, LATER)
    assert result.repeat_within_window is is_repeat
    assert result.repeat_ticket_ids == ((11,) if is_repeat else ())
    assert result.gross is True
    assert result.strict is (not is_repeat)


def test_the_repeat_window_follows_its_own_setting() -> None:
    # N = 14: a printer ticket opened 16 March 10:00 (exactly 14 days) is a repeat; R stays 7.
    history = base()
    other = ticket(11, at(16, 10))
    result = classify(history, [history, other], FcrSettings(7, 14), LATER)
    assert result.repeat_within_window is True
    assert result.windows_end == at(16, 10)  # the longer of the two windows


# --- exclusions, net base ----------------------------------------------------------------------------


@pytest.mark.parametrize("exclusion", [Exclusion.SPAM, Exclusion.NO_ACTION])
def test_spam_and_no_action_tickets_are_not_eligible(exclusion: Exclusion) -> None:
    result = solo(ticket(1, at(2), (inbound(at(2)),), ((RESOLVED_AT, S.RESOLVED),), exclusion=exclusion))
    assert result.resolved is True
    assert result.eligible is False
    assert result.exclusion is exclusion
    assert (result.one_touch, result.gross, result.net_eligible, result.strict) == (False, False, False, None)


def test_a_merged_away_ticket_is_excluded_and_its_contacts_spoil_the_targets_gross_fcr() -> None:
    # Ticket 1: customer rang 2 March 09:00, still open. Ticket 2: the same customer emailed about the
    # same thing at 09:30, and it was "resolved" at 09:45. The owner merges 2 into 1 at 10:00; ticket 1
    # is resolved at 11:00. Ticket 1 now has two inbound contacts -> not gross, not strict.
    # Ticket 2 is excluded as merged.
    one = ticket(1, at(2), (inbound(at(2)),), ((at(2, 9, 5), S.OPEN),))
    two = ticket(2, at(2, 9, 30), (inbound(at(2, 9, 30), channel=EMAIL),), ((at(2, 9, 45), S.RESOLVED),))
    merged = merge(two, one, "owner", at(2, 10), "same toner problem")
    target = resolve(merged.target, "ana", at(2, 11)).ticket
    both = [target, merged.duplicate]
    first = classify(target, both, DEFAULT, LATER)
    assert (first.eligible, first.one_touch, first.gross, first.strict) == (True, True, False, False)
    away = classify(merged.duplicate, both, DEFAULT, LATER)
    assert away.exclusion is Exclusion.MERGED
    assert away.first_resolved_at == at(2, 9, 45)
    assert away.eligible is False
    # Before the merge, ticket 2 would have counted on its own as a first-contact resolution.
    assert solo(two).gross is True


def test_not_resolvable_at_first_contact_leaves_the_net_base_only() -> None:
    # Walk-in with a broken screen (needs repair), fixed and the customer called when it was ready.
    history = ticket(
        1,
        at(5, 11),
        (
            ContactEvent(
                at(5, 11), WALK_IN, Direction.IN, "bo", Outcome.NEEDS_REPAIR_OR_VISIT, None, "screen"
            ),
            outbound(at(10, 16), "bo"),
        ),
        ((at(5, 11), S.OPEN), (at(10, 16), S.RESOLVED)),
        not_resolvable=NotResolvableReason.REPAIR,
    )
    result = solo(history)
    assert (result.eligible, result.net_eligible) == (True, False)
    assert (result.one_touch, result.gross, result.strict) == (True, True, True)


def test_a_ticket_never_resolved_is_in_no_cohort() -> None:
    result = solo(ticket(1, at(2), (inbound(at(2)),), ((at(2), S.OPEN), (at(3), S.CLOSED))))
    assert result.resolved is False
    assert result.eligible is False
    assert result.exclusion is None


# --- provisional tickets and as_of -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "provisional", "strict"),
    [
        (at(5), True, None),  # 3 days after the resolution: windows open, strict not decided
        (at(9, 9, 59, 59), True, None),  # one second before the windows end (9 March 10:00)
        (at(9, 10), False, True),  # at the end: every event up to and including it is known
    ],
)
def test_a_ticket_is_provisional_until_its_windows_have_passed(
    as_of: dt.datetime, provisional: bool, strict: bool | None
) -> None:
    result = solo(base(), as_of=as_of)
    assert result.windows_end == at(9, 10)
    assert result.gross is True
    assert (result.provisional, result.strict) == (provisional, strict)


def test_a_provisional_ticket_that_already_failed_is_still_undecided() -> None:
    # Reopened 4 March, as of 5 March: the reopen is known, but strict waits for the window to pass
    # so that early failures are not counted before the successes that are still waiting.
    result = solo(base((at(4), S.OPEN)), as_of=at(5))
    assert (result.provisional, result.reopened_within_window, result.strict) == (True, True, None)
    assert solo(base((at(4), S.OPEN)), as_of=at(9, 10)).strict is False


def test_events_after_as_of_are_not_known_yet() -> None:
    # R = N = 1: resolved 2 March 10:00, windows end 3 March 10:00. Reopen at exactly 3 March 10:00.
    one_day = FcrSettings(1, 1)
    history = base((at(3, 10), S.OPEN))
    before = solo(history, one_day, as_of=at(3, 9, 59))
    assert (before.provisional, before.reopened_within_window, before.strict) == (True, False, None)
    at_end = solo(history, one_day, as_of=at(3, 10))
    assert (at_end.provisional, at_end.reopened_within_window, at_end.strict) == (False, True, False)
    # A repeat ticket opened after as_of, and a resolution after as_of, are not known either.
    other = ticket(11, at(2, 12))
    assert classify(history, [history, other], one_day, at(2, 11)).repeat_within_window is False
    assert classify(history, [history, other], one_day, at(2, 12)).repeat_within_window is True
    assert solo(history, as_of=at(2, 9, 59)).resolved is False
    # The customer rings again on 4 March, after the first resolution (2 March 10:00), and the ticket
    # is not reopened: after the first resolution only the windows judge, so gross stays True before
    # and after that contact is known. (It used to turn gross False as of 4 March: issue 17.)
    came_back = base(contacts=(inbound(at(4)),))
    assert solo(came_back, as_of=at(3)).gross is True
    assert solo(came_back, as_of=at(4)).gross is True


# --- the report --------------------------------------------------------------------------------------
#
# Period 1 March - 1 May 2026 (exclusive), as of 20 April 12:00, R = N = 7. Staff is whoever handled
# the first contact. "Decided" means the windows (first resolution + 7 days) ended by 20 April 12:00.
#
#  id cust category staff first resolved what happened                            1T gross base strict
#   1   1  printer  ana   2 Mar 09:15  call in, solved on the call              y   y    y    y
#   2   1  printer  ana  13 Mar 09:00  email, reply, 2nd email, reply           n   n    y    n (repeat #3)
#   3   1  printer  bo   16 Mar 10:05  message, one reply; opened 3d after #2   y   y    y    y
#   4   2  laptop   bo   10 Mar 16:00  walk-in, repair (marked), call out       y   y    n    y
#   5   3  laptop   ana  20 Mar 09:20  email, reply; reopened on day R          y   y    y    n (reopen)
#   6   4  printer  bo    1 Apr 09:00  email, call out; reopened at R + 1 s     y   y    y    y
#   7   5  printer  ana   3 Apr 09:05  spam                                     excluded
#   8   5  laptop   ana   6 Apr 10:10  merged into #9 (its email moved there)   excluded
#   9   5  laptop   bo    6 Apr 11:00  call in, email in (from #8), call out    y   n    y    n
#  10   6  printer  ana  15 Apr 10:30  message, reply; windows end 22 Apr      y   y    y    provisional
#  11   7  laptop   bo   16 Apr 09:05  no action needed                         excluded
#  12  10  printer  ana  28 Feb 23:59  first resolved before the period         not in cohort
#  13   9  printer  ana  never         still open                               not in cohort
#  14  11  laptop   ana  21 Apr 09:00  resolved after as_of                     not in cohort
#
# 1T = one-touch; base = in the net base (eligible and not marked "not resolvable at first contact").
# #5 was reopened 27 Mar 09:20, exactly 7 days after; #6 on 8 Apr 09:00:01, 7 days and 1 second after.
#
# Totals: cohort 11, excluded 3 (spam, merged, no action), eligible 8 (1-6, 9, 10).
#   one-touch 7/8 (all but #2); gross 6/8 (not #2, #9);
#   net base = eligible minus #4 = 7, gross among them 5 (1, 3, 5, 6, 10) -> 5/7;
#   provisional 1 (#10), decided 7; strict 4/7 (1, 3, 4, 6); reopen 1/7 (#5); repeat 1/7 (#2).
# Time to first response (first outbound or live contact - opened), only for tickets whose first
#   contact came by email or message: 2: 4h, 3: 5m, 5: 20m, 6: 16h, 10: 30m (1, 4 and 9 began with a
#   call or a walk-in: answered as they happened) -> sorted 5m 20m 30m 4h 16h -> median 30m.
# Time to resolution, over the eligible tickets whose first contact did not end "resolved now" (here
#   all of them: no contact has that outcome): 1: 15m, 2: 23h, 3: 5m, 4: 5d5h, 5: 20m, 6: 16h, 9: 2h,
#   10: 30m -> sorted 5m 15m 20m 30m 2h 16h 23h 5d5h -> median (30m + 2h) / 2 = 1h15m; the 90th
#   percentile (nearest rank: ceil(0.9 * 8) = the 8th) is 5d5h.

AS_OF = at(51, 12)
START, END = at(1, 0), at(62, 0)  # 1 March 00:00 to 1 May 00:00


def report_tickets() -> list[TicketHistory]:
    email, message = EMAIL, MESSAGE
    return [
        ticket(1, at(2), (inbound(at(2)),), ((at(2, 9, 15), S.RESOLVED),)),
        ticket(
            2,
            at(12, 10),
            (
                inbound(at(12, 10), channel=email),
                outbound(at(12, 14), channel=email),
                inbound(at(13, 8), channel=email),
                outbound(at(13, 9), channel=email),
            ),
            ((at(12, 14), S.WAITING_CUSTOMER), (at(13, 9), S.RESOLVED)),
        ),
        ticket(
            3,
            at(16, 10),
            (inbound(at(16, 10), "bo", message), outbound(at(16, 10, 5), "bo", message)),
            ((at(16, 10, 5), S.RESOLVED),),
            opened_by="bo",
        ),
        ticket(
            4,
            at(5, 11),
            (
                ContactEvent(
                    at(5, 11), WALK_IN, Direction.IN, "bo", Outcome.NEEDS_REPAIR_OR_VISIT, None, "screen"
                ),
                outbound(at(10, 16), "bo"),
            ),
            ((at(5, 11), S.OPEN), (at(10, 16), S.RESOLVED)),
            customer=2,
            category="laptop",
            not_resolvable=NotResolvableReason.REPAIR,
        ),
        ticket(
            5,
            at(20),
            (inbound(at(20), channel=email), outbound(at(20, 9, 20), channel=email)),
            ((at(20, 9, 20), S.RESOLVED), (at(27, 9, 20), S.OPEN), (at(27, 10), S.RESOLVED)),
            customer=3,
            category="laptop",
        ),
        ticket(
            6,
            at(31, 17),
            (inbound(at(31, 17), "bo", email), outbound(at(32, 9), "bo")),
            ((at(32, 9), S.RESOLVED), (at(39, 9, 0, 1), S.OPEN), (at(39, 12), S.RESOLVED)),
            customer=4,
        ),
        ticket(
            7, at(34), (inbound(at(34)),), ((at(34, 9, 5), S.RESOLVED),), customer=5, exclusion=Exclusion.SPAM
        ),
        ticket(
            8,
            at(37, 10),
            (),
            ((at(37, 10, 10), S.RESOLVED), (at(37, 12), S.CLOSED)),
            customer=5,
            category="laptop",
            merged_into=9,
            exclusion=Exclusion.MERGED,
        ),
        ticket(
            9,
            at(37),
            (inbound(at(37), "bo"), inbound(at(37, 10), "ana", email), outbound(at(37, 11), "bo")),
            ((at(37), S.OPEN), (at(37, 11), S.RESOLVED)),
            customer=5,
            category="laptop",
            opened_by="bo",
        ),
        ticket(
            10,
            at(46, 10),
            (inbound(at(46, 10), channel=message), outbound(at(46, 10, 30), channel=message)),
            ((at(46, 10, 30), S.RESOLVED),),
            customer=6,
        ),
        ticket(
            11,
            at(47),
            (inbound(at(47), "bo"),),
            ((at(47, 9, 5), S.RESOLVED),),
            customer=7,
            category="laptop",
            exclusion=Exclusion.NO_ACTION,
        ),
        ticket(
            12,
            at(0, 23),
            (inbound(at(0, 23)),),
            ((at(0, 23, 59), S.RESOLVED), (at(3), S.OPEN), (at(3, 12), S.RESOLVED)),
            customer=10,
        ),
        ticket(13, at(49), (inbound(at(49)),), ((at(49), S.OPEN),), customer=9),
        ticket(14, at(50), (inbound(at(50)),), ((at(52), S.RESOLVED),), customer=11, category="laptop"),
    ]


def test_each_ticket_of_the_report_is_classified_as_worked_out_by_hand() -> None:
    report = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "month")
    got = {
        r.ticket_id: (r.eligible, r.one_touch, r.gross, r.net_eligible, r.strict, r.provisional)
        for r in report.results
    }
    assert got == {
        #    eligible 1-touch gross  net    strict provisional
        1: (True, True, True, True, True, False),
        2: (True, False, False, True, False, False),
        3: (True, True, True, True, True, False),
        4: (True, True, True, False, True, False),
        5: (True, True, True, True, False, False),
        6: (True, True, True, True, True, False),
        7: (False, False, False, False, None, False),
        8: (False, False, False, False, None, False),
        9: (True, True, False, True, False, False),
        10: (True, True, True, True, None, True),
        11: (False, False, False, False, None, False),
    }
    by_id = {r.ticket_id: r for r in report.results}
    assert by_id[2].repeat_ticket_ids == (3,)
    assert by_id[5].reopened_within_window is True
    assert by_id[6].reopened_within_window is False
    assert by_id[9].staff == "bo"  # the first contact's handler, not whoever sent the merged email
    assert by_id[8].staff == "ana"  # no contacts left after the merge: who opened it
    assert [by_id[i].exclusion for i in (7, 8, 11)] == [Exclusion.SPAM, Exclusion.MERGED, Exclusion.NO_ACTION]


def test_report_totals() -> None:
    total = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "month").total
    assert total.key == "total"
    assert (total.cohort, total.excluded, total.eligible) == (11, 3, 8)
    assert total.excluded_by == {Exclusion.SPAM: 1, Exclusion.MERGED: 1, Exclusion.NO_ACTION: 1}
    assert (total.not_resolvable, total.provisional, total.decided) == (1, 1, 7)
    assert total.one_touch == Rate(7, 8)
    assert total.gross == Rate(6, 8)
    assert total.net == Rate(5, 7)
    assert total.strict == Rate(4, 7)
    assert total.reopen == Rate(1, 7)
    assert total.repeat == Rate(1, 7)
    assert total.median_time_to_first_response == 30 * MINUTE
    assert total.median_time_to_resolution == dt.timedelta(hours=1, minutes=15)
    assert total.p90_time_to_resolution == 5 * DAY + 5 * HOUR
    assert total.shop_initiated == 0
    assert total.ticket_ids == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


def test_report_by_month_of_first_resolution() -> None:
    # March: 1-5, all eligible. 1-touch 4/5 (not 2); gross 4/5 (not 2); net base 1, 2, 3, 5 with
    #   gross 1, 3, 5 -> 3/4; all decided: strict 1, 3, 4 -> 3/5; reopen 5 -> 1/5; repeat 2 -> 1/5.
    #   First response (email or message first only) 4h (#2), 5m (#3), 20m (#5) -> median 20m.
    #   Resolution 15m, 23h, 5m, 5d5h, 20m -> 20m.
    # April: 6-11; 7, 8, 11 excluded; eligible 6, 9, 10. 1-touch 3/3; gross 6, 10 -> 2/3; net 2/3;
    #   10 provisional, decided 6, 9: strict 6 -> 1/2; reopen 0/2 (6 reopened after R + 1 s); repeat 0/2.
    #   First response 16h (#6), 30m (#10); #9 began with a call -> (16h + 30m) / 2 = 8h15m.
    #   Resolution 16h, 2h, 30m -> 2h.
    march, april = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "month").rows
    assert (march.key, march.cohort, march.excluded, march.eligible, march.provisional) == (
        "2026-03",
        5,
        0,
        5,
        0,
    )
    assert (march.one_touch, march.gross, march.net, march.strict) == (
        Rate(4, 5),
        Rate(4, 5),
        Rate(3, 4),
        Rate(3, 5),
    )
    assert (march.reopen, march.repeat) == (Rate(1, 5), Rate(1, 5))
    assert (march.median_time_to_first_response, march.median_time_to_resolution) == (
        20 * MINUTE,
        20 * MINUTE,
    )
    assert (april.key, april.cohort, april.excluded, april.eligible, april.provisional) == (
        "2026-04",
        6,
        3,
        3,
        1,
    )
    assert (april.one_touch, april.gross, april.net, april.strict) == (
        Rate(3, 3),
        Rate(2, 3),
        Rate(2, 3),
        Rate(1, 2),
    )
    assert (april.reopen, april.repeat) == (Rate(0, 2), Rate(0, 2))
    assert (april.median_time_to_first_response, april.median_time_to_resolution) == (
        8 * HOUR + 15 * MINUTE,
        2 * HOUR,
    )
    assert april.ticket_ids == (6, 7, 8, 9, 10, 11)


def test_report_by_staff_of_the_first_contact() -> None:
    # ana: 1, 2, 5, 7 (spam), 8 (merged), 10 -> eligible 1, 2, 5, 10. 1-touch 1, 5, 10 -> 3/4;
    #   gross 1, 5, 10 -> 3/4; net 3/4; 10 provisional, decided 1, 2, 5: strict 1 -> 1/3;
    #   reopen 5 -> 1/3; repeat 2 -> 1/3.
    # bo: 3, 4, 6, 9, 11 (no action) -> eligible 3, 4, 6, 9. 1-touch 4/4; gross 3, 4, 6 -> 3/4;
    #   net base 3, 6, 9 (4 is marked) with gross 3, 6 -> 2/3; all decided: strict 3, 4, 6 -> 3/4;
    #   reopen 0/4; repeat 0/4.
    ana, bo = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "staff").rows
    assert (ana.key, ana.cohort, ana.excluded, ana.eligible, ana.provisional, ana.decided) == (
        "ana",
        6,
        2,
        4,
        1,
        3,
    )
    assert (ana.one_touch, ana.gross, ana.net, ana.strict) == (Rate(3, 4), Rate(3, 4), Rate(3, 4), Rate(1, 3))
    assert (ana.reopen, ana.repeat) == (Rate(1, 3), Rate(1, 3))
    assert (bo.key, bo.cohort, bo.excluded, bo.eligible, bo.provisional, bo.decided) == ("bo", 5, 1, 4, 0, 4)
    assert (bo.one_touch, bo.gross, bo.net, bo.strict) == (Rate(4, 4), Rate(3, 4), Rate(2, 3), Rate(3, 4))
    assert (bo.reopen, bo.repeat) == (Rate(0, 4), Rate(0, 4))


def test_report_by_category() -> None:
    # laptop: 4, 5, 8 (merged), 9, 11 (no action) -> eligible 4, 5, 9. 1-touch 3/3; gross 4, 5 -> 2/3;
    #   net base 5, 9 with gross 5 -> 1/2; all decided: strict 4 -> 1/3; reopen 5 -> 1/3; repeat 0/3.
    # printer: 1, 2, 3, 6, 7 (spam), 10 -> eligible 1, 2, 3, 6, 10. 1-touch 4/5 (not 2);
    #   gross 1, 3, 6, 10 -> 4/5; net 4/5; 10 provisional, decided 1, 2, 3, 6: strict 1, 3, 6 -> 3/4;
    #   reopen 0/4; repeat 2 -> 1/4.
    laptop, printer = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "category").rows
    assert (laptop.key, laptop.cohort, laptop.excluded, laptop.eligible, laptop.decided) == (
        "laptop",
        5,
        2,
        3,
        3,
    )
    assert (laptop.one_touch, laptop.gross, laptop.net, laptop.strict) == (
        Rate(3, 3),
        Rate(2, 3),
        Rate(1, 2),
        Rate(1, 3),
    )
    assert (laptop.reopen, laptop.repeat) == (Rate(1, 3), Rate(0, 3))
    assert (printer.key, printer.cohort, printer.excluded, printer.eligible, printer.decided) == (
        "printer",
        6,
        1,
        5,
        4,
    )
    assert (printer.one_touch, printer.gross, printer.net, printer.strict) == (
        Rate(4, 5),
        Rate(4, 5),
        Rate(4, 5),
        Rate(3, 4),
    )
    assert (printer.reopen, printer.repeat) == (Rate(0, 4), Rate(1, 4))


def test_category_groups_ignore_case_and_spacing() -> None:
    tickets = [
        ticket(1, at(2), (inbound(at(2)),), ((at(2, 10), S.RESOLVED),), category="Printer"),
        ticket(2, at(3), (inbound(at(3)),), ((at(3, 10), S.RESOLVED),), customer=2, category=" printer "),
    ]
    (row,) = fcr_report(tickets, DEFAULT, START, END, LATER, "category").rows
    assert (row.key, row.cohort) == ("Printer", 2)


def test_the_cohort_is_first_resolutions_in_the_half_open_period() -> None:
    # Period 2 March 00:00 to 3 March 00:00. Ticket 1 first resolved at exactly the start: in.
    # Ticket 2 resolved at exactly the end: out. Ticket 3 first resolved the day before, reopened and
    # resolved again inside the period: out (only the first resolution counts).
    tickets = [
        ticket(1, at(1), (inbound(at(1)),), ((at(2, 0), S.RESOLVED),)),
        ticket(2, at(1), (inbound(at(1)),), ((at(3, 0), S.RESOLVED),), customer=2),
        ticket(
            3,
            at(1),
            (inbound(at(1)),),
            ((at(1, 10), S.RESOLVED), (at(2, 8), S.OPEN), (at(2, 10), S.RESOLVED)),
            customer=3,
        ),
    ]
    report = fcr_report(tickets, DEFAULT, at(2, 0), at(3, 0), LATER, "month")
    assert report.total.ticket_ids == (1,)


def test_months_without_tickets_still_get_a_row_with_no_rates() -> None:
    # February to May: only March has a ticket.
    tickets = [ticket(1, at(2), (inbound(at(2)),), ((at(2, 10), S.RESOLVED),))]
    rows = fcr_report(tickets, DEFAULT, dt.datetime(2026, 2, 1), dt.datetime(2026, 6, 1), LATER, "month").rows
    assert [(r.key, r.cohort) for r in rows] == [
        ("2026-02", 0),
        ("2026-03", 1),
        ("2026-04", 0),
        ("2026-05", 0),
    ]
    assert rows[0].gross == Rate(0, 0)
    assert rows[0].gross.value is None
    assert rows[0].median_time_to_resolution is None
    assert rows[1].gross.value == 1


def test_report_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        fcr_report([], DEFAULT, END, START, AS_OF)
    with pytest.raises(ValueError, match="not 'week'"):
        fcr_report([], DEFAULT, START, END, AS_OF, "week")  # type: ignore[arg-type]


# --- open backlog ------------------------------------------------------------------------------------


def backlog_tickets() -> list[TicketHistory]:
    # As of 20 March 12:00. Ages are as_of - opened_at; lower bounds included, upper bounds excluded.
    return [
        ticket(1, at(20), states=((at(20), S.OPEN),)),  # 3 h -> under 1 day
        ticket(2, at(19, 12)),  # new, exactly 1 day -> 1-3 days
        ticket(3, at(17, 12, 0, 1), states=((at(18), S.WAITING_SUPPLIER),)),  # 2d 23:59:59 -> 1-3 days
        ticket(4, at(17, 12), states=((at(17, 12), S.OPEN),)),  # exactly 3 days -> 3-7 days
        ticket(5, at(1), states=((at(1), S.OPEN),)),  # 19 d 3 h -> 14-30 days
        ticket(6, at(-20), states=((at(-20), S.WAITING_CUSTOMER),)),  # 8 Feb: 40 d 3 h -> 30+ days
        ticket(7, at(10), states=((at(18), S.RESOLVED),)),  # resolved: not in the backlog
        ticket(8, at(10), states=((at(18), S.RESOLVED), (at(19), S.OPEN))),  # reopened: 10 d 3 h -> 7-14
        ticket(9, at(20), states=((at(20), S.OPEN),), exclusion=Exclusion.SPAM),  # spam: left out
        ticket(10, at(21)),  # opened after as_of: left out
        ticket(11, at(15), states=((at(15), S.OPEN), (at(21), S.RESOLVED))),  # open as of 20 March: 5 d 3 h
    ]


def test_open_backlog_by_age_with_the_default_buckets() -> None:
    buckets = open_backlog_by_age(backlog_tickets(), at(20, 12))
    assert [(b.label, b.ticket_ids) for b in buckets] == [
        ("under 1 day", (1,)),
        ("1-3 days", (2, 3)),
        ("3-7 days", (4, 11)),
        ("7-14 days", (8,)),
        ("14-30 days", (5,)),
        ("30+ days", (6,)),
    ]
    assert sum(b.count for b in buckets) == 8


def test_open_backlog_with_custom_buckets() -> None:
    under_two, rest = open_backlog_by_age(backlog_tickets(), at(20, 12), buckets=(2,))
    assert (under_two.label, under_two.min_days, under_two.max_days, under_two.ticket_ids) == (
        "under 2 days",
        0,
        2,
        (1, 2),
    )
    assert (rest.label, rest.max_days, rest.ticket_ids) == ("2+ days", None, (3, 4, 5, 6, 8, 11))


@pytest.mark.parametrize("buckets", [(), (0, 3), (3, 3), (5, 2)])
def test_backlog_buckets_must_increase_from_above_zero(buckets: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="increasing order"):
        open_backlog_by_age([], at(20), buckets)


# --- issue 17: what happens after the first resolution, shop-initiated tickets, the owner's report ----


def test_a_decided_ticket_stays_decided_when_the_customer_calls_again_later() -> None:
    # The reproduction in issue 17 (R = N = 7): a phone-in "resolved now" on 5 Jan 11:00; its windows
    # end on 12 Jan 11:00. On 18 Jan 10:00 the customer rings on the same ticket ("callback promised",
    # a reopen 13 days after the first resolution: outside R) and at 12:00 the shop rings back
    # ("resolved now"). Gross looks only up to 5 Jan 11:00: one contact -> gross. The reopen is after
    # 12 Jan 11:00 -> no reopen within R. No other ticket -> no repeat. So gross, net and strict FCR,
    # as of 17 Jan and equally as of 20 Jan.
    first = dt.datetime(2026, 1, 5, 11)
    again = dt.datetime(2026, 1, 18, 10)
    history = ticket(
        1,
        first,
        (
            ContactEvent(first, PHONE, Direction.IN, "ana", Outcome.RESOLVED_NOW),
            ContactEvent(again, PHONE, Direction.IN, "ana", Outcome.CALLBACK_PROMISED, again + HOUR),
            ContactEvent(again + 2 * HOUR, PHONE, Direction.OUT, "ana", Outcome.RESOLVED_NOW),
        ),
        ((first, S.RESOLVED), (again, S.OPEN), (again + 2 * HOUR, S.RESOLVED)),
    )
    before = solo(history, as_of=dt.datetime(2026, 1, 17, 12))
    after = solo(history, as_of=dt.datetime(2026, 1, 20, 12))
    for result in (before, after):
        assert (result.gross, result.net_eligible, result.strict) == (True, True, True)
        assert result.reopened_within_window is False
    assert before == after
    report = fcr_report(
        [history], DEFAULT, dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1), dt.datetime(2026, 1, 20, 12)
    )
    assert (report.total.gross, report.total.strict, report.total.reopen) == (
        Rate(1, 1),
        Rate(1, 1),
        Rate(0, 1),
    )


def test_a_thank_you_after_the_resolution_counts_against_nothing() -> None:
    # Solved on the call 2 March 10:00; on 3 March 08:00 the customer emails "thanks, all good" and
    # nobody reopens the ticket. Contacts after the first resolution count only through the windows:
    # no reopen, no repeat -> gross, net and strict FCR.
    history = base(contacts=(inbound(at(3, 8), channel=EMAIL),))
    result = solo(history)
    assert (result.gross, result.net_eligible, result.strict) == (True, True, True)
    assert result.one_touch is True


def test_an_inbound_contact_that_reopens_the_ticket_within_r_is_a_reopen() -> None:
    # Resolved 2 March 10:00; the customer rings on 4 March 09:00 and the call reopens the ticket (the
    # call log moves it to open at the call's time); solved again at 12:00. Gross looks only up to
    # 2 March 10:00 -> gross. The reopen on 4 March is within R (to 9 March 10:00) -> not strict.
    history = base((at(4), S.OPEN), (at(4, 12), S.RESOLVED), contacts=(inbound(at(4)),))
    result = solo(history)
    assert (result.gross, result.reopened_within_window, result.strict) == (True, True, False)


def test_one_touch_and_first_response_look_only_up_to_the_first_resolution() -> None:
    # Email in 2 March 09:00, resolved 10:00 without a reply; the shop sends two courtesy emails on
    # 5 and 6 March. Up to the first resolution: no outbound contact -> one-touch, and no first
    # response to measure (the courtesy emails came after the problem was solved).
    history = ticket(
        1,
        at(2),
        (inbound(at(2), channel=EMAIL), outbound(at(5), channel=EMAIL), outbound(at(6), channel=EMAIL)),
        ((RESOLVED_AT, S.RESOLVED),),
    )
    result = solo(history)
    assert result.one_touch is True
    assert result.time_to_first_response is None


def test_first_response_is_measured_for_email_and_message_only() -> None:
    # A call at 09:00 answered at once: nothing to measure. An email at 09:00 answered at 11:30: 2h30m.
    call = ticket(1, at(2), (inbound(at(2)), outbound(at(2, 9, 30))), ((RESOLVED_AT, S.RESOLVED),))
    email = ticket(
        2,
        at(2),
        (inbound(at(2), channel=EMAIL), outbound(at(2, 11, 30), channel=EMAIL)),
        ((at(3), S.RESOLVED),),
    )
    assert solo(call).time_to_first_response is None
    assert solo(email).time_to_first_response == 2 * HOUR + 30 * MINUTE


def test_resolution_times_leave_out_tickets_solved_in_the_first_contact() -> None:
    # Four eligible tickets in March, each opened 09:00:
    #   1: first call ended "resolved now" at 09:00 -> solved in the first contact, no time counted;
    #   2: resolved 2h later; 3: resolved 1 day later; 4: resolved 3 days later.
    # Resolution times counted: 2h, 1d, 3d -> median 1d; 90th percentile: nearest rank ceil(2.7) = 3rd
    # -> 3d. (Counting ticket 1 too would give a median of (2h + 1d) / 2 = 13h.)
    solved_now = ContactEvent(at(2), PHONE, Direction.IN, "ana", Outcome.RESOLVED_NOW)
    tickets = [
        ticket(1, at(2), (solved_now,), ((at(2), S.RESOLVED),), customer=1),
        ticket(2, at(2), (inbound(at(2)),), ((at(2, 11), S.RESOLVED),), customer=2),
        ticket(3, at(2), (inbound(at(2)),), ((at(3), S.RESOLVED),), customer=3),
        ticket(4, at(2), (inbound(at(2)),), ((at(5), S.RESOLVED),), customer=4),
    ]
    total = fcr_report(tickets, DEFAULT, START, END, LATER).total
    assert total.median_time_to_resolution == DAY
    assert total.p90_time_to_resolution == 3 * DAY
    assert [r.solved_in_first_contact for r in fcr_report(tickets, DEFAULT, START, END, LATER).results] == [
        True,
        False,
        False,
        False,
    ]


def test_percentile_takes_the_nearest_rank() -> None:
    values = [n * MINUTE for n in range(1, 11)]  # 1..10 minutes
    assert percentile_duration(values, 90) == 9 * MINUTE  # ceil(0.9 * 10) = 9th
    assert percentile_duration(values[:1], 90) == MINUTE
    assert percentile_duration([], 90) is None


def test_shop_initiated_tickets_are_counted_apart_and_left_out_by_default() -> None:
    # Customer 1: the shop rang on 2 March 09:00 about an order (first contact outbound, nothing
    # inbound before or with it) and resolved it at 10:00. Customer 2: rang in and was helped on the
    # call. By default ticket 1 is counted as shop-initiated and is in no rate: gross 1/1 (ticket 2).
    # With the setting, ticket 1 counts as well: gross 2/2.
    shop = ticket(1, at(2), (outbound(at(2)),), ((RESOLVED_AT, S.RESOLVED),), customer=1)
    customer = ticket(2, at(2), (inbound(at(2)),), ((RESOLVED_AT, S.RESOLVED),), customer=2)
    default = fcr_report([shop, customer], DEFAULT, START, END, LATER).total
    assert (default.cohort, default.shop_initiated, default.excluded, default.eligible) == (2, 1, 0, 1)
    assert default.gross == Rate(1, 1)
    left_out = solo(shop)
    assert (left_out.shop_initiated, left_out.set_aside, left_out.eligible) == (True, True, False)
    counted = fcr_report([shop, customer], FcrSettings(include_shop_initiated=True), START, END, LATER).total
    assert (counted.shop_initiated, counted.eligible, counted.gross) == (1, 2, Rate(2, 2))
    # The customer rang first and the shop called back: not shop-initiated.
    assert (
        solo(
            ticket(3, at(2), (inbound(at(2)), outbound(at(2, 9, 30))), ((RESOLVED_AT, S.RESOLVED),))
        ).shop_initiated
        is False
    )
    # An inbound contact at the very same time as the shop's first call: not shop-initiated either.
    same_time = ticket(4, at(2), (outbound(at(2)), inbound(at(2))), ((RESOLVED_AT, S.RESOLVED),))
    assert solo(same_time).shop_initiated is False


def test_the_headline_is_one_plain_sentence() -> None:
    # 90 eligible problems in November, 84 solved without the customer coming back (93.3 % -> 93 %),
    # 28 of them still within their 7-day window.
    row = replace(
        fcr_report([], DEFAULT, START, END, LATER).total, eligible=90, gross=Rate(84, 90), provisional=28
    )
    assert headline(row, DEFAULT, "November") == (
        "November: 84 of 90 problems were solved without the customer having to come back (93 %); "
        "28 are still within their 7-day window."
    )
    # The window named is the longer of R and N; nothing provisional -> no second half.
    row = replace(row, provisional=0)
    assert headline(row, FcrSettings(3, 14), "November") == (
        "November: 84 of 90 problems were solved without the customer having to come back (93 %)."
    )
    one = replace(row, eligible=1, gross=Rate(1, 1), provisional=1)
    assert headline(one, FcrSettings(3, 14), "March").endswith(
        "(100 %); 1 is still within their 14-day window."
    )
    assert headline(replace(row, eligible=0, gross=Rate(0, 0)), DEFAULT, "March") == (
        "March: no problem was solved in this period yet."
    )


def test_period_label_names_a_whole_month() -> None:
    assert period_label(dt.date(2025, 11, 1), dt.date(2025, 11, 30), dt.date(2025, 12, 3)) == "November"
    assert period_label(dt.date(2025, 11, 1), dt.date(2025, 11, 30), dt.date(2026, 1, 3)) == "November 2025"
    assert period_label(dt.date(2025, 11, 2), dt.date(2025, 11, 30)) == "2 November 2025 to 30 November 2025"
    assert period_label(dt.date(2025, 11, 1), dt.date(2026, 1, 31)) == "1 November 2025 to 31 January 2026"


def test_the_tickets_behind_a_figure() -> None:
    # From the hand-worked report above (March row): gross is over eligible 1-5 and counts all but 2;
    # net is over 1, 2, 3, 5 (4 is marked not resolvable); reopen over the decided 1-5, counting 5.
    report = fcr_report(report_tickets(), DEFAULT, START, END, AS_OF, "month")
    march, april = report.rows
    gross = tickets_behind(report, march, "gross")
    assert [(b.result.ticket_id, b.counts) for b in gross] == [
        (1, True),
        (2, False),
        (3, True),
        (4, True),
        (5, True),
    ]
    assert [(b.result.ticket_id, b.counts) for b in tickets_behind(report, march, "net")] == [
        (1, True),
        (2, False),
        (3, True),
        (5, True),
    ]
    assert [b.result.ticket_id for b in tickets_behind(report, march, "reopen") if b.counts] == [5]
    # April: excluded 7, 8, 11; provisional 10; strict over the decided 6 and 9, counting 6.
    assert [b.result.ticket_id for b in tickets_behind(report, april, "excluded")] == [7, 8, 11]
    assert [b.result.ticket_id for b in tickets_behind(report, april, "provisional")] == [10]
    assert [(b.result.ticket_id, b.counts) for b in tickets_behind(report, april, "strict")] == [
        (6, True),
        (9, False),
    ]
    assert [b.result.ticket_id for b in tickets_behind(report, report.total, "cohort")] == list(range(1, 12))
    with pytest.raises(ValueError, match="No figure called 'nope'"):
        tickets_behind(report, march, "nope")


def test_every_definition_stands_word_for_word_in_the_module_docstring() -> None:
    doc = " ".join((fcr_module.__doc__ or "").split())
    assert [name for name, _ in DEFINITIONS] == list(fcr_module.DEFINITION_NAMES)
    for name, meaning in DEFINITIONS:
        assert f"{name}: {meaning}" in doc
    meanings = dict(DEFINITIONS)
    assert meanings["By staff"].startswith("grouped by who took the first contact")
    assert "target for an individual" in meanings["By staff"]
    # The old intro contradicted gross FCR ("solved in the contact that opened it"); gross allows a
    # callback to solve it.
    assert "a callback from the shop may solve it" in meanings["Gross"]


# --- the property: a decided ticket never changes ------------------------------------------------------

T0 = dt.datetime(2026, 1, 1)


@st.composite
def histories(draw: st.DrawFn) -> tuple[TicketHistory, list[TicketHistory], FcrSettings]:
    """One ticket with random contacts and legal state changes over about 40 days, plus up to three
    other tickets of the same customer (random category, maybe marked a repeat of it)."""
    opened = T0 + dt.timedelta(hours=draw(st.integers(0, 24 * 10)))
    when, state = opened, S.NEW
    contacts: list[ContactEvent] = []
    changes: list[StateChange] = []
    for _ in range(draw(st.integers(0, 12))):
        when += dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 6)))
        if draw(st.booleans()):
            direction = draw(st.sampled_from([Direction.IN, Direction.OUT]))
            channel = draw(st.sampled_from(list(ContactChannel)))
            contacts.append(ContactEvent(when, channel, direction, draw(st.sampled_from(["ana", "bo"]))))
        else:
            new = draw(st.sampled_from(sorted(TRANSITIONS[state])))
            changes.append(StateChange(when, "staff", state, new))
            state = new
    if draw(st.booleans()) and S.RESOLVED in TRANSITIONS[state]:
        # Half the histories end in a resolution if they can, so that most tickets are eligible.
        changes.append(
            StateChange(when + dt.timedelta(minutes=draw(st.integers(0, 600))), "staff", state, S.RESOLVED)
        )
    main = TicketHistory(1, 1, "printer", opened, "ana", contacts=tuple(contacts), changes=tuple(changes))
    others = [
        TicketHistory(
            2 + index,
            1,
            draw(st.sampled_from(["printer", "laptop"])),
            T0 + dt.timedelta(hours=draw(st.integers(0, 24 * 60))),
            "bo",
            repeat_of=draw(st.sampled_from([None, 1])),
        )
        for index in range(draw(st.integers(0, 3)))
    ]
    settings = FcrSettings(draw(st.integers(1, 30)), draw(st.integers(1, 30)), draw(st.booleans()))
    return main, [main, *others], settings


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 90 * 24 * 3600))
def test_a_decided_classification_never_changes(
    drawn: tuple[TicketHistory, list[TicketHistory], FcrSettings], seconds_later: int
) -> None:
    main, everyone, fcr_settings = drawn
    at_the_end = classify(main, everyone, fcr_settings, T0 + dt.timedelta(days=400))
    assume(at_the_end.eligible)
    decision = at_the_end.windows_end
    assert decision is not None
    decided = classify(main, everyone, fcr_settings, decision)
    assert decided.decided
    later = classify(main, everyone, fcr_settings, decision + dt.timedelta(seconds=seconds_later))
    assert later == decided


# --- windows per ticket: a change of R or N changes only tickets not decided yet -------------------------


def changed(*changes: tuple[dt.datetime, int, int], first: tuple[int, int] = (7, 7)) -> WindowsHistory:
    """Windows ``first`` (R, N) from the start, then (when, R, N) for each change."""
    return WindowsHistory(
        (WindowsInForce(None, *first), *(WindowsInForce(when, r, n) for when, r, n in changes))
    )


def test_a_ticket_is_judged_by_the_windows_in_force_when_it_is_decided() -> None:
    # R = N = 14 until 10 March 09:00, then R = N = 7.
    history = changed((at(10), 7, 7), first=(14, 14))
    shorter = history.entries[1]
    # Resolved 1 March 10:00: by 14 days it would be decided 15 March 10:00, after the change. With 7
    # days it would have been decided on 8 March 10:00, before the change: so it is decided at the
    # change itself, 10 March 09:00, by R = N = 7.
    assert history.judging(at(1, 10)) == (shorter, at(10))
    # Resolved 5 March 10:00: 7 days later (12 March 10:00) is after the change -> decided then, by 7.
    assert history.judging(at(5, 10)) == (shorter, at(12, 10))
    # Resolved 20 February: decided 6 March 10:00 by 14 days, before the change -> judged by 14.
    feb = dt.datetime(2026, 2, 20, 10)
    assert history.judging(feb) == (history.entries[0], at(6, 10))
    # Resolved after the change: judged by 7.
    assert history.judging(at(11)) == (shorter, at(18))


def test_lengthening_the_windows_reaches_only_tickets_not_yet_decided() -> None:
    # R = N = 7 until 5 March 09:00, then 14. Ticket 10 (see base) is resolved 2 March 10:00; with 7
    # days it would be decided 9 March 10:00, after the change: it is judged by 14 and decided on
    # 16 March 10:00. A second ticket of the customer, same category, opened 13 March (11 days after
    # the resolution): a repeat within N = 14.
    history = changed((at(5), 14, 14))
    main, repeat = base(), ticket(11, at(13))
    early = classify(main, [main, repeat], DEFAULT, at(4), history)
    # As of 4 March the change is not known: provisional under 7 days.
    assert (early.provisional, early.windows_end, early.windows) == (True, at(9, 10), history.entries[0])
    result = classify(main, [main, repeat], DEFAULT, LATER, history)
    assert (result.windows_end, result.windows) == (at(16, 10), history.entries[1])
    assert (result.repeat_within_window, result.strict) == (True, False)
    # A ticket resolved 20 February was decided on 27 February by 7 days: a repeat on 5 March (13 days
    # later) is outside its N = 7, and the change on 5 March does not reach it.
    old = ticket(1, dt.datetime(2026, 2, 20, 9), (inbound(dt.datetime(2026, 2, 20, 9)),),
                 ((dt.datetime(2026, 2, 20, 10), S.RESOLVED),))  # fmt: skip
    again = ticket(2, at(5, 12))
    decided = classify(old, [old, again], DEFAULT, LATER, history)
    assert (decided.windows, decided.repeat_within_window, decided.strict) == (
        history.entries[0],
        False,
        True,
    )
    assert decided == classify(old, [old, again], DEFAULT, dt.datetime(2026, 2, 27, 10), history)


FEB_20 = dt.datetime(2026, 2, 20, 9)


def test_the_report_says_which_windows_judged_its_tickets() -> None:
    # R = N = 14 until 10 March 09:00, then 7. Ticket 1 resolved 20 Feb 10:00 -> decided 6 March by
    # 14. Ticket 2 resolved 2 March 10:00 -> by 14 it would run to 16 March; by 7 it ran out on
    # 9 March, so it is decided at the change (10 March 09:00) by 7. Ticket 3, resolved 12 March, is
    # judged by 7. The report for February and March, as of 1 April: 7 days for two tickets, 14 days
    # for the one decided before 10 March.
    history = changed((at(10), 7, 7), first=(14, 14))
    tickets = [
        ticket(1, FEB_20, customer=1, states=((FEB_20 + HOUR, S.RESOLVED),)),
        ticket(2, at(2), customer=2, states=((at(2, 10), S.RESOLVED),)),
        ticket(3, at(12), customer=3, states=((at(12, 10), S.RESOLVED),)),
    ]  # fmt: skip
    settings = FcrSettings(30, 30)  # today's windows: not those in force at as_of, which the report says
    report = fcr_report(tickets, settings, dt.datetime(2026, 2, 1), at(32), at(32), windows=history)
    assert (report.settings.reopen_window_days, report.settings.repeat_window_days) == (7, 7)
    used = [(u.reopen_window_days, u.decided_from, u.decided_before, u.tickets) for u in windows_used(report)]
    assert used == [(7, at(10), None, 2), (14, None, at(10), 1)]  # fmt: skip
    # As of 5 March the change is not known: every ticket is judged by 14 days, the only windows.
    early = fcr_report(tickets[:2], settings, dt.datetime(2026, 2, 1), at(32), at(5), windows=history)
    assert [(u.reopen_window_days, u.decided_before, u.tickets) for u in windows_used(early)] == [
        (14, None, 2)
    ]


def test_a_contact_after_the_first_resolution_does_not_become_the_first_contact() -> None:
    # Opened by ana and resolved on 2 March 10:00 with no contact logged (a note at the counter). On
    # 3 March bo rings the customer (outbound). The first contact up to the resolution: none, so the
    # staff is who opened it (ana) and the shop did not start it; the later call changes neither, as
    # of 3 March or later (found by the property test: the staff moved from ana to bo).
    history = ticket(10, at(2), (outbound(at(3), staff="bo"),), ((RESOLVED_AT, S.RESOLVED),))
    for as_of in (at(2, 12), at(3, 12), LATER):
        result = solo(history, as_of=as_of)
        assert (result.staff, result.shop_initiated, result.eligible) == ("ana", False, True)


def test_a_history_of_the_windows_is_checked() -> None:
    with pytest.raises(ValueError, match="from the start"):
        WindowsHistory((WindowsInForce(at(1), 7, 7),))
    with pytest.raises(ValueError, match="time order"):
        changed((at(5), 7, 7), (at(3), 14, 14))
    assert changed((at(5), 14, 14)).known_at(at(4)) == WindowsHistory.constant(7, 7)
    assert changed((at(5), 14, 14)).in_force_at(at(5)).repeat_window_days == 14


def test_a_change_at_the_moment_a_ticket_is_decided_does_not_reach_it() -> None:
    # R = N = 7, resolved 2 March 10:00: decided at 9 March 10:00. The owner saves R = N = 30 at
    # exactly 9 March 10:00: the ticket's windows had passed as the change was made.
    history = changed((at(9, 10), 30, 30))
    assert history.judging(RESOLVED_AT) == (history.entries[0], at(9, 10))
    # One second earlier, the change reaches it: decided 1 April 10:00 by 30 days.
    sooner = changed((at(9, 9, 59, 59), 30, 30))
    assert sooner.judging(RESOLVED_AT) == (sooner.entries[1], at(32, 10))


@st.composite
def window_changes(draw: st.DrawFn) -> WindowsHistory:
    """R and N from the start, then up to four changes at random moments over about 80 days."""
    days = st.integers(1, 30)
    moments = sorted(draw(st.lists(st.integers(0, 80 * 24 * 60), max_size=4, unique=True)))
    return WindowsHistory(
        (
            WindowsInForce(None, draw(days), draw(days)),
            *(WindowsInForce(T0 + dt.timedelta(minutes=m), draw(days), draw(days)) for m in moments),
        )
    )


@settings(max_examples=300, deadline=None)
@given(histories(), window_changes(), st.integers(0, 90 * 24 * 3600))
def test_a_decided_classification_never_changes_when_the_windows_change(
    drawn: tuple[TicketHistory, list[TicketHistory], FcrSettings], windows: WindowsHistory, seconds_later: int
) -> None:
    # Random tickets and random changes of R and N over time: the classification at the decision
    # (knowing only the changes up to then) is the classification at every later as_of (knowing the
    # later changes too).
    main, everyone, fcr_settings = drawn
    at_the_end = classify(main, everyone, fcr_settings, T0 + dt.timedelta(days=400), windows)
    assume(at_the_end.eligible)
    decision = at_the_end.windows_end
    assert decision is not None and at_the_end.windows is not None
    decided = classify(main, everyone, fcr_settings, decision, windows)
    assert decided.decided
    # The windows that judged it were in force up to its decision (the next change, if any, came at
    # or after it), and their longest span had passed by then.
    judged_by = windows.entries.index(at_the_end.windows)
    assert (at_the_end.windows.since or T0 - DAY) <= decision
    assert judged_by + 1 == len(windows.entries) or decision <= windows.entries[judged_by + 1].since  # type: ignore[operator]
    assert decision >= at_the_end.first_resolved_at + at_the_end.windows.longest_window  # type: ignore[operator]
    later = classify(main, everyone, fcr_settings, decision + dt.timedelta(seconds=seconds_later), windows)
    assert later == decided


@settings(max_examples=300, deadline=None)
@given(histories(), window_changes(), st.integers(0, 80 * 24 * 60), st.integers(1, 30), st.integers(1, 30))
def test_saving_new_windows_leaves_every_decided_ticket_as_it_was(
    drawn: tuple[TicketHistory, list[TicketHistory], FcrSettings],
    windows: WindowsHistory,
    minutes: int,
    reopen: int,
    repeat: int,
) -> None:
    # The owner saves R and N at a random moment after the known changes and after the ticket was
    # decided: it classifies the same at that moment and at any later as_of.
    main, everyone, fcr_settings = drawn
    decision = classify(main, everyone, fcr_settings, T0 + dt.timedelta(days=400), windows).windows_end
    assume(decision is not None)
    assert decision is not None
    saved_at = max(decision, windows.entries[-1].since or T0) + dt.timedelta(minutes=minutes)
    before = classify(main, everyone, fcr_settings, saved_at, windows)
    assert before.decided
    after_saving = WindowsHistory((*windows.entries, WindowsInForce(saved_at, reopen, repeat)))
    for as_of in (saved_at, saved_at + dt.timedelta(days=45)):
        assert classify(main, everyone, fcr_settings, as_of, after_saving) == before


def test_the_call_log_outcome_says_why_a_ticket_was_not_resolvable() -> None:
    assert not_resolvable_cause(Outcome.WAITING_SUPPLIER) is NotResolvableReason.SUPPLIER
    assert not_resolvable_cause(Outcome.NEEDS_REPAIR_OR_VISIT, "seal worn") is NotResolvableReason.REPAIR
    assert (
        not_resolvable_cause(Outcome.NEEDS_REPAIR_OR_VISIT, "Home VISIT booked") is NotResolvableReason.VISIT
    )
    for outcome in (Outcome.RESOLVED_NOW, Outcome.CALLBACK_PROMISED, Outcome.WAITING_CUSTOMER, None):
        assert not_resolvable_cause(outcome) is None


def test_a_result_made_of_its_fields_is_the_result_the_constructor_makes() -> None:
    """``FcrResult.of_fields`` (kept verdicts read in bulk) skips the frozen ``__init__``, not what the
    result is: equal, same hash, every field readable, still frozen."""
    import dataclasses

    from careapp.domain.fcr import FcrResult

    fields = {
        "ticket_id": 7,
        "customer_id": 3,
        "category": "Repair",
        "staff": "Sam",
        "exclusion": None,
        "first_resolved_at": dt.datetime(2026, 3, 1, 10, 0),
        "windows_end": dt.datetime(2026, 3, 15, 10, 0),
        "one_touch": True,
        "gross": True,
        "net_eligible": True,
        "strict": False,
        "provisional": False,
        "reopened_within_window": False,
        "repeat_within_window": True,
        "repeat_ticket_ids": (9,),
        "time_to_first_response": None,
        "time_to_resolution": dt.timedelta(hours=2),
        "shop_initiated": False,
        "set_aside": False,
        "solved_in_first_contact": True,
        "windows": None,
    }
    assert set(fields) == {f.name for f in dataclasses.fields(FcrResult)}
    made = FcrResult.of_fields(dict(fields))
    constructed = FcrResult(**fields)  # type: ignore[arg-type]
    assert made == constructed and hash(made) == hash(constructed)
    assert made.decided and made.repeat_ticket_ids == (9,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.staff = "Ann"  # type: ignore[misc]
