"""Lists of repeated entries in the editor: emails, phones and other dates.

Each entry is one row (its inputs, a remove button, and an error line under it), so an error
the service reports for "phones[1]" lands on the second phone row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import DateKind, EmailAddress, ImportantDate, PhoneNumber
from careapp.domain.phones import make_phone
from careapp.ui.customers.date_edit import PartialDateEdit
from careapp.ui.widgets import ErrorLabel, mark_invalid


def _label_combo(name: str, choices: list[str]) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(choices)
    combo.setAccessibleName(name)
    combo.setMinimumContentsLength(6)
    return combo


class EntryRow(QWidget):
    """One entry: subclasses put their inputs in ``self.inputs`` and say which one errors mark."""

    changed = Signal()
    removeRequested = Signal(QWidget)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.inputs = QHBoxLayout()
        self.inputs.setContentsMargins(0, 0, 0, 0)
        self._inputs: list[QWidget] = []
        remove = self.remove_button = QToolButton()
        remove.setText("−")
        remove.setToolTip(self.tr("Remove"))
        remove.setAccessibleName(self.tr("Remove {name}").format(name=name))
        remove.clicked.connect(lambda: self.removeRequested.emit(self))
        self.inputs.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        self.error = ErrorLabel(self.tr("{name}: problem").format(name=name))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.inputs)
        layout.addWidget(self.error)

    def add_input(self, widget: QWidget, stretch: int = 0) -> None:
        self._inputs.append(widget)
        self.inputs.insertWidget(self.inputs.count() - 1, widget, stretch)

    def marked_widget(self) -> QWidget:
        raise NotImplementedError

    def first_input(self) -> QWidget:
        """Where the keyboard lands in this row."""
        return self._inputs[0] if self._inputs else self.remove_button

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def state(self) -> tuple[object, ...]:
        raise NotImplementedError

    def is_blank(self) -> bool:
        """Nothing typed: the row is ignored rather than reported as an error."""
        return False

    def set_error(self, message: str | None) -> None:
        self.error.show_error(message)
        mark_invalid(self.marked_widget(), bool(message))


class EmailRow(EntryRow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Email"), parent)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("name@example.com"))
        self.address.setAccessibleName(self.tr("Email address"))
        self.label = _label_combo(
            self.tr("Email label"), [self.tr("home"), self.tr("work"), self.tr("other")]
        )
        self.add_input(self.address, 1)
        self.add_input(self.label)
        self.address.textChanged.connect(self.changed)
        self.label.currentTextChanged.connect(self.changed)

    def marked_widget(self) -> QWidget:
        return self.address

    def is_blank(self) -> bool:
        return not self.address.text().strip()

    def set_value(self, value: EmailAddress) -> None:
        self.address.setText(value.address)
        self.label.setCurrentText(value.label)

    def value(self) -> EmailAddress:
        return EmailAddress(self.address.text().strip(), self.label.currentText().strip())

    def state(self) -> tuple[object, ...]:
        return (self.address.text(), self.label.currentText())


class PhoneRow(EntryRow):
    """A phone number as typed, with its international (E.164) form shown when it parses."""

    def __init__(self, default_region: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Phone"), parent)
        self.default_region = default_region
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("as the customer gives it"))
        self.number.setAccessibleName(self.tr("Phone number"))
        self.label = _label_combo(
            self.tr("Phone label"), [self.tr("mobile"), self.tr("home"), self.tr("work"), self.tr("other")]
        )
        self.international = QLabel()
        self.international.setAccessibleName(self.tr("International form"))
        self.international.setMinimumWidth(110)
        self.add_input(self.number, 1)
        self.add_input(self.international)
        self.add_input(self.label)
        self.number.textChanged.connect(self._show_international)
        self.number.textChanged.connect(self.changed)
        self.label.currentTextChanged.connect(self.changed)

    def marked_widget(self) -> QWidget:
        return self.number

    def is_blank(self) -> bool:
        return not self.number.text().strip()

    def _show_international(self, text: str) -> None:
        e164 = make_phone(text, self.default_region).e164
        self.international.setText(e164 or "")
        self.international.setToolTip(
            self.tr("Understood as {number}").format(number=e164)
            if e164
            else self.tr("Not recognised as a phone number in {region}").format(region=self.default_region)
        )

    def set_value(self, value: PhoneNumber) -> None:
        self.number.setText(value.raw)
        self.label.setCurrentText(value.label)

    def value(self) -> PhoneNumber:
        return make_phone(self.number.text(), self.default_region, self.label.currentText().strip())

    def state(self) -> tuple[object, ...]:
        return (self.number.text(), self.label.currentText())


class DateRow(EntryRow):
    """Customer since, anniversary, or a date with a label of the owner's choosing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Date"), parent)
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind of date"))
        self.kind.addItem(self.tr("Customer since"), DateKind.CUSTOMER_SINCE)
        self.kind.addItem(self.tr("Anniversary"), DateKind.ANNIVERSARY)
        self.kind.addItem(self.tr("Other…"), DateKind.CUSTOM)
        self.label = QLineEdit()
        self.label.setPlaceholderText(self.tr("what it is"))
        self.label.setAccessibleName(self.tr("Date label"))
        self.date = PartialDateEdit(self.tr("Date"))
        self.date.year_unknown.setText(self.tr("No year"))
        self.add_input(self.kind)
        self.add_input(self.label, 1)
        self.add_input(self.date)
        self.kind.currentIndexChanged.connect(self._update_label)
        self.kind.currentIndexChanged.connect(self.changed)
        self.label.textChanged.connect(self.changed)
        self.date.changed.connect(self.changed)
        self._update_label()

    def marked_widget(self) -> QWidget:
        return self.label if self.kind.currentData() == DateKind.CUSTOM else self.date

    def _update_label(self) -> None:
        self.label.setVisible(self.kind.currentData() == DateKind.CUSTOM)

    def set_value(self, value: ImportantDate) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(value.kind), 0))
        self.label.setText(value.label)
        self.date.set_value(value.date)

    def value(self) -> ImportantDate:
        date = self.date.value()
        assert date is not None  # the "known" box is hidden here, so there is always a date
        kind = DateKind(self.kind.currentData())
        return ImportantDate(kind, date, self.label.text().strip() if kind is DateKind.CUSTOM else "")

    def state(self) -> tuple[object, ...]:
        return (self.kind.currentIndex(), self.label.text(), self.date.state())


class EntryList(QWidget):
    """Rows of one kind plus an "Add" button. Blank rows are left out of the values."""

    changed = Signal()
    rowsChanged = Signal()  # a row was added or removed: the tab order needs refreshing

    def __init__(
        self, make_row: Callable[[], EntryRow], add_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._make_row = make_row
        self.rows: list[EntryRow] = []
        # The rows behind the last values() list, so "emails[1]" finds its row even when a
        # blank row sits in between.
        self._value_rows: list[EntryRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(add_text)
        self.add_button.setAccessibleName(add_text)
        self.add_button.clicked.connect(self._add_and_focus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def add_row(self) -> EntryRow:
        row = self._make_row()
        row.removeRequested.connect(self._remove)
        row.changed.connect(self.changed)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self._rows_changed()
        return row

    def focus_target(self) -> QWidget:
        """Where a label's mnemonic for this list puts the keyboard: the first row, else "Add"."""
        return self.rows[0].first_input() if self.rows else self.add_button

    def _rows_changed(self) -> None:
        self.rowsChanged.emit()
        self.changed.emit()

    def _add_and_focus(self) -> None:
        self.add_row().marked_widget().setFocus()

    def _remove(self, row: QWidget) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self._value_rows = [r for r in self._value_rows if r is not row]
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._rows_changed()

    def set_values(self, values: Sequence[Any]) -> None:
        for row in list(self.rows):
            self._remove(row)
        for value in values:
            self.add_row().set_value(value)

    def collect(self) -> tuple[list[Any], list[tuple[int, str]]]:
        """The values of the non-blank rows, and (index, message) for rows that cannot be read
        (a date that does not exist)."""
        self._value_rows = [row for row in self.rows if not row.is_blank()]
        values: list[Any] = []
        problems: list[tuple[int, str]] = []
        for index, row in enumerate(self._value_rows):
            try:
                values.append(row.value())
            except ValueError as error:
                problems.append((index, str(error)))
        return values, problems

    def state(self) -> tuple[object, ...]:
        return tuple(row.state() for row in self.rows)

    def rows_with_values(self) -> list[EntryRow]:
        """The rows behind the last collect(), in the same order as its values."""
        return list(self._value_rows)

    def set_error(self, index: int, message: str | None) -> bool:
        """Mark the row behind values()[index]; False when there is no such row."""
        if 0 <= index < len(self._value_rows):
            self._value_rows[index].set_error(message)
            return True
        return False

    def clear_errors(self) -> None:
        for row in self.rows:
            row.set_error(None)
