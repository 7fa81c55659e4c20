"""Phones once: each number shown as typed, its international form in the tooltip and in the tel:
link; a search by digits finds a number whatever way it was typed or stored, valid or not."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from careapp.domain.customer import CustomerDraft
from careapp.domain.phones import make_phone, search_digits, searchable_digits
from careapp.ui.customers.controller import load_customer_file
from careapp.ui.customers.detail import CustomerDetail

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


def add(services: Services, first: str, *phones: str) -> int:
    draft = CustomerDraft(first_name=first, last_name="Test", phones=[make_phone(p, "GB") for p in phones])
    return services.customers.create(draft, "Sam").id


def test_digit_forms_cover_national_and_international_writing() -> None:
    # Not a valid number (the UK's drama range), so no E.164: still found by every writing.
    assert make_phone("+44 7700 900123", "GB").e164 is None
    assert searchable_digits("+44 7700 900123", None) == ["447700900123", "7700900123", "07700900123"]
    assert search_digits("07700 900") == "07700900"
    assert search_digits("+44 7700 900") == "7700900"
    assert search_digits("0044 7700 900") == "7700900"


def test_search_by_digits_matches_whatever_form_was_typed_or_stored(services: Services) -> None:
    drama = add(services, "Ivy", "+44 7700 900123")  # invalid, typed with the country code
    local = add(services, "Lou", "07911 123456")  # valid, typed nationally
    plain = add(services, "Pat", "07700 900456")  # invalid, typed nationally
    search = services.customers.search_ids
    assert search("07700 900") == [drama, plain]
    assert search("07700 900123") == [drama]
    assert search("+44 7700 900") == [drama, plain]
    assert search("+44 7911 123 456") == [local]
    assert search("07911 123456") == [local]
    assert search("447911") == [local]
    assert search("ivy 07700") == [drama]  # a name and a number together still narrow it


def test_the_detail_shows_each_number_once_with_the_international_form_as_tooltip_and_link(
    qtbot: QtBot, services: Services
) -> None:
    customer_id = add(services, "Lou", "07911 123456", "+44 7700 900123")
    detail = CustomerDetail()
    qtbot.addWidget(detail)
    detail.display(load_customer_file(services.customers, customer_id), dt.date(2026, 11, 23))
    label = detail.header.values["phones"]
    assert "+447911123456" not in label.text().replace('"tel:+447911123456"', "")  # not shown twice
    assert '<a href="tel:+447911123456">07911 123456</a>' in label.text()
    assert '<a href="tel:+447700900123">+44 7700 900123</a>' in label.text()  # dialled as typed
    assert label.toolTip() == "International form (used to dial):\n07911 123456: +447911123456"
    assert label.openExternalLinks()
