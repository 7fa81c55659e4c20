"""Who is working at this seat: "Working as: Sam", remembered between sessions."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

CURRENT_STAFF_KEY = "staff/current"


class StaffPicker(QWidget):
    """A small "Working as" combo box over the shop's staff names.

    With no staff list there is nothing to choose: it just names the fallback (the computer's
    user name), with a hint on where to add staff. The choice is remembered in QSettings, so
    each seat starts as whoever used it last.
    """

    actorChanged = Signal(str)

    def __init__(self, settings: QSettings, fallback: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._fallback = fallback
        self.label = QLabel(self.tr("&Working as:"))
        self.combo = QComboBox()
        self.combo.setAccessibleName(self.tr("Working as"))
        self.combo.setToolTip(self.tr("Who is recorded as making changes at this computer"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.label.setBuddy(self.combo)
        self.only_name = QLabel()
        self.only_name.setAccessibleName(self.tr("Working as"))
        self.only_name.setToolTip(
            self.tr("Add the staff under File → Shop settings to choose who is working")
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 0)  # apart from the customer count beside it
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.only_name)
        self.set_names(())
        self.combo.currentTextChanged.connect(self._chosen)

    def set_names(self, names: Sequence[str]) -> None:
        """Offer these names (the shop's staff), keeping the remembered one when it is there."""
        choices = list(names) or [self._fallback]
        remembered = self._settings.value(CURRENT_STAFF_KEY)
        before = self.actor()
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItems(choices)
            if isinstance(remembered, str) and remembered in choices:
                self.combo.setCurrentText(remembered)
        finally:
            self.combo.blockSignals(False)
        self.only_name.setText(self.actor())
        self.combo.setVisible(len(choices) > 1)
        self.only_name.setVisible(len(choices) <= 1)
        self.label.setText(self.tr("&Working as:") if len(choices) > 1 else self.tr("Working as:"))
        if self.actor() != before:
            self.actorChanged.emit(self.actor())

    def actor(self) -> str:
        return self.combo.currentText() or self._fallback

    def _chosen(self, name: str) -> None:
        if not name:
            return
        self._settings.setValue(CURRENT_STAFF_KEY, name)
        self.actorChanged.emit(name)
