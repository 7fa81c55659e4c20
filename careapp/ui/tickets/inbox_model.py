"""The Tickets page's list as a lazily filled table model.

A filter or order asks the database for the keys of every line (light columns only: 20,000 tickets
are a few tens of milliseconds); rows are then read a page at a time, only for the pages the view
asks for, and show a placeholder until their page arrives. A refresh (after a change) reads the
keys again and keeps the lines that are still there where they were.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from careapp.domain.inbox import CALLBACK_STATE, InboxFilter, InboxOrder
from careapp.ui.formatting import short_time
from careapp.ui.runner import Runner
from careapp.ui.tickets.texts import state_name

if TYPE_CHECKING:
    from careapp.services.tickets.inbox import InboxKeys, InboxRow, InboxService

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)
translate = QCoreApplication.translate


def age_text(since: dt.datetime, now: dt.datetime) -> str:
    """ "45 min", "5 h", "3 d": how long a line has been open, in the largest whole unit."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return translate("Inbox", "{n} min").format(n=minutes)
    if minutes < 48 * 60:
        return translate("Inbox", "{n} h").format(n=minutes // 60)
    return translate("Inbox", "{n} d").format(n=minutes // (24 * 60))


class InboxModel(QAbstractTableModel):
    """Open tickets and promised callbacks across customers, in the order the service gives them."""

    KeyRole = _ROLE_BASE + 1
    TicketIdRole = _ROLE_BASE + 2  # None for a callback outside any ticket
    CustomerIdRole = _ROLE_BASE + 3
    LoadedRole = _ROLE_BASE + 4
    OverdueRole = _ROLE_BASE + 5

    PAGE_SIZE = 200
    MAX_PAGES = 50
    PLACEHOLDER = "…"

    counted = Signal(int, int)  # open tickets, open callbacks (whatever the filter)
    keysLoaded = Signal()
    loadFailed = Signal(str)

    def __init__(
        self,
        inbox: InboxService,
        runner: Runner,
        now: Callable[[], dt.datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._inbox, self._runner, self._now = inbox, runner, now
        self.columns = (
            self.tr("Customer"),
            self.tr("Title"),
            self.tr("Category"),
            self.tr("State"),
            self.tr("Age"),
            self.tr("Assigned to"),
            self.tr("Next promise"),
        )
        self.filter = InboxFilter.ALL
        self.order = InboxOrder.NEWEST_ACTIVITY
        self.me = ""
        self._keys: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, dict[int, InboxRow]] = OrderedDict()
        self._loading: set[int] = set()
        self._wanted: set[int] = set()
        self._generation = 0  # bumped when the keys change: pages read for older keys are dropped
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)

    # --- what the page asks --------------------------------------------------------------

    def load(self, chosen: InboxFilter, order: InboxOrder, me: str) -> None:
        """Show the lines ``chosen`` keeps in ``order``; the list changes when the database answers."""
        self.filter, self.order, self.me = chosen, order, me
        self.refresh()

    def refresh(self) -> None:
        inbox, chosen, order, me = self._inbox, self.filter, self.order, self.me
        self._runner.submit(
            lambda: inbox.keys(chosen, order, me),
            self._keys_arrived,
            lambda error: self.loadFailed.emit(str(error)),
            key=f"inbox-keys-{id(self)}",
            owner=self,
        )

    def key(self, row: int) -> int | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_of(self, key: int) -> int | None:
        if self._row_of is None:
            self._row_of = {k: row for row, k in enumerate(self._keys)}
        return self._row_of.get(key)

    def line(self, row: int) -> InboxRow | None:
        """The row's line if its page is here (else None, and the page is asked for)."""
        if not 0 <= row < len(self._keys):
            return None
        page_number = row // self.PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            self._want(page_number)
            return None
        self._pages.move_to_end(page_number)
        return page.get(self._keys[row])

    # --- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        if role == self.KeyRole:
            return self._keys[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
            self.TicketIdRole,
            self.CustomerIdRole,
            self.LoadedRole,
            self.OverdueRole,
        ):
            return None
        line = self.line(index.row())
        if role == self.LoadedRole:
            return line is not None
        if line is None:
            placeholder = index.column() == 0 and role == Qt.ItemDataRole.DisplayRole
            return self.PLACEHOLDER if placeholder else None
        if role == self.TicketIdRole:
            return line.ticket_id
        if role == self.CustomerIdRole:
            return line.customer_id
        if role == self.OverdueRole:
            return self._overdue(line)
        return self._cell_text(line, index.column())

    # --- the cells -----------------------------------------------------------------------

    def _overdue(self, line: InboxRow) -> bool:
        return line.next_promise is not None and line.next_promise < self._now()

    def _cell_text(self, line: InboxRow, column: int) -> str:
        if column == 0:
            return line.customer_name
        if column == 1:
            return line.title
        if column == 2:
            return line.category
        if column == 3:
            return self.tr("Callback promised") if line.state == CALLBACK_STATE else state_name(line.state)
        if column == 4:
            return age_text(line.opened_at, self._now())
        if column == 5:
            return line.assignee
        if line.next_promise is None:
            return ""
        when = short_time(line.next_promise)
        return self.tr("{when} (overdue)").format(when=when) if self._overdue(line) else when

    # --- keys and pages ------------------------------------------------------------------

    def _keys_arrived(self, found: InboxKeys) -> None:
        self.counted.emit(found.open_tickets, found.open_callbacks)
        self.beginResetModel()
        self._generation += 1
        self._keys, self._row_of = found.keys, None
        self._pages.clear()
        self._loading.clear()
        self._wanted.clear()
        self.endResetModel()
        self.keysLoaded.emit()

    def _want(self, page_number: int) -> None:
        if page_number in self._loading or page_number in self._wanted:
            return
        self._wanted.add(page_number)
        self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        wanted, self._wanted = sorted(self._wanted), set()
        for page_number in wanted:
            self._fetch(page_number)

    def _fetch(self, page_number: int) -> None:
        start = page_number * self.PAGE_SIZE
        keys = self._keys[start : start + self.PAGE_SIZE]
        inbox, generation = self._inbox, self._generation
        self._loading.add(page_number)
        self._runner.submit(
            lambda: inbox.rows(keys),
            lambda rows: self._page_arrived(generation, page_number, rows),
            lambda error: self._page_failed(generation, page_number, error),
            owner=self,
        )

    def _page_arrived(self, generation: int, page_number: int, rows: list[InboxRow]) -> None:
        if generation != self._generation:
            return
        self._loading.discard(page_number)
        self._pages[page_number] = {row.key: row for row in rows}
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page_number * self.PAGE_SIZE
        last = min(first + self.PAGE_SIZE, len(self._keys)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _page_failed(self, generation: int, page_number: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading.discard(page_number)
        self.loadFailed.emit(str(error))
