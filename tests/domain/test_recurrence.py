"""Yearly dates, 29 February, ages, month ends and local days, with dates worked out by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from careapp.domain.customer import PartialDate
from careapp.domain.recurrence import (
    Feb29Rule,
    add_days,
    add_months,
    age_turning,
    days_between,
    is_leap_year,
    local_date,
    long_date,
    next_occurrence,
    next_weekday,
    occurrence_in_year,
    occurrences_between,
)

D = dt.date
LEAP_DAY = PartialDate(2, 29)
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("year", "leap"), [(2024, True), (2027, False), (2028, True), (2100, False), (2000, True), (1900, False)]
)
def test_leap_years_follow_the_gregorian_rule(year: int, leap: bool) -> None:
    assert is_leap_year(year) is leap


@pytest.mark.parametrize(
    ("year", "rule", "expected"),
    [
        (2027, Feb29Rule.FEB28, D(2027, 2, 28)),
        (2027, Feb29Rule.MAR1, D(2027, 3, 1)),
        (2028, Feb29Rule.FEB28, D(2028, 2, 29)),
        (2028, Feb29Rule.MAR1, D(2028, 2, 29)),
        (2100, Feb29Rule.FEB28, D(2100, 2, 28)),
        (2100, Feb29Rule.MAR1, D(2100, 3, 1)),
        (2000, Feb29Rule.MAR1, D(2000, 2, 29)),
    ],
)
def test_29_february_is_observed_by_the_shop_setting_in_other_years(
    year: int, rule: Feb29Rule, expected: dt.date
) -> None:
    assert occurrence_in_year(LEAP_DAY, year, rule) == expected


def test_the_setting_values_match_the_stored_shop_setting() -> None:
    assert Feb29Rule("feb28") is Feb29Rule.FEB28
    assert Feb29Rule("mar1") is Feb29Rule.MAR1


def test_next_occurrence_counts_the_day_itself() -> None:
    assert next_occurrence(LEAP_DAY, D(2027, 2, 28), Feb29Rule.FEB28) == D(2027, 2, 28)
    assert next_occurrence(LEAP_DAY, D(2027, 3, 1), Feb29Rule.FEB28) == D(2028, 2, 29)
    assert next_occurrence(LEAP_DAY, D(2027, 3, 1), Feb29Rule.MAR1) == D(2027, 3, 1)
    assert next_occurrence(PartialDate(12, 31), D(2027, 12, 31)) == D(2027, 12, 31)
    assert next_occurrence(PartialDate(1, 1), D(2027, 12, 31)) == D(2028, 1, 1)


def test_a_date_with_a_known_year_recurs_only_after_that_year() -> None:
    first_visit = PartialDate(5, 12, 2027)
    assert next_occurrence(first_visit, D(2027, 1, 1)) == D(2028, 5, 12)
    assert next_occurrence(first_visit, D(2020, 1, 1)) == D(2028, 5, 12)
    assert occurrences_between(PartialDate(3, 1, 2028), D(2027, 1, 1), D(2030, 12, 31)) == [
        D(2029, 3, 1),
        D(2030, 3, 1),
    ]


def test_occurrences_between_include_both_ends() -> None:
    assert occurrences_between(LEAP_DAY, D(2027, 3, 1), D(2029, 3, 1), Feb29Rule.MAR1) == [
        D(2027, 3, 1),
        D(2028, 2, 29),
        D(2029, 3, 1),
    ]
    assert occurrences_between(LEAP_DAY, D(2027, 3, 1), D(2029, 3, 1), Feb29Rule.FEB28) == [
        D(2028, 2, 29),
        D(2029, 2, 28),
    ]
    assert occurrences_between(LEAP_DAY, D(2027, 3, 1), D(2029, 2, 27), Feb29Rule.FEB28) == [D(2028, 2, 29)]


def test_age_turning_needs_the_birth_year() -> None:
    born_on_leap_day = PartialDate(2, 29, 2000)
    assert age_turning(born_on_leap_day, D(2027, 2, 28)) == 27
    assert age_turning(born_on_leap_day, D(2027, 3, 1)) == 27
    assert age_turning(born_on_leap_day, D(2028, 2, 29)) == 28
    assert age_turning(LEAP_DAY, D(2028, 2, 29)) is None
    assert age_turning(born_on_leap_day, D(2000, 2, 29)) is None


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 3, 31), 1, D(2027, 4, 30)),
        (D(2027, 3, 31), -1, D(2027, 2, 28)),
        (D(2027, 12, 15), 1, D(2028, 1, 15)),
        (D(2027, 1, 31), 13, D(2028, 2, 29)),
        (D(2027, 1, 15), -1, D(2026, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_thirty_days_after_31_january() -> None:
    assert add_days(D(2027, 1, 31), 30) == D(2027, 3, 2)
    assert add_days(D(2028, 1, 31), 30) == D(2028, 3, 1)
    assert days_between(D(2027, 1, 31), D(2027, 3, 2)) == 30
    assert days_between(D(2027, 3, 2), D(2027, 1, 31)) == -30


def test_next_weekday_is_strictly_after() -> None:
    # 10 March 2027 is a Wednesday, 1 March a Monday, 7 March a Sunday.
    assert next_weekday(D(2027, 3, 10), 0) == D(2027, 3, 15)
    assert next_weekday(D(2027, 3, 1), 0) == D(2027, 3, 8)
    assert next_weekday(D(2027, 3, 7), 0) == D(2027, 3, 8)
    assert next_weekday(D(2027, 12, 29), 0) == D(2028, 1, 3)


def test_local_date_follows_the_daylight_saving_offset() -> None:
    # British Summer Time ends at 02:00 BST on Sunday 31 October 2027.
    assert local_date(dt.datetime(2027, 10, 30, 23, 30, tzinfo=dt.UTC), LONDON) == D(2027, 10, 31)
    assert local_date(dt.datetime(2027, 10, 31, 23, 30, tzinfo=dt.UTC), LONDON) == D(2027, 10, 31)
    # In winter London is on UTC, so the same clock time stays on the same day.
    assert local_date(dt.datetime(2027, 1, 10, 23, 30, tzinfo=dt.UTC), LONDON) == D(2027, 1, 10)
    # A naive time is read as UTC, the way careapp stores times.
    assert local_date(dt.datetime(2027, 6, 30, 23, 30), LONDON) == D(2027, 7, 1)


def test_long_dates_do_not_depend_on_the_locale() -> None:
    assert long_date(D(2027, 3, 3)) == "3 March 2027"
    assert long_date(D(2028, 12, 25)) == "25 December 2028"
