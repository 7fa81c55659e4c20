"""The main window driven from the keyboard, on a demo database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.ui.main_window import MainWindow
from careapp.ui.runner import SyncRunner
from tests.ui.conftest import DEMO_CUSTOMERS, ScriptedPrompts, make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


def list_ids(window: MainWindow) -> list[int]:
    model = window.list_panel.model
    assert model is not None
    return [model.customer_id(row) for row in range(model.rowCount())]  # type: ignore[misc]


def test_window_title_and_count(window: MainWindow) -> None:
    assert window.windowTitle() == "careapp"
    assert window.count_label.text() == f"{DEMO_CUSTOMERS} customers"
    assert window.list_panel.stack.currentWidget() is window.list_panel.table


def test_first_customer_is_selected_and_shown(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    first = list_ids(window)[0]
    assert window.list_panel.current_id() == first
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    assert window.detail.customer.id == first  # type: ignore[union-attr]
    assert window.detail.header.name.text() == demo_services.customers.get(first).display_name()


def test_ctrl_f_focuses_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.list_panel.table.setFocus()
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.list_panel.search


def test_typing_filters_the_list_and_esc_clears(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    search = window.list_panel.search
    qtbot.keyClicks(search, "#coffee")
    expected = demo_services.customers.search_ids("#coffee")
    qtbot.waitUntil(lambda: list_ids(window) == expected)  # both in name order
    assert 0 < len(expected) < DEMO_CUSTOMERS
    assert window.count_label.text() == f"{len(expected)} of {DEMO_CUSTOMERS} match"
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    qtbot.waitUntil(lambda: len(list_ids(window)) == DEMO_CUSTOMERS)
    assert window.count_label.text() == f"{DEMO_CUSTOMERS} customers"


def test_no_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.list_panel.search, "zzzzqqq")
    qtbot.waitUntil(lambda: window.list_panel.stack.currentWidget() is window.list_panel.empty)
    assert "No customer matches “zzzzqqq”" in window.list_panel.empty.text.text()


def test_enter_in_the_list_opens_the_editor_and_esc_closes_it(qtbot: QtBot, window: MainWindow) -> None:
    table = window.list_panel.table
    table.setFocus()
    window.list_panel.select_row(2)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    editor = window.customer_actions.editor
    assert editor is not None and editor.isVisible()
    assert editor.customer is not None and editor.customer.id == list_ids(window)[2]
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.customer_actions.editor is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(editor))  # closed and deleted


def test_double_click_opens_the_editor(qtbot: QtBot, window: MainWindow) -> None:
    table = window.list_panel.table
    rect = table.visualRect(table.model().index(4, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = window.customer_actions.editor
    assert editor is not None and editor.customer is not None
    assert editor.customer.id == list_ids(window)[4]


def test_enter_in_the_search_box_opens_the_first_match(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    search = window.list_panel.search
    qtbot.keyClicks(search, "#tea")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.customer_actions.editor is not None)
    editor = window.customer_actions.editor
    assert editor is not None and editor.customer is not None
    assert editor.customer.id == demo_services.customers.search_ids("#tea")[0]


def test_ctrl_n_opens_a_new_customer_editor(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.list_panel.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.customer_actions.editor
    assert editor is not None and editor.isVisible()
    assert editor.windowTitle() == "New customer"
    assert editor.customer is None


def test_saving_a_new_customer_selects_it(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    window.new_action.trigger()
    editor = window.customer_actions.editor
    assert editor is not None
    qtbot.keyClicks(editor.form.first_name, "Zelda")
    qtbot.keyClicks(editor.form.last_name, "Aardvark")
    editor.save()
    qtbot.waitUntil(lambda: window.count_label.text() == f"{DEMO_CUSTOMERS + 1} customers")
    current = window.list_panel.current_id()
    assert current is not None and demo_services.customers.get(current).last_name == "Aardvark"
    assert "Saved Zelda Aardvark" in window.message_bar.text.text()


def test_delete_asks_then_undo_brings_the_customer_back(
    qtbot: QtBot, window: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    table = window.list_panel.table
    table.setFocus()
    window.list_panel.select_row(1)
    victim = list_ids(window)[1]
    name = demo_services.customers.get(victim).display_name()
    qtbot.waitUntil(lambda: window.detail.customer is not None and window.detail.customer.id == victim)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert prompts.asked == [f"Delete {name}?"]
    assert demo_services.customers.count() == DEMO_CUSTOMERS - 1
    assert victim not in list_ids(window)
    assert window.message_bar.isVisible()
    assert window.message_bar.text.text() == f"Deleted {name}."
    assert window.undo_action.isEnabled()
    qtbot.mouseClick(window.message_bar.action, Qt.MouseButton.LeftButton)
    assert demo_services.customers.count() == DEMO_CUSTOMERS
    assert window.list_panel.current_id() == victim
    assert not window.undo_action.isEnabled()


def test_ctrl_z_undoes_a_delete(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    table = window.list_panel.table
    table.setFocus()
    victim = list_ids(window)[0]
    window.delete_action.trigger()
    assert demo_services.customers.count() == DEMO_CUSTOMERS - 1
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert demo_services.customers.count() == DEMO_CUSTOMERS
    assert victim in list_ids(window)


def test_declining_the_question_deletes_nothing(
    window: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    prompts.answer = False
    window.delete_action.trigger()
    assert demo_services.customers.count() == DEMO_CUSTOMERS


def test_del_in_the_search_box_edits_text_and_deletes_no_customer(
    qtbot: QtBot, window: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    search = window.list_panel.search
    qtbot.keyClicks(search, "ab")
    qtbot.keyClick(search, Qt.Key.Key_Home)
    qtbot.keyClick(search, Qt.Key.Key_Delete)
    assert search.text() == "b"
    assert prompts.asked == []
    assert demo_services.customers.count() == DEMO_CUSTOMERS


def test_add_note_puts_it_on_the_timeline(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    before = window.detail.timeline_model.rowCount()
    window.note_action.trigger()
    dialog = window.customer_actions.note_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.text, "Promised a call back on Friday.")
    dialog.save()
    qtbot.waitUntil(lambda: window.detail.timeline_model.rowCount() == before + 1)
    newest = window.detail.timeline_model.entry(0)
    assert (newest.title, newest.detail) == ("Note by Sam", "Promised a call back on Friday.")


def test_empty_database_shows_a_friendly_empty_state(
    qtbot: QtBot, services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = make_window(qtbot, SyncRunner(), tmp_path, prompts)
    assert window.list_panel.empty.text.text() == "Opening the database…"
    assert not window.new_action.isEnabled()
    window.attach_services(services, services.settings.shop())
    panel = window.list_panel
    assert panel.stack.currentWidget() is panel.empty
    assert panel.empty.text.text() == "No customers yet — press Ctrl+N to add one, or import them."
    assert panel.empty.new_button.isVisible() and panel.empty.import_button.isVisible()
    assert window.count_label.text() == "0 customers"
    assert not window.delete_action.isEnabled()
    qtbot.mouseClick(panel.empty.new_button, Qt.MouseButton.LeftButton)
    assert window.customer_actions.editor is not None


def test_geometry_is_remembered(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window.resize(700, 500)
    window.close()
    again = make_window(qtbot, SyncRunner(), tmp_path, prompts, resize=False)
    assert (again.width(), again.height()) == (700, 500)


def test_a_second_window_comes_back_as_the_first_was_left(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, prompts: ScriptedPrompts, demo_services: Services
) -> None:
    window.resize(780, 560)  # within the offscreen screen (800 × 600)
    window.splitter.setSizes([430, 340])
    split = window.splitter.sizes()
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    window.detail.page.setSizes([150, 300])
    window.detail.page.splitterMoved.emit(150, 1)  # as if dragged by the user
    divider = window.detail.page.sizes()
    header = window.list_panel.table.horizontalHeader()
    header.resizeSection(1, 260)  # as if dragged by the user
    window.list_panel.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # City, Z to A
    window.close()

    again = make_window(qtbot, SyncRunner(), tmp_path, prompts, resize=False)
    again.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: again.detail.customer is not None)
    assert (again.width(), again.height()) == (780, 560)
    assert again.splitter.sizes() == split
    assert again.detail.page.sizes() == divider
    header = again.list_panel.table.horizontalHeader()
    assert header.sectionSize(1) == 260
    assert not again.list_panel.columns_follow_width()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (3, Qt.SortOrder.DescendingOrder)
    model = again.list_panel.model
    assert model is not None
    rows = [0, model.rowCount() // 2, model.rowCount() - 1]
    for row in rows:
        model.index(row, 3).data()  # asks for the row's page
    qtbot.waitUntil(lambda: all(model.is_loaded(row) for row in rows))
    cities = [model.index(row, 3).data() for row in rows]
    assert cities == sorted(cities, reverse=True) and cities[0] > cities[-1]


def test_sort_is_remembered_while_the_columns_follow_the_width(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, prompts: ScriptedPrompts, demo_services: Services
) -> None:
    window.list_panel.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    window.close()
    again = make_window(qtbot, SyncRunner(), tmp_path, prompts)
    again.attach_services(demo_services, demo_services.settings.shop())
    header = again.list_panel.table.horizontalHeader()
    assert header.sortIndicatorSection() == 4
    assert again.list_panel.columns_follow_width()
    qtbot.waitUntil(lambda: header.length() == again.list_panel.table.viewport().width())


def test_export_writes_every_customer(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "out" / "customers.csv"
    window.export_to(target, "csv")
    qtbot.waitUntil(lambda: window.message_bar.isVisible())
    assert window.message_bar.text.text() == f"Exported {DEMO_CUSTOMERS} customers to {target}."
    assert target.exists()


def test_a_failed_export_is_explained(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    window.export_to(blocker / "customers.csv", "csv")
    qtbot.waitUntil(lambda: window.message_bar.isVisible())
    assert window.message_bar.text.text().startswith("The export failed: ")


def test_columns_fill_the_list_until_the_user_sizes_one(qtbot: QtBot, window: MainWindow) -> None:
    table = window.list_panel.table
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())
    assert window.list_panel.columns_follow_width()
    header.resizeSection(1, 300)  # as if dragged by the user
    assert not window.list_panel.columns_follow_width()
    window.resize(1150, 700)
    qtbot.wait(50)
    assert header.sectionSize(1) == 300


def test_the_overview_is_built_when_first_shown_not_at_start(
    qtbot: QtBot, services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    """Its charts held the UI thread 0.4-0.5 s in one turn right after the first paint: only a user
    who opens the overview pays for them."""
    from careapp.ui.dashboard.page import DashboardPage

    window = make_window(qtbot, SyncRunner(), tmp_path, prompts)
    qtbot.waitUntil(lambda: window._painted)
    qtbot.wait(200)  # turns of the event loop after the first paint
    assert not isinstance(window.pages.widget(2), DashboardPage)
    assert window.care._dashboard is None
    window.overview_action.trigger()  # Ctrl+3
    assert isinstance(window.pages.widget(2), DashboardPage)
    assert window.pages.count() == 4  # queue, customers, overview, tickets
    assert window.pages.widget(2) is window.care.dashboard
    assert window.pages.currentWidget() is window.care.dashboard
    assert window.pages.tabText(2) == "O&verview"
    assert window.pages.tabText(3).startswith("Tic&kets")


def test_choosing_the_overview_tab_before_it_is_built_shows_it(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from careapp.ui.dashboard.page import DashboardPage

    window = make_window(qtbot, SyncRunner(), tmp_path, prompts, show=False)
    window.attach_services(demo_services, demo_services.settings.shop())
    assert not isinstance(window.pages.widget(2), DashboardPage)
    window.pages.tabBar().setCurrentIndex(2)  # as a click on the tab does
    shown = window.pages.currentWidget()
    assert isinstance(shown, DashboardPage)
    assert shown is window.care.dashboard
    assert window.pages.count() == 4 and window.pages.tabText(2) == "O&verview"
    qtbot.waitUntil(lambda: shown.overview is not None)


def test_a_customer_list_that_cannot_be_read_is_said_in_the_message_bar(
    qtbot: QtBot, demo_services: Services, sync_runner: SyncRunner, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from typing import Any

    class Unreadable:
        """The real customer service, except that searching fails as a locked database would."""

        def __init__(self, real: Any) -> None:
            self._real = real

        def search_page(self, *args: Any, **kwargs: Any) -> Any:
            raise OSError("database is locked")

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real, name)

    services = demo_services.replaced(customers=Unreadable(demo_services.customers))
    window = make_window(qtbot, sync_runner, tmp_path, prompts)
    window.attach_services(services, services.settings.shop())
    bar = window.message_bar
    assert bar.isVisible()
    assert bar.text.text() == "The customer list could not be read: database is locked"
