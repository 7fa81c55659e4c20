"""At start the tickets' inbox is read once the care queue has come, not beside it (the queue is what
the window opens on; the inbox's first read is the longest on the database thread)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from careapp.ui.main_window import MainWindow
from tests.ui.test_window_start_order import HoldingRunner, RecordingRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts

INBOX_READ = "InboxModel.refresh.<locals>.<lambda>"


def test_the_inbox_is_read_once_the_queue_has_come(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    runner, background = RecordingRunner(), HoldingRunner()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts, background=background)
    qtbot.addWidget(window)
    window.attach_services(demo_services, demo_services.settings.shop())
    assert INBOX_READ not in runner.names  # the queue is still being read
    background.run_held()  # the queue as last planned (none in this shop yet): the first refresh starts
    assert INBOX_READ not in runner.names
    background.run_held()  # the refresh: the queue comes
    assert runner.names.count(INBOX_READ) == 1
    window.care.queue_page.reload()  # a later queue: no second first read
    background.run_held()
    assert runner.names.count(INBOX_READ) == 1
    assert window.tickets_page.summary.text()  # what it read is shown


def test_the_inbox_shown_before_the_queue_came_reads_at_once(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    runner, background = RecordingRunner(), HoldingRunner()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts, background=background)
    qtbot.addWidget(window)
    window.show()
    window.attach_services(demo_services, demo_services.settings.shop())
    window.show_page(window.tickets_page)
    assert runner.names.count(INBOX_READ) == 1
    background.run_held()
    assert runner.names.count(INBOX_READ) == 1


def test_the_queue_read_at_once_still_reads_the_inbox(window: MainWindow) -> None:
    """With a synchronous runner the queue comes inside attach_services, before the inbox is attached."""
    assert window.tickets_page.summary.text()


def test_the_calendar_is_attached_once_the_queue_has_come_its_jobs_imported_on_the_database_thread(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    runner, background = RecordingRunner(), HoldingRunner()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts, background=background)
    qtbot.addWidget(window)
    window.attach_services(demo_services, demo_services.settings.shop())
    assert window.calendar.jobs is None and "_import_calendar_jobs" not in runner.names
    background.run_held()  # the queue as last planned (none in this shop yet): the first refresh starts
    background.run_held()  # the refresh: the queue comes
    assert runner.names.count("_import_calendar_jobs") == 1
    assert window.calendar.jobs is not None and window.calendar.settings_action.isEnabled()
    window.calendar.shutdown()


def test_without_a_queue_the_calendar_and_inbox_come_at_the_latest_after_a_wait(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts, monkeypatch: Any
) -> None:
    import careapp.ui.main_window as main_window

    monkeypatch.setattr(main_window, "FIRST_QUEUE_WAIT_MS", 50)
    runner, background = RecordingRunner(), HoldingRunner()  # the queue never comes
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts, background=background)
    qtbot.addWidget(window)
    window.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: window.calendar.jobs is not None)
    assert runner.names.count(INBOX_READ) == 1 and runner.names.count("_import_calendar_jobs") == 1
    background.run_held()  # the queue, later: nothing twice
    assert runner.names.count(INBOX_READ) == 1 and runner.names.count("_import_calendar_jobs") == 1
    window.calendar.shutdown()
