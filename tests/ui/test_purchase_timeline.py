"""A purchase changed or taken away where it is seen: on the customer's timeline, F2 edits it and Del
deletes it, each with Undo in the message bar; the customer's figures follow. Screenshots of the form
and the window: CAREAPP_SHOTS=dir. The care queue's
follow-up for the sale follows an edit and a delete (careapp/services/care/purchase_touches.py)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.touches import TouchKind
from tests.ui.test_purchase_form import _fill_and_send, _select_first_customer

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.customers.purchases import PurchaseView
    from careapp.ui.main_window import MainWindow


def _record_by_ctrl_p(qtbot: QtBot, window: MainWindow, services: Services, customer_id: int) -> PurchaseView:
    before = {p.id for p in services.purchases.for_customer(customer_id)}
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    _fill_and_send(qtbot, window, "Gooseneck kettle", "45")
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)
    [sale] = [p for p in services.purchases.for_customer(customer_id) if p.id not in before]
    return sale


def _follow_ups(window: MainWindow, customer_id: int) -> list[str]:
    """The words of the customer's purchase follow-ups in the care queue as the window shows it."""
    return [
        f"{entry.title} {entry.description}"
        for entry in window.care.queue_page.model.entries()
        if entry.customer_id == customer_id and entry.kind is TouchKind.PURCHASE_FOLLOW_UP
    ]


def _mentions(window: MainWindow, customer_id: int, words: str) -> bool:
    return any(words in text for text in _follow_ups(window, customer_id))


def _choose_on_timeline(qtbot: QtBot, window: MainWindow, purchase_id: int) -> None:
    timeline, model = window.detail.timeline, window.detail.timeline_model
    qtbot.waitUntil(lambda: model.row_of_purchase(purchase_id) is not None)
    row = model.row_of_purchase(purchase_id)
    assert row is not None
    window.activateWindow()  # back in front once the purchase form closed
    qtbot.waitUntil(window.isActiveWindow)
    timeline.setFocus()
    timeline.setCurrentIndex(model.index(row, 0))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is timeline)
    assert timeline.edit_purchase_action.isEnabled() and timeline.delete_purchase_action.isEnabled()


def _purchases_line(window: MainWindow) -> str:
    """The customer page's figures: "12 in all, £1,343.65; last on 3 May 2026"."""
    return window.detail.header.values["purchases"].text()


def _timeline_titles(window: MainWindow) -> list[str]:
    model = window.detail.timeline_model
    return [model.entry(row).title for row in range(model.rowCount())]


def test_a_purchase_is_edited_and_deleted_from_the_timeline_and_the_delete_undone(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id = _select_first_customer(qtbot, window)
    figures_before = _purchases_line(window)
    sale = _record_by_ctrl_p(qtbot, window, demo_services, customer_id)
    qtbot.waitUntil(lambda: _purchases_line(window) != figures_before)
    figures_recorded = _purchases_line(window)

    # F2 on the sale's row opens the form filled with it; the change is saved over it.
    _choose_on_timeline(qtbot, window, sale.id)
    qtbot.keyClick(window.detail.timeline, Qt.Key.Key_F2)
    dialog = window.purchase_actions.dialog
    assert dialog is not None and dialog.isVisible()
    assert (dialog.item.text(), dialog.category.currentText(), dialog.amount.text()) == (
        "Gooseneck kettle",
        "Kettles",
        "45.00",
    )
    assert dialog.reward_offer is None  # a sale already paid for redeems nothing
    if os.environ.get("CAREAPP_SHOTS"):  # look at it: CAREAPP_SHOTS=dir
        dialog.grab().save(str(Path(os.environ["CAREAPP_SHOTS"]) / "purchase-edit.png"))
        window.grab().save(str(Path(os.environ["CAREAPP_SHOTS"]) / "purchase-timeline.png"))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.item)
    dialog.item.selectAll()
    qtbot.keyClicks(dialog.item, "Stagg EKG kettle")
    dialog.quantity.setValue(2)
    dialog.amount.setText("149.90")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)
    [edited] = [p for p in demo_services.purchases.for_customer(customer_id) if p.id == sale.id]
    assert (edited.item, edited.amount, edited.quantity, edited.date) == (
        "Stagg EKG kettle",
        Decimal("149.90"),
        2,
        sale.date,
    )
    assert window.message_bar.text.text() == "Changed the purchase of Stagg EKG kettle."
    qtbot.waitUntil(lambda: "Bought 2 × Stagg EKG kettle" in _timeline_titles(window))
    assert "Bought Gooseneck kettle" not in _timeline_titles(window)
    qtbot.waitUntil(lambda: _purchases_line(window) not in (figures_before, figures_recorded))
    figures_edited = _purchases_line(window)

    # Del on the row deletes it at once; the follow-up for it leaves the queue.
    _choose_on_timeline(qtbot, window, sale.id)
    qtbot.keyClick(window.detail.timeline, Qt.Key.Key_Delete)
    assert sale.id not in {p.id for p in demo_services.purchases.for_customer(customer_id)}
    name = window.detail.customer.display_name() if window.detail.customer else ""
    assert window.message_bar.text.text() == f"Deleted the purchase of Stagg EKG kettle for {name}."
    assert window.message_bar.action.text().replace("&", "") == "Undo"
    qtbot.waitUntil(lambda: "Bought 2 × Stagg EKG kettle" not in _timeline_titles(window))
    qtbot.waitUntil(lambda: _purchases_line(window) == figures_before)

    # Undo in the message bar puts it back, with its id, and the follow-up comes back with it.
    window.message_bar.action.click()
    [back] = [p for p in demo_services.purchases.for_customer(customer_id) if p.id == sale.id]
    assert back == edited
    assert window.message_bar.text.text() == "The purchase of Stagg EKG kettle is back."
    qtbot.waitUntil(lambda: "Bought 2 × Stagg EKG kettle" in _timeline_titles(window))
    qtbot.waitUntil(lambda: _purchases_line(window) == figures_edited)


def test_undo_after_an_edit_puts_the_purchase_back_as_it_was(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id = _select_first_customer(qtbot, window)
    sale = _record_by_ctrl_p(qtbot, window, demo_services, customer_id)
    _choose_on_timeline(qtbot, window, sale.id)
    qtbot.keyClick(window.detail.timeline, Qt.Key.Key_F2)
    dialog = window.purchase_actions.dialog
    assert dialog is not None
    dialog.amount.setText("forty")  # refused: the form stays with what was typed, nothing changes
    dialog.save()
    assert dialog.isVisible() and "not a number" in dialog.error.text()
    assert demo_services.purchases.for_customer(customer_id)[0] == sale
    dialog.amount.setText("39.50")
    dialog.save()
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)
    [changed] = [p for p in demo_services.purchases.for_customer(customer_id) if p.id == sale.id]
    assert changed.amount == Decimal("39.50")
    window.message_bar.action.click()  # Undo
    [restored] = [p for p in demo_services.purchases.for_customer(customer_id) if p.id == sale.id]
    assert (restored.item, restored.category, restored.amount, restored.quantity, restored.date) == (
        sale.item,
        sale.category,
        sale.amount,
        sale.quantity,
        sale.date,
    )


def test_only_a_purchase_row_offers_edit_and_delete(qtbot: QtBot, window: MainWindow) -> None:
    _select_first_customer(qtbot, window)
    timeline, model = window.detail.timeline, window.detail.timeline_model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    other = next(row for row in range(model.rowCount()) if model.purchase(row) is None)
    timeline.setCurrentIndex(model.index(other, 0))
    assert not timeline.edit_purchase_action.isEnabled()
    assert not timeline.delete_purchase_action.isEnabled()
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_F2)
    assert window.purchase_actions.dialog is None


def test_the_queue_follow_up_follows_an_edit_and_a_delete_from_the_timeline(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id = _select_first_customer(qtbot, window)
    sale = _record_by_ctrl_p(qtbot, window, demo_services, customer_id)
    qtbot.waitUntil(lambda: _mentions(window, customer_id, "Gooseneck kettle"), timeout=15_000)
    _choose_on_timeline(qtbot, window, sale.id)
    qtbot.keyClick(window.detail.timeline, Qt.Key.Key_F2)
    dialog = window.purchase_actions.dialog
    assert dialog is not None
    dialog.item.setText("Stagg EKG kettle")
    dialog.save()
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)
    qtbot.waitUntil(lambda: _mentions(window, customer_id, "Stagg EKG kettle"), timeout=5_000)
    _choose_on_timeline(qtbot, window, sale.id)
    qtbot.keyClick(window.detail.timeline, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not _follow_ups(window, customer_id), timeout=5_000)
    window.message_bar.action.click()  # Undo: the sale, and so its follow-up, come back
    qtbot.waitUntil(lambda: _mentions(window, customer_id, "Stagg EKG kettle"), timeout=5_000)
