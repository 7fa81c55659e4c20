"""Recording a sale from the customer's page (Ctrl+P): date, item, category, amount, quantity; and
changing or deleting one from the customer's timeline.

The dialog saves through the runner and stays open with everything typed when the sale is refused
(the reason under the form); ``PurchaseActions`` opens it and offers Undo once it is saved, and
deletes a purchase with Undo in the message bar (the purchase comes back with its id).
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
from careapp.domain.customer import Purchase
from careapp.domain.purchases import MAX_QUANTITY, SaleInput
from careapp.ui.formatting import sentence
from careapp.ui.rewards.public import RedeemOffer
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.customers.purchases import PurchaseView
    from careapp.services.shop.staff import Actor
    from careapp.ui.customers.detail import CustomerDetail


class PurchaseDialog(QDialog):
    """One sale for one customer; ``saved(PurchaseView)`` once the database has it.

    Given ``purchase``, the form opens filled with it and saving changes it: ``edited(before, after)``
    (two PurchaseViews; ``before`` puts it back) comes before ``saved(after)``."""

    saved = Signal(object)
    edited = Signal(object, object)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        customer_id: int,
        customer_name: str,
        parent: QWidget | None = None,
        actor: Callable[[], Actor] | None = None,
        purchase: Purchase | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._customer_id = services, runner, customer_id
        self.purchase = purchase
        title = (
            self.tr("Edit the purchase of {item} for {name}").format(item=purchase.item, name=customer_name)
            if purchase is not None
            else self.tr("Record a purchase for {name}").format(name=customer_name)
        )
        self.setWindowTitle(title)
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
        # A waiting reward, used with this sale in one key (F8); hidden when there is none. Not offered
        # when a past sale is corrected: that sale was paid for already.
        self.reward_offer = (
            RedeemOffer(services, runner, customer_id, actor)
            if actor is not None and purchase is None
            else None
        )
        if self.reward_offer is not None:
            layout.addWidget(self.reward_offer)
        self.reward_note = ""
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        if purchase is not None:
            self._fill(purchase)
        self.item.setFocus(Qt.FocusReason.OtherFocusReason)
        self.saving = False
        purchases = services.purchases
        runner.submit(purchases.categories, self._categories_loaded, lambda _error: None, owner=self)

    def _fill(self, purchase: Purchase) -> None:
        day = purchase.date
        if self.date.maximumDate() < QDate(day.year, day.month, day.day):
            self.date.setMaximumDate(QDate(day.year, day.month, day.day))  # the service says why, on save
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.item.setText(purchase.item)
        self.category.setCurrentText(purchase.category)
        self.amount.setText(f"{purchase.amount:.2f}")
        self.quantity.setValue(purchase.quantity)

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
        if self.purchase is not None and self.purchase.id is not None:
            purchase_id = self.purchase.id
            self._runner.submit(
                lambda: purchases.edit(purchase_id, sale), self._edited, self._failed, owner=self
            )
            return
        redeem = self.reward_offer.job() if self.reward_offer is not None else (lambda _purchase_id: "")

        def record() -> tuple[PurchaseView, str]:
            purchase = purchases.record(customer_id, sale)
            return purchase, redeem(purchase.id)

        self._runner.submit(record, self._recorded, self._failed, owner=self)

    def _recorded(self, result: tuple[PurchaseView, str]) -> None:
        purchase, self.reward_note = result
        self._saved(purchase)

    def _edited(self, change: tuple[PurchaseView, PurchaseView]) -> None:
        before, after = change
        self.edited.emit(before, after)
        self._saved(after)

    def _saved(self, purchase: PurchaseView) -> None:
        self.saving = False
        self.saved.emit(purchase)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.error.show_error(sentence(error))


class PurchaseActions(QObject):
    """Opens the purchase form for the customer shown, edits and deletes purchases from their
    timeline (:meth:`install`), and offers Undo in the message bar after each.

    ``changed(customer_id)`` fires after a purchase was saved, changed, deleted or taken back, so the
    customer's page can show it."""

    changed = Signal(int)

    def __init__(self, window: QWidget, runner: Runner, message_bar: MessageBar) -> None:
        super().__init__(window)
        self._window, self._runner, self._bar = window, runner, message_bar
        self._services: Services | None = None
        self._detail: CustomerDetail | None = None  # whose timeline edits and deletes (install)
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

    # --- from the timeline ---------------------------------------------------------------

    def install(self, detail: CustomerDetail) -> None:
        """Edit (F2, double-click) and delete (Del) the purchases on ``detail``'s timeline."""
        self._detail = detail
        detail.timeline.editPurchaseRequested.connect(self.edit)
        detail.timeline.deletePurchaseRequested.connect(self.delete)

    def _name_of(self, customer_id: int) -> str:
        customer = self._detail.customer if self._detail is not None else None
        return customer.display_name() if customer is not None and customer.id == customer_id else ""

    def edit(self, purchase: Purchase) -> PurchaseDialog | None:
        if self._services is None or purchase.id is None or self.dialog is not None:
            return None
        # The purchase is on the timeline of the customer the page shows.
        customer = self._detail.customer if self._detail is not None else None
        if customer is None:
            return None
        dialog = PurchaseDialog(
            self._services,
            self._runner,
            customer.id,
            customer.display_name(),
            self._window,
            purchase=purchase,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.edited.connect(self._edited)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _edited(self, before: PurchaseView, after: PurchaseView) -> None:
        self.changed.emit(after.customer_id)
        self._bar.show_message(
            self.tr("Changed the purchase of {item}.").format(item=after.item),
            self.tr("&Undo"),
            lambda: self._put_back(before),
        )

    def _put_back(self, before: PurchaseView) -> None:
        """Undo an edit: the purchase as it was before it."""
        assert self._services is not None
        purchases = self._services.purchases
        sale = SaleInput(before.date, before.item, before.category, f"{before.amount:.2f}", before.quantity)
        self._runner.submit(
            lambda: purchases.edit(before.id, sale),
            lambda change: self._edit_undone(change[1]),
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _edit_undone(self, restored: PurchaseView) -> None:
        self.changed.emit(restored.customer_id)
        self._bar.show_message(self.tr("The purchase of {item} is as it was.").format(item=restored.item))

    def delete(self, purchase: Purchase) -> None:
        """Delete at once, with Undo in the message bar (the purchase comes back with its id)."""
        if self._services is None or purchase.id is None:
            return
        purchases, purchase_id = self._services.purchases, purchase.id
        self._runner.submit(
            lambda: purchases.delete(purchase_id),
            self._deleted,
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _deleted(self, gone: PurchaseView) -> None:
        self.changed.emit(gone.customer_id)
        name = self._name_of(gone.customer_id)
        text = (
            self.tr("Deleted the purchase of {item} for {name}.").format(item=gone.item, name=name)
            if name
            else self.tr("Deleted the purchase of {item}.").format(item=gone.item)
        )
        self._bar.show_message(text, self.tr("&Undo"), lambda: self._restore(gone))

    def _restore(self, gone: PurchaseView) -> None:
        assert self._services is not None
        purchases = self._services.purchases
        self._runner.submit(
            lambda: purchases.restore(gone),
            self._restored,
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _restored(self, back: PurchaseView) -> None:
        self.changed.emit(back.customer_id)
        self._bar.show_message(self.tr("The purchase of {item} is back.").format(item=back.item))
