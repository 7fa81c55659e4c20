"""Calendar arithmetic for touches: yearly dates, ages, month steps and local days.

Everything here is pure: the dates and moments to work from are passed in, the clock is never
read. A yearly date is a :class:`~careapp.domain.customer.PartialDate`; its year may be unknown,
and it may be 29 February, which other years observe on 28 February or 1 March (a shop setting).

A yearly date whose year is known recurs only *after* that year: the day itself is the original
event (a birth, the first purchase), not an anniversary of it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

from careapp.domain.customer import PartialDate

# Not calendar.month_name: that follows the process locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Feb29Rule(StrEnum):
    """Where a 29 February date is observed in a year that has no 29 February.

    The values are the ones ``ShopSettings.feb29_observed_on`` stores.
    """

    FEB28 = "feb28"
    MAR1 = "mar1"


# The calendar apps the "1 March" rule's calendar events were checked with, and those not checked. The
# settings show both beside the choice; careapp.domain.calendar's docstring says how each was checked
# (a test holds the two to each other). Here, not there, so the welcome need not import icalendar.
MAR1_CHECKED_CLIENTS: tuple[str, ...] = ("Outlook", "Radicale")
MAR1_UNCHECKED_CLIENTS: tuple[str, ...] = ("Google Calendar", "Apple Calendar", "Thunderbird", "Nextcloud")


def is_leap_year(year: int) -> bool:
    """Gregorian rule: every fourth year, except centuries not divisible by 400 (2100 is not leap)."""
    return calendar.isleap(year)


def occurrence_in_year(date: PartialDate, year: int, feb29: Feb29Rule = Feb29Rule.FEB28) -> dt.date:
    """The day ``date`` falls on in ``year`` (whether or not that is an anniversary year)."""
    if date.month == 2 and date.day == 29 and not is_leap_year(year):
        return dt.date(year, 2, 28) if feb29 is Feb29Rule.FEB28 else dt.date(year, 3, 1)
    return dt.date(year, date.month, date.day)


def is_recurrence_year(date: PartialDate, year: int) -> bool:
    """True when ``year`` holds an anniversary: always when the year is unknown, else after it."""
    return date.year is None or year > date.year


def occurrences_between(
    date: PartialDate, start: dt.date, end: dt.date, feb29: Feb29Rule = Feb29Rule.FEB28
) -> list[dt.date]:
    """Every anniversary of ``date`` from ``start`` to ``end``, both included, earliest first."""
    found: list[dt.date] = []
    for year in range(start.year, end.year + 1):
        if not is_recurrence_year(date, year):
            continue
        day = occurrence_in_year(date, year, feb29)
        if start <= day <= end:
            found.append(day)
    return found


def next_occurrence(date: PartialDate, on_or_after: dt.date, feb29: Feb29Rule = Feb29Rule.FEB28) -> dt.date:
    """The first anniversary of ``date`` on or after ``on_or_after``."""
    year = on_or_after.year
    if date.year is not None and year <= date.year:
        year = date.year + 1
    day = occurrence_in_year(date, year, feb29)
    if day < on_or_after:
        day = occurrence_in_year(date, year + 1, feb29)
    return day


def years_on(date: PartialDate, occurrence: dt.date) -> int | None:
    """How many years ``date`` is old on ``occurrence``: the age turned, the anniversary number.

    None when the year is unknown, or when ``occurrence`` is not in a later year.
    """
    if date.year is None or occurrence.year <= date.year:
        return None
    return occurrence.year - date.year


def age_turning(birthday: PartialDate, occurrence: dt.date) -> int | None:
    """The age a customer turns on the birthday ``occurrence``; None when the birth year is unknown."""
    return years_on(birthday, occurrence)


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 January + 1 month: 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    """The first ``weekday`` (Monday 0 .. Sunday 6) strictly after ``day``."""
    ahead = (weekday - day.weekday() - 1) % 7 + 1
    return day + dt.timedelta(days=ahead)


def days_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (end - start).days


def local_date(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The calendar day ``moment`` falls on in ``tz``.

    A naive ``moment`` is read as UTC, the way careapp stores times (see ``careapp.clock``).
    Counting by local calendar day, not by 24-hour steps, keeps daylight-saving changes harmless.
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(tz).date()


def long_date(day: dt.date) -> str:
    """``3 March 2027``: unambiguous in every English-speaking country, and locale-independent."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date, with_year: bool) -> str:
    """``3 Mar``, or ``3 Mar 2027`` with the year: :func:`long_date` where a sentence is short."""
    short = f"{day.day} {_MONTHS[day.month - 1][:3]}"
    return f"{short} {day.year}" if with_year else short
