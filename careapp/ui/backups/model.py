"""The list of backup copies as a table model: kind, when, size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
)

from careapp.ui.formatting import format_date

if TYPE_CHECKING:
    from careapp.services.shop.backups import BackupInfo

PATH_ROLE = Qt.ItemDataRole.UserRole + 1  # the copy's Path
Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate


def kind_label(kind: str) -> str:
    return {
        "daily": translate("BackupListModel", "Daily"),
        "before-migration": translate("BackupListModel", "Before an upgrade"),
        "replaced": translate("BackupListModel", "Replaced by a restore"),
        "manual": translate("BackupListModel", "Made by you"),
    }.get(kind, kind)


def taken_label(taken_at: dt.datetime, locale: QLocale | None = None) -> str:
    """A copy's local time as "23 November 2026, 09:30" (the file's time is local already)."""
    locale = locale or QLocale()
    time_text = locale.toString(QTime(taken_at.hour, taken_at.minute), QLocale.FormatType.ShortFormat)
    return translate("formatting", "{date}, {time}").format(
        date=format_date(taken_at.date(), locale), time=time_text
    )


def size_label(size: int, locale: QLocale | None = None) -> str:
    return (locale or QLocale()).formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


class BackupListModel(QAbstractTableModel):
    """Rows are copies, newest first; ``PATH_ROLE`` gives each one's file."""

    COLUMNS = ("kind", "taken", "size")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[BackupInfo] = []

    def set_backups(self, backups: Sequence[BackupInfo]) -> None:
        self.beginResetModel()
        self._rows = list(backups)
        self.endResetModel()

    def backup(self, row: int) -> BackupInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return (
            translate("BackupListModel", "Kind"),
            translate("BackupListModel", "Taken"),
            translate("BackupListModel", "Size"),
        )[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        backup = self._rows[index.row()]
        if role == PATH_ROLE:
            return backup.path
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(backup.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = self.COLUMNS[index.column()]
        if column == "kind":
            return kind_label(str(backup.kind.value))
        if column == "taken":
            return taken_label(backup.taken_at)
        return size_label(backup.size)
