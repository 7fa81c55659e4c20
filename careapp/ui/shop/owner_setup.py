"""The welcome's staff part: who of the staff typed is the owner, and an optional owner's PIN.

The staff names become the staff list when the welcome is finished (the owner chosen here as
owner, the others as staff), so roles apply from the first day. The PIN is described for what it
is: a guard on the shop floor, not protection from whoever controls the computer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from careapp.domain.pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH
from careapp.ui.fit import GridForm

PIN_MIN, PIN_MAX = PIN_MIN_LENGTH, PIN_MAX_LENGTH  # the domain's rule (careapp/domain/pins.py)


@dataclass(frozen=True)
class StaffSetup:
    """The staff list the welcome makes: the owner first, then the staff; ``pin`` may be ""."""

    owner: str
    staff: tuple[str, ...]
    pin: str

    def names(self) -> tuple[str, ...]:
        return (self.owner, *self.staff)


class OwnerSetup(QWidget):
    """Owner (a choice among the staff names), a sentence saying who becomes what, the PIN twice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self.owner = QComboBox()
        self.owner.setAccessibleName(self.tr("Owner"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Who becomes what"))
        self.pin = self._pin_field(self.tr("Owner's PIN (optional)"))
        self.pin_again = self._pin_field(self.tr("Owner's PIN again"))
        hint = QLabel(
            self.tr(
                "Optional, {low} to {high} digits. careapp asks for it when someone switches to the owner "
                "and before the owner's actions (deleting, exporting, the staff list). It keeps the shop "
                "floor tidy; it does not protect the data from whoever controls this computer."
            ).format(low=PIN_MIN, high=PIN_MAX)
        )
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.grid = GridForm(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.add_row(self.tr("O&wner"), self.owner)
        self.grid.add_sentence(self.summary)
        self.grid.add_row(self.tr("Owner's &PIN"), self.pin)
        self.grid.add_row(self.tr("PIN a&gain"), self.pin_again)
        self.grid.add_sentence(hint)
        self.owner.currentIndexChanged.connect(lambda _index: self._update())
        self._update()

    def _pin_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(PIN_MAX)
        field.setPlaceholderText(self.tr("none"))
        return field

    def set_names(self, names: Sequence[str]) -> None:
        """The staff names as typed so far; the owner chosen stays chosen while still there."""
        if tuple(names) == self._names:
            return
        chosen = self.owner.currentText()
        self._names = tuple(names)
        self.owner.blockSignals(True)
        try:
            self.owner.clear()
            self.owner.addItems(list(self._names))
            index = self.owner.findText(chosen)
            self.owner.setCurrentIndex(index if index >= 0 else 0)
        finally:
            self.owner.blockSignals(False)
        self._update()

    def setup(self) -> StaffSetup | None:
        """The staff list to make; None when no names were typed (a one-person shop, no roles)."""
        owner = self.owner.currentText()
        if not owner:
            return None
        return StaffSetup(owner, tuple(n for n in self._names if n != owner), self.pin.text())

    def problem(self) -> str | None:
        """What is wrong with the PIN typed, as a sentence; None when it is fine (or empty)."""
        pin, again = self.pin.text(), self.pin_again.text()
        if not pin and not again:
            return None
        if not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
            return self.tr("The owner's PIN is {low} to {high} digits, nothing else.").format(
                low=PIN_MIN, high=PIN_MAX
            )
        if pin != again:
            return self.tr("The two PINs typed differ; type the same PIN twice.")
        return None

    def _update(self) -> None:
        has_names = bool(self._names)
        for widget in (self.owner, self.pin, self.pin_again):
            widget.setEnabled(has_names)
        self.summary.setText(self._summary())
        self.changed.emit()

    def _summary(self) -> str:
        setup = self.setup()
        if setup is None:
            return self.tr("No staff names yet: everyone may do everything until you add them.")
        if not setup.staff:
            return self.tr("{owner} becomes the owner. Add staff later under File → Staff list.").format(
                owner=setup.owner
            )
        return self.tr(
            "{owner} becomes the owner; {staff} will work as staff. Only the owner can delete customers, "
            "export the customer list, edit care rules and change the staff list."
        ).format(owner=setup.owner, staff=", ".join(setup.staff))
