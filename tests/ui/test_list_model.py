"""The customer list model on a real migrated SQLite database with demo customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.domain.customer import CustomerRow
from careapp.services.customers.service import CustomerService, SortColumn
from careapp.ui.customers.list_model import CustomerListModel
from careapp.ui.runner import SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

DEMO_CUSTOMERS = 250  # what the demo_services fixture adds


class CountingCustomers:
    """The real service, with a record of which rows were asked for."""

    def __init__(self, real: CustomerService) -> None:
        self._real = real
        self.row_requests: list[list[int]] = []
        self.searches: list[str] = []  # the queries whose every id was fetched
        self.pages: list[str] = []  # the queries whose first page was fetched

    def rows(self, ids: Sequence[int]) -> list[CustomerRow]:
        self.row_requests.append(list(ids))
        return self._real.rows(ids)

    def search_ids(self, query: str = "", *args: Any, **kwargs: Any) -> list[int]:
        self.searches.append(query)
        return self._real.search_ids(query, *args, **kwargs)

    def search_page(self, query: str = "", *args: Any, **kwargs: Any) -> Any:
        self.pages.append(query)
        return self._real.search_page(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def counting(demo_services: Services) -> CountingCustomers:
    return CountingCustomers(demo_services.customers)


@pytest.fixture
def model(counting: CountingCustomers) -> CustomerListModel:
    model = CustomerListModel(counting, SyncRunner())  # type: ignore[arg-type]
    model.search("")
    return model


def _name(model: CustomerListModel, row: int) -> Any:
    return model.data(model.index(row, 0))


def test_model_passes_the_model_tester(qtmodeltester: Any, model: CustomerListModel, qtbot: QtBot) -> None:
    qtmodeltester.check(model)  # the first page only: the rest are placeholders
    assert not model.ids_known
    model.load_ids()
    _name(model, DEMO_CUSTOMERS - 1)
    qtbot.waitUntil(lambda: model.is_loaded(DEMO_CUSTOMERS - 1))  # every row: check again
    qtmodeltester.check(model)


def test_a_search_shows_the_first_page_and_the_count_before_any_id_is_fetched(
    model: CustomerListModel, counting: CountingCustomers
) -> None:
    page = CustomerListModel.PAGE_SIZE
    assert model.rowCount() == DEMO_CUSTOMERS
    assert model.total == DEMO_CUSTOMERS
    assert model.is_loaded(0) and not model.is_loaded(page)
    assert counting.pages == [""]
    assert counting.searches == [] and counting.row_requests == []
    assert model.known_rows() == page
    expected = counting._real.search_ids("")
    assert [model.customer_id(r) for r in range(page)] == expected[:page]
    assert _name(model, 0) == counting._real.rows(expected[:1])[0].name
    assert _name(model, page) == CustomerListModel.PLACEHOLDER
    assert model.row_of(expected[page]) is None  # not known yet


def test_scrolling_past_the_first_page_fetches_the_ids_and_then_the_rows(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    assert _name(model, 205) == CustomerListModel.PLACEHOLDER
    assert model.data(model.index(205, 0), CustomerListModel.LoadedRole) is False
    with qtbot.waitSignal(model.dataChanged):
        pass
    expected = counting._real.search_ids("")
    assert counting.searches == [""]
    assert counting.row_requests == [expected[200:DEMO_CUSTOMERS]]
    assert _name(model, 205) == counting._real.rows([expected[205]])[0].name
    assert model.data(model.index(205, 0), CustomerListModel.LoadedRole) is True
    assert model.ids_known and model.row_of(expected[205]) == 205


def test_asking_for_a_customer_past_the_first_page_fetches_the_ids(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    assert model.customer_id(230) is None
    with qtbot.waitSignal(model.idsLoaded):
        pass
    assert model.customer_id(230) == counting._real.search_ids("")[230]
    assert counting.searches == [""]


def test_the_ids_are_fetched_when_typing_pauses(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    assert counting.searches == []
    with qtbot.waitSignal(model.idsLoaded, timeout=5000):
        pass
    assert counting.searches == [""] and model.ids_known


def test_a_keystroke_before_the_pause_ends_means_no_id_fetch_for_the_previous_one(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    model.search("e")
    model.search("e a")  # both match more customers than a page holds
    assert model.rowCount() > CustomerListModel.PAGE_SIZE
    assert counting.pages == ["", "e", "e a"]
    assert counting.searches == []
    with qtbot.waitSignal(model.idsLoaded, timeout=5000):
        pass
    assert counting.searches == ["e a"]
    assert [model.customer_id(r) for r in range(model.rowCount())] == counting._real.search_ids("e a")


def test_a_keystroke_cancels_an_id_fetch_that_has_not_started(
    qtbot: QtBot, demo_services: Services, threaded_runner: ThreadedRunner
) -> None:
    import threading

    counting = CountingCustomers(demo_services.customers)
    model = CustomerListModel(counting, threaded_runner)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.searchFinished):
        model.search("e")
    gate = threading.Event()
    threaded_runner.submit(gate.wait)  # the id fetch waits behind this
    model.load_ids()
    with qtbot.waitSignal(model.searchFinished):
        model.search("e a")
        gate.set()
    assert counting.pages == ["e", "e a"]
    assert counting.searches == []  # the fetch for "e" never ran
    assert model.rowCount() == len(counting._real.search_ids("e a"))
    with qtbot.waitSignal(model.idsLoaded):  # nothing left on its way when the runner stops
        model.load_ids()


def test_a_search_with_a_short_page_knows_every_id_at_once(
    model: CustomerListModel, counting: CountingCustomers
) -> None:
    model.search("#coffee")
    assert 0 < model.rowCount() < CustomerListModel.PAGE_SIZE
    assert model.ids_known
    assert [model.customer_id(r) for r in range(model.rowCount())] == counting._real.search_ids("#coffee")
    assert counting.searches == []


def test_a_page_is_requested_once_however_often_its_rows_are_asked_for(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    model.load_ids()
    for _ in range(3):
        for row in range(200, DEMO_CUSTOMERS):
            _name(model, row)
    qtbot.waitUntil(lambda: model.is_loaded(200))
    _name(model, 210)
    assert counting.row_requests == [[model.customer_id(r) for r in range(200, DEMO_CUSTOMERS)]]


def test_ids_that_disagree_with_the_page_shown_replace_it(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers, demo_services: Services
) -> None:
    from careapp.domain.customer import CustomerDraft

    added = demo_services.customers.create(CustomerDraft(first_name="Aaron", last_name="Aardvark"), "tester")
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.searchFinished):
        model.load_ids()  # another seat added a customer between the page and the ids
    assert resets == [True]
    assert model.rowCount() == DEMO_CUSTOMERS + 1
    assert model.customer_id(0) == added.id == counting._real.search_ids("")[0]


def test_the_same_page_is_not_requested_twice_while_it_is_on_its_way(
    qtbot: QtBot, demo_services: Services, threaded_runner: ThreadedRunner
) -> None:
    import threading

    counting = CountingCustomers(demo_services.customers)
    model = CustomerListModel(counting, threaded_runner)  # type: ignore[arg-type]
    model.search("")
    qtbot.waitUntil(lambda: model.rowCount() == DEMO_CUSTOMERS)
    model.load_ids()
    qtbot.waitUntil(lambda: model.ids_known)
    gate = threading.Event()
    threaded_runner.submit(gate.wait)  # the page request will wait behind this
    _name(model, 200)
    qtbot.waitUntil(lambda: 1 in model._loading)
    _name(model, 201)  # asked again while the first request is queued
    qtbot.wait(20)  # let the fetch timer fire if it (wrongly) would
    gate.set()
    qtbot.waitUntil(lambda: model.is_loaded(200))
    assert len(counting.row_requests) == 1


@pytest.mark.parametrize(
    ("column", "sort"), [(1, SortColumn.EMAIL), (3, SortColumn.CITY), (4, SortColumn.STAGE)]
)
def test_sorting_asks_the_database_for_a_new_order(
    model: CustomerListModel, counting: CountingCustomers, column: int, sort: SortColumn
) -> None:
    model.sort(column, Qt.SortOrder.DescendingOrder)
    model.load_ids()
    expected = counting._real.search_ids("", sort, True)
    assert [model.customer_id(r) for r in range(model.rowCount())] == expected
    assert expected != counting._real.search_ids("", SortColumn.NAME, False)


def test_search_by_tag_keeps_only_matching_customers(qtbot: QtBot, model: CustomerListModel) -> None:
    model.search("#coffee")
    assert 0 < model.rowCount() < DEMO_CUSTOMERS
    assert model.total == DEMO_CUSTOMERS
    model.load_ids()
    for row in range(model.rowCount()):
        _name(model, row)
    qtbot.waitUntil(lambda: all(model.is_loaded(row) for row in range(model.rowCount())))
    tags = [model.data(model.index(row, 5)) for row in range(model.rowCount())]
    assert all("coffee" in text for text in tags)


def test_search_by_phone_digits_ignores_spaces(model: CustomerListModel, counting: CountingCustomers) -> None:
    first_phone = next(row.phone for row in counting._real.rows(counting._real.search_ids("")) if row.phone)
    model.search(first_phone.replace(" ", "")[:9])
    found = counting._real.rows([model.customer_id(r) for r in range(model.rowCount())])  # type: ignore[misc]
    assert found and all(first_phone.replace(" ", "")[:9] in row.phone.replace(" ", "") for row in found)


def test_refresh_with_unchanged_ids_keeps_the_rows_and_reloads_them(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    _name(model, 0)
    qtbot.waitUntil(lambda: model.is_loaded(0))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged):
        model.refresh()
    assert resets == []
    assert not model.is_loaded(0)  # the page will be fetched again, fresh


def test_a_late_page_from_an_older_search_is_ignored(
    model: CustomerListModel, counting: CountingCustomers
) -> None:
    old_generation = model._generation
    model.search("#tea")
    tea = counting._real.rows(counting._real.search_ids("#tea")[:1])[0]
    page = counting._real.rows(counting._real.search_ids("")[:200])
    model._page_arrived(old_generation, 0, page)
    assert page[0].name != tea.name
    assert _name(model, 0) == tea.name


def test_stage_and_id_roles(qtbot: QtBot, model: CustomerListModel) -> None:
    _name(model, 0)
    qtbot.waitUntil(lambda: model.is_loaded(0))
    index = model.index(0, 4)
    assert model.data(index, CustomerListModel.CustomerIdRole) == model.customer_id(0)
    assert model.data(index, CustomerListModel.StageRole) in {
        "suspect",
        "prospect",
        "customer",
        "client",
        "advocate",
    }
    assert model.data(index) == model.data(index, CustomerListModel.StageRole).capitalize()


def test_value_columns_come_with_each_page_in_one_call(
    demo_services: Services, counting: CountingCustomers, qtmodeltester: Any, qtbot: QtBot
) -> None:
    """Spent, purchases and segment come from one value call per page (never per row) and match
    the customer's own value panel; they cannot be sorted by."""
    asked: list[list[int]] = []

    def figures(ids: Sequence[int]) -> Any:
        asked.append(list(ids))
        return demo_services.value.list_figures(ids)

    model = CustomerListModel(counting, SyncRunner(), figures=figures)  # type: ignore[arg-type]
    model.search("")
    page = CustomerListModel.PAGE_SIZE
    assert [len(ids) for ids in asked] == [page]  # the first page: one call
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles[6:] == ["Spent", "Purchases", "Segment"]
    buyers = 0
    for row in range(page):
        panel = demo_services.value.customer_value(model.customer_id(row) or 0)
        purchases = model.data(model.index(row, 7))
        segment = model.data(model.index(row, 8))
        assert purchases == (str(panel.totals.purchases) if panel.totals.purchases else "")
        assert segment == (panel.rfm.segment.capitalize() if panel.rfm else "")
        buyers += bool(panel.totals.purchases)
        if panel.totals.purchases:
            assert model.data(model.index(row, 6)) != ""
    assert buyers > 0
    model.load_ids()
    model.data(model.index(DEMO_CUSTOMERS - 1, 8))
    qtbot.waitUntil(lambda: model.is_loaded(DEMO_CUSTOMERS - 1))
    assert [len(ids) for ids in asked] == [page, DEMO_CUSTOMERS - page]  # the second page: one more
    qtmodeltester.check(model)
    pages_before = len(counting.pages)
    model.sort(6, Qt.SortOrder.DescendingOrder)  # Spent: not sortable, no new search
    assert len(counting.pages) == pages_before
