"""Ctrl+P on the customer's page: the purchase form, a refused sale keeping what was typed, the
sale on the timeline, Undo, and the follow-up touch it puts in the care queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.touches import TouchKind

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow


def _select_first_customer(qtbot: QtBot, window: MainWindow) -> int:
    panel = window.list_panel
    assert panel.model is not None
    customer_id = panel.model.customer_id(0)
    assert customer_id is not None
    panel.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.customer is not None and window.detail.customer.id == customer_id)
    return customer_id


def _fill_and_send(qtbot: QtBot, window: MainWindow, item: str, amount: str) -> None:
    dialog = window.purchase_actions.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.item)
    dialog.item.setText("")
    qtbot.keyClicks(dialog.item, item)
    dialog.category.setCurrentText("Kettles")
    dialog.amount.setText("")
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_p_records_a_sale_shown_on_the_timeline_and_undone(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id = _select_first_customer(qtbot, window)
    before = demo_services.purchases.for_customer(customer_id)
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.purchase_actions.dialog
    assert dialog is not None and dialog.isVisible()
    # Refused: the reason shows and what was typed stays.
    _fill_and_send(qtbot, window, "Gooseneck kettle", "forty")
    assert dialog.isVisible() and "not a number" in dialog.error.text()
    assert dialog.item.text() == "Gooseneck kettle"
    assert demo_services.purchases.for_customer(customer_id) == before
    dialog.amount.setText("45.00")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)
    after = demo_services.purchases.for_customer(customer_id)
    assert len(after) == len(before) + 1
    sale = next(p for p in after if p not in before)
    assert (sale.item, sale.category, str(sale.amount), sale.quantity) == (
        "Gooseneck kettle",
        "Kettles",
        "45.00",
        1,
    )
    assert "Recorded Gooseneck kettle" in window.message_bar.text.text()
    qtbot.waitUntil(
        lambda: any(
            entry.title == "Bought Gooseneck kettle"
            for entry in demo_services.customers.timeline(customer_id)
        )
    )
    window.message_bar.action.click()  # Undo
    assert demo_services.purchases.for_customer(customer_id) == before


def test_a_sale_recorded_with_ctrl_p_puts_a_follow_up_in_the_queue(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id = _select_first_customer(qtbot, window)
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    _fill_and_send(qtbot, window, "Gooseneck kettle", "45")
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)

    def follow_up_queued() -> bool:
        return any(
            entry.customer_id == customer_id
            and entry.kind is TouchKind.PURCHASE_FOLLOW_UP
            and "kettle" in f"{entry.title} {entry.description}".lower()
            for entry in window.care.queue_page.model.entries()
        )

    qtbot.waitUntil(follow_up_queued, timeout=15_000)
