"""Another seat's changes appear in the open main window without a restart: the seat is a second
Database (its own engine and connections) on the same SQLite file, the window polls on its timer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt

from careapp.db.database import Database, make_engine
from careapp.domain.customer import CustomerDraft
from careapp.services.customers.service import CustomerService
from careapp.ui.changes import ChangeWatcher
from careapp.ui.main_window import MainWindow
from careapp.ui.runner import ThreadedRunner
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

NOW = dt.datetime(2026, 11, 23, 9, 30)
POLL_MS = 200  # the tests poll faster than the app's 3 s; the path is the same


@pytest.fixture
def other_seat(demo_services: Services) -> Iterator[Database]:
    db = Database(make_engine(demo_services.db.url))
    yield db
    db.dispose()


@pytest.fixture
def live_window(
    qtbot: QtBot,
    threaded_runner: ThreadedRunner,
    demo_services: Services,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> Iterator[MainWindow]:
    """The real main window with the real database thread, polling every POLL_MS."""
    window = make_window(qtbot, threaded_runner, tmp_path, prompts)
    window.changes.timer.setInterval(POLL_MS)
    window.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: window.list_panel.model is not None and window.list_panel.model.has_searched)
    yield window
    window.changes.stop()
    window.care.shutdown()
    window.calendar.shutdown()


def listed_names(window: MainWindow) -> list[str]:
    model = window.list_panel.model
    assert model is not None
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_a_customer_added_on_another_seat_appears_keeping_selection_and_scroll(
    qtbot: QtBot, live_window: MainWindow, other_seat: Database
) -> None:
    panel = live_window.list_panel
    model = panel.model
    assert model is not None
    rows_before = model.rowCount()
    panel.select_row(120)
    selected = panel.current_id()
    scroll = panel.table.verticalScrollBar()
    scroll.setValue(scroll.maximum() // 3)  # the user scrolled away from the selected row
    place = scroll.value()
    assert place > 0

    CustomerService(other_seat, lambda: NOW).create(
        CustomerDraft(first_name="Zebedee", last_name="Aardvark"), "Kim"
    )

    qtbot.waitUntil(lambda: model.rowCount() == rows_before + 1, timeout=10000)
    qtbot.waitUntil(lambda: "Zebedee Aardvark" in listed_names(live_window), timeout=10000)
    assert panel.current_id() == selected
    qtbot.waitUntil(lambda: scroll.value() == place, timeout=5000)
    assert live_window.count_label.text() == f"{rows_before + 1} customers"


def test_the_selected_customer_page_follows_an_edit_on_another_seat(
    qtbot: QtBot, live_window: MainWindow, other_seat: Database
) -> None:
    panel, detail = live_window.list_panel, live_window.detail
    qtbot.waitUntil(lambda: detail.customer is not None and detail.customer.id == panel.current_id())
    shown = detail.customer
    assert shown is not None
    service = CustomerService(other_seat, lambda: NOW)
    current = service.get(shown.id)
    draft = current.draft()
    draft.notes = "Prefers oat milk (noted at the counter)"
    service.update(shown.id, draft, current.version, "Kim")

    qtbot.waitUntil(
        lambda: detail.customer is not None and detail.customer.notes == draft.notes, timeout=10000
    )
    assert panel.current_id() == shown.id


def test_own_changes_do_not_count_as_another_seats(
    qtbot: QtBot, live_window: MainWindow, demo_services: Services
) -> None:
    seen: list[frozenset[str]] = []
    live_window.changes.othersChanged.connect(seen.append)
    polls = live_window.changes.polls
    CustomerService(demo_services.db, lambda: NOW).create(CustomerDraft(first_name="Own"), "Sam")
    qtbot.waitUntil(lambda: live_window.changes.polls >= polls + 3, timeout=10000)
    assert seen == []


def test_the_watcher_only_polls_once_at_a_time(
    qtbot: QtBot, threaded_runner: ThreadedRunner, demo_services: Services
) -> None:
    watcher = ChangeWatcher(threaded_runner, interval_ms=60_000)
    watcher.attach(demo_services.db)
    watcher.poll()  # the first look is still on its way: no second query
    assert watcher.polls == 1
    qtbot.waitUntil(lambda: not watcher._polling, timeout=5000)
    watcher.poll()
    assert watcher.polls == 2
    watcher.stop()


def test_several_picked_rows_stay_picked_when_another_seat_changes_something(
    qtbot: QtBot, live_window: MainWindow, other_seat: Database
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    panel = live_window.list_panel
    model = panel.model
    assert model is not None
    if panel.table.selectionMode() != panel.table.SelectionMode.ExtendedSelection:
        panel.table.setSelectionMode(panel.table.SelectionMode.ExtendedSelection)
    panel.select_row(3)
    picked_rows = (3, 5, 8)
    for row in picked_rows[1:]:
        panel.table.selectionModel().select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    picked = sorted(model.customer_id(row) for row in picked_rows)
    rows_before = model.rowCount()
    CustomerService(other_seat, lambda: NOW).create(CustomerDraft(first_name="Zz", last_name="Late"), "Kim")
    qtbot.waitUntil(lambda: model.rowCount() == rows_before + 1, timeout=10000)

    def picked_now() -> list[int | None]:
        return sorted(model.customer_id(i.row()) for i in panel.table.selectionModel().selectedRows())

    qtbot.waitUntil(lambda: picked_now() == picked, timeout=5000)


def test_a_database_that_stops_answering_is_said_once_and_its_return_too(
    qtbot: QtBot, sync_runner: object, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    """The watcher's job is what fails here (as a server gone away would); the window says so once."""
    window = make_window(qtbot, sync_runner, tmp_path, prompts)
    window.attach_services(demo_services, demo_services.settings.shop())
    watcher = window.changes
    watcher.timer.stop()
    answers: list[BaseException | None] = [OSError("server closed the connection unexpectedly")] * 3 + [None]
    real_check = watcher._check
    assert real_check is not None

    def flaky(since: object) -> object:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return real_check(since)  # type: ignore[arg-type]

    watcher._check = flaky  # type: ignore[assignment]
    lost: list[object] = []
    watcher.lost.connect(lost.append)
    for _ in range(3):
        watcher.poll()
    assert len(lost) == 1
    assert window.message_bar.text.text().startswith(
        "careapp cannot reach the database (server closed the connection unexpectedly)."
    )
    watcher.poll()
    assert window.message_bar.text.text() == "The database answers again."
    watcher.stop()


def test_a_touch_skipped_on_another_seat_leaves_the_open_care_queue(
    qtbot: QtBot, live_window: MainWindow, demo_services: Services
) -> None:
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.services.shop.staff import Actor

    page = live_window.care.queue_page
    live_window.show_page(page)
    qtbot.waitUntil(lambda: page.queue is not None and bool(page.queue.entries()), timeout=20000)
    assert page.queue is not None
    touch_id = page.queue.entries()[0].touch_id
    seat = build_services(
        resolve_paths(str(Path(demo_services.db.url.removeprefix("sqlite:///")).parent), {})
    )
    try:
        seat.care_queue.skip(Actor("Kim"), touch_id, "Rang them from the back office")
    finally:
        seat.close()
    qtbot.waitUntil(lambda: page.queue is not None and page.queue.find(touch_id) is None, timeout=10000)


def test_a_call_logged_on_another_seat_shows_in_the_open_customer_and_ticket_window(
    qtbot: QtBot, live_window: MainWindow, other_seat: Database
) -> None:
    from careapp.domain.tickets import ContactChannel, Direction, Outcome
    from careapp.services.shop.settings import SettingsService
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.service import ContactInput, NewTicket, TicketService

    panel, tickets = live_window.list_panel, live_window.customer_tickets
    customer_id = panel.current_id()
    assert customer_id is not None
    qtbot.waitUntil(lambda: tickets.customer_id == customer_id)
    before = tickets.model.rowCount()
    customers = CustomerService(other_seat, lambda: NOW)
    service = TicketService(other_seat, lambda: NOW, customers, SettingsService(other_seat))
    first = ContactInput(
        channel=ContactChannel.PHONE,
        direction=Direction.IN,
        summary="Grinder noise",
        outcome=Outcome.WAITING_SUPPLIER,
        new_ticket=NewTicket(title="Grinder noise"),
    )
    logged = service.log_contact(Actor("Kim"), customer_id, first)
    qtbot.waitUntil(lambda: tickets.model.rowCount() == before + 1, timeout=10000)
    assert logged.ticket is not None
    dialog = live_window.ticket_windows.open(logged.ticket.id)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.contacts_model.rowCount() == 1, timeout=10000)
    follow_up = ContactInput(
        channel=ContactChannel.PHONE,
        direction=Direction.OUT,
        summary="Part ordered",
        outcome=Outcome.WAITING_SUPPLIER,
        ticket_id=logged.ticket.id,
    )
    service.log_contact(Actor("Kim"), customer_id, follow_up)
    qtbot.waitUntil(lambda: dialog.contacts_model.rowCount() == 2, timeout=10000)
    # A change half typed in the ticket window: that window is left alone (its save checks the version).
    qtbot.mouseClick(dialog.buttons["assign"], Qt.MouseButton.LeftButton)
    assert dialog.panel.isVisibleTo(dialog)
    with qtbot.waitSignal(live_window.changes.othersChanged, timeout=10000):
        service.log_contact(Actor("Kim"), customer_id, follow_up)
    qtbot.waitUntil(lambda: not live_window.runner.is_busy(), timeout=10000)
    assert dialog.contacts_model.rowCount() == 2
    assert dialog.panel.isVisibleTo(dialog)
    dialog.close()


def test_the_customer_page_keeps_its_place_when_someone_else_changes_another_customer(
    qtbot: QtBot, live_window: MainWindow, other_seat: Database
) -> None:
    panel, detail = live_window.list_panel, live_window.detail
    model = panel.model
    assert model is not None
    timeline = detail.timeline
    longest = max(range(40), key=lambda row: _timeline_length(qtbot, live_window, row))
    _timeline_length(qtbot, live_window, longest)
    picked = timeline.model().index(timeline.model().rowCount() // 2, 0)
    timeline.setCurrentIndex(picked)  # the user is reading one entry of the customer's story
    bar = timeline.verticalScrollBar()
    place = bar.value()
    rows_before = model.rowCount()
    CustomerService(other_seat, lambda: NOW).create(
        CustomerDraft(first_name="Someone", last_name="Else"), "Kim"
    )
    qtbot.waitUntil(lambda: model.rowCount() == rows_before + 1, timeout=10000)
    # The customer's page is read again after the list (queued before the list's answer came): wait
    # until the database thread has delivered everything.
    qtbot.waitUntil(lambda: not live_window.runner.is_busy(), timeout=10000)
    assert timeline.currentIndex().row() == picked.row()
    assert bar.value() == place


def _timeline_length(qtbot: QtBot, window: MainWindow, row: int) -> int:
    panel, detail = window.list_panel, window.detail
    panel.select_row(row)
    qtbot.waitUntil(lambda: detail.customer is not None and detail.customer.id == panel.current_id())
    qtbot.waitUntil(lambda: not window.runner.is_busy())
    return detail.timeline.model().rowCount()
