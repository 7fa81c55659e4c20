"""Small editable tables for the rules: days per product category, check-in intervals per stage and
per tag. One model for all three: a name column (editable or fixed) and columns of days, where a
day column may allow "none" (no follow-up for gift cards, no check-ins for prospects).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QSpinBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from careapp.ui.formatting import format_count

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate

AnyIndex = QModelIndex | QPersistentModelIndex
MAX_DAYS = 3650
NONE_EDIT_VALUE = -1  # what a spin box shows as "none"


@dataclass(frozen=True)
class DaysColumn:
    """A column: its title; ``name`` for the (text) first column; ``optional``: may be "none"."""

    title: str
    name: bool = False
    editable: bool = True
    optional: bool = False
    minimum: int = 0


def none_text() -> str:
    return translate("Rules", "none")


class DaysTableModel(QAbstractTableModel):
    """Rows of ``[name, days, days, …]``; names are text, days are ``int`` or None (when optional)."""

    def __init__(self, columns: Sequence[DaysColumn], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[list[Any]] = []

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._rows = [list(row) for row in rows]
        self.endResetModel()

    def rows(self) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._rows]

    def add_row(self, name: str, *days: int | None) -> QModelIndex:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append([name, *days])
        self.endInsertRows()
        return self.index(row, 0)

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column.name:
                return str(value)
            return none_text() if value is None else format_count(value)
        if role == Qt.ItemDataRole.EditRole:
            if column.name:
                return str(value)
            return NONE_EDIT_VALUE if value is None else int(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and not column.name:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable)
        ):
            return False
        column = self.columns[index.column()]
        if column.name:
            text = " ".join(str(value).split())
            if not text:
                return False
            new: Any = text
        else:
            number = int(value)
            if number < 0 and column.optional:
                new = None
            elif number < column.minimum:
                return False
            else:
                new = min(number, MAX_DAYS)
        self._rows[index.row()][index.column()] = new
        self.dataChanged.emit(index, index)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None


class DaysDelegate(QStyledItemDelegate):
    """Edits a number of days in a spin box; an optional column shows "none" below zero."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        model = index.model()
        if not isinstance(model, DaysTableModel) or model.columns[index.column()].name:
            return super().createEditor(parent, option, index)
        column = model.columns[index.column()]
        spin = QSpinBox(parent)
        spin.setRange(NONE_EDIT_VALUE if column.optional else column.minimum, MAX_DAYS)
        if column.optional:
            spin.setSpecialValueText(none_text())
        spin.setAccessibleName(column.title)
        return spin

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QSpinBox):
            editor.setValue(int(index.data(Qt.ItemDataRole.EditRole)))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)
