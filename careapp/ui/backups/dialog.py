"""File → Backups…: the copies of the database, "Back up now", and restoring one (or any file).

All file and database work runs through the runner (off the UI thread) with a busy bar; a restore
asks first and says where the current database will be kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.backups.model import BackupListModel, taken_label
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, Prompts

if TYPE_CHECKING:
    from careapp.services.shop.backups import BackupInfo, BackupService, RestoreOutcome

translate = QCoreApplication.translate
FileChooser = Callable[[QWidget], Path | None]


def choose_backup_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent,
        translate("BackupsDialog", "Restore from a file"),
        "",
        translate("BackupsDialog", "careapp databases (*.db *.sqlite *.careapp);;All files (*)"),
    )
    return Path(name) if name else None


class BackupsDialog(QDialog):
    """Lists the copies; backs up now; restores the selected copy or a chosen file.

    ``restored`` carries the RestoreOutcome once the database has been replaced (and upgraded):
    the window then reloads everything it shows."""

    restored = Signal(object)

    def __init__(
        self,
        service: BackupService,
        runner: Runner,
        prompts: Prompts,
        restore: Callable[[Path], RestoreOutcome],
        choose_file: FileChooser = choose_backup_file,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service, self._runner, self._prompts = service, runner, prompts
        self._restore, self._choose_file = restore, choose_file
        self.setWindowTitle(self.tr("Backups"))
        intro = QLabel(
            self.tr(
                "careapp copies the database once a day (the last seven are kept) and before every "
                "upgrade. The copies are in {folder}."
            ).format(folder=service.backup_dir)
        )
        intro.setWordWrap(True)
        self.model = BackupListModel()
        self.table = self._make_table()
        list_label = QLabel(self.tr("&Copies:"))
        list_label.setBuddy(self.table)
        self.back_up_button = self._button(self.tr("&Back up now"), self.back_up_now)
        self.restore_button = self._button(self.tr("&Restore selected…"), self.restore_selected)
        self.file_button = self._button(self.tr("Restore from &file…"), self.restore_from_file)
        self.close_button = self._button(self.tr("C&lose"), self.reject)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Backup status"))
        self.error = ErrorLabel(self.tr("Problem with the backup"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName(self.tr("Working on the database"))
        self.busy.setVisible(False)
        buttons = QHBoxLayout()
        for button in (self.back_up_button, self.restore_button, self.file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(list_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)
        self.resize(640, 420)
        self.table.selectionModel().selectionChanged.connect(self._enable)
        self._enable()
        self.reload()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName(self.tr("Backup copies"))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # --- state ---------------------------------------------------------------------------------

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def _enable(self) -> None:
        busy = self.busy.isVisible()
        self.back_up_button.setEnabled(not busy)
        self.file_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected() is not None)
        self.close_button.setEnabled(not busy)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy.setVisible(busy)
        if text:
            self.status.setText(text)
        self.error.show_error(None)
        self._enable()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.status.clear()
        self.error.show_error(str(error))

    # --- actions -------------------------------------------------------------------------------

    def reload(self) -> None:
        service = self._service
        self._runner.submit(service.list, self._listed, self._failed, key="backups-list", owner=self)

    def _listed(self, backups: list[BackupInfo]) -> None:
        self.model.set_backups(backups)
        if backups and self.selected() is None:
            self.table.selectRow(0)
        self._enable()

    def back_up_now(self) -> None:
        self._set_busy(True, self.tr("Copying the database…"))
        self._runner.submit(self._service.back_up_now, self._backed_up, self._failed, owner=self)

    def _backed_up(self, backup: BackupInfo) -> None:
        self._set_busy(
            False,
            self.tr("Copied the database to {path} ({size}).").format(
                path=backup.path, size=QLocale().formattedDataSize(backup.size)
            ),
        )
        self.reload()

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is not None:
            when = taken_label(backup.taken_at)
            self._confirm_and_restore(backup.path, self.tr("the copy taken {when}").format(when=when))

    def restore_from_file(self) -> None:
        path = self._choose_file(self)
        if path is not None:
            self._confirm_and_restore(path, str(path))

    def _confirm_and_restore(self, path: Path, what: str) -> None:
        if not self._prompts.confirm(
            self.tr("Restore a backup"),
            self.tr("Replace the current database with {what}?").format(what=what),
            self.tr("Restore"),
            self.tr(
                "The file is checked first; if it is not a whole careapp database, nothing changes. "
                "The current database is kept as a copy in {folder} (replaced-<date>.db), so you can go "
                "back to it the same way. Close careapp on other computers that use this database first. "
                "careapp reopens the database afterwards."
            ).format(folder=self._service.backup_dir),
        ):
            return
        self._set_busy(True, self.tr("Checking and restoring {what}…").format(what=what))
        restore = self._restore
        self._runner.submit(lambda: restore(path), self._restored, self._failed, owner=self)

    def _restored(self, outcome: RestoreOutcome) -> None:
        text = self.tr("Restored {source}.").format(source=outcome.source)
        if outcome.kept_copy is not None:
            text += " " + self.tr("The database it replaced is kept at {path}.").format(
                path=outcome.kept_copy
            )
        if outcome.from_revision != outcome.to_revision:
            text += " " + self.tr("It was upgraded to this version of careapp.")
        self._set_busy(False, text)
        self.restored.emit(outcome)
        self.reload()
