"""A small shop for the calendar tests: customers with birthdays, a promised callback, touches due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from careapp.context import Services, calendar_service
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    EmailAddress,
    PartialDate,
    PhoneNumber,
)
from careapp.domain.tickets import Outcome
from careapp.services.calendar.service import CalendarService
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput

TODAY = dt.date(2026, 11, 23)
PHONE = "07700 900123"


@dataclass
class Shop:
    services: Services
    calendar: CalendarService
    ann: int
    bob: int
    cat: int
    callback_contact: int

    def set_birthday(self, customer_id: int, birthday: PartialDate | None) -> None:
        customer = self.services.customers.get(customer_id)
        draft = replace(customer.draft(), birthday=birthday)
        self.services.customers.update(customer_id, draft, customer.version, "test")

    def rename(self, customer_id: int, first: str) -> None:
        customer = self.services.customers.get(customer_id)
        draft = replace(customer.draft(), first_name=first)
        self.services.customers.update(customer_id, draft, customer.version, "test")


@pytest.fixture
def shop(services: Services) -> Shop:
    return make_shop(services)


def make_shop(services: Services) -> Shop:
    """Ann (born 29 Feb 1996, birthday greeting due 23 Nov? no: her touch is a check-in), Bob (birthday
    25 Nov, year unknown, consented: a birthday greeting touch), Cat (a callback promised for 24 Nov
    14:00 UTC)."""
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    services.settings.save_shop(replace(services.settings.shop(), shop_name="Bean There"))
    now = services.clock()

    def customer(first: str, last: str, birthday: PartialDate | None) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            phones=[PhoneNumber(PHONE, "+447700900123")],
            birthday=birthday,
        )
        customer_id = services.customers.create(draft, "test").id
        services.customers.record_consent(customer_id, ConsentEvent(Channel.EMAIL, True, now))
        return customer_id

    ann = customer("Ann", "Evans", PartialDate(2, 29, 1996))
    bob = customer("Bob", "Jones", PartialDate(11, 25))
    cat = customer("Cat", "Smith", None)
    logged = services.tickets.log_contact(
        Actor("Sam"),
        cat,
        ContactInput(
            summary="Grinder noise, secret note",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=dt.datetime(2026, 11, 24, 14, 0),
        ),
    )
    services.touches.refresh(TODAY)
    return Shop(services, calendar_service(services), ann, bob, cat, logged.contact.id)
