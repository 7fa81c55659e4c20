"""The Tickets page: 20,000 tickets listed lazily and filtered (the model passes the model tester),
the tab's count, Ctrl+4, Enter opening the ticket window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from careapp.domain.customer import CustomerDraft
from careapp.domain.inbox import InboxFilter, InboxOrder
from careapp.domain.tickets import Outcome
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket
from careapp.ui.tickets.inbox_model import InboxModel, age_text
from careapp.ui.tickets.inbox_page import InboxPage

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.tickets.inbox import InboxKeys, InboxRow
    from careapp.ui.main_window import MainWindow
    from careapp.ui.runner import SyncRunner, ThreadedRunner

TICKETS = 20_000


class CountingInbox:
    """The real inbox service, counting how many rows each page read asked for."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.row_requests: list[int] = []

    def keys(self, chosen: InboxFilter, order: InboxOrder, me: str) -> InboxKeys:
        return self._real.keys(chosen, order, me)

    def rows(self, keys: Sequence[int]) -> list[InboxRow]:
        self.row_requests.append(len(keys))
        return self._real.rows(keys)


@pytest.fixture
def twenty_thousand(services: Services) -> Services:
    from careapp.services.demo.customers import DemoSpec, fill_demo
    from careapp.services.demo.tickets import fill_demo_tickets

    fill_demo(services.db, DemoSpec(customers=2_000, seed=3, history=0), services.clock())
    customer_ids = services.customers.search_ids("")
    fill_demo_tickets(services.db, customer_ids, 3, services.clock(), TICKETS)
    open_them_all(services)
    return services


def open_them_all(services: Services) -> None:
    """Most demo tickets are resolved, as in a real shop; this busy shop has 20,000 open at once,
    in every active state, a third of them Sam's and a third nobody's (list data only: the state
    history behind them is not what this page reads)."""
    from sqlalchemy import case, update

    from careapp.db.models import TicketRecord

    states = ["new", "open", "waiting_customer", "waiting_supplier"]
    with services.db.session() as session:
        session.execute(
            update(TicketRecord).values(
                state=case(*((TicketRecord.id % 4 == n, state) for n, state in enumerate(states))),
                assignee=case(
                    (TicketRecord.id % 3 == 0, "Sam"), (TicketRecord.id % 3 == 1, ""), else_="Olivia"
                ),
                merged_into_id=None,
            )
        )


@pytest.mark.slow
def test_twenty_thousand_tickets_listed_lazily_and_filtered(
    qtbot: QtBot, qtmodeltester: Any, twenty_thousand: Services, threaded_runner: ThreadedRunner
) -> None:
    services = twenty_thousand
    counting = CountingInbox(services.inbox)
    model = InboxModel(counting, threaded_runner, services.clock)  # type: ignore[arg-type]
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    with qtbot.waitSignal(model.keysLoaded, timeout=30_000):
        model.load(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam")
    every = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam")
    assert model.rowCount() == len(every.keys) >= TICKETS
    assert every.open_tickets == TICKETS
    qtbot.waitUntil(lambda: model.data(model.index(0, 0), InboxModel.LoadedRole) is True, timeout=10_000)
    # Only the page on screen was read, not 20,000 rows.
    assert counting.row_requests == [InboxModel.PAGE_SIZE]
    first = services.inbox.rows(every.keys[:1])[0]
    assert model.data(model.index(0, 0)) == first.customer_name
    assert model.data(model.index(0, 1)) == first.title
    # Far down the list: a placeholder first, then that page alone.
    far = model.rowCount() - 1
    assert model.data(model.index(far, 0)) == InboxModel.PLACEHOLDER
    qtbot.waitUntil(lambda: model.data(model.index(far, 0), InboxModel.LoadedRole) is True, timeout=10_000)
    assert len(counting.row_requests) == 2
    qtmodeltester.check(model)
    for chosen in InboxFilter:
        with qtbot.waitSignal(model.keysLoaded, timeout=30_000):
            model.load(chosen, InboxOrder.OLDEST_WAITING, "Sam")
        expected = services.inbox.keys(chosen, InboxOrder.OLDEST_WAITING, "Sam").keys
        assert [model.key(row) for row in range(model.rowCount())] == expected
        assert len(expected) < len(every.keys) or chosen is InboxFilter.ALL
        if expected:
            qtbot.waitUntil(lambda: model.data(model.index(0, 0), InboxModel.LoadedRole) is True)
            line = model.line(0)
            assert line is not None
            if chosen is InboxFilter.WAITING_CUSTOMER:
                assert line.state == "waiting_customer"
            if chosen is InboxFilter.CALLBACK_OVERDUE:
                assert line.next_promise is not None and line.next_promise < services.clock()
                assert model.data(model.index(0, 6)).endswith("(overdue)")
    qtmodeltester.check(model)


def test_age_is_said_in_the_largest_whole_unit() -> None:
    now = dt.datetime(2026, 11, 23, 9, 30)
    assert age_text(now - dt.timedelta(minutes=45), now) == "45 min"
    assert age_text(now - dt.timedelta(hours=5, minutes=59), now) == "5 h"
    assert age_text(now - dt.timedelta(days=3, hours=2), now) == "3 d"


# --- the page in the main window -----------------------------------------------------------------


@pytest.fixture
def open_ticket(demo_services: Services) -> tuple[Services, int]:
    services = demo_services
    owner: Actor
    existing = [member for member in services.staff.list() if member.role is Role.OWNER]
    owner = existing[0].actor() if existing else services.staff.add(None, "Olivia", Role.OWNER).actor()
    return services, waiting_on_supplier(services, owner, services.customers.search_ids("")[0])


def waiting_on_supplier(services: Services, owner: Actor, customer_id: int) -> int:
    """A call logged five minutes ago that opened a ticket now waiting on the supplier: its id."""
    logged = services.tickets.log_contact(
        owner,
        customer_id,
        ContactInput(
            new_ticket=NewTicket("Grinder", "Zz grinder rattles"),
            started_at=services.clock() - dt.timedelta(minutes=5),
            outcome=Outcome.WAITING_SUPPLIER,
        ),
    )
    assert logged.ticket is not None
    return logged.ticket.id


def test_ctrl_4_shows_the_tickets_page_and_enter_opens_the_ticket(
    qtbot: QtBot, window: MainWindow, open_ticket: tuple[Services, int], sync_runner: SyncRunner
) -> None:
    services, ticket_id = open_ticket
    page: InboxPage = window.tickets_page
    page.reload()
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is page
    counted = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "").open_tickets
    assert counted > 0
    tab_text = window.pages.tabText(window.pages.indexOf(page)).replace("&", "")
    assert tab_text == f"Tickets ({counted:,})"
    # The newest activity is the ticket just logged; it is selected and Enter opens it.
    assert page.current_ticket_id() == ticket_id
    qtbot.waitUntil(lambda: page.table.hasFocus() or page.table.isVisible())
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert ticket_id in window.ticket_windows.open_dialogs
    # Waiting on supplier keeps it; waiting on customer does not.
    page.filter.setCurrentIndex(page.filter.findData(InboxFilter.WAITING_SUPPLIER))
    assert page.model is not None
    assert ticket_id in [page.model.key(row) for row in range(page.model.rowCount())]
    page.filter.setCurrentIndex(page.filter.findData(InboxFilter.WAITING_CUSTOMER))
    assert ticket_id not in [page.model.key(row) for row in range(page.model.rowCount())]


def test_an_empty_list_says_why_and_how_a_ticket_comes(
    qtbot: QtBot, services: Services, sync_runner: SyncRunner
) -> None:
    page = InboxPage(sync_runner)
    qtbot.addWidget(page)
    page.attach(services)
    assert page.empty.isVisibleTo(page)
    assert page.empty.text().startswith("No open tickets or promised callbacks.")
    assert "Log a call (Ctrl+L)" in page.empty.text()
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    waiting_on_supplier(services, owner, services.customers.create(CustomerDraft(first_name="Ann"), "t").id)
    page.reload()
    assert not page.empty.isVisibleTo(page) and page.model is not None and page.model.rowCount() == 1
    page.filter.setCurrentIndex(page.filter.findData(InboxFilter.WAITING_CUSTOMER))
    assert page.empty.isVisibleTo(page)
    assert (
        page.empty.text()
        == "Nothing open is “Waiting on customer”. Show “All open” to see every open ticket."
    )
