"""A customer's tickets as a list beside their story, and opening a ticket's screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.table import make_table
from careapp.ui.tickets.dialog import TicketDialog
from careapp.ui.tickets.models import TicketListModel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.store import TicketSummary


class CustomerTickets(QWidget):
    """The tickets of the customer shown, newest first; Enter or a double click opens one."""

    openRequested = Signal(int)  # ticket id
    countChanged = Signal(int)  # how many tickets the customer shown has

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.customer_id: int | None = None
        self.model = TicketListModel(self)
        self.table = make_table(self.tr("Tickets"))
        self.table.setModel(self.model)
        self.table.activated.connect(self._activated)
        self.message = QLabel(self.tr("No tickets yet."))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.table)
        self.open_button = QPushButton(self.tr("&Open ticket"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_current)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._update_button()

    def attach(self, services: Services) -> None:
        self._services = services

    def show_customer(self, customer_id: int | None) -> None:
        """Load the customer's tickets (None: show nothing)."""
        self.customer_id = customer_id
        if customer_id is None or self._services is None:
            self._show([])
            return
        tickets = self._services.tickets
        self._runner.submit(
            lambda: tickets.tickets_for_customer(customer_id),
            self._show,
            lambda error: self._failed(sentence(error)),
            key=f"customer-tickets-{id(self)}",
            owner=self,
        )

    def refresh(self) -> None:
        self.show_customer(self.customer_id)

    def _show(self, tickets: list[TicketSummary]) -> None:
        self.model.set_rows(tickets)
        self.table.resizeColumnsToContents()
        self.message.setText(self.tr("No tickets yet."))
        self.stack.setCurrentWidget(self.table if tickets else self.message)
        if tickets:
            self.table.selectRow(0)
        self._update_button()
        self.countChanged.emit(len(tickets))

    def _failed(self, message: str) -> None:
        self.model.set_rows([])
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)
        self._update_button()

    def _update_button(self) -> None:
        self.open_button.setEnabled(self.model.rowCount() > 0)

    def current_ticket(self) -> TicketSummary | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.ticket(index.row())

    def _activated(self, index: QModelIndex) -> None:
        self.openRequested.emit(self.model.ticket(index.row()).id)

    def open_current(self) -> None:
        ticket = self.current_ticket()
        if ticket is not None:
            self.openRequested.emit(ticket.id)


class TicketWindows(QObject):
    """Opens ticket screens: one per ticket, brought forward when it is already open.

    ``changed(ticket_id)`` relays a saved change so lists (the customer's tickets) can refresh.
    """

    changed = Signal(int)

    def __init__(self, window: QWidget, runner: Runner) -> None:
        super().__init__(window)
        self._window, self._runner = window, runner
        self._services: Services | None = None
        self._actor: Actor | None = None
        self.open_dialogs: dict[int, TicketDialog] = {}

    def attach(self, services: Services) -> None:
        self._services = services

    def set_actor(self, actor: Actor) -> None:
        """Who is recorded from now on (screens already open keep the one they were opened with)."""
        self._actor = actor

    def open(self, ticket_id: int) -> TicketDialog | None:
        if self._services is None or self._actor is None:
            return None
        dialog = self.open_dialogs.get(ticket_id)
        if dialog is None:
            dialog = TicketDialog(self._services, self._runner, self._actor, ticket_id, self._window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.changed.connect(self.changed)
            dialog.finished.connect(lambda _code: self.open_dialogs.pop(ticket_id, None))
            self.open_dialogs[ticket_id] = dialog
            dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
