"""A customer's story (purchases, contacts, notes, consent changes) as a list model.

A purchase's row also carries the purchase itself (``PurchaseRole``), so the timeline can edit or
delete it; the other kinds carry nothing more than their text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from careapp.domain.customer import Purchase, TimelineEntry
from careapp.ui.formatting import format_date, format_stored_time

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)


def _kind_name(kind: str) -> str:
    names = {
        "purchase": QCoreApplication.translate("TimelineModel", "Purchase"),
        "contact": QCoreApplication.translate("TimelineModel", "Contact"),
        "note": QCoreApplication.translate("TimelineModel", "Note"),
        "consent": QCoreApplication.translate("TimelineModel", "Consent"),
        "created": QCoreApplication.translate("TimelineModel", "Added"),
    }
    return names.get(kind, kind.capitalize())


def when_text(entry: TimelineEntry) -> str:
    # A purchase has a date but no time of day: the service stores it as midnight, which
    # must not be shifted into the local time zone (it could land on the day before).
    if entry.kind == "purchase":
        return format_date(entry.at.date())
    return format_stored_time(entry.at)


class TimelineModel(QAbstractListModel):
    """Timeline entries, newest first, with one named role per part of an entry."""

    KindRole = _ROLE_BASE + 1  # "purchase", "contact", "note", "consent", "created"
    WhenRole = _ROLE_BASE + 2  # the stored (naive UTC) datetime
    WhenTextRole = _ROLE_BASE + 3  # the local date (and time) as text
    TitleRole = _ROLE_BASE + 4
    DetailRole = _ROLE_BASE + 5
    KindTextRole = _ROLE_BASE + 6  # the kind, translated
    PurchaseRole = _ROLE_BASE + 7  # the Purchase of a purchase's row (None for the other kinds)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[TimelineEntry] = []
        self._purchases: list[Purchase | None] = []

    def set_entries(
        self, entries: list[TimelineEntry], purchases: list[Purchase | None] | None = None
    ) -> None:
        """``purchases``, when given, holds one item per entry: the purchase a row shows, or None."""
        kept: list[Purchase | None] = list(purchases) if purchases is not None else [None] * len(entries)
        if len(kept) != len(entries):
            raise ValueError("one purchase (or None) per timeline entry")
        if list(entries) == self._entries and kept == self._purchases:
            return  # the same story again (a refresh for another seat's change): keep the view's place
        self.beginResetModel()
        self._entries, self._purchases = list(entries), kept
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries([])

    def entry(self, row: int) -> TimelineEntry:
        return self._entries[row]

    def purchase(self, row: int) -> Purchase | None:
        """The purchase shown on ``row``; None for a row of another kind (or out of range)."""
        return self._purchases[row] if 0 <= row < len(self._purchases) else None

    def row_of_purchase(self, purchase_id: int) -> int | None:
        return next(
            (row for row, p in enumerate(self._purchases) if p is not None and p.id == purchase_id), None
        )

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries) or index.column() != 0:
            return None
        entry = self._entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, self.TitleRole):
            return entry.title
        if role == self.DetailRole:
            return entry.detail
        if role == Qt.ItemDataRole.ToolTipRole:
            if self._purchases[index.row()] is None:
                return entry.detail
            hint = QCoreApplication.translate("TimelineModel", "F2 or double-click to edit, Del to delete")
            return f"{entry.detail}\n{hint}" if entry.detail else hint
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return " — ".join(part for part in (when_text(entry), entry.title, entry.detail) if part)
        return {
            self.KindRole: lambda: entry.kind,
            self.WhenRole: lambda: entry.at,
            self.WhenTextRole: lambda: when_text(entry),
            self.KindTextRole: lambda: _kind_name(entry.kind),
            self.PurchaseRole: lambda: self._purchases[index.row()],
        }.get(role, lambda: None)()
