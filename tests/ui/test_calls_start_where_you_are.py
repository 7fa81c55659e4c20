"""Ctrl+L starts where you are: with a customer selected (list, queue) or a ticket selected (Tickets
page), the call log opens at the form for them, so logging takes two steps (the summary, Ctrl+Enter);
Cancel after adding a walk-in takes the walk-in back, and the customer count follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.customer import CustomerDraft
from careapp.ui.calls.dialog import FIND_STEP, FORM_STEP
from tests.ui.test_tickets_inbox import waiting_on_supplier

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.calls.dialog import LogCallDialog
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts

CTRL = Qt.KeyboardModifier.ControlModifier


def press_ctrl_l(qtbot: QtBot, window: MainWindow, on: object) -> LogCallDialog:
    qtbot.keyClick(on, Qt.Key.Key_L, CTRL)  # type: ignore[arg-type]
    dialog = window.call_logger.dialog
    assert dialog is not None
    return dialog


def select_customer(qtbot: QtBot, window: MainWindow, customer_id: int) -> None:
    window.show_customer(customer_id)
    qtbot.waitUntil(lambda: window.list_panel.current_id() == customer_id)


def test_ctrl_l_with_a_customer_selected_takes_two_steps(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    evan = demo_services.customers.create(CustomerDraft(first_name="Evanora", last_name="Quill"), "Sam").id
    select_customer(qtbot, window, evan)
    table = window.list_panel.table
    dialog = press_ctrl_l(qtbot, window, table)
    steps_shown: list[int] = []
    dialog.stepChanged.connect(steps_shown.append)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.form.summary)
    assert dialog.step == FORM_STEP and dialog.form.customer is not None and dialog.form.customer.id == evan
    steps = 0
    steps += 1
    qtbot.keyClicks(dialog.form.summary, "Asked whether the oat milk is back")
    steps += 1
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.call_logger.dialog is None)
    assert steps == 2
    assert FIND_STEP not in steps_shown
    [ticket] = demo_services.tickets.tickets_for_customer(evan)
    assert ticket.title == "Asked whether the oat milk is back"


def test_ctrl_l_from_the_tickets_page_logs_on_the_selected_ticket(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    services = demo_services
    owner = window.staff.current_actor()
    customer = services.customers.search_ids("")[0]
    ticket_id = waiting_on_supplier(services, owner, customer)
    page = window.tickets_page
    page.reload()
    window.pages.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.current_ticket_id() == ticket_id)
    page.table.setFocus()
    dialog = press_ctrl_l(qtbot, window, page.table)
    qtbot.waitUntil(lambda: dialog.form.ticket.currentData() == ticket_id)
    assert dialog.form.customer is not None and dialog.form.customer.id == customer
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.form.summary)
    qtbot.keyClicks(dialog.form.summary, "Rang back: the part ships Monday")
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.call_logger.dialog is None)
    ticket = services.tickets.ticket(ticket_id)
    assert [c.summary for c in ticket.contacts][-1] == "Rang back: the part ships Monday"
    assert len(services.tickets.tickets_for_customer(customer)) == 1  # no new ticket


def test_ctrl_l_from_the_care_queue_starts_at_the_selected_entry_customer(
    qtbot: QtBot, window: MainWindow
) -> None:
    queue = window.care.queue_page
    window.pages.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.model.rowCount() > 0)
    queue.tree.expandAll()
    parent = next(
        queue.model.index(r, 0)
        for r in range(queue.model.rowCount())
        if queue.model.rowCount(queue.model.index(r, 0))
    )
    queue.tree.setCurrentIndex(queue.model.index(0, 0, parent))
    entry = queue.current_entry()
    assert entry is not None
    queue.tree.setFocus()
    dialog = press_ctrl_l(qtbot, window, queue.tree)
    qtbot.waitUntil(lambda: dialog.form.customer is not None)
    assert dialog.form.customer is not None and dialog.form.customer.id == entry.customer_id
    dialog.done(0)


def add_walk_in(qtbot: QtBot, window: MainWindow, name: str) -> LogCallDialog:
    window.pages.setCurrentWidget(window.care.dashboard) if window.care.dashboard else None
    window.call_logger.open()  # nobody on screen: the find step
    dialog = window.call_logger.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.find_page.find_box, name)
    qtbot.waitUntil(lambda: dialog.find_page.search_is_current())
    dialog.find_page.pick_current()  # "nobody found": the walk-in form
    qtbot.waitUntil(dialog.find_page.walk_in.isVisible)
    qtbot.mouseClick(dialog.find_page.walk_in.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.step == FORM_STEP)
    assert dialog.walk_in_id is not None
    return dialog


def count_text(window: MainWindow) -> str:
    return window.count_label.text()


def test_cancel_takes_back_a_walk_in_added_during_the_call_and_the_count_follows(
    qtbot: QtBot, window: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    before = demo_services.customers.count()
    dialog = add_walk_in(qtbot, window, "Zebedee Walkin")
    qtbot.waitUntil(lambda: count_text(window) == f"{before + 1:,} customers")
    walk_in = dialog.walk_in_id
    dialog.reject()
    qtbot.waitUntil(lambda: window.call_logger.dialog is None)
    assert demo_services.customers.count() == before
    assert demo_services.customers.rows([walk_in]) == []  # type: ignore[list-item]
    qtbot.waitUntil(lambda: count_text(window) == f"{before:,} customers")
    assert not prompts.asked  # nothing else was added to them: nothing to ask


@pytest.mark.parametrize("remove", [True, False])
def test_cancel_asks_when_something_else_was_added_to_the_walk_in(
    qtbot: QtBot, window: MainWindow, demo_services: Services, prompts: ScriptedPrompts, remove: bool
) -> None:
    before = demo_services.customers.count()
    dialog = add_walk_in(qtbot, window, "Zebedee Walkin")
    walk_in = dialog.walk_in_id
    assert walk_in is not None
    demo_services.customers.add_note(walk_in, "Left a phone charger", "Sam")  # from another seat, say
    prompts.answer = remove
    dialog.reject()
    qtbot.waitUntil(lambda: window.call_logger.dialog is None)
    assert any("a note" in text for text in prompts.asked)
    assert demo_services.customers.count() == (before if remove else before + 1)
    qtbot.waitUntil(lambda: count_text(window) == f"{demo_services.customers.count():,} customers")
