"""The shop's settings as a form: name, country for phone numbers, staff, the 29 February rule.

Shared by the first-run welcome and the "Shop settings…" dialog. The form never talks to the
database: it is filled from a ``ShopSettings`` and gives a changed copy back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

import phonenumbers
from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.calendar.public import mar1_checked_sentence
from careapp.ui.fit import GridForm

if TYPE_CHECKING:
    from careapp.services.shop.settings import ShopSettings

FEB28, MAR1 = "feb28", "mar1"


def region_choices(extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, "Germany (DE)") for every country phone numbers can be read for, by name."""
    codes = set(phonenumbers.SUPPORTED_REGIONS) | {code.upper() for code in extra if code}
    named = []
    for code in codes:
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
        named.append((code, f"{name} ({code})"))
    return sorted(named, key=lambda choice: choice[1].casefold())


class NameEdit(QLineEdit):
    """A line edit whose Enter adds the name, rather than pressing the dialog's default button."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class StaffListEdit(QWidget):
    """The staff names: a list, a field to type a new one, Add and Remove."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Staff names"))
        self.list.setMaximumHeight(110)
        self.name = NameEdit()
        self.name.setAccessibleName(self.tr("New staff name"))
        self.name.setPlaceholderText(self.tr("a name, then Enter"))
        self.add_button = QPushButton(self.tr("&Add"))
        self.add_button.setAccessibleName(self.tr("Add staff name"))
        self.add_button.setAutoDefault(False)
        self.remove_button = QPushButton(self.tr("Re&move"))
        self.remove_button.setAccessibleName(self.tr("Remove staff name"))
        self.remove_button.setAutoDefault(False)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name, 0, 0)
        layout.addWidget(self.add_button, 0, 1)
        layout.addWidget(self.list, 1, 0)
        layout.addWidget(self.remove_button, 1, 1, Qt.AlignmentFlag.AlignTop)
        self.name.submitted.connect(self.add_typed)
        self.add_button.clicked.connect(self.add_typed)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.name.textChanged.connect(lambda _text: self._update_buttons())
        self._update_buttons()

    def set_names(self, names: Iterable[str]) -> None:
        self.list.clear()
        self.list.addItems(list(names))
        self._update_buttons()

    def names(self) -> tuple[str, ...]:
        """The listed names, plus one typed but not yet added."""
        listed = [self.list.item(row).text() for row in range(self.list.count())]
        typed = " ".join(self.name.text().split())
        if typed and typed.casefold() not in {name.casefold() for name in listed}:
            listed.append(typed)
        return tuple(listed)

    def add_typed(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            return
        known = [self.list.item(row).text().casefold() for row in range(self.list.count())]
        if name.casefold() in known:
            self.list.setCurrentRow(known.index(name.casefold()))
        else:
            self.list.addItem(name)
            self.list.setCurrentRow(self.list.count() - 1)
        self.name.clear()
        self.name.setFocus()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
        self._update_buttons()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.list.hasFocus():
            self.remove_selected()
            event.accept()
            return
        super().keyPressEvent(event)

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.name.text().strip()))
        self.remove_button.setEnabled(self.list.currentRow() >= 0)


class ShopSettingsForm(QWidget):
    """The shop's name, its country for phone numbers, the staff list and the 29 February rule."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._default_name = ""
        self.shop_name = QLineEdit()
        self.shop_name.setAccessibleName(self.tr("Shop name"))
        self.region = QComboBox()
        self.region.setAccessibleName(self.tr("Country for phone numbers"))
        self.region_hint = self._hint(
            self.tr("Phone numbers typed without a country code are read as numbers from this country.")
        )
        self.staff = StaffListEdit()
        self.feb28 = QRadioButton(
            self.tr("Customers born on 29 February are greeted on 2&8 February in other years")
        )
        self.mar1 = QRadioButton(
            self.tr("Customers born on 29 February are greeted on &1 March in other years")
        )
        self.feb29 = QButtonGroup(self)
        for button in (self.feb28, self.mar1):
            button.setAccessibleName(button.text().replace("&", ""))
            self.feb29.addButton(button)
        self.grid = GridForm(self)
        self.grid.add_row(self.tr("Shop &name"), self.shop_name)
        self.grid.add_row(self.tr("&Country for phone numbers"), self.region)
        self.grid.add_sentence(self.region_hint)
        self.grid.add_row(self.tr("&Staff"), self.staff, buddy=self.staff.name)
        self.grid.add_row(self.tr("29 February"), self._feb29_choices())

    def _feb29_choices(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.feb28)
        layout.addWidget(self.mar1)
        # Which calendar apps were checked with the "1 March" rule's events, said where it is chosen.
        self.mar1_note = self._hint(mar1_checked_sentence())
        self.mar1_note.setObjectName("mar1Note")
        layout.addWidget(self.mar1_note)
        return box

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        # The softer colour the palette uses for hints in empty fields, light or dark.
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    def load(self, shop: ShopSettings) -> None:
        self._default_name = shop.shop_name
        self.shop_name.setText(shop.shop_name)
        self.region.clear()
        for code, name in region_choices([shop.default_region]):
            self.region.addItem(name, code)
        self.region.setCurrentIndex(max(self.region.findData(shop.default_region.upper()), 0))
        self.staff.set_names(shop.staff_names)
        (self.mar1 if shop.feb29_observed_on == MAR1 else self.feb28).setChecked(True)

    def values(self, base: ShopSettings) -> ShopSettings:
        """``base`` with what the form shows; an emptied shop name keeps the one it had."""
        name = " ".join(self.shop_name.text().split()) or self._default_name
        return dataclasses.replace(
            base,
            shop_name=name,
            default_region=str(self.region.currentData() or base.default_region),
            staff_names=self.staff.names(),
            feb29_observed_on=MAR1 if self.mar1.isChecked() else FEB28,
        )
