"""Entering a date whose year may be unknown (birthdays, anniversaries)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QSpinBox, QWidget

from careapp.domain.customer import PartialDate

DEFAULT_YEAR = 1980


class PartialDateEdit(QWidget):
    """Day, month, year and a "year unknown" box; optionally a "known" box for "no date at all".

    ``value()`` builds a :class:`PartialDate` and so raises ``InvalidDate`` for 31 April or for
    29 February in a year without one; the editor turns that into a message beside the field.
    """

    changed = Signal()

    def __init__(self, name: str, optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.known = QCheckBox(self.tr("Known"))
        self.known.setAccessibleName(self.tr("{name} known").format(name=name))
        self.known.setVisible(optional)
        self.known.setChecked(not optional)
        self.day = QSpinBox()
        self.day.setRange(1, 31)
        self.day.setAccessibleName(self.tr("{name}: day").format(name=name))
        self.month = QComboBox()
        self.month.setAccessibleName(self.tr("{name}: month").format(name=name))
        locale = QLocale()
        for number in range(1, 13):
            self.month.addItem(locale.standaloneMonthName(number), number)
        self.year = QSpinBox()
        self.year.setRange(1, 9999)
        self.year.setValue(DEFAULT_YEAR)
        self.year.setGroupSeparatorShown(False)
        self.year.setAccessibleName(self.tr("{name}: year").format(name=name))
        self.year_unknown = QCheckBox(self.tr("Year unknown"))
        self.year_unknown.setAccessibleName(self.tr("{name}: year unknown").format(name=name))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.known, self.day, self.month, self.year, self.year_unknown):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.known.toggled.connect(self._update_enabled)
        self.year_unknown.toggled.connect(self._update_enabled)
        for signal in (
            self.known.toggled,
            self.year_unknown.toggled,
            self.day.valueChanged,
            self.month.currentIndexChanged,
            self.year.valueChanged,
        ):
            signal.connect(self.changed)
        self._update_enabled()

    def focus_target(self) -> QWidget:
        """Where a label's mnemonic for this field puts the keyboard."""
        return self.known if self.known.isVisibleTo(self) else self.day

    def set_value(self, value: PartialDate | None) -> None:
        self.known.setChecked(value is not None or not self.known.isVisibleTo(self))
        if value is None:
            return
        self.day.setValue(value.day)
        self.month.setCurrentIndex(value.month - 1)
        self.year_unknown.setChecked(value.year is None)
        if value.year is not None:
            self.year.setValue(value.year)

    def value(self) -> PartialDate | None:
        """The date entered, None when the "known" box is cleared; raises InvalidDate."""
        if not self.known.isChecked():
            return None
        year = None if self.year_unknown.isChecked() else self.year.value()
        return PartialDate(int(self.month.currentData()), self.day.value(), year)

    def state(self) -> tuple[object, ...]:
        """What is on screen, for noticing unsaved changes (even when it is not a valid date)."""
        return (
            self.known.isChecked(),
            self.day.value(),
            self.month.currentIndex(),
            self.year.value(),
            self.year_unknown.isChecked(),
        )

    def _update_enabled(self) -> None:
        known = self.known.isChecked()
        for widget in (self.day, self.month, self.year_unknown):
            widget.setEnabled(known)
        self.year.setEnabled(known and not self.year_unknown.isChecked())
