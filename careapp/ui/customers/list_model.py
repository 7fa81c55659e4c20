"""The customer list as a lazily filled table model.

Each keystroke asks the database for one page: the first rows of the matches and how many there
are (``CustomerService.search_page``, at most one pass over the customers). The list then shows
that many rows, the first page filled and the rest as placeholders. The sorted ids of all the
matches (40 ms for "a" among 100,000 customers) are fetched only when something needs them: the
view asks for a row past the first page, a selection reaches past it, or typing pauses for
``IDS_DELAY_MS``; the next keystroke cancels a fetch that has not started, so a fast typist never
waits behind one. Rows past the first page are then fetched in pages when the view asks for them;
until a page arrives its rows show a placeholder.

The value columns (spent, purchases, RFM segment) come with each page: the job that reads a page of
rows also asks the value service for that page's figures (one grouped query per page, never per row).
They cannot be sorted by: sorting 100,000 customers by money spent is a report, not a keystroke.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
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
from careapp.ui.formatting import format_money, stage_name
from careapp.ui.runner import Job, Runner

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService, SearchPage
    from careapp.services.value.service import ListFigures

# The value service's list_figures: a page of ids -> each one's spent, purchases and segment.
PageFigures = Callable[[Sequence[int]], Mapping[int, "ListFigures"]]

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)


@dataclass(frozen=True)
class Column:
    key: str  # also the service's SortColumn value when sortable
    title: str
    sortable: bool = True


@dataclass(frozen=True)
class SearchResult:
    query: str
    ids: list[int]
    total: int  # customers in the database, whatever the query


def _run_search(customers: CustomerService, query: str, sort_key: str, descending: bool) -> SearchResult:
    # Imported here, on the worker thread: the services module pulls in SQLAlchemy.
    from careapp.services.customers.service import SortColumn

    ids = customers.search_ids(query, SortColumn(sort_key), descending)
    total = customers.count() if query.strip() else len(ids)
    return SearchResult(query, ids, total)


@dataclass(frozen=True)
class FirstPage:
    page: SearchPage
    figures: Mapping[int, ListFigures]


def _run_page_search(
    customers: CustomerService,
    figures: PageFigures | None,
    query: str,
    sort_key: str,
    descending: bool,
    limit: int,
) -> FirstPage:
    from careapp.services.customers.service import SortColumn

    page = customers.search_page(query, SortColumn(sort_key), descending, limit)
    return FirstPage(page, _figures_of(figures, [row.id for row in page.rows]))


def _run_rows(
    customers: CustomerService, figures: PageFigures | None, ids: list[int]
) -> tuple[list[CustomerRow], Mapping[int, ListFigures]]:
    return customers.rows(ids), _figures_of(figures, ids)


def _figures_of(figures: PageFigures | None, ids: list[int]) -> Mapping[int, ListFigures]:
    return figures(ids) if figures is not None and ids else {}


class CustomerListModel(QAbstractTableModel):
    """Customers matching the current search, sorted in SQL, rows fetched a page at a time."""

    CustomerIdRole = _ROLE_BASE + 1
    StageRole = _ROLE_BASE + 2  # the LoyaltyStage value
    LoadedRole = _ROLE_BASE + 3  # False while the row's page is still on its way

    PAGE_SIZE = 200
    MAX_PAGES = 100  # pages kept in memory (20,000 rows); older ones are fetched again if needed
    PLACEHOLDER = "…"
    IDS_DELAY_MS = 300  # typing paused this long: fetch all the ids (for scrolling, selecting)

    searchFinished = Signal()  # the rows were replaced (or confirmed) by a finished search
    idsLoaded = Signal()  # every row's customer id is known (customer_id/row_of answer for all)
    loadFailed = Signal(str)

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        parent: QObject | None = None,
        figures: PageFigures | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers = customers
        self._figures = figures
        self._runner = runner
        self.columns = (
            Column("name", self.tr("Name")),
            Column("email", self.tr("Email")),
            Column("phone", self.tr("Phone")),
            Column("city", self.tr("City")),
            Column("stage", self.tr("Stage")),
            Column("tags", self.tr("Tags")),
            Column("spent", self.tr("Spent"), sortable=False),
            Column("purchases", self.tr("Purchases"), sortable=False),
            Column("segment", self.tr("Segment"), sortable=False),
        )
        self._count = 0  # rows shown: the customers matching the search
        self._head: list[int] = []  # the ids of the first page, known from the page search
        self._ids: list[int] | None = []  # the ids of every row, or None until fetched
        self._ids_search: tuple[Any, ...] = ()  # the search (terms, sort, order) those ids answer
        self._row_of: dict[int, int] | None = None
        self._total = 0
        self._query = ""
        self._sort_key = "name"
        self._descending = False
        self._searched = False
        self._pages: OrderedDict[int, dict[int, CustomerRow]] = OrderedDict()
        self._page_figures: dict[int, Mapping[int, ListFigures]] = {}  # by page, as _pages
        self._loading: set[int] = set()
        self._wanted: set[int] = set()
        self._ids_wanted = False
        self._ids_job: Job | None = None
        # Bumped whenever the rows change, so pages fetched for an older list are ignored.
        self._generation = 0
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)
        self._pause_timer = QTimer(self)
        self._pause_timer.setSingleShot(True)
        self._pause_timer.setInterval(self.IDS_DELAY_MS)
        self._pause_timer.timeout.connect(self.load_ids)

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

    @property
    def ids_known(self) -> bool:
        """Whether every row's customer id is known (not just the first page's)."""
        return self._ids is not None

    def known_rows(self) -> int:
        """How many rows, from the top, have a known customer id."""
        return self._count if self._ids is not None else len(self._head)

    def customer_id(self, row: int) -> int | None:
        """The customer shown in ``row``; None past the first page until the ids arrive (then asked for)."""
        if not 0 <= row < self._count:
            return None
        if self._ids is not None:
            return self._ids[row]
        if row < len(self._head):
            return self._head[row]
        self._want_ids()
        return None

    def row_of(self, customer_id: int) -> int | None:
        """The row showing ``customer_id``, if it is in the list and its row is known (see known_rows)."""
        if self._row_of is None:
            known = self._ids if self._ids is not None else self._head
            self._row_of = {cid: row for row, cid in enumerate(known)}
        return self._row_of.get(customer_id)

    def is_loaded(self, row: int) -> bool:
        return row // self.PAGE_SIZE in self._pages

    def search(self, query: str) -> None:
        """Start a search; the list changes when the database answers."""
        self._query = query
        self._search_page()

    def refresh(self) -> None:
        """Search again with the same query and sort (after a change to the customers).

        Fetches every id at once, so the caller can find its selected customers wherever they are.
        """
        self._cancel_ids()
        customers, query, key, descending = self._customers, self._query, self._sort_key, self._descending
        self._runner.submit(
            lambda: _run_search(customers, query, key, descending),
            lambda result: self._ids_arrived(result, refreshing=True),
            lambda error: self.loadFailed.emit(str(error)),
            key=f"customer-search-{id(self)}",
            owner=self,
        )

    def load_ids(self) -> None:
        """Fetch every row's customer id now, unless known or on the way."""
        self._pause_timer.stop()
        self._ids_wanted = False
        if self._ids is not None or self._ids_job is not None:
            return
        customers, query, key, descending = self._customers, self._query, self._sort_key, self._descending
        self._ids_job = self._runner.submit(
            lambda: _run_search(customers, query, key, descending),
            lambda result: self._ids_arrived(result, refreshing=False),
            self._ids_failed,
            key=f"customer-ids-{id(self)}",
            owner=self,
        )

    # --- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

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
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        row = index.row()
        if role == self.CustomerIdRole:
            return self._known_id(row)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            self.StageRole,
            self.LoadedRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = index.column() in (6, 7)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if numeric else None
        customer = self._row(row)
        if role == self.LoadedRole:
            return customer is not None
        if customer is None:
            return self.PLACEHOLDER if index.column() == 0 and role == Qt.ItemDataRole.DisplayRole else None
        if role == self.StageRole:
            return customer.stage.value
        if index.column() >= 6:
            return self._value_text(row, customer.id, index.column())
        return self._cell_text(customer, index.column())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self._sort_key = self.columns[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._search_page()

    # --- searching -----------------------------------------------------------------------

    def _search_page(self) -> None:
        # A fetch of the previous search's ids that has not started is not wanted any more.
        self._cancel_ids()
        customers, query, key, descending = self._customers, self._query, self._sort_key, self._descending
        limit, figures = self.PAGE_SIZE, self._figures
        self._runner.submit(
            lambda: _run_page_search(customers, figures, query, key, descending, limit),
            self._page_search_arrived,
            lambda error: self.loadFailed.emit(str(error)),
            key=f"customer-search-{id(self)}",
            owner=self,
        )

    def _cancel_ids(self) -> None:
        self._pause_timer.stop()
        self._ids_wanted = False
        if self._ids_job is not None:
            self._ids_job.cancel()
            self._ids_job = None

    def _search_key(self) -> tuple[Any, ...]:
        return (tuple(self._query.lower().split()), self._sort_key, self._descending)

    def _page_search_arrived(self, first: FirstPage) -> None:
        page = first.page
        self._total = page.total
        self._searched = True
        head = [row.id for row in page.rows]
        complete = page.matched <= len(head)
        self._forget_pages()
        if page.matched == self._count and head == self._head and self._count:
            # The same first rows, as many of them: keep the view (and its scroll position and
            # selection) and let it ask for fresh rows. The ids past the first page are kept only
            # for the same search (a space typed and taken back); another one may order them anew.
            if complete:
                self._ids = head
            elif self._ids_search != self._search_key():
                self._ids = None
            self._row_of = None
            self._pages[0] = {row.id: row for row in page.rows}
            self._page_figures[0] = first.figures
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self.columns) - 1))
        else:
            self.beginResetModel()
            self._count, self._head, self._row_of = page.matched, head, None
            self._ids = head if complete else None
            if page.rows:
                self._pages[0] = {row.id: row for row in page.rows}
                self._page_figures[0] = first.figures
            self.endResetModel()
        if self._ids is None:
            self._pause_timer.start()
        else:
            self._ids_search = self._search_key()
        self.searchFinished.emit()

    def _ids_arrived(self, result: SearchResult, refreshing: bool) -> None:
        """Every id of the search: confirms the rows shown, or (the customers changed) replaces them."""
        if not refreshing:
            self._ids_job = None
        self._total = result.total
        self._searched = True
        ids = result.ids
        if self._ids is not None:
            same = ids == self._ids
        else:
            same = len(ids) == self._count and ids[: len(self._head)] == self._head
        self._ids_search = self._search_key()
        if same and self._count:
            self._ids, self._head, self._row_of = ids, ids[: self.PAGE_SIZE], None
            if refreshing:
                self._forget_pages()
                last = self.index(self._count - 1, len(self.columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            elif self._wanted:
                self._fetch_timer.start()  # the pages the view asked for past the first
        elif not same:
            self.beginResetModel()
            self._forget_pages()
            self._count, self._ids, self._head, self._row_of = len(ids), ids, ids[: self.PAGE_SIZE], None
            self.endResetModel()
        self.idsLoaded.emit()
        if refreshing or not same:
            self.searchFinished.emit()

    def _ids_failed(self, error: BaseException) -> None:
        self._ids_job = None
        self.loadFailed.emit(str(error))

    def _forget_pages(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._page_figures.clear()
        self._loading.clear()
        self._wanted.clear()

    # --- pages ---------------------------------------------------------------------------

    def _known_id(self, row: int) -> int | None:
        if self._ids is not None:
            return self._ids[row]
        return self._head[row] if row < len(self._head) else None

    def _row(self, row: int) -> CustomerRow | None:
        page_number = row // self.PAGE_SIZE
        page = self._pages.get(page_number)
        customer_id = self._known_id(row)
        if page is None or customer_id is None:
            self._want(page_number)
            return None
        self._pages.move_to_end(page_number)
        return page.get(customer_id)

    def _want(self, page_number: int) -> None:
        # Fetch on the next turn of the event loop: data() must not emit signals, and the
        # view asks for a whole screenful of rows before any page needs fetching twice.
        if page_number not in self._loading:
            self._wanted.add(page_number)
            self._fetch_timer.start()

    def _want_ids(self) -> None:
        # Also on the next turn: the caller may be in the middle of reading the model.
        if self._ids is None and not self._ids_wanted:
            self._ids_wanted = True
            self._fetch_timer.start()

    def _fetch_wanted(self) -> None:
        if self._ids is None and (self._ids_wanted or any(page > 0 for page in self._wanted)):
            self.load_ids()  # the pages past the first are fetched when the ids arrive
        for page_number in sorted(self._wanted):
            if page_number in self._loading or page_number in self._pages:
                self._wanted.discard(page_number)
            elif self._ids is not None or page_number == 0:  # the first page's ids are the head
                self._wanted.discard(page_number)
                self._fetch_page(page_number)

    def _fetch_page(self, page_number: int) -> None:
        self._loading.add(page_number)
        start = page_number * self.PAGE_SIZE
        known = self._ids if self._ids is not None else self._head
        ids = known[start : start + self.PAGE_SIZE]
        generation, customers, figures = self._generation, self._customers, self._figures
        self._runner.submit(
            lambda: _run_rows(customers, figures, ids),
            lambda found: self._page_arrived(generation, page_number, *found),
            lambda error: self._page_failed(generation, page_number, error),
            owner=self,
        )

    def _page_arrived(
        self,
        generation: int,
        page_number: int,
        rows: list[CustomerRow],
        figures: Mapping[int, ListFigures] | None = None,
    ) -> None:
        if generation != self._generation:
            return
        self._loading.discard(page_number)
        self._pages[page_number] = {row.id: row for row in rows}
        self._page_figures[page_number] = figures or {}
        while len(self._pages) > self.MAX_PAGES:
            oldest, _rows = self._pages.popitem(last=False)
            self._page_figures.pop(oldest, None)
        first = page_number * self.PAGE_SIZE
        last = min(first + self.PAGE_SIZE, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _page_failed(self, generation: int, page_number: int, error: BaseException) -> None:
        if generation == self._generation:
            self._loading.discard(page_number)  # a later data() call may try again
        self.loadFailed.emit(str(error))

    def _value_text(self, row: int, customer_id: int, column: int) -> str:
        figures = self._page_figures.get(row // self.PAGE_SIZE, {}).get(customer_id)
        if figures is None:
            return ""
        if column == 6:
            spent = figures.purchases or figures.spent_cents
            return format_money(Decimal(figures.spent_cents) / 100) if spent else ""
        if column == 7:
            return str(figures.purchases) if figures.purchases else ""
        return (figures.segment or "").capitalize()

    @staticmethod
    def _cell_text(customer: CustomerRow, column: int) -> str:
        if column == 4:
            return stage_name(customer.stage)
        return (customer.name, customer.email, customer.phone, customer.city, "", customer.tags)[column]
