"""The customers matching what was typed in the call log's find box, and a "new walk-in" row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from careapp.domain.customer import CustomerRow

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")


@dataclass(frozen=True)
class WalkInGuess:
    """What the typed text probably is, to prefill the new customer: a name, a phone or an email."""

    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""


def guess_walk_in(text: str) -> WalkInGuess:
    """ "evan price" -> Evan Price; "07700 900123" -> a phone; "evan@example.com" -> an email."""
    text = " ".join(text.split())
    if not text:
        return WalkInGuess()
    if "@" in text and " " not in text:
        return WalkInGuess(email=text)
    if _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        return WalkInGuess(phone=text)
    if text.islower():  # typed in a hurry: "evan price" is Evan Price; "Mary-Jo de Vries" stays
        text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    words = text.split(" ")
    return WalkInGuess(first_name=words[0], last_name=" ".join(words[1:]))


def row_text(row: CustomerRow) -> str:
    """ "Evan Price — 07700 900123 · evan@example.com · Cardiff"."""
    details = " · ".join(part for part in (row.phone, row.email, row.city) if part)
    return f"{row.name} — {details}" if details else row.name


class CustomerMatchModel(QAbstractListModel):
    """Matches for the query, then (when something was typed) a row to create a walk-in customer."""

    CustomerIdRole = _ROLE_BASE + 1  # None on the walk-in row
    WalkInRole = _ROLE_BASE + 2  # True on the walk-in row
    RowRole = _ROLE_BASE + 3  # the CustomerRow (None on the walk-in row)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.query = ""
        self._rows: list[CustomerRow] = []

    def set_results(self, query: str, rows: Sequence[CustomerRow]) -> None:
        self.beginResetModel()
        self.query = query.strip()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def match_count(self) -> int:
        return len(self._rows)

    def is_walk_in(self, row: int) -> bool:
        return bool(self.query) and row == len(self._rows)

    def customer(self, row: int) -> CustomerRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self.query else 0)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != 0 or not 0 <= index.row() < self.rowCount():
            return None
        if self.is_walk_in(index.row()):
            return self._walk_in_data(role)
        customer = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row_text(customer)
        if role == self.CustomerIdRole:
            return customer.id
        if role == self.WalkInRole:
            return False
        if role == self.RowRole:
            return customer
        return None

    def _walk_in_data(self, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.tr("+ New walk-in customer: “{text}”").format(text=self.query)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Not in the list? Add them now, from what you typed")
        if role == self.WalkInRole:
            return True
        return None
