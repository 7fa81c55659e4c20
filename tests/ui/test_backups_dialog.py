"""File → Backups…: the copies listed (kind, time, size), Back up now, restore a copy (asked first, the
replaced database kept, the window reloads), and a bad file refused with nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.db.backups import BackupKind
from careapp.services.shop.backups import BackupInfo
from careapp.ui.backups.dialog import BackupsDialog
from careapp.ui.backups.model import BackupListModel

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts


def open_dialog(window: MainWindow) -> BackupsDialog:
    assert window.backups.action.isEnabled()
    dialog = window.backups.open_dialog()
    assert dialog is not None
    return dialog


def test_model_passes_the_model_tester(qtmodeltester: Any, tmp_path: Path) -> None:
    model = BackupListModel()
    model.set_backups(
        [
            BackupInfo(
                tmp_path / "daily-20261123.db", BackupKind.DAILY, dt.datetime(2026, 11, 23, 9, 30), 4096
            ),
            BackupInfo(
                tmp_path / "manual-1.db", BackupKind.MANUAL, dt.datetime(2026, 11, 22, 18, 5), 1_500_000
            ),
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "Daily"
    assert model.data(model.index(1, 0)) == "Made by you"
    assert model.data(model.index(0, 1)) == "23 November 2026, 09:30"


def test_lists_copies_and_backs_up_now(window: MainWindow, demo_services: Services, qtbot: QtBot) -> None:
    dialog = open_dialog(window)
    qtbot.addWidget(dialog)
    kinds = [dialog.model.data(dialog.model.index(row, 0)) for row in range(dialog.model.rowCount())]
    assert kinds == ["Daily"]  # taken when the database was opened
    qtbot.mouseClick(dialog.back_up_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 2
    assert "Copied the database to" in dialog.status.text()
    assert not dialog.busy.isVisible() and dialog.back_up_button.isEnabled()
    manual = [p for p in demo_services.backup_dir.glob("manual-*.db")]  # type: ignore[union-attr]
    assert len(manual) == 1 and manual[0].stat().st_mode & 0o777 == 0o600


def test_restore_asks_keeps_the_current_database_and_reloads(
    window: MainWindow, demo_services: Services, prompts: ScriptedPrompts, qtbot: QtBot
) -> None:
    dialog = open_dialog(window)
    qtbot.addWidget(dialog)
    before = demo_services.customers.count()
    qtbot.mouseClick(dialog.back_up_button, Qt.MouseButton.LeftButton)
    doomed = demo_services.customers.search_ids()[:3]
    for customer_id in doomed:
        demo_services.customers.delete(customer_id)
    window.list_panel.refresh()
    assert demo_services.customers.count() == before - 3
    manual_row = next(
        row
        for row in range(dialog.model.rowCount())
        if dialog.model.data(dialog.model.index(row, 0)) == "Made by you"
    )
    dialog.table.selectRow(manual_row)
    with qtbot.waitSignal(dialog.restored):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert prompts.asked and "Replace the current database with the copy taken" in prompts.asked[-1]
    assert demo_services.customers.count() == before  # the same services see the restored file
    kept = list(demo_services.backup_dir.glob("replaced-*.db"))  # type: ignore[union-attr]
    assert len(kept) == 1 and str(kept[0]) in dialog.status.text()
    assert "reopened the database" in window.message_bar.text.text()
    qtbot.waitUntil(
        lambda: window.list_panel.model is not None and window.list_panel.model.rowCount() == before
    )


def test_restore_declined_changes_nothing(
    window: MainWindow, demo_services: Services, prompts: ScriptedPrompts, qtbot: QtBot
) -> None:
    dialog = open_dialog(window)
    qtbot.addWidget(dialog)
    prompts.answer = False
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert not list(demo_services.backup_dir.glob("replaced-*.db"))  # type: ignore[union-attr]
    assert dialog.status.text() == ""


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"name,email\nAnn,ann@example.com\n", "not an SQLite file"), (b"", "not an SQLite file")],
)
def test_a_bad_file_is_refused_in_words(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, content: bytes, words: str
) -> None:
    bad = tmp_path / "customers.db"
    bad.write_bytes(content)
    window.backups._choose_file = lambda _parent: bad
    dialog = open_dialog(window)
    qtbot.addWidget(dialog)
    before = demo_services.customers.count()
    qtbot.mouseClick(dialog.file_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and words in dialog.error.text()
    assert demo_services.customers.count() == before
    assert not list(demo_services.backup_dir.glob("replaced-*.db"))  # type: ignore[union-attr]
    assert dialog.back_up_button.isEnabled()


def test_a_window_left_open_overnight_takes_the_new_days_copy(
    window: MainWindow, demo_services: Services, clock: list[dt.datetime]
) -> None:
    backups = demo_services.backup_dir
    assert backups is not None
    assert [p.name for p in backups.glob("daily-*.db")] == ["daily-20261123.db"]
    clock[0] += dt.timedelta(days=1)
    window.care.scheduler.dayChanged.emit(dt.date(2026, 11, 24))
    assert sorted(p.name for p in backups.glob("daily-*.db")) == ["daily-20261123.db", "daily-20261124.db"]
