"""The customer page's rewards: a one-line summary in the header ("1 reward waiting: a free coffee,
earned 3 Dec, expires 3 Mar; 7 of 10 stamps") and a Rewards tab with the ledger, row by row.

Read on the database thread; the service brings the ledger in step with the purchases first, so a
sale recorded, imported or deleted anywhere shows here on the next look."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from careapp.clock import to_local
from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.rewards.service import CustomerRewards, LedgerLine

EVENT_WORDS = {
    "earned": "Earned",
    "redeemed": "Redeemed",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "taken_back": "Taken back",
}
Index = QModelIndex | QPersistentModelIndex


class LedgerModel(QAbstractTableModel):
    """The customer's rewards ledger, newest first: when, what happened, which reward, who, why."""

    HEADERS = ("When", "What", "Reward", "Who", "Why / purchase")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[LedgerLine] = []

    def set_lines(self, lines: list[LedgerLine]) -> None:
        self.beginResetModel()
        self.lines = list(reversed(lines))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        line = self.lines[index.row()]
        why = line.reason
        if line.purchase_id is not None:
            why = f"{why} (purchase #{line.purchase_id})".strip()
        values = (
            to_local(line.at).strftime("%d %b %Y %H:%M"),
            self.tr(EVENT_WORDS.get(line.event, line.event)),
            f"#{line.reward_id} {line.wording}",
            line.by,
            why,
        )
        return values[index.column()]


class CustomerRewardsPanel(QWidget):
    """The Rewards tab; ``line`` is the summary label the window puts in the customer header."""

    shown = Signal()

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.customer_id: int | None = None
        self.rewards: CustomerRewards | None = None
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.line.setAccessibleName(self.tr("Rewards"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = LedgerModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName(self.tr("Rewards ledger"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def attach(self, services: Services) -> None:
        self._services = services

    def show_customer(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        if customer_id is None or self._services is None:
            self.line.setText("")
            return
        rewards = self._services.rewards
        self._runner.submit(
            lambda: rewards.for_customer(customer_id),
            self._show,
            lambda error: self.line.setText(sentence(error)),
            key=f"customer-rewards-{id(self)}",
            owner=self,
        )

    def _show(self, rewards: CustomerRewards) -> None:
        from careapp.services.rewards.service import summary

        if rewards.customer_id != self.customer_id:
            return  # another customer was picked meanwhile
        self.rewards = rewards
        text = summary(rewards)
        self.line.setText(text or self.tr("none yet"))
        self.summary.setText(text or self.tr("No rewards yet (or the reward rules are switched off)."))
        self.model.set_lines(list(rewards.ledger))
        self.table.resizeColumnsToContents()
        self.shown.emit()
