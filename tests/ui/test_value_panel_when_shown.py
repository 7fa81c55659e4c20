"""The window's Value tab reads a customer's value only when it is on the screen: at start the list's
first customer is picked while the Care queue page is shown, and that first read makes the shop's scale
(a pass over every purchase)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

from careapp.domain.customer import CustomerDraft, Purchase
from careapp.ui.value.public import CustomerValuePanel

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.runner import SyncRunner


def test_a_customer_picked_while_the_tab_is_hidden_is_read_when_it_shows(
    qtbot: QtBot, services: Services, sync_runner: SyncRunner, monkeypatch: object
) -> None:
    ann = services.customers.create(CustomerDraft(first_name="Ann"), "test").id
    bob = services.customers.create(CustomerDraft(first_name="Bob"), "test").id
    services.customers.add_purchase(ann, Purchase(dt.date(2026, 1, 5), "tea", "tea", Decimal("10.00")))
    asked: list[int] = []
    real = services.value.customer_value

    def counted(customer_id: int):  # type: ignore[no-untyped-def]
        asked.append(customer_id)
        return real(customer_id)

    services.value.customer_value = counted  # type: ignore[method-assign]
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "Timeline")
    panel = CustomerValuePanel(sync_runner, when_shown=True)
    tabs.addTab(panel, "Value")
    panel.attach(services)
    tabs.show()
    qtbot.waitExposed(tabs)

    panel.show_customer(bob)
    panel.show_customer(ann)
    assert asked == []  # hidden: nothing read
    assert all(label.text() == "" for label in panel.labels.values())
    tabs.setCurrentWidget(panel)
    assert asked == [ann]  # shown: the customer picked last, once
    assert panel.labels["spent"].text() == "£10.00"

    panel.show_customer(bob)  # on the screen: read at once
    assert asked == [ann, bob]
    assert panel.labels["orders"].text() == "0"
    tabs.setCurrentIndex(0)
    panel.show_customer(ann)
    assert panel.labels["spent"].text() == ""  # not Bob's figures under Ann's name
    tabs.setCurrentWidget(panel)
    assert asked == [ann, bob, ann]
    assert panel.labels["spent"].text() == "£10.00"


def test_without_when_shown_a_hidden_panel_reads_at_once(
    qtbot: QtBot, services: Services, sync_runner: SyncRunner
) -> None:
    ann = services.customers.create(CustomerDraft(first_name="Ann"), "test").id
    panel = CustomerValuePanel(sync_runner)
    qtbot.addWidget(panel)
    panel.attach(services)
    panel.show_customer(ann)
    assert panel.labels["orders"].text() == "0"
