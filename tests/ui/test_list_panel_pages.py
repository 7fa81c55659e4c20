"""The customer list panel while only the first page's customers are known (each keystroke's answer)
and after every id arrived: selection, the current customer, and refreshing after an edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from careapp.domain.customer import CustomerDraft
from careapp.ui.customers.list_model import CustomerListModel
from careapp.ui.customers.list_panel import CustomerListPanel
from careapp.ui.runner import SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

DEMO_CUSTOMERS = 250
PAGE = CustomerListModel.PAGE_SIZE


@pytest.fixture
def panel(qtbot: QtBot, demo_services: Services, sync_runner: SyncRunner) -> CustomerListPanel:
    panel = CustomerListPanel(sync_runner)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.attach(demo_services.customers)
    panel.show()
    return panel


def _model(panel: CustomerListPanel) -> CustomerListModel:
    assert panel.model is not None
    return panel.model


def test_the_first_answer_shows_every_match_but_knows_only_the_first_page(panel: CustomerListPanel) -> None:
    model = _model(panel)
    assert model.rowCount() == DEMO_CUSTOMERS
    assert not model.ids_known and model.known_rows() == PAGE
    assert panel.current_id() == model.customer_id(0)


def test_selecting_every_row_fetches_every_id(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    with qtbot.waitSignal(model.idsLoaded):
        panel.table.selectAll()
    assert sorted(panel.selected_ids()) == sorted(demo_services.customers.search_ids(""))


def test_a_row_picked_before_its_customer_is_known_is_announced_when_the_ids_arrive(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    announced: list[int | None] = []
    panel.currentCustomerChanged.connect(announced.append)
    # The current row moves past the first page without selecting (Ctrl+Page Down, say).
    flags = QItemSelectionModel.SelectionFlag.NoUpdate
    with qtbot.waitSignal(model.idsLoaded):
        panel.table.selectionModel().setCurrentIndex(model.index(230, 0), flags)
    expected = demo_services.customers.search_ids("")[230]
    assert announced == [None, expected]
    assert panel.current_id() == expected


def test_refresh_after_an_edit_keeps_the_selected_customer_and_the_place(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    model.load_ids()
    panel.select_row(230)
    chosen = panel.current_id()
    assert chosen is not None
    scrolled = panel.table.verticalScrollBar().value()
    assert scrolled > 0
    customers = demo_services.customers
    customer = customers.get(chosen)
    draft = customer.draft()
    draft.notes = "Prefers a call after lunch"
    customers.update(chosen, draft, customer.version, "tester")
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(panel.searchFinished):
        panel.refresh()
    assert resets == []  # the same customers in the same order: the view stays as it was
    assert panel.current_id() == chosen
    assert panel.table.currentIndex().row() == 230
    assert panel.table.verticalScrollBar().value() == scrolled


def test_refresh_after_an_addition_follows_the_selected_customer(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    model.load_ids()
    panel.select_row(230)
    chosen = panel.current_id()
    demo_services.customers.create(CustomerDraft(first_name="Aaron", last_name="Aardvark"), "tester")
    with qtbot.waitSignal(panel.searchFinished):
        panel.refresh()
    assert model.rowCount() == DEMO_CUSTOMERS + 1
    assert panel.current_id() == chosen
    assert panel.table.currentIndex().row() == 231


def test_typing_keeps_a_selected_customer_on_the_first_page(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    panel.select_row(3)
    chosen = panel.current_id()
    assert chosen is not None
    word = demo_services.customers.get(chosen).last_name.lower()
    with qtbot.waitSignal(panel.searchFinished, timeout=5000):
        qtbot.keyClicks(panel.search, word)
    assert model.query == word
    assert panel.current_id() == chosen
    expected = demo_services.customers.search_ids(word)
    assert model.rowCount() == len(expected)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) != CustomerListModel.PLACEHOLDER


def test_selected_customers_are_all_or_none_while_the_ids_are_on_their_way(
    qtbot: QtBot, demo_services: Services, threaded_runner: ThreadedRunner
) -> None:
    import threading

    panel = CustomerListPanel(threaded_runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.searchFinished):
        panel.attach(demo_services.customers)
    model = _model(panel)
    gate = threading.Event()
    threaded_runner.submit(gate.wait)  # the id fetch waits behind this
    panel.table.selectAll()
    assert panel.selected_ids() == []  # not the first page's 200 out of 250
    with qtbot.waitSignal(model.idsLoaded):
        gate.set()
    assert sorted(panel.selected_ids()) == sorted(demo_services.customers.search_ids(""))


def test_typing_selects_the_first_match_when_the_selected_customer_is_past_the_first_page(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    matches = demo_services.customers.search_ids("a")
    assert len(matches) > PAGE
    model.load_ids()
    chosen = matches[-1]  # a match, but not on the first page of the matches
    row = model.row_of(chosen)
    assert row is not None
    panel.select_row(row)
    with qtbot.waitSignal(panel.searchFinished, timeout=5000):
        qtbot.keyClicks(panel.search, "a")
    assert model.rowCount() == len(matches) and not model.ids_known
    assert panel.current_id() == matches[0]  # found without waiting for every id


def test_a_space_typed_and_taken_back_keeps_the_selected_customer(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    model.load_ids()
    panel.select_row(DEMO_CUSTOMERS - 1)
    chosen = panel.current_id()
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    for text in (" ", ""):
        with qtbot.waitSignal(panel.searchFinished, timeout=5000):
            panel.search.setText(text)
    assert resets == []
    assert model.ids_known
    assert panel.current_id() == chosen
    assert panel.table.currentIndex().row() == DEMO_CUSTOMERS - 1


def test_rows_picked_stay_picked_when_the_ids_show_another_seats_change(
    qtbot: QtBot, panel: CustomerListPanel, demo_services: Services
) -> None:
    model = _model(panel)
    panel.select_row(3)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (5, 8):
        panel.table.selectionModel().select(model.index(row, 0), flags)
    picked = panel.selected_ids()
    assert len(picked) == 3
    demo_services.customers.create(CustomerDraft(first_name="Aaron", last_name="Aardvark"), "tester")
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(panel.searchFinished):
        model.load_ids()  # as after a pause in typing: the ids differ from the page shown
    assert resets == [True] and model.rowCount() == DEMO_CUSTOMERS + 1
    assert panel.selected_ids() == picked
    assert panel.current_id() == picked[0]
