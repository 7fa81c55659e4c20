"""The customer list with 100,000 customers: quick to show, and only visible pages are fetched."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtWidgets import QTableView

from careapp.domain.customer import CustomerRow
from careapp.ui.customers.list_model import CustomerListModel
from careapp.ui.runner import ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

CUSTOMERS = 100_000
# Generous: measured at about 0.2 s on a 2-core machine; this only catches gross regressions
# such as fetching every row or measuring every row's height.
FIRST_SCREEN_BUDGET_S = 3.0


class RowLog:
    def __init__(self, real: Any) -> None:
        self._real = real
        self.requests: list[int] = []

    def rows(self, ids: Sequence[int]) -> list[CustomerRow]:
        self.requests.append(len(ids))
        return self._real.rows(ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.mark.slow
def test_a_hundred_thousand_customers(
    qtbot: QtBot, services: Services, threaded_runner: ThreadedRunner
) -> None:
    from careapp.services.demo.customers import DemoSpec, fill_demo

    fill_demo(services.db, DemoSpec(customers=CUSTOMERS, seed=5, history=0), services.clock())
    log = RowLog(services.customers)
    model = CustomerListModel(log, threaded_runner)  # type: ignore[arg-type]
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.setModel(model)
    view.show()

    started = time.perf_counter()
    model.search("")
    qtbot.waitUntil(lambda: model.rowCount() == CUSTOMERS and model.is_loaded(0), timeout=10_000)
    assert time.perf_counter() - started < FIRST_SCREEN_BUDGET_S
    assert log.requests == []  # the first page came with the search itself
    assert not model.ids_known  # and the 100,000 ids are not fetched for it

    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.is_loaded(CUSTOMERS - 1), timeout=10_000)
    assert model.ids_known
    assert len(log.requests) <= 2  # the last page (and perhaps the one before), never the middle
    assert model.data(model.index(CUSTOMERS - 1, 0)) != CustomerListModel.PLACEHOLDER

    started = time.perf_counter()
    model.search("#coffee")
    qtbot.waitUntil(lambda: model.query == "#coffee" and 0 < model.rowCount() < CUSTOMERS, timeout=10_000)
    assert time.perf_counter() - started < FIRST_SCREEN_BUDGET_S
