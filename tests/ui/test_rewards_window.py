"""Rewards in the real window: a sale recorded with Ctrl+P earns the tenth stamp and the customer page
shows the reward; at the next sale one key (F8) uses it, and the ledger says so."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import Offer, OfferKind, RuleKind
from careapp.services.shop.staff import Actor

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow

CATEGORY = "Loyalty coffee"  # a category the demo data never uses, so only these sales count


def _stamp_card_on(services: Services) -> None:
    stored = next(s for s in services.rewards.rules() if s.rule.kind is RuleKind.STAMP)
    rule = replace(
        stored.rule,
        enabled=True,
        every=10,
        category=CATEGORY,
        offer=Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=90),
    )
    services.rewards.save_rule(Actor("Olivia"), replace(stored, rule=rule))


def _sell(qtbot: QtBot, window: MainWindow, item: str, use_reward: bool = False) -> None:
    window.activateWindow()  # back from the last sale's dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.purchase_actions.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.item)
    qtbot.keyClicks(dialog.item, item)
    dialog.category.setCurrentText(CATEGORY)
    qtbot.keyClicks(dialog.amount, "3.20")
    if use_reward:
        offer = dialog.reward_offer
        assert offer is not None
        qtbot.waitUntil(lambda: offer.isVisibleTo(dialog))
        assert "a free coffee" in offer.text()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F8)  # the one key
        assert offer.isChecked()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.purchase_actions.dialog is None)


def test_the_tenth_stamp_shows_on_the_customer_page_and_one_key_redeems_it(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    _stamp_card_on(demo_services)
    panel = window.list_panel
    assert panel.model is not None
    customer_id = panel.model.customer_id(0)
    assert customer_id is not None
    day = demo_services.rewards.today()
    for n in range(9):
        demo_services.purchases.record(customer_id, SaleInput(day, f"Espresso {n}", CATEGORY, "2.80"))
    panel.table.selectRow(0)
    rewards = window.customer_rewards
    rewards.show_customer(customer_id)  # the page shown before the sales were recorded behind its back
    qtbot.waitUntil(lambda: rewards.line.text() == "9 of 10 stamps", timeout=3000)

    _sell(qtbot, window, "Flat white")  # the tenth
    qtbot.waitUntil(lambda: rewards.line.text().startswith("1 reward waiting: a free coffee, earned"))
    assert rewards.line.text().endswith("; 0 of 10 stamps")
    assert rewards.line.isVisibleTo(window.detail)
    assert rewards.model.rowCount() == 1 and rewards.model.lines[0].event == "earned"
    (waiting,) = demo_services.rewards.waiting(customer_id)

    window.show_customer(customer_id)  # the list may have moved on; the till is for this customer
    qtbot.waitUntil(lambda: window.detail.customer is not None and window.detail.customer.id == customer_id)
    _sell(qtbot, window, "Cappuccino", use_reward=True)
    assert "Redeemed a free coffee." in window.message_bar.text.text()
    given = demo_services.rewards.listing(customer_id, "redeemed")
    assert [r.id for r in given] == [waiting.id]
    cappuccino = demo_services.purchases.for_customer(customer_id)[0]
    assert cappuccino.item == "Cappuccino" and given[0].redeemed_purchase_id == cappuccino.id
    qtbot.waitUntil(lambda: rewards.line.text() == "1 of 10 stamps")
    assert [line.event for line in rewards.model.lines] == ["redeemed", "earned"]


def test_the_till_shows_no_offer_without_a_waiting_reward(qtbot: QtBot, window: MainWindow) -> None:
    window.list_panel.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.purchase_actions.dialog
    assert dialog is not None and dialog.reward_offer is not None
    assert not dialog.reward_offer.isVisibleTo(dialog)
    dialog.reject()
