"""Recording a sale from the customer's page (Ctrl+P): date, item, category, amount, quantity.

The dialog saves through the runner and stays open with everything typed when the sale is refused
(the reason under the form); ``PurchaseActions`` opens it and offers Undo once it is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.clock import to_local
from careapp.domain.purchases import MAX_QUANTITY, SaleInput
from careapp.ui.formatting import sentence
from careapp.ui.rewards.public import RedeemOffer
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.customers.purchases import PurchaseView
    from careapp.services.shop.staff import Actor


class PurchaseDialog(QDialog):
    """One sale for one customer; ``saved(PurchaseView)`` once the database has it."""

    saved = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        customer_id: int,
        customer_name: str,
        parent: QWidget | None = None,
        actor: Callable[[], Actor] | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._customer_id = services, runner, customer_id
        self.setWindowTitle(self.tr("Record a purchase for {name}").format(name=customer_name))
        self.setMinimumWidth(380)  # the examples in the empty fields are read whole
        today = to_local(services.clock()).date()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.item = QLineEdit()
        self.item.setPlaceholderText(self.tr("e.g. Ethiopia Yirgacheffe 250 g"))
        self.category = QComboBox()
        self.category.setEditable(True)  # completed from the shop's categories, or a new one
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.category.setCurrentText("")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("total paid, e.g. 12.50"))
        self.quantity = QSpinBox()
        self.quantity.setRange(1, MAX_QUANTITY)
        self.error = ErrorLabel(self.tr("Why the purchase was not saved"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(
            self.tr("Save the purchase (Ctrl+Enter)")
        )
        form = QFormLayout()
        form.addRow(self.tr("&Date:"), self.date)
        form.addRow(self.tr("&Item:"), self.item)
        form.addRow(self.tr("&Category:"), self.category)
        form.addRow(self.tr("&Amount:"), self.amount)
        form.addRow(self.tr("&Quantity:"), self.quantity)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        # A waiting reward, used with this sale in one key (F8); hidden when there is none.
        self.reward_offer = RedeemOffer(services, runner, customer_id, actor) if actor is not None else None
        if self.reward_offer is not None:
            layout.addWidget(self.reward_offer)
        self.reward_note = ""
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        self.item.setFocus(Qt.FocusReason.OtherFocusReason)
        self.saving = False
        purchases = services.purchases
        runner.submit(purchases.categories, self._categories_loaded, lambda _error: None, owner=self)

    def _categories_loaded(self, categories: list[str]) -> None:
        typed = self.category.currentText()
        self.category.clear()
        self.category.addItems(categories)
        self.category.setCurrentText(typed)

    def sale(self) -> SaleInput:
        picked = self.date.date()
        return SaleInput(
            date=dt.date(picked.year(), picked.month(), picked.day()),
            item=self.item.text(),
            category=self.category.currentText(),
            amount=self.amount.text(),
            quantity=self.quantity.value(),
        )

    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.error.show_error(None)
        purchases, customer_id, sale = self._services.purchases, self._customer_id, self.sale()
        redeem = self.reward_offer.job() if self.reward_offer is not None else (lambda _purchase_id: "")

        def record() -> tuple[PurchaseView, str]:
            purchase = purchases.record(customer_id, sale)
            return purchase, redeem(purchase.id)

        self._runner.submit(record, self._recorded, self._failed, owner=self)

    def _recorded(self, result: tuple[PurchaseView, str]) -> None:
        purchase, self.reward_note = result
        self._saved(purchase)

    def _saved(self, purchase: PurchaseView) -> None:
        self.saving = False
        self.saved.emit(purchase)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.error.show_error(sentence(error))


class PurchaseActions(QObject):
    """Opens the purchase form for the customer shown and offers Undo in the message bar.

    ``changed(customer_id)`` fires after a purchase was saved or taken back, so the customer's page
    can show it."""

    changed = Signal(int)

    def __init__(self, window: QWidget, runner: Runner, message_bar: MessageBar) -> None:
        super().__init__(window)
        self._window, self._runner, self._bar = window, runner, message_bar
        self._services: Services | None = None
        self.dialog: PurchaseDialog | None = None
        self.actor: Callable[[], Actor] | None = None  # who redeems a reward at the till

    def attach(self, services: Services) -> None:
        self._services = services

    def record_for(self, customer_id: int | None, name: str) -> PurchaseDialog | None:
        if self._services is None or customer_id is None:
            return None
        dialog = PurchaseDialog(self._services, self._runner, customer_id, name, self._window, self.actor)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda purchase: self._recorded(purchase, name, dialog.reward_note))
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _recorded(self, purchase: PurchaseView, name: str, reward_note: str = "") -> None:
        self.changed.emit(purchase.customer_id)
        text = self.tr("Recorded {item} for {name}.").format(item=purchase.item, name=name)
        text = f"{text} {reward_note}".strip()
        self._bar.show_message(text, self.tr("&Undo"), lambda: self.undo(purchase))

    def undo(self, purchase: PurchaseView) -> None:
        assert self._services is not None
        purchases = self._services.purchases
        self._runner.submit(
            lambda: purchases.delete(purchase.id),
            lambda gone: self._undone(gone),
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _undone(self, gone: PurchaseView) -> None:
        self.changed.emit(gone.customer_id)
        self._bar.show_message(self.tr("Took back the purchase of {item}.").format(item=gone.item))
