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

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


# Weekday names and the separators around them, in a Qt date format ("dddd, d MMMM yyyy").
_WEEKDAY = re.compile(r"d{3,4}[\s,.]*")
# The year and the separators around it (CJK locales write a year sign after it).
_YEAR = re.compile(r"[\s,./-]*y+[年년]?[\s,./-]*")


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
    date_text = format_date(local.date(), locale)
    return translate("formatting", "{date}, {time}").format(date=date_text, time=time_text)


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
    date_text = format_partial_date(birthday, locale)
    return translate("formatting", "{date} (age {age})").format(date=date_text, age=age)


def stage_name(stage: LoyaltyStage) -> str:
    return {
        LoyaltyStage.SUSPECT: translate("formatting", "Suspect"),
        LoyaltyStage.PROSPECT: translate("formatting", "Prospect"),
        LoyaltyStage.CUSTOMER: translate("formatting", "Customer"),
        LoyaltyStage.CLIENT: translate("formatting", "Client"),
        LoyaltyStage.ADVOCATE: translate("formatting", "Advocate"),
    }[stage]


def stage_meaning(stage: LoyaltyStage) -> str:
    """What a stage of the loyalty ladder means, in a sentence (tool tips and the Overview)."""
    return {
        LoyaltyStage.SUSPECT: translate(
            "formatting", "Suspect: known to the shop, but has shown no interest in buying yet."
        ),
        LoyaltyStage.PROSPECT: translate("formatting", "Prospect: has shown interest, but not bought yet."),
        LoyaltyStage.CUSTOMER: translate("formatting", "Customer: has bought from the shop."),
        LoyaltyStage.CLIENT: translate("formatting", "Client: comes back and buys again; a regular."),
        LoyaltyStage.ADVOCATE: translate("formatting", "Advocate: recommends the shop to others."),
    }[stage]


def stages_glossary() -> str:
    """The loyalty ladder's stages, one line each, from the first step to the top."""
    return "\n".join(stage_meaning(stage) for stage in LoyaltyStage)


def date_title(date: ImportantDate) -> str:
    """ "Customer since", "Anniversary", or the label of a custom date."""
    if date.kind is DateKind.CUSTOMER_SINCE:
        return translate("formatting", "Customer since")
    if date.kind is DateKind.ANNIVERSARY:
        return translate("formatting", "Anniversary")
    return date.label or translate("formatting", "Date")


def channel_name(channel: Channel) -> str:
    return {
        Channel.EMAIL: translate("formatting", "Email"),
        Channel.SMS: translate("formatting", "SMS"),
        Channel.PHONE: translate("formatting", "Phone"),
        Channel.POST: translate("formatting", "Post"),
    }[channel]


def consent_text(state: ConsentState, locale: QLocale | None = None) -> str:
    """ "yes, since 3 March 2025", "withdrawn on 4 May 2025" or "never asked"."""
    if state.granted is None or state.since is None:
        return translate("formatting", "never asked")
    when = format_stored_date(state.since, locale)
    if state.granted:
        return translate("formatting", "yes, since {date}").format(date=when)
    return translate("formatting", "no, withdrawn on {date}").format(date=when)


def counted(count: int, one: str, many: str, locale: QLocale | None = None) -> str:
    """``one`` or ``many`` (each a translated text with ``{count}``), as ``count`` asks: "1 customer",
    "3 customers", never "customer(s)". English, the source language, has no translation file to
    give Qt's %n its plural forms, so both forms are written out."""
    return (one if count == 1 else many).format(count=format_count(count, locale))


def customers_text(count: int, locale: QLocale | None = None) -> str:
    if count == 1:
        return translate("formatting", "1 customer")
    return translate("formatting", "{count} customers").format(count=format_count(count, locale))


def matches_text(matching: int, total: int, locale: QLocale | None = None) -> str:
    return translate("formatting", "{matching} of {total} match").format(
        matching=format_count(matching, locale), total=format_count(total, locale)
    )


def sentence(error: BaseException) -> str:
    """An exception's message as a sentence to show (capital first, full stop last)."""
    text = str(error).strip() or type(error).__name__
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def short_time(value: dt.datetime, locale: QLocale | None = None) -> str:
    """A stored (naive UTC) moment in local time, short: "23/11/2026 09:30" in en_GB."""
    return (locale or QLocale()).toString(local_qdatetime(value), QLocale.FormatType.ShortFormat)


def local_qdatetime(value: dt.datetime) -> QDateTime:
    local = to_local(value)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))


def utc_from_local(value: QDateTime) -> dt.datetime:
    """A local date and time picked in a field, as naive UTC for storage."""
    date, time = value.date(), value.time()
    local = dt.datetime(date.year(), date.month(), date.day(), time.hour(), time.minute(), time.second())
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def duration_text(seconds: int) -> str:
    """ "04:07" for four minutes seven seconds; hours when it gets that long ("1:02:03")."""
    minutes, seconds = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
