"""The customer list as a lazily filled table model.

The model holds only the ids of the matching customers, sorted by the database. The rows
themselves (name, email, …) are fetched in pages through the runner when the view first asks
for them; until a page arrives its rows show a placeholder. That keeps the list quick with
100,000 customers: one query for the ids, then one small query per screenful.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from careapp.domain.customer import CustomerRow
from careapp.ui.formatting import stage_name
from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.services.customers import CustomerService

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)


@dataclass(frozen=True)
class Column:
    key: str  # also the service's SortColumn value
    title: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    ids: list[int]
    total: int  # customers in the database, whatever the query


def _run_search(customers: CustomerService, query: str, sort_key: str, descending: bool) -> SearchResult:
    # Imported here, on the worker thread: the services module pulls in SQLAlchemy.
    from careapp.services.customers import SortColumn

    ids = customers.search_ids(query, SortColumn(sort_key), descending)
    total = customers.count() if query.strip() else len(ids)
    return SearchResult(query, ids, total)


class CustomerListModel(QAbstractTableModel):
    """Customers matching the current search, sorted in SQL, rows fetched a page at a time."""

    CustomerIdRole = _ROLE_BASE + 1
    StageRole = _ROLE_BASE + 2  # the LoyaltyStage value
    LoadedRole = _ROLE_BASE + 3  # False while the row's page is still on its way

    PAGE_SIZE = 200
    MAX_PAGES = 100  # pages kept in memory (20,000 rows); older ones are fetched again if needed
    PLACEHOLDER = "…"

    searchFinished = Signal()  # the ids were replaced (or confirmed) by a finished search
    loadFailed = Signal(str)

    def __init__(self, customers: CustomerService, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._customers = customers
        self._runner = runner
        self.columns = (
            Column("name", self.tr("Name")),
            Column("email", self.tr("Email")),
            Column("phone", self.tr("Phone")),
            Column("city", self.tr("City")),
            Column("stage", self.tr("Stage")),
            Column("tags", self.tr("Tags")),
        )
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._total = 0
        self._query = ""
        self._sort_key = "name"
        self._descending = False
        self._searched = False
        self._pages: OrderedDict[int, dict[int, CustomerRow]] = OrderedDict()
        self._loading: set[int] = set()
        self._wanted: set[int] = set()
        # Bumped whenever the ids change, so pages fetched for an older list are ignored.
        self._generation = 0
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)

    # --- what the window asks ------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def total(self) -> int:
        """All customers in the database (known after the first search finished)."""
        return self._total

    @property
    def has_searched(self) -> bool:
        return self._searched

    def customer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, customer_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: row for row, cid in enumerate(self._ids)}
        return self._row_of.get(customer_id)

    def is_loaded(self, row: int) -> bool:
        return row // self.PAGE_SIZE in self._pages

    def search(self, query: str) -> None:
        """Start a search; the list changes when the database answers."""
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        """Search again with the same query and sort (after a change to the customers)."""
        customers, query, key, descending = self._customers, self._query, self._sort_key, self._descending
        self._runner.submit(
            lambda: _run_search(customers, query, key, descending),
            self._search_arrived,
            lambda error: self.loadFailed.emit(str(error)),
            key=f"customer-search-{id(self)}",
            owner=self,
        )

    # --- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

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
            return self.columns[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = index.row()
        if role == self.CustomerIdRole:
            return self._ids[row]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            self.StageRole,
            self.LoadedRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        customer = self._row(row)
        if role == self.LoadedRole:
            return customer is not None
        if customer is None:
            return self.PLACEHOLDER if index.column() == 0 and role == Qt.ItemDataRole.DisplayRole else None
        if role == self.StageRole:
            return customer.stage.value
        return self._cell_text(customer, index.column())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort_key = self.columns[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- pages ---------------------------------------------------------------------------

    def _row(self, row: int) -> CustomerRow | None:
        page_number = row // self.PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            self._want(page_number)
            return None
        self._pages.move_to_end(page_number)
        return page.get(self._ids[row])

    def _want(self, page_number: int) -> None:
        # Fetch on the next turn of the event loop: data() must not emit signals, and the
        # view asks for a whole screenful of rows before any page needs fetching twice.
        if page_number not in self._loading:
            self._wanted.add(page_number)
            self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        wanted, self._wanted = sorted(self._wanted), set()
        for page_number in wanted:
            if page_number not in self._loading and page_number not in self._pages:
                self._fetch_page(page_number)

    def _fetch_page(self, page_number: int) -> None:
        self._loading.add(page_number)
        start = page_number * self.PAGE_SIZE
        ids = self._ids[start : start + self.PAGE_SIZE]
        generation, customers = self._generation, self._customers
        self._runner.submit(
            lambda: customers.rows(ids),
            lambda rows: self._page_arrived(generation, page_number, rows),
            lambda error: self._page_failed(generation, page_number, error),
            owner=self,
        )

    def _page_arrived(self, generation: int, page_number: int, rows: list[CustomerRow]) -> None:
        if generation != self._generation:
            return
        self._loading.discard(page_number)
        self._pages[page_number] = {row.id: row for row in rows}
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page_number * self.PAGE_SIZE
        last = min(first + self.PAGE_SIZE, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _page_failed(self, generation: int, page_number: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading.discard(page_number)  # a later data() call may try again
        self.loadFailed.emit(str(error))

    def _search_arrived(self, result: SearchResult) -> None:
        self._total = result.total
        self._searched = True
        self._generation += 1
        self._pages.clear()
        self._loading.clear()
        self._wanted.clear()
        if result.ids == self._ids:
            # Same customers in the same order: keep the view (and its scroll position) and
            # just let it ask for fresh rows.
            if self._ids:
                last = self.index(len(self._ids) - 1, len(self.columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
        else:
            self.beginResetModel()
            self._ids = result.ids
            self._row_of = None
            self.endResetModel()
        self.searchFinished.emit()

    @staticmethod
    def _cell_text(customer: CustomerRow, column: int) -> str:
        if column == 4:
            return stage_name(customer.stage)
        return (customer.name, customer.email, customer.phone, customer.city, "", customer.tags)[column]
