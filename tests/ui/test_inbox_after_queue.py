"""At start the tickets' inbox is read once the care queue has come, not beside it (the queue is what
the window opens on; the inbox's first read is the longest on the database thread)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    background.run_held()  # the queue comes
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
