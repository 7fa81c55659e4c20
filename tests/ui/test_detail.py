"""The detail page and its timeline model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    EmailAddress,
    PartialDate,
    Purchase,
    TimelineEntry,
)
from careapp.ui.customers.controller import load_customer_file
from careapp.ui.customers.detail import CustomerDetail
from careapp.ui.customers.timeline_model import TimelineModel

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

TODAY = dt.date(2026, 11, 23)


def _ann(services: Services) -> int:
    draft = CustomerDraft(
        first_name="Ann",
        last_name="Evans",
        emails=[EmailAddress("ann@example.com", "home")],
        birthday=PartialDate(4, 12, 1985),
        tags=["coffee"],
        notes="Allergic to nuts.",
    )
    customer_id = services.customers.create(draft, "Sam").id
    services.customers.add_purchase(
        customer_id, Purchase(dt.date(2026, 3, 3), "AeroPress", "coffee", Decimal("29.5"))
    )
    services.customers.add_note(customer_id, "Moving house in spring.", "Jo")
    services.customers.record_consent(
        customer_id, ConsentEvent(Channel.EMAIL, True, dt.datetime(2025, 3, 3, 10, 0), "web form", "Sam")
    )
    return customer_id


def test_timeline_model_passes_the_model_tester(qtmodeltester: Any, services: Services) -> None:
    model = TimelineModel()
    model.set_entries(services.customers.timeline(_ann(services)))
    qtmodeltester.check(model)


def test_timeline_roles_newest_first(services: Services) -> None:
    model = TimelineModel()
    model.set_entries(services.customers.timeline(_ann(services)))
    kinds = [model.data(model.index(row, 0), TimelineModel.KindRole) for row in range(model.rowCount())]
    assert sorted(kinds) == ["consent", "created", "note", "purchase"]
    times = [model.data(model.index(row, 0), TimelineModel.WhenRole) for row in range(model.rowCount())]
    assert times == sorted(times, reverse=True)


def test_a_purchase_date_is_not_shifted_by_the_time_zone() -> None:
    model = TimelineModel()
    model.set_entries(
        [TimelineEntry(dt.datetime(2026, 3, 3), "purchase", "Bought AeroPress", "coffee · 29.50")]
    )
    index = model.index(0, 0)
    assert model.data(index, TimelineModel.WhenTextRole) == "3 March 2026"
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "Bought AeroPress"
    assert model.data(index, TimelineModel.DetailRole) == "coffee · 29.50"


def test_detail_shows_birthday_with_age_consent_and_purchases(qtbot: QtBot, services: Services) -> None:
    detail = CustomerDetail()
    qtbot.addWidget(detail)
    detail.display(load_customer_file(services.customers, _ann(services)), TODAY)
    values = detail.header.values
    assert detail.header.name.text() == "Ann Evans"
    assert values["birthday"].text() == "12 April 1985 (age 41)"
    assert values["consent"].text().splitlines()[0] == "Email: yes, since 3 March 2025"
    assert "Phone: never asked" in values["consent"].text()
    assert values["purchases"].text() == "1 in all, £29.50; last on 3 March 2026"
    assert values["notes"].text() == "Allergic to nuts."
    assert values["tags"].text() == "#coffee"
    assert detail.timeline_model.rowCount() == 4
    assert detail.header.form.isRowVisible(values["phones"]) is False  # no phone: row hidden


def test_detail_without_a_customer_says_what_to_do(qtbot: QtBot) -> None:
    detail = CustomerDetail()
    qtbot.addWidget(detail)
    assert detail.currentWidget() is detail.message
    assert "Select a customer" in detail.message.text()
