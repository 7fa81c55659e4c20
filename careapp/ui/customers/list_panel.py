"""The left side of the main window: the search box above the customer list (or its empty state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.customers.list_model import CustomerListModel, PageFigures
from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService

SEARCH_DELAY_MS = 150
# Shares of the list's width for Name, Email, Phone, City, Stage, Tags, Spent, Purchases; Segment
# (stretched) takes the rest, and never less than TAGS_WIDTH ("needs attention" fits).
COLUMN_SHARES = (0.15, 0.17, 0.11, 0.1, 0.08, 0.08, 0.11, 0.11)
TAGS_WIDTH = 120
MIN_COLUMN_WIDTH = 60


class SearchBox(QLineEdit):
    """Esc clears the search (then does what Esc normally does); Down moves into the list."""

    downPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.downPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class EmptyState(QWidget):
    """What the list area shows when there is no list to show, with the way forward."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("List message"))
        self.new_button = QPushButton(self.tr("&New customer"))
        self.new_button.setAccessibleName(self.tr("New customer"))
        self.import_button = QPushButton(self.tr("&Import customers…"))
        self.import_button.setAccessibleName(self.tr("Import customers"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_text(self, text: str, with_buttons: bool) -> None:
        self.text.setText(text)
        self.new_button.setVisible(with_buttons)
        self.import_button.setVisible(with_buttons)


class CustomerListPanel(QWidget):
    """Search-as-you-type over the customer list; tells the window what is current and what to open."""

    currentCustomerChanged = Signal(object)  # int | None
    openRequested = Signal(int)
    searchFinished = Signal()
    loadFailed = Signal(str)  # a search or page could not be read: the reason

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.model: CustomerListModel | None = None
        self._wanted_id: int | None = None
        self._open_when_ready = False
        self._selecting = False
        # The current row's customer was not known yet (past the first page before the ids came).
        self._current_unknown = False
        # Set while a search or refresh asked for here is on its way. A list replaced without one
        # (the ids, fetched after a pause, show another seat's change) keeps the rows picked.
        self._asked = False
        self._kept: list[int] = []
        self._kept_scroll: int | None = None  # where the list was, when the model replaced it itself
        # Columns follow the list's width until the user sizes one by hand.
        self._auto_fit_columns = True
        self._fitting_columns = False
        self.search = SearchBox()
        self.search.setPlaceholderText(self.tr("Search name, email, phone, #tag, notes, city  (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search customers"))
        self.search.setClearButtonEnabled(True)
        self.search.setEnabled(False)
        self.table = self._make_table()
        self.empty = EmptyState()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._open_from_search)
        self.search.downPressed.connect(self._enter_list)
        self.table.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        self.show_opening()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setAccessibleName(self.tr("Customers"))
        # Tab leaves the list (to the customer's details) rather than moving from cell to cell.
        table.setTabKeyNavigation(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Ctrl/Shift+click) for "Change selected…"; the current row is still the one shown.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        # Fixed row heights: the view never measures 100,000 rows.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSortIndicatorShown(True)
        return table

    # --- life cycle ----------------------------------------------------------------------

    def show_opening(self) -> None:
        self.empty.show_text(self.tr("Opening the database…"), with_buttons=False)
        self.stack.setCurrentWidget(self.empty)

    def attach(
        self,
        customers: CustomerService,
        header_state: QByteArray | None = None,
        sized_by_user: bool = False,
        figures: PageFigures | None = None,
    ) -> None:
        """Show the customers; the first search starts at once (sorting triggers it).

        ``header_state`` brings back the sort column (and the column widths if ``sized_by_user``);
        ``figures`` (the value service's list_figures) fills the Spent, Purchases and Segment columns.
        """
        self.model = CustomerListModel(customers, self._runner, self, figures)
        self.model.searchFinished.connect(self._search_finished)
        self.model.idsLoaded.connect(self._ids_loaded)
        self.model.loadFailed.connect(self.loadFailed)
        self.model.modelAboutToBeReset.connect(self._list_replacing)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        restored = header_state is not None and header.restoreState(header_state)
        self._auto_fit_columns = not (restored and sized_by_user)
        if self._auto_fit_columns:
            self._fit_columns()
        header.sectionResized.connect(self._section_resized)
        self.table.viewport().installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.search.setEnabled(True)
        self.table.setSortingEnabled(True)  # asks the model to sort, which runs the first search

    def _fit_columns(self) -> None:
        """Share the visible width between the columns, so nothing needs sideways scrolling."""
        available = self.table.viewport().width()
        header = self.table.horizontalHeader()
        # A stretched last section never shrinks below the default section size.
        last = max(min(TAGS_WIDTH, available // (len(COLUMN_SHARES) + 1)), header.defaultSectionSize())
        unit = max(available - last, len(COLUMN_SHARES)) / sum(COLUMN_SHARES)
        widths = [int(unit * share) for share in COLUMN_SHARES]
        # Each column gets its minimum only when they all fit with it: a narrow list shares what it has.
        floored = [max(width, MIN_COLUMN_WIDTH) for width in widths]
        if sum(floored) + last <= available:
            widths = floored
        self._fitting_columns = True
        try:
            for column, width in enumerate(widths):
                header.resizeSection(column, width)
        finally:
            self._fitting_columns = False

    def columns_follow_width(self) -> bool:
        """True until the user sizes a column by hand (then their widths are kept)."""
        return self._auto_fit_columns

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        # The last column stretches by itself whenever the list is resized; that is not the user.
        if not self._fitting_columns and column < len(COLUMN_SHARES):
            self._auto_fit_columns = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._auto_fit_columns and watched is self.table.viewport():
            self._fit_columns()
        return False

    # --- searching -----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self, select_id: int | None = None) -> None:
        """Search again (the customers changed); keep or move the selection to ``select_id``."""
        if self.model is None:
            return
        self._wanted_id = select_id if select_id is not None else self.current_id()
        self._asked = True
        self.model.refresh()

    def _search_now(self) -> None:
        if self.model is not None:
            self._wanted_id = self.current_id()
            self._asked = True
            self.model.search(self.search.text())

    def _search_finished(self) -> None:
        assert self.model is not None
        self._current_unknown = False
        self._asked = False
        kept, self._kept = self._kept, []
        kept_scroll, self._kept_scroll = self._kept_scroll, None
        self._update_empty_state()
        # After a keystroke only the first page's customers are known: a selected customer further
        # down is not looked for (the first match is selected instead), so typing never waits for
        # every id. A refresh knows every id, so it finds the selected customer wherever it is.
        row = self.model.row_of(self._wanted_id) if self._wanted_id is not None else None
        if row is None and self.model.rowCount() > 0:
            row = 0
        if row is None:
            self.currentCustomerChanged.emit(None)
        else:
            self.select_row(row)
            self.pick_again(kept)
        if kept_scroll is not None:
            # Replaced by the model itself (the ids fetched after a pause showed another seat's
            # change): selecting the row again scrolled it into view; the user's place comes back.
            self.table.verticalScrollBar().setValue(kept_scroll)
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_current()
        self.searchFinished.emit()

    def _list_replacing(self) -> None:
        """The model is about to be reset: remember the rows picked if no search asked for it."""
        if self.model is None or self._asked:
            return
        self._wanted_id = self.current_id()
        rows = [index.row() for index in self.table.selectionModel().selectedRows()]
        self._kept = [cid for cid in (self.model.customer_id(row) for row in rows) if cid is not None]
        self._kept_scroll = self.table.verticalScrollBar().value()

    def pick_again(self, customer_ids: list[int]) -> None:
        """Several rows picked (for a bulk change) stay picked when the list was replaced under them
        (by this panel, or by a refresh for another seat's change: see careapp.ui.changes)."""
        if len(customer_ids) < 2 or self.model is None:
            return
        model, selection = self.model, QItemSelection()
        for customer_id in customer_ids:
            row = model.row_of(customer_id)
            if row is not None:
                selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)

    def _update_empty_state(self) -> None:
        assert self.model is not None
        if self.model.rowCount() > 0:
            self.stack.setCurrentWidget(self.table)
        elif self.model.total == 0:
            self.empty.show_text(self.tr("No customers yet — press Ctrl+N to add one, or import them."), True)
            self.stack.setCurrentWidget(self.empty)
        else:
            self.empty.show_text(
                self.tr("No customer matches “{query}”. Press Esc in the search box to see everyone.").format(
                    query=self.model.query.strip()
                ),
                False,
            )
            self.stack.setCurrentWidget(self.empty)

    # --- selection and opening -----------------------------------------------------------

    def current_id(self) -> int | None:
        if self.model is None:
            return None
        index = self.table.currentIndex()
        return self.model.customer_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        """The customers of the selected rows, in list order (the current one when none is selected).

        Empty while a selected row's customer is not known yet (a selection past the first page
        asks for every id at once; they arrive within moments): never only some of them, so a
        change to "the selected customers" cannot quietly miss some."""
        if self.model is None:
            return []
        model = self.model
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        ids = [cid for cid in (model.customer_id(row) for row in rows) if cid is not None]
        if len(ids) < len(rows):
            return []
        if not ids and (current := self.current_id()) is not None:
            ids = [current]
        return ids

    def selection_waits_for_ids(self) -> bool:
        """Whether rows are selected whose customers are not known yet (see :meth:`selected_ids`)."""
        if self.model is None or self.model.ids_known:
            return False
        return bool(self.table.selectionModel().selectedRows())

    def when_ids_known(self, then: Callable[[], object]) -> None:
        """Call ``then`` once every row's customer is known (at once if they are): for an action on
        the selected customers asked for in the moments before they arrive."""
        model = self.model
        if model is None or model.ids_known:
            then()
            return

        def arrived() -> None:
            model.idsLoaded.disconnect(arrived)
            then()

        model.idsLoaded.connect(arrived)
        model.load_ids()

    def select_row(self, row: int) -> None:
        assert self.model is not None
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self._selecting = True
        try:
            self.table.selectionModel().setCurrentIndex(index, flags)
        finally:
            self._selecting = False
        # The current row's customer was not known yet (past the first page before the ids came).
        self._current_unknown = False
        self.table.scrollTo(index)
        # Signalled here rather than through currentRowChanged, which stays quiet when the row
        # number is the same even though the customer behind it may have changed.
        self.currentCustomerChanged.emit(self.model.customer_id(row))

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.model is not None and current.isValid() and not self._selecting:
            customer_id = self.model.customer_id(current.row())  # None until the ids arrive (asked for)
            self._current_unknown = customer_id is None
            # A search already on its way (another seat's change, say) keeps the user's new choice.
            self._wanted_id = customer_id
            self.currentCustomerChanged.emit(customer_id)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        """A selection reaching past the rows whose customers are known (Ctrl+A, Shift+End) asks
        for every id at once, so "Change selected…" finds every customer picked."""
        if self.model is None or self.model.ids_known:
            return
        known = self.model.known_rows()
        if any(selected.at(n).bottom() >= known for n in range(selected.count())):
            self.model.load_ids()

    def _ids_loaded(self) -> None:
        """The ids arrived: the current row, picked before its customer was known, is announced now."""
        if self.model is None or not self._current_unknown:
            return
        self._current_unknown = False
        index = self.table.currentIndex()
        if index.isValid():
            customer_id = self.model.customer_id(index.row())
            self._wanted_id = customer_id
            self.currentCustomerChanged.emit(customer_id)

    def _activated(self, index: QModelIndex) -> None:
        if self.model is not None and index.isValid():
            customer_id = self.model.customer_id(index.row())
            if customer_id is not None:
                self.openRequested.emit(customer_id)

    def _open_current(self) -> None:
        customer_id = self.current_id()
        if customer_id is not None:
            self.openRequested.emit(customer_id)

    def _open_from_search(self) -> None:
        """Enter in the search box opens the current match (after the search, if one is pending)."""
        if self.model is None:
            return
        if self._debounce.isActive() or self.model.query != self.search.text():
            self._debounce.stop()
            self._open_when_ready = True
            self._search_now()
        else:
            self._open_current()

    def _enter_list(self) -> None:
        if self.model is not None and self.model.rowCount() > 0:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.select_row(0)
