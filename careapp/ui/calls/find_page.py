"""Step 1 of logging a call: find the customer as you type, or add them as a walk-in.

Typing searches names, emails and any part of a phone number; the first match is current, Up and
Down move through the list without leaving the box, and Enter picks the current row (pressed before
the search has answered, it picks the first match as soon as it does). The last row offers a new
walk-in customer made from what was typed: Enter on it opens three fields prefilled from the text,
and Enter there creates the customer and goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import CustomerRow
from careapp.ui.calls.find_model import CustomerMatchModel, guess_walk_in
from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.service import TicketService

SEARCH_DELAY_MS = 150
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WalkInForm(QGroupBox):
    """First name, last name, phone and email of a customer added on the spot."""

    createRequested = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New walk-in customer"), parent)
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        form = QFormLayout()
        for text, field, name in (
            (self.tr("&First name:"), self.first_name, self.tr("First name")),
            (self.tr("&Last name:"), self.last_name, self.tr("Last name")),
            (self.tr("&Phone:"), self.phone, self.tr("Phone")),
            (self.tr("&Email:"), self.email, self.tr("Email")),
        ):
            field.setAccessibleName(name)
            field.installEventFilter(self)
            form.addRow(text, field)
        self.error = ErrorLabel(self.tr("Problem with the new customer"))
        self.create_button = QPushButton(self.tr("&Add and go on"))
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.createRequested)
        self.cancel_button = QPushButton(self.tr("Back to the list"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def fill(self, text: str) -> None:
        guess = guess_walk_in(text)
        self.first_name.setText(guess.first_name)
        self.last_name.setText(guess.last_name)
        self.phone.setText(guess.phone)
        self.email.setText(guess.email)
        self.error.show_error(None)
        empty = next((f for f in (self.first_name, self.phone) if not f.text()), self.phone)
        empty.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter and Escape are handled here, so they never reach the dialog (which would save or close).
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                self.cancelled.emit()
                return True
            if event.key() in _ENTER:
                self.createRequested.emit()
                return True
        return super().eventFilter(watched, event)


class FindCustomerPage(QWidget):
    """Find box, matches and the walk-in form; ``customerChosen(CustomerRow)`` ends the step."""

    customerChosen = Signal(object)
    walkInCreated = Signal(object)  # the CustomerRow just added, before it is chosen

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._tickets: TicketService | None = None
        self._actor: Actor | None = None
        self._pick_when_found = False
        self._searched = ""  # the query of the results shown
        label = QLabel(self.tr("&Who is it?"))
        self.find_box = QLineEdit()
        self.find_box.setAccessibleName(self.tr("Find the customer"))
        self.find_box.setPlaceholderText(self.tr("A name, an email or the last digits of their phone number"))
        self.find_box.setClearButtonEnabled(True)
        label.setBuddy(self.find_box)
        self.model = CustomerMatchModel(self)
        self.results = QListView()
        self.results.setAccessibleName(self.tr("Matching customers"))
        self.results.setModel(self.model)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setUniformItemSizes(True)
        self.results.activated.connect(self._activated)
        self.results.installEventFilter(self)
        self.hint = QLabel(self.tr("Type to search; ↑ ↓ choose, Enter picks."))
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.walk_in = WalkInForm()
        self.walk_in.setVisible(False)
        self.walk_in.createRequested.connect(self._create_walk_in)
        self.walk_in.cancelled.connect(self._walk_in_cancelled)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.find_box.textEdited.connect(self._edited)
        self.find_box.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.find_box)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.walk_in)

    def attach(self, tickets: TicketService, actor: Actor) -> None:
        self._tickets, self._actor = tickets, actor

    def start(self) -> None:
        """Back to an empty find box with the keyboard in it."""
        self.walk_in.setVisible(False)
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    # --- searching -----------------------------------------------------------------------

    def _edited(self, _text: str) -> None:
        self._pick_when_found = False
        self.walk_in.setVisible(False)
        self._timer.start()

    def search_now(self) -> None:
        self._timer.stop()
        query = self.find_box.text()
        if self._tickets is None:
            return
        if not query.strip():
            self._found(query, [])
            return
        tickets = self._tickets
        self._runner.submit(
            lambda: tickets.find_customers(query),
            lambda rows: self._found(query, rows),
            lambda error: self.hint.setText(sentence(error)),
            key=f"call-find-{id(self)}",
            owner=self,
        )

    def _found(self, query: str, rows: list[CustomerRow]) -> None:
        self._searched = query
        self.model.set_results(query, rows)
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0, 0))
        if not query.strip():
            self.hint.setText(self.tr("Type to search; ↑ ↓ choose, Enter picks."))
        elif rows:
            self.hint.setText(self.tr("{count} found; ↑ ↓ choose, Enter picks.").format(count=len(rows)))
        else:
            self.hint.setText(self.tr("Nobody found. Enter adds them as a new walk-in customer."))
        if self._pick_when_found:
            self._pick_when_found = False
            self.pick_current()

    def search_is_current(self) -> bool:
        return not self._timer.isActive() and self._searched == self.find_box.text()

    # --- picking -------------------------------------------------------------------------

    def pick_current(self) -> None:
        """Enter: the current match (once the search for what is typed has answered)."""
        if not self.find_box.text().strip():
            return
        if not self.search_is_current():
            self._pick_when_found = True
            self.search_now()
            return
        index = self.results.currentIndex()
        if index.isValid():
            self._activated(index)

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.model.is_walk_in(index.row()):
            self.walk_in.setVisible(True)
            self.walk_in.fill(self.model.query)
            return
        customer = self.model.customer(index.row())
        if customer is not None:
            self.customerChosen.emit(customer)

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        row = self.results.currentIndex().row()
        row = min(max(row + step, 0), count - 1) if row >= 0 else 0
        self.results.setCurrentIndex(self.model.index(row, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)):
            return super().eventFilter(watched, event)
        if watched is self.results and event.key() in _ENTER:
            self._activated(self.results.currentIndex())
            return True
        if watched is self.find_box:
            key = event.key()
            if key in _ENTER and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.pick_current()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move(10 if key == Qt.Key.Key_PageDown else -10)
                return True
        return super().eventFilter(watched, event)

    # --- a new walk-in customer ----------------------------------------------------------

    def _create_walk_in(self) -> None:
        if self._tickets is None or self._actor is None:
            return
        form, tickets, actor = self.walk_in, self._tickets, self._actor
        first, last = form.first_name.text(), form.last_name.text()
        phone, email = form.phone.text(), form.email.text()
        form.create_button.setEnabled(False)
        self._runner.submit(
            lambda: tickets.create_walk_in(actor, first, last, phone=phone, email=email),
            self._walk_in_created,
            self._walk_in_failed,
            owner=self,
        )

    def _walk_in_created(self, row: CustomerRow) -> None:
        self.walk_in.create_button.setEnabled(True)
        self.walk_in.setVisible(False)
        self.walkInCreated.emit(row)
        self.customerChosen.emit(row)

    def _walk_in_failed(self, error: BaseException) -> None:
        self.walk_in.create_button.setEnabled(True)
        self.walk_in.error.show_error(sentence(error))

    def _walk_in_cancelled(self) -> None:
        self.walk_in.setVisible(False)
        self.find_box.setFocus(Qt.FocusReason.OtherFocusReason)
