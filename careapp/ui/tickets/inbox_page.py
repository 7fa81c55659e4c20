"""The Tickets page: every open ticket and promised callback across customers, filtered and ordered.

Enter (or a double click) opens the ticket's window; on a callback promised outside any ticket it
opens the customer instead. The page says how many tickets are open, and the tab shows it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from careapp.domain.inbox import InboxFilter, InboxOrder
from careapp.ui.formatting import counted
from careapp.ui.runner import Runner
from careapp.ui.table import make_table
from careapp.ui.tickets.inbox_model import InboxModel

if TYPE_CHECKING:
    from careapp.context import Services


class InboxPage(QWidget):
    """The list with its filter, order and counts. ``attach`` gives it the services."""

    openTicketRequested = Signal(int)
    openCustomerRequested = Signal(int)
    countChanged = Signal(int)  # open tickets

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketsPage")
        self._runner = runner
        self._services: Services | None = None
        self._me = ""
        self._keep_key: int | None = None
        self.model: InboxModel | None = None
        self._read = False  # the list was asked for at least once
        self._read_wanted = False  # load_once came before the services
        self.filter = QComboBox()
        self.filter.setAccessibleName(self.tr("Show"))
        for text, value in (
            (self.tr("All open"), InboxFilter.ALL),
            (self.tr("Mine"), InboxFilter.MINE),
            (self.tr("Unassigned"), InboxFilter.UNASSIGNED),
            (self.tr("Waiting on customer"), InboxFilter.WAITING_CUSTOMER),
            (self.tr("Waiting on supplier"), InboxFilter.WAITING_SUPPLIER),
            (self.tr("Callback overdue"), InboxFilter.CALLBACK_OVERDUE),
        ):
            self.filter.addItem(text, value)
        self.order = QComboBox()
        self.order.setAccessibleName(self.tr("Order"))
        self.order.addItem(self.tr("Newest activity first"), InboxOrder.NEWEST_ACTIVITY)
        self.order.addItem(self.tr("Oldest waiting first"), InboxOrder.OLDEST_WAITING)
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Open tickets"))
        self.table = make_table(self.tr("Open tickets and callbacks"))
        self.table.activated.connect(self._activated)
        # Fixed widths (a lazy list cannot measure rows it has not read); the title takes the rest.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setDefaultSectionSize(140)
        # An empty list says why, and how a ticket comes (not a blank table).
        self.empty = QLabel()
        self.empty.setObjectName("ticketsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setVisible(False)
        self.open_button = QPushButton(self.tr("&Open"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_current)
        self._lay_out()
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.order.currentIndexChanged.connect(lambda _i: self.reload())

    def _lay_out(self) -> None:
        show_label = QLabel(self.tr("&Show:"))
        show_label.setBuddy(self.filter)
        order_label = QLabel(self.tr("O&rder:"))
        order_label.setBuddy(self.order)
        bar = QHBoxLayout()
        for widget in (show_label, self.filter, order_label, self.order):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # --- wiring --------------------------------------------------------------------------

    def attach(self, services: Services, load: bool = True) -> None:
        """The database is open: load the list (``load=False``: when :meth:`load_once` or the page
        being shown asks)."""
        self._services = services
        self.model = InboxModel(services.inbox, self._runner, services.clock, self)
        self.model.counted.connect(self._counted)
        self.model.keysLoaded.connect(self._keys_loaded)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        for column, width in ((0, 170), (3, 170), (4, 70), (6, 190)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_button())
        if load or self._read_wanted:
            self.reload()

    def load_once(self) -> None:
        """The first read, if none was made yet (the window asks once the care queue has come: read
        beside it at start, the inbox's 1.3 s on the database thread at 100,000 customers held the
        queue back 0.4-0.5 s)."""
        if self.model is None:
            self._read_wanted = True
        elif not self._read:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.load_once()

    def set_me(self, name: str) -> None:
        """Who is working (the "Mine" filter); reloads when that filter is showing."""
        changed = name != self._me
        self._me = name
        if changed and self.model is not None and self.chosen_filter() is InboxFilter.MINE:
            self.reload()

    def chosen_filter(self) -> InboxFilter:
        return InboxFilter(self.filter.currentData())

    def chosen_order(self) -> InboxOrder:
        return InboxOrder(self.order.currentData())

    def reload(self) -> None:
        """Read the list again (a change was saved, or the filter or order changed)."""
        if self.model is None:
            return
        self._read = True
        self._keep_key = self.current_key()
        self.model.load(self.chosen_filter(), self.chosen_order(), self._me)

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the selection -------------------------------------------------------------------

    def current_key(self) -> int | None:
        index = self.table.currentIndex()
        return None if self.model is None or not index.isValid() else self.model.key(index.row())

    def current_ticket_id(self) -> int | None:
        key = self.current_key()
        return key if key is not None and key > 0 else None

    def current_customer_id(self) -> int | None:
        index = self.table.currentIndex()
        if self.model is None or not index.isValid():
            return None
        line = self.model.line(index.row())
        return None if line is None else line.customer_id

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._activated(index)

    def _activated(self, index: QModelIndex) -> None:
        if self.model is None:
            return
        key = self.model.key(index.row())
        if key is not None and key > 0:
            self.openTicketRequested.emit(key)
            return
        line = self.model.line(index.row())
        if line is not None:
            self.openCustomerRequested.emit(line.customer_id)

    def _keys_loaded(self) -> None:
        assert self.model is not None
        row = self.model.row_of(self._keep_key) if self._keep_key is not None else None
        if row is None and self.model.rowCount() > 0:
            row = 0
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._show_empty(self.model.rowCount() == 0)
        self._update_button()

    def _show_empty(self, empty: bool) -> None:
        if empty and self.chosen_filter() is InboxFilter.ALL:
            text = self.tr(
                "No open tickets or promised callbacks. A call that is not solved at once becomes a "
                "ticket here: Log a call (Ctrl+L)."
            )
        elif empty:
            text = self.tr("Nothing open is “{shown}”. Show “All open” to see every open ticket.").format(
                shown=self.filter.currentText()
            )
        else:
            text = ""
        self.empty.setText(text)
        self.empty.setVisible(empty)

    def _counted(self, tickets: int, callbacks: int) -> None:
        self.summary.setText(
            self.tr("{tickets}, {callbacks}").format(
                tickets=counted(tickets, self.tr("{count} open ticket"), self.tr("{count} open tickets")),
                callbacks=counted(
                    callbacks, self.tr("{count} callback promised"), self.tr("{count} callbacks promised")
                ),
            )
        )
        self.countChanged.emit(tickets)

    def _update_button(self) -> None:
        self.open_button.setEnabled(self.table.currentIndex().isValid())
