"""File → Backups…: opens the backups screen over the open database and reopens it after a restore."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar, Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.backups import BackupService, RestoreOutcome
    from careapp.ui.backups.dialog import BackupsDialog, FileChooser

log = logging.getLogger(__name__)


def restore_and_reopen(services: Services, service: BackupService, source: Path) -> RestoreOutcome:
    """Database thread: restore into the open file, then drop the pooled connections so every later
    call opens the restored (and upgraded) database afresh."""
    outcome = service.restore(source)
    services.db.engine.dispose()
    return outcome


class BackupsController(QObject):
    """The Backups… action; ``databaseReplaced`` fires after a restore (the window reloads its pages)."""

    databaseReplaced = Signal()

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        prompts: Prompts,
        message_bar: MessageBar,
        choose_file: FileChooser | None = None,
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._prompts, self._bar = window, runner, prompts, message_bar
        self._choose_file = choose_file  # None: the usual file dialog
        self._services: Services | None = None
        self.dialog: BackupsDialog | None = None
        self.action = QAction(self.tr("&Backups…"), window)
        self.action.setToolTip(self.tr("The database's copies: back up now, or restore one"))
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(False)

    def attach(self, services: Services) -> None:
        from careapp.db.database import sqlite_path

        self._services = services
        local = services.backup_dir is not None and sqlite_path(services.db.url) is not None
        self.action.setEnabled(local)
        if not local:
            self.action.setToolTip(
                self.tr(
                    "A shared PostgreSQL database is backed up with pg_dump on the server (see the README)"
                )
            )

    def take_daily(self, runner: Runner | None = None) -> None:
        """Today's copy if it is not there yet (at start, and when the day changes while careapp runs),
        on ``runner`` (the database thread by default; the window passes its background one, so the
        copy never holds up what the user asked for). A failure is logged; the next start or day
        tries again."""
        services = self._services
        if services is None or services.backup_dir is None or not self.action.isEnabled():
            return
        from careapp.services.shop.backups import BackupService

        service = BackupService(services.db.url, services.backup_dir, services.clock)
        (runner or self._runner).submit(
            service.daily,
            lambda made: log.info("daily backup: %s", made or "today's copy was already there"),
            lambda error: log.warning("could not write today's backup: %s", error),
            owner=self,
        )

    def open_dialog(self) -> BackupsDialog | None:
        services = self._services
        if services is None or services.backup_dir is None or self.dialog is not None:
            return None
        from careapp.services.shop.backups import BackupService
        from careapp.ui.backups.dialog import BackupsDialog, choose_backup_file

        service = BackupService(services.db.url, services.backup_dir, services.clock)
        dialog = BackupsDialog(
            service,
            self._runner,
            self._prompts,
            lambda source: restore_and_reopen(services, service, source),
            self._choose_file or choose_backup_file,
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._restored)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _restored(self, outcome: RestoreOutcome) -> None:
        self._bar.show_message(
            self.tr("Restored {source}; careapp reopened the database.").format(source=outcome.source)
        )
        self.databaseReplaced.emit()
