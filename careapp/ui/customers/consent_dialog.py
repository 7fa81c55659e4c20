"""Record consent: for one customer (from a touch held for "no consent yet" in the care queue) or for
many (Customers → Record consent for selected…, e.g. after an import). Each agreement is appended to
the customers' consent history with how, when and by whom; the care queue follows at once (its
refresh runs after every commit), so a touch that was waiting for it goes ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import Channel, ConsentEvent
from careapp.ui.formatting import channel_name, format_count, long_date_format, sentence
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService


class RecordConsentDialog(QDialog):
    """Channels, how they agreed, when; Record (Enter or Ctrl+Enter). ``recorded(count)`` once saved;
    a refused save keeps everything typed and says why."""

    recorded = Signal(int)

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        actor: str,
        customer_ids: Sequence[int],
        who: str,
        today: dt.date,
        channels: Sequence[Channel] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers, self._runner, self._actor = customers, runner, actor
        self._ids = list(customer_ids)
        self.setWindowTitle(self.tr("Record consent"))
        intro = QLabel(
            self.tr(
                "{who} agreed to be contacted by the ways ticked below. Each agreement is kept in "
                "their consent history."
            ).format(who=who)
        )
        intro.setWordWrap(True)
        self.channels = {channel: QCheckBox(channel_name(channel)) for channel in Channel}
        for channel in channels:
            self.channels[channel].setChecked(True)
        ticks = QHBoxLayout()
        for box in self.channels.values():
            ticks.addWidget(box)
        ticks.addStretch(1)
        self.how = QLineEdit()
        self.how.setPlaceholderText(self.tr("for example: paper form at the till, 2026"))
        self.how.setAccessibleName(self.tr("How they agreed"))
        self.when = QDateEdit(QDate(today.year, today.month, today.day))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(long_date_format(QLocale()))  # "7 December 2026", not "7 12 2026"
        self.when.setMaximumDate(QDate(today.year, today.month, today.day))
        self.when.setAccessibleName(self.tr("When they agreed"))
        form = QFormLayout()
        form.addRow(self.tr("By"), ticks)
        form.addRow(self.tr("&How they agreed"), self.how)
        form.addRow(self.tr("&When"), self.when)
        form.addRow(self.tr("Recorded by"), QLabel(actor or self.tr("(no name)")))
        self.error = ErrorLabel(self.tr("Problem recording consent"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = buttons.addButton(self.tr("&Record"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.record_button.setDefault(True)
        self.record_button.setToolTip(self.tr("Record the agreement (Ctrl+Enter)"))
        buttons.accepted.connect(self.record)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        save_keys(self, self.record)
        self.how.setFocus(Qt.FocusReason.OtherFocusReason)

    def ticked(self) -> list[Channel]:
        return [channel for channel, box in self.channels.items() if box.isChecked()]

    def record(self) -> None:
        if not self.record_button.isEnabled():
            return
        channels = self.ticked()
        day = self.when.date()
        at = dt.datetime(day.year(), day.month(), day.day(), 12, 0)
        agreed = ConsentEvent(
            channels[0] if channels else Channel.EMAIL, True, at, self.how.text(), self._actor
        )
        customers, ids = self._customers, self._ids
        self.record_button.setEnabled(False)
        self._runner.submit(
            lambda: customers.record_consents(ids, channels, agreed), self._done, self._failed, owner=self
        )

    def _done(self, count: int) -> None:
        self.record_button.setEnabled(True)
        self.recorded.emit(count)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.record_button.setEnabled(True)
        self.error.show_error(sentence(error))


def open_record_consent(
    parent: QWidget,
    customers: CustomerService,
    runner: Runner,
    actor: str,
    customer_ids: Sequence[int],
    who: str,
    today: dt.date,
    channels: Sequence[Channel] = (),
    on_recorded: Callable[[int], object] | None = None,
) -> RecordConsentDialog:
    """Open the dialog (deleted on close); ``on_recorded(count)`` after a save."""
    dialog = RecordConsentDialog(customers, runner, actor, customer_ids, who, today, channels, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_recorded is not None:
        dialog.recorded.connect(on_recorded)
    dialog.open()
    return dialog


def recorded_text(count: int) -> str:
    """The message after recording."""
    translate = QCoreApplication.translate
    if count == 0:
        return translate("RecordConsent", "Nothing new to record: they had already agreed to those.")
    if count == 1:
        return translate("RecordConsent", "Recorded 1 agreement; the care queue follows.")
    return translate("RecordConsent", "Recorded {count} agreements; the care queue follows.").format(
        count=format_count(count)
    )


class ConsentForSelected(QObject):
    """Customers → Record consent for selected… (Ctrl+Shift+R): one agreement for every selected
    customer (after an import, say), the same how and when kept on each event."""

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        selected: Callable[[], list[int]],
        message: Callable[[str], object],
        actor: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._selected, self._message, self._actor = (
            window,
            runner,
            selected,
            message,
            actor,
        )
        self._customers: CustomerService | None = None
        self._today: Callable[[], dt.date] = dt.date.today
        self.dialog: RecordConsentDialog | None = None
        self.action = QAction(self.tr("Record &consent for selected…"), window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.action.setToolTip(
            self.tr("The selected customers agreed to be contacted: record it for each of them")
        )
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(False)
        window.addAction(self.action)

    def attach(self, customers: CustomerService, today: Callable[[], dt.date]) -> None:
        self._customers, self._today = customers, today
        self.action.setEnabled(True)

    def open_dialog(self) -> RecordConsentDialog | None:
        ids = self._selected()
        if self._customers is None:
            return None
        if not ids:
            self._message(self.tr("Select the customers who agreed first (Shift or Ctrl with the arrows)."))
            return None
        who = self.tr("The {count} selected customers").format(count=format_count(len(ids)))
        if len(ids) == 1:
            who = self.tr("The selected customer")
        self.dialog = open_record_consent(
            self._window,
            self._customers,
            self._runner,
            self._actor(),
            ids,
            who,
            self._today(),
            on_recorded=lambda count: self._message(recorded_text(count)),
        )
        return self.dialog
