"""Dates, times, money and counts as the user's locale writes them.

Stored times are naive UTC; everything shown here is converted to local time first. Dates that
have no time of day (purchase dates, birthdays) are shown as they are, never shifted.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime

from careapp.clock import to_local
from careapp.domain.customer import Channel, ConsentState, DateKind, ImportantDate, LoyaltyStage, PartialDate

# Weekday names and the separators around them, in a Qt date format ("dddd, d MMMM yyyy").
_WEEKDAY = re.compile(r"d{3,4}[\s,.]*")
# The year and the separators around it (CJK locales write a year sign after it).
_YEAR = re.compile(r"[\s,./-]*y+[年년]?[\s,./-]*")


def _tr(text: str) -> str:
    return QCoreApplication.translate("formatting", text)


def long_date_format(locale: QLocale, with_year: bool = True) -> str:
    """The locale's long date format without the weekday (and without the year if asked)."""
    pattern = _WEEKDAY.sub("", locale.dateFormat(QLocale.FormatType.LongFormat)).strip(" ,")
    if not with_year:
        pattern = _YEAR.sub(" ", pattern).strip(" ,./-")
    return pattern


def format_date(value: dt.date, locale: QLocale | None = None) -> str:
    """ "12 April 1985" in en_GB, "April 12, 1985" in en_US."""
    locale = locale or QLocale()
    return locale.toString(QDate(value.year, value.month, value.day), long_date_format(locale))


def format_day_month(month: int, day: int, locale: QLocale | None = None) -> str:
    """ "12 April": a date with no year (2000 is a leap year, so 29 February works)."""
    locale = locale or QLocale()
    return locale.toString(QDate(2000, month, day), long_date_format(locale, with_year=False))


def format_partial_date(value: PartialDate, locale: QLocale | None = None) -> str:
    full = value.to_date()
    return format_date(full, locale) if full else format_day_month(value.month, value.day, locale)


def format_stored_time(value: dt.datetime, locale: QLocale | None = None) -> str:
    """A stored (naive UTC) moment as local date and time: "3 March 2026, 14:05"."""
    locale = locale or QLocale()
    local = to_local(value)
    time_text = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return _tr("{date}, {time}").format(date=format_date(local.date(), locale), time=time_text)


def format_stored_date(value: dt.datetime, locale: QLocale | None = None) -> str:
    """The local calendar date of a stored (naive UTC) moment."""
    return format_date(to_local(value).date(), locale)


def to_qdatetime(value: dt.datetime) -> QDateTime:
    local = to_local(value)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))


def format_money(amount: Decimal, locale: QLocale | None = None) -> str:
    return (locale or QLocale()).toCurrencyString(float(amount))


def format_count(count: int, locale: QLocale | None = None) -> str:
    return (locale or QLocale()).toString(count)


def age_on(birthday: PartialDate, today: dt.date) -> int | None:
    """Completed years on ``today``; None when the birth year is unknown.

    A 29 February birthday counts as passed from 1 March in years without one.
    """
    if birthday.year is None:
        return None
    had_birthday = (today.month, today.day) >= (birthday.month, birthday.day)
    return today.year - birthday.year - (0 if had_birthday else 1)


def birthday_text(birthday: PartialDate, today: dt.date, locale: QLocale | None = None) -> str:
    """ "12 April", or "12 April 1985 (age 41)" when the year is known."""
    age = age_on(birthday, today)
    if age is None:
        return format_day_month(birthday.month, birthday.day, locale)
    return _tr("{date} (age {age})").format(date=format_partial_date(birthday, locale), age=age)


def stage_name(stage: LoyaltyStage) -> str:
    return {
        LoyaltyStage.SUSPECT: _tr("Suspect"),
        LoyaltyStage.PROSPECT: _tr("Prospect"),
        LoyaltyStage.CUSTOMER: _tr("Customer"),
        LoyaltyStage.CLIENT: _tr("Client"),
        LoyaltyStage.ADVOCATE: _tr("Advocate"),
    }[stage]


def date_title(date: ImportantDate) -> str:
    """ "Customer since", "Anniversary", or the label of a custom date."""
    if date.kind is DateKind.CUSTOMER_SINCE:
        return _tr("Customer since")
    if date.kind is DateKind.ANNIVERSARY:
        return _tr("Anniversary")
    return date.label or _tr("Date")


def channel_name(channel: Channel) -> str:
    return {
        Channel.EMAIL: _tr("Email"),
        Channel.SMS: _tr("SMS"),
        Channel.PHONE: _tr("Phone"),
        Channel.POST: _tr("Post"),
    }[channel]


def consent_text(state: ConsentState, locale: QLocale | None = None) -> str:
    """ "yes, since 3 March 2025", "withdrawn on 4 May 2025" or "never asked"."""
    if state.granted is None or state.since is None:
        return _tr("never asked")
    when = format_stored_date(state.since, locale)
    if state.granted:
        return _tr("yes, since {date}").format(date=when)
    return _tr("no, withdrawn on {date}").format(date=when)


def customers_text(count: int, locale: QLocale | None = None) -> str:
    if count == 1:
        return _tr("1 customer")
    return _tr("{count} customers").format(count=format_count(count, locale))


def matches_text(matching: int, total: int, locale: QLocale | None = None) -> str:
    return _tr("{matching} of {total} match").format(
        matching=format_count(matching, locale), total=format_count(total, locale)
    )
