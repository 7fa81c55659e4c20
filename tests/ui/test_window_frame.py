"""The main window as the app first shows it: a frame (title, menus, the pages' tabs, the status
bar) painted before the pages are built, then filled in by ``build()``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from careapp.ui.main_window import MainWindow
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


def _frame(qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts) -> MainWindow:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SyncRunner(), settings, "Sam", prompts, deferred=True)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    return window


def test_the_frame_paints_with_its_tabs_and_menus_before_the_pages_exist(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = _frame(qtbot, tmp_path, prompts)
    assert not window.is_built
    assert not hasattr(window, "list_panel")
    with qtbot.waitSignal(window.firstPainted, timeout=5000):
        window.show()
    assert not window.is_built  # painting does not build it: the app does, after the paint
    assert [window.pages.tabText(i) for i in range(window.pages.count())] == [
        "Care &queue",
        "C&ustomers",
        "O&verview",
        "Tic&kets",
    ]
    assert [menu.title() for menu in (window.file_menu, window.edit_menu, window.help_menu)] == [
        "&File",
        "&Edit",
        "&Help",
    ]
    assert window.statusBar().currentMessage() == "Opening the database…"


def test_build_fills_the_tabs_and_keeps_a_tab_chosen_while_it_waited(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = _frame(qtbot, tmp_path, prompts)
    with qtbot.waitSignal(window.firstPainted, timeout=5000):
        window.show()
    window.pages.setCurrentIndex(1)  # Ctrl+2 is not there yet, but a click on the tab is
    with qtbot.waitSignal(window.built, timeout=5000):
        window.build()
    assert window.is_built
    assert window.pages.count() == 4
    assert window.pages.widget(0) is window.care.queue_page
    assert window.pages.currentWidget() is window.splitter
    assert window.import_action in window.file_menu.actions()
    assert window.about_action in window.help_menu.actions()
    window.build()  # once only
    assert window.pages.count() == 4
    qtbot.waitUntil(lambda: window.pages.widget(2) is window.care.dashboard, timeout=5000)


def test_a_built_frame_takes_the_database_like_a_window_built_at_once(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts, demo_services: Services
) -> None:
    window = _frame(qtbot, tmp_path, prompts)
    with qtbot.waitSignal(window.firstPainted, timeout=5000):
        window.show()
    window.build()
    assert window.pages.currentWidget() is window.care.queue_page  # each morning starts with the queue
    window.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: window.list_panel.model is not None and window.list_panel.model.total > 0)
    assert window.new_action.isEnabled()
    window.close()  # saves the dividers it restored at build


def test_closing_before_the_pages_are_built_is_quiet(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = _frame(qtbot, tmp_path, prompts)
    window.show()
    assert window.close()
    assert not window.is_built
