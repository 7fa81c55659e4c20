"""Locale-aware dates, ages, money and counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale

from careapp.domain.customer import Channel, ConsentState, PartialDate
from careapp.ui.formatting import (
    age_on,
    birthday_text,
    consent_text,
    customers_text,
    format_money,
    long_date_format,
    matches_text,
)

TODAY = dt.date(2026, 11, 23)


def test_birthday_without_year_is_day_and_month() -> None:
    assert birthday_text(PartialDate(4, 12), TODAY) == "12 April"


def test_birthday_with_year_shows_age() -> None:
    assert birthday_text(PartialDate(4, 12, 1985), TODAY) == "12 April 1985 (age 41)"


def test_29_february_without_a_year_is_shown() -> None:
    assert birthday_text(PartialDate(2, 29), TODAY) == "29 February"


@pytest.mark.parametrize(
    ("birthday", "today", "age"),
    [
        (PartialDate(11, 23, 1980), dt.date(2026, 11, 23), 46),  # on the day
        (PartialDate(11, 24, 1980), dt.date(2026, 11, 23), 45),  # the day before
        (PartialDate(2, 29, 2000), dt.date(2025, 2, 28), 24),  # leapling, non-leap year: not yet
        (PartialDate(2, 29, 2000), dt.date(2025, 3, 1), 25),
        (PartialDate(2, 29, 2000), dt.date(2024, 2, 29), 24),
    ],
)
def test_age_on(birthday: PartialDate, today: dt.date, age: int) -> None:
    assert age_on(birthday, today) == age


def test_age_is_unknown_without_a_year() -> None:
    assert age_on(PartialDate(3, 1), TODAY) is None


def test_american_order_follows_the_locale() -> None:
    us = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert long_date_format(us, with_year=False) == "MMMM d"
    assert birthday_text(PartialDate(4, 12, 1985), TODAY, us) == "April 12, 1985 (age 41)"


def test_german_date_has_no_weekday() -> None:
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert birthday_text(PartialDate(4, 12), TODAY, german) == "12. April"


def test_money_and_counts_use_the_locale() -> None:
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert customers_text(1234) == "1,234 customers"
    assert customers_text(1) == "1 customer"
    assert matches_text(12, 1234) == "12 of 1,234 match"


def test_consent_text() -> None:
    since = dt.datetime(2025, 3, 3, 12, 0)
    assert consent_text(ConsentState(Channel.EMAIL, None)) == "never asked"
    assert consent_text(ConsentState(Channel.EMAIL, True, since)).startswith("yes, since ")
    assert consent_text(ConsentState(Channel.SMS, False, since)).startswith("no, withdrawn on ")
