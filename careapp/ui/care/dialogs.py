"""The two small questions the queue asks: snooze until which day, and why skip.

Both are opened with ``open()`` (window-modal, not blocking) and say what was chosen through a
signal, so the page and the tests drive them the same way.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.care.texts import translate, weekday_date
from careapp.ui.widgets import ErrorLabel


def skip_reasons() -> list[str]:
    """Reasons offered when skipping; any other can be typed."""
    return [
        translate("CareQueue", "Not the right moment"),
        translate("CareQueue", "We spoke recently"),
        translate("CareQueue", "They asked not to be contacted like this"),
        translate("CareQueue", "Already done another way"),
    ]


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class SnoozeDialog(QDialog):
    """Pick the day a touch comes back (tomorrow at the earliest); ``chosen(date)`` on OK."""

    chosen = Signal(object)

    def __init__(self, who: str, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Snooze until…"))
        self.today = today
        label = QLabel(self.tr("Bring the touch for {who} back on:").format(who=who))
        label.setWordWrap(True)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName(self.tr("Day to bring it back"))
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        tomorrow = today + dt.timedelta(days=1)
        self.calendar.setMinimumDate(_qdate(tomorrow))
        self.calendar.setMaximumDate(_qdate(today + dt.timedelta(days=366)))
        self.calendar.setSelectedDate(_qdate(today + dt.timedelta(days=7)))
        self.calendar.selectionChanged.connect(self._update_text)
        self.calendar.activated.connect(lambda _date: self.accept())
        self.choice = QLabel()
        self.choice.setAccessibleName(self.tr("Chosen day"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("&Snooze"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.calendar)
        layout.addWidget(self.choice)
        layout.addWidget(buttons)
        self._update_text()
        self.calendar.setFocus()

    def day(self) -> dt.date:
        return _date(self.calendar.selectedDate())

    def set_day(self, day: dt.date) -> None:
        self.calendar.setSelectedDate(_qdate(day))

    def _update_text(self) -> None:
        self.choice.setText(weekday_date(self.day()))

    def accept(self) -> None:
        self.chosen.emit(self.day())
        super().accept()


class SkipDialog(QDialog):
    """Ask why a touch is skipped; ``chosen(reason)`` on Skip. A reason is required."""

    chosen = Signal(str)

    def __init__(self, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Skip this touch"))
        intro = QLabel(
            self.tr(
                "{summary}\n\nSkipped touches are not made again. Say why, so the next person knows."
            ).format(summary=summary)
        )
        intro.setWordWrap(True)
        caption = QLabel(self.tr("&Reason:"))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.addItems(skip_reasons())
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        line = self.reason.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("why this touch is not made"))
        caption.setBuddy(self.reason)
        self.error = ErrorLabel(self.tr("Problem with the reason"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.skip_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.skip_button.setText(self.tr("S&kip"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason.editTextChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(caption)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self._update()
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def text(self) -> str:
        return " ".join(self.reason.currentText().split())

    def _update(self) -> None:
        self.skip_button.setEnabled(bool(self.text()))

    def accept(self) -> None:
        if not self.text():
            self.error.show_error(self.tr("Say why this touch is skipped."))
            return
        self.chosen.emit(self.text())
        super().accept()
