"""The Value tab of the customer page: what they spent and how often, their RFM segment, the shop's
categories they bought (wallet share) and what customers like them went on to buy next.

Read on the database thread (one indexed read of their own rows; the shop's scale is kept by the
service until any customer data changes). With ``when_shown`` (as the window makes it) a customer
picked while the tab is not on the screen is read when it is next shown: the first read makes the
shop's scale and co-purchase table (a pass over every purchase, 1-2 s at 100,000 customers), which the
window's start must not pay for while the Care queue page is what the user sees."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from careapp.ui.formatting import format_date, format_money, sentence
from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.value.service import CustomerValue


def _money(cents: int | None) -> str:
    return "–" if cents is None else format_money(Decimal(cents) / 100)


class CustomerValuePanel(QWidget):
    shown = Signal()

    def __init__(self, runner: Runner, parent: QWidget | None = None, *, when_shown: bool = False) -> None:
        super().__init__(parent)
        self._runner = runner
        self._when_shown = when_shown
        self._pending = False  # a customer picked while hidden, read when shown
        self._services: Services | None = None
        self.customer_id: int | None = None
        self.value: CustomerValue | None = None
        self.form = QFormLayout(self)
        self.labels: dict[str, QLabel] = {}
        for key, title in (
            ("spent", self.tr("Spent")),
            ("orders", self.tr("Purchases")),
            ("average", self.tr("Average order")),
            ("first_last", self.tr("First and last")),
            ("segment", self.tr("RFM segment")),
            ("wallet", self.tr("Categories bought")),
            ("not_yet", self.tr("Not yet bought")),
            ("next", self.tr("Often bought next")),
            ("control", self.tr("Control group")),
        ):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(title)
            self.labels[key] = label
            self.form.addRow(title, label)

    def attach(self, services: Services) -> None:
        self._services = services

    def show_customer(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        self._pending = False
        if customer_id is None or self._services is None:
            return
        if self._when_shown and not self.isVisible():
            self._pending = True
            self.value = None
            for label in self.labels.values():  # never another customer's figures when it shows
                label.clear()
            return
        self._load(customer_id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending and self.customer_id is not None:
            self._pending = False
            self._load(self.customer_id)

    def _load(self, customer_id: int) -> None:
        assert self._services is not None
        value = self._services.value
        self._runner.submit(
            lambda: value.customer_value(customer_id),
            self._show,
            lambda error: self.labels["spent"].setText(sentence(error)),
            key=f"customer-value-{id(self)}",
            owner=self,
        )

    def _show(self, value: CustomerValue) -> None:
        if value.customer_id != self.customer_id:
            return  # another customer was picked meanwhile
        self.value = value
        totals = value.totals
        texts = {
            "spent": _money(totals.spent_cents),
            "orders": str(totals.purchases),
            "average": _money(totals.average_order_cents),
            "first_last": (
                f"{format_date(totals.first_day)} – {format_date(totals.last_day)}"
                if totals.first_day and totals.last_day
                else self.tr("no purchase yet")
            ),
            "segment": self._segment_text(value),
            "wallet": self._wallet_text(value),
            "not_yet": ", ".join(value.wallet.not_yet) or "–",
            "next": self._next_text(value),
            "control": self.tr("yes: marketing touches are meant to skip them")
            if value.in_control_group
            else self.tr("no"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.shown.emit()

    def _segment_text(self, value: CustomerValue) -> str:
        if value.rfm is None:
            return self.tr("none (no purchase yet)")
        return self.tr("{segment} (R {r}, F {f}, M {m} of 5, among {n} customers who bought)").format(
            segment=value.rfm.segment,
            r=value.rfm.recency,
            f=value.rfm.frequency,
            m=value.rfm.monetary,
            n=value.buyers,
        )

    def _wallet_text(self, value: CustomerValue) -> str:
        wallet = value.wallet
        if wallet.share is None:
            return "–"
        return self.tr("{bought} of the shop's {total} ({share:.0%}): {names}").format(
            bought=len(wallet.bought),
            total=len(wallet.bought) + len(wallet.not_yet),
            share=wallet.share,
            names=", ".join(wallet.bought) or "–",
        )

    def _next_text(self, value: CustomerValue) -> str:
        if not value.next_categories:
            return self.tr("no suggestion (none from 5 or more customers with lift 1.2 or more)")
        return "\n".join(
            self.tr(
                "{then}: {n} customers went from {after} to it (lift {lift:.1f}, support {support:.1%})"
            ).format(then=rule.then, n=rule.customers, after=rule.after, lift=rule.lift, support=rule.support)
            for rule in value.next_categories
        )
