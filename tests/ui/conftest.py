"""Fixtures for the Qt layer: runners, a demo-filled database, a main window, scripted prompts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication

from careapp.ui import qt_workarounds
from careapp.ui.customers.stale import ConflictChoice
from careapp.ui.main_window import MainWindow
from careapp.ui.runner import SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

DEMO_CUSTOMERS = 250


@pytest.fixture(scope="session", autouse=True)
def _signal_emit_fix() -> None:
    """PySide6 6.12.0 loses a reference to True on every emit; see careapp.ui.qt_workarounds."""
    qt_workarounds.install()


@pytest.fixture(scope="session", autouse=True)
def _garbage_on_the_ui_thread(qapp: QApplication) -> Iterator[None]:
    """Python's cycle collector must not run on the database thread; see careapp.ui.qt_workarounds."""
    collector = qt_workarounds.collect_garbage_on_ui_thread(qapp)
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def no_screen_fit_left_behind(qapp: QApplication) -> Iterator[None]:
    """The app's start (careapp.app.finish_application) installs the screen-fit filter on the one
    QApplication the tests share; left there, it would resize every later test's windows to the
    offscreen screen (the list's column tests then waited for a width that never came). Each test
    that starts the app gets it; none after it does."""
    yield
    from careapp.ui.fit import ScreenFit

    for child in qapp.children():
        if isinstance(child, ScreenFit):
            qapp.removeEventFilter(child)
            child.setParent(None)
            child.deleteLater()


@pytest.fixture(autouse=True)
def british_locale() -> Iterator[None]:
    """Dates and numbers as en_GB writes them, whatever the machine's locale."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def demo_services(services: Services) -> Services:
    from careapp.services.demo.customers import DemoSpec, fill_demo

    fill_demo(services.db, DemoSpec(customers=DEMO_CUSTOMERS, seed=3), services.clock())
    return services


@pytest.fixture
def sync_runner() -> SyncRunner:
    return SyncRunner()


@pytest.fixture
def threaded_runner() -> Iterator[ThreadedRunner]:
    runner = ThreadedRunner()
    yield runner
    runner.shutdown()


@dataclass
class ScriptedPrompts:
    """Answers the questions a test expects, and remembers every one that was asked."""

    answer: bool = True
    conflict_choice: ConflictChoice = ConflictChoice.KEEP_EDITING
    asked: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)

    def confirm(self, title: str, text: str, action_text: str, detail: str = "") -> bool:
        self.asked.append(text)
        return self.answer

    def error(self, title: str, text: str, detail: str = "") -> None:
        self.errors.append((title, text, detail))

    def info(self, title: str, text: str) -> None:
        self.asked.append(text)

    def resolve_conflict(self, message: str, rows: list[tuple[str, str, str]]) -> ConflictChoice:
        self.conflicts.append((message, rows))
        return self.conflict_choice


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


def make_window(
    qtbot: QtBot,
    runner: object,
    tmp_path: Path,
    prompts: ScriptedPrompts,
    resize: bool = True,
    show: bool = True,
) -> MainWindow:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    # The care queue is the first page; the customer tests start on the Customers page.
    window.pages.setCurrentWidget(window.splitter)
    if resize:
        window.resize(1200, 760)
    if show:
        window.show()
        qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(
    qtbot: QtBot, sync_runner: SyncRunner, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> MainWindow:
    """The real main window on a demo database, with the synchronous runner."""
    main = make_window(qtbot, sync_runner, tmp_path, prompts)
    main.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: main.list_panel.model is not None and main.list_panel.model.has_searched)
    return main
