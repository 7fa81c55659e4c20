"""The customer list model on a real migrated SQLite database with demo customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.domain.customer import CustomerRow
from careapp.services.customers import CustomerService, SortColumn
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
        self.searches = 0

    def rows(self, ids: Sequence[int]) -> list[CustomerRow]:
        self.row_requests.append(list(ids))
        return self._real.rows(ids)

    def search_ids(self, *args: Any, **kwargs: Any) -> list[int]:
        self.searches += 1
        return self._real.search_ids(*args, **kwargs)

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
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.is_loaded(0))  # rows arrived: check again with real data in it
    qtmodeltester.check(model)


def test_holds_every_id_but_fetches_no_rows_until_asked(
    model: CustomerListModel, counting: CountingCustomers
) -> None:
    assert model.rowCount() == DEMO_CUSTOMERS
    assert counting.row_requests == []


def test_a_row_shows_a_placeholder_until_its_page_arrives(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    assert _name(model, 5) == CustomerListModel.PLACEHOLDER
    assert model.data(model.index(5, 0), CustomerListModel.LoadedRole) is False
    with qtbot.waitSignal(model.dataChanged):
        pass
    expected = counting._real.rows([model.customer_id(5)])[0].name  # type: ignore[list-item]
    assert _name(model, 5) == expected
    assert model.data(model.index(5, 0), CustomerListModel.LoadedRole) is True


def test_a_page_is_requested_once_however_often_its_rows_are_asked_for(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    for _ in range(3):
        for row in range(0, CustomerListModel.PAGE_SIZE):
            _name(model, row)
    qtbot.waitUntil(lambda: model.is_loaded(0))
    _name(model, 10)
    assert len(counting.row_requests) == 1
    assert counting.row_requests[0] == [model.customer_id(r) for r in range(CustomerListModel.PAGE_SIZE)]


def test_only_the_page_of_the_row_asked_for_is_fetched(
    qtbot: QtBot, model: CustomerListModel, counting: CountingCustomers
) -> None:
    _name(model, 210)
    qtbot.waitUntil(lambda: model.is_loaded(210))
    assert counting.row_requests == [[model.customer_id(r) for r in range(200, DEMO_CUSTOMERS)]]
    assert not model.is_loaded(0)


def test_the_same_page_is_not_requested_twice_while_it_is_on_its_way(
    qtbot: QtBot, demo_services: Services, threaded_runner: ThreadedRunner
) -> None:
    import threading

    counting = CountingCustomers(demo_services.customers)
    model = CustomerListModel(counting, threaded_runner)  # type: ignore[arg-type]
    model.search("")
    qtbot.waitUntil(lambda: model.rowCount() == DEMO_CUSTOMERS)
    gate = threading.Event()
    threaded_runner.submit(gate.wait)  # the page request will wait behind this
    _name(model, 0)
    qtbot.waitUntil(lambda: 0 in model._loading)
    _name(model, 1)  # asked again while the first request is queued
    qtbot.wait(20)  # let the fetch timer fire if it (wrongly) would
    gate.set()
    qtbot.waitUntil(lambda: model.is_loaded(0))
    assert len(counting.row_requests) == 1


@pytest.mark.parametrize(
    ("column", "sort"), [(1, SortColumn.EMAIL), (3, SortColumn.CITY), (4, SortColumn.STAGE)]
)
def test_sorting_asks_the_database_for_a_new_order(
    model: CustomerListModel, counting: CountingCustomers, column: int, sort: SortColumn
) -> None:
    model.sort(column, Qt.SortOrder.DescendingOrder)
    expected = counting._real.search_ids("", sort, True)
    assert [model.customer_id(r) for r in range(model.rowCount())] == expected
    assert expected != counting._real.search_ids("", SortColumn.NAME, False)


def test_search_by_tag_keeps_only_matching_customers(qtbot: QtBot, model: CustomerListModel) -> None:
    model.search("#coffee")
    assert 0 < model.rowCount() < DEMO_CUSTOMERS
    assert model.total == DEMO_CUSTOMERS
    _name(model, 0)
    qtbot.waitUntil(lambda: model.is_loaded(0))
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
    page = counting._real.rows(counting._real.search_ids("")[:200])
    model._page_arrived(old_generation, 0, page)
    assert not model.is_loaded(0)


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
