"""Customers to export in the tests: accents, commas, newlines, no-year birthdays, consent."""

from __future__ import annotations

import datetime as dt

from careapp.domain.customer import (
    Channel,
    ConsentState,
    Customer,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
)
from careapp.domain.phones import make_phone

UPDATED = dt.datetime(2025, 2, 3, 10, 30, tzinfo=dt.UTC)


def zoe() -> Customer:
    return Customer(
        id=42,
        first_name="Zoë",
        last_name="Ødegård-Østergaard",
        company="Café Ødegård; Søn & Co",
        emails=[EmailAddress("zoe@example.no", "work"), EmailAddress("zoe.private@example.com", "Shop")],
        phones=[make_phone("020 7946 0958", "GB", "mobile"), PhoneNumber("555-0100", None, "")],
        address=PostalAddress("12 High St\nFlat 2", "London", "", "SW1A 1AA", "United Kingdom"),
        birthday=PartialDate(2, 29),
        dates=[
            ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 19, 2010)),
            ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate(3, 1, 2019)),
            ImportantDate(DateKind.CUSTOM, PartialDate(1, 2), "Name day"),
        ],
        tags=["vip", "wedding, 2024"],
        notes="Likes tea, not coffee; allergic to nuts.\nPaid with C:\\voucher \\ cash.",
        loyalty_stage=LoyaltyStage.CLIENT,
        updated_at=UPDATED,
        consents=[
            ConsentState(Channel.EMAIL, True, UPDATED),
            ConsentState(Channel.SMS, False, UPDATED),
        ],
    )


def plain() -> Customer:
    return Customer(
        id=7,
        first_name="Ben",
        last_name="Roe",
        emails=[EmailAddress("ben@example.com")],
        phones=[make_phone("+1 416 555 0100", None)],
        birthday=PartialDate(4, 12, 1985),
    )


def phone_only() -> Customer:
    return Customer(id=8, phones=[make_phone("07911 123456", "GB", "mobile")])
