"""The service screens in the real main window: Ctrl+L from the customer list, the ticket from the
message bar, the Reports menu, the staff list and who is working."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QMenu

from careapp.domain.customer import CustomerDraft
from careapp.domain.tickets import Outcome, TicketState
from careapp.services.shop.settings import ShopSettings
from careapp.services.shop.staff import Role

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts

CTRL = Qt.KeyboardModifier.ControlModifier


def menu_texts(window: MainWindow, title: str) -> list[str]:
    action = next(a for a in window.menuBar().actions() if a.text() == title)
    menu = action.menu()
    assert isinstance(menu, QMenu)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_the_menus_offer_the_service_screens(window: MainWindow) -> None:
    assert "&Log a call…" in menu_texts(window, "&Customer")
    assert "&First-contact resolution…" in menu_texts(window, "&Reports")
    assert {"S&taff list…", "S&witch who is working"} <= set(menu_texts(window, "&File"))
    assert window.call_logger.action.shortcut().toString() == "Ctrl+L"
    assert window.call_logger.action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut


def test_ctrl_l_from_the_customer_list_logs_a_call_and_opens_its_ticket(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    evan = demo_services.customers.create(CustomerDraft(first_name="Evanora", last_name="Quill"), "Sam").id
    table = window.list_panel.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    # Nobody selected: Ctrl+L starts at the find step (with someone selected it starts at their form,
    # tests/ui/test_calls_start_where_you_are.py).
    table.setCurrentIndex(QModelIndex())
    steps = 0

    steps += 1
    qtbot.keyClick(table, Qt.Key.Key_L, CTRL)
    dialog = window.call_logger.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.find_page.find_box)
    qtbot.keyClicks(dialog.find_page.find_box, "evanora")
    steps += 1
    qtbot.keyClick(dialog.find_page.find_box, Qt.Key.Key_Return)
    assert dialog.form.customer is not None and dialog.form.customer.id == evan
    qtbot.keyClicks(dialog.form.summary, "Asked whether the oat milk is back")
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.form.outcome() is Outcome.RESOLVED_NOW)
    steps += 1
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.call_logger.dialog is None)
    assert steps == 3

    [ticket] = demo_services.tickets.tickets_for_customer(evan)
    assert ticket.state is TicketState.RESOLVED
    bar = window.message_bar
    assert bar.text.text() == f"Logged the call with Evanora Quill on ticket {ticket.id}: resolved now."
    bar.action.click()
    qtbot.waitUntil(lambda: ticket.id in window.ticket_windows.open_dialogs)
    shown = window.ticket_windows.open_dialogs[ticket.id]
    qtbot.waitUntil(lambda: shown.page is not None)
    assert shown.header.values["state"].text() == "Resolved"
    shown.close()


def test_the_report_opens_from_the_reports_menu(qtbot: QtBot, window: MainWindow) -> None:
    window.report_actions.fcr_action.trigger()
    report = window.report_actions.window
    assert report is not None
    qtbot.waitUntil(lambda: report.data is not None)
    assert window.report_actions.open_fcr() is report  # one window, brought forward
    report.close()
    qtbot.waitUntil(lambda: window.report_actions.window is None)


def test_working_as_follows_the_staff_list_and_the_first_list_is_offered(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    window.apply_shop(ShopSettings(staff_names=("Sam", "Jo", "Priya")))
    bar = window.message_bar
    assert bar.text.text().startswith(
        "Make the staff list from the shop's staff names? Sam becomes the owner;"
    )
    assert window.staff.names() == ["Sam", "Jo", "Priya"] and window.staff.role() is None
    bar.action.click()
    qtbot.waitUntil(lambda: window.staff.names() == ["Jo", "Priya", "Sam"])
    assert bar.text.text().startswith("Made the staff list; Sam is the owner.")
    assert [(m.name, m.role) for m in demo_services.staff.list()] == [
        ("Jo", Role.STAFF),
        ("Priya", Role.STAFF),
        ("Sam", Role.OWNER),
    ]
    window.staff.choose("Jo")
    assert window.call_logger.open() is not None
    dialog = window.call_logger.dialog
    assert dialog is not None and dialog.form.staff.text() == "Logged by Jo"
    dialog.done(0)

    window.staff_actions.list_action.trigger()
    editor = window.staff_actions.dialog
    assert editor is not None
    qtbot.waitUntil(lambda: editor.model.rowCount() == 3)
    assert not editor.add_button.isEnabled()  # Jo is staff
    editor.done(0)


def test_ctrl_shift_w_opens_who_is_working(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    owner = demo_services.staff.add(None, "Olivia", Role.OWNER).actor()
    demo_services.staff.add(owner, "Sam")
    window.apply_shop(ShopSettings())
    qtbot.waitUntil(lambda: window.staff.names() == ["Olivia", "Sam"])
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_W, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.staff.combo.view().isVisible())
    window.staff.combo.hidePopup()


def test_a_call_log_opens_over_an_open_editor(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts
) -> None:
    window.new_action.trigger()
    editor = window.customer_actions.editor
    assert editor is not None
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor.form.first_name, "Half-typed")
    qtbot.keyClick(editor.form.first_name, Qt.Key.Key_L, CTRL)  # the phone rings
    dialog = window.call_logger.dialog
    assert dialog is not None
    assert dialog.windowModality() == Qt.WindowModality.ApplicationModal  # above the editor, not blocked
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.find_page.find_box)
    qtbot.keyClicks(dialog.find_page.find_box, "a")
    assert dialog.find_page.find_box.text() == "a"
    dialog.done(0)
    assert editor.isVisible() and editor.form.first_name.text() == "Half-typed"  # nothing lost
    editor.done(0)
