"""A customer's tickets in a tab beside their timeline, opened with Enter, refreshed after a change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from careapp.domain.tickets import Outcome
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, NewTicket

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow


def test_the_customer_page_lists_their_tickets(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    customer = window.detail.customer
    assert customer is not None
    history = window.detail.history
    tabs = [history.tabText(i) for i in range(history.count())]
    assert tabs == ["Timeline", "Tickets", "Feedback", "Value", "Rewards"]  # issues 21 and 22
    logged = demo_services.tickets.log_contact(
        Actor("Sam"),
        customer.id,
        ContactInput(new_ticket=NewTicket("Grinder", "Grinder rattles"), outcome=Outcome.WAITING_SUPPLIER),
    )
    assert logged.ticket is not None
    window.list_panel.refresh()
    window.customer_tickets.refresh()
    qtbot.waitUntil(lambda: history.tabText(1) == "Tickets (1)")
    history.setCurrentIndex(1)
    tickets = window.customer_tickets
    assert tickets.model.text(0, 2) == "Grinder rattles" and tickets.model.text(0, 4) == "Waiting on supplier"
    tickets.table.setFocus()
    qtbot.keyClick(tickets.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: logged.ticket is not None and logged.ticket.id in window.ticket_windows.open_dialogs
    )
    dialog = window.ticket_windows.open_dialogs[logged.ticket.id]
    qtbot.waitUntil(lambda: dialog.page is not None)
    dialog.buttons["resolve"].click()
    qtbot.waitUntil(lambda: tickets.model.text(0, 4) == "Resolved")  # the list follows the change
    dialog.close()


def test_tab_walks_the_tickets_tab_in_reading_order(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    from tests.ui.tab_walk import tab_through

    qtbot.waitUntil(lambda: window.detail.customer is not None)
    customer = window.detail.customer
    assert customer is not None
    demo_services.tickets.log_contact(
        Actor("Sam"),
        customer.id,
        ContactInput(new_ticket=NewTicket("Order"), outcome=Outcome.WAITING_CUSTOMER),
    )
    window.customer_tickets.refresh()
    qtbot.waitUntil(lambda: window.customer_tickets.model.rowCount() == 1)
    window.detail.history.setCurrentIndex(1)
    reached = tab_through(qtbot, window.list_panel.table)
    tickets = window.customer_tickets
    landmarks = [window.list_panel.table, tickets.table, tickets.open_button, window.detail.history.tabBar()]
    order = [reached.index(w) for w in landmarks]
    assert order == sorted(order)
