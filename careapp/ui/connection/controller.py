"""The window's connection actions: File → Database connection…, the welcome's "shared server" link,
and what happens when the shared server cannot be reached at start-up.

``restartRequested`` fires once a new choice is saved: the application (careapp/app.py) closes the
window and starts again on the chosen database. At start-up, a shared server that cannot be used is
explained in a sentence (never a traceback) with three ways on: change the connection, switch back
to this computer's own database, or quit.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from careapp.config import DATABASE_URL_ENV, Paths, SeatConfig, SeatConfigError, load_seat_config
from careapp.redact import hide_password
from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from careapp.config import SharedServer
    from careapp.ui.connection.dialog import ConnectionDialog

log = logging.getLogger(__name__)


class FailureChoice(Enum):
    CHANGE = "change"  # open the connection dialog
    LOCAL = "local"  # back to this computer's own database
    QUIT = "quit"


Chooser = Callable[[QWidget, str], FailureChoice]


def ask_after_failure(parent: QWidget, reason: str) -> FailureChoice:
    """The start-up question when the shared server cannot be used."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(box.tr("careapp could not reach the shared database"))
    box.setText(box.tr("careapp could not open the shared database, so it cannot start on it."))
    box.setInformativeText(
        box.tr(
            "{reason}\n\nNothing was changed. You can correct the connection, or work on this computer's "
            "own database for now (the shared one is not touched; choose it again later under File → "
            "Database connection…)."
        ).format(reason=reason)
    )
    change = box.addButton(box.tr("&Change the connection…"), QMessageBox.ButtonRole.AcceptRole)
    local = box.addButton(box.tr("Use &this computer only"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(box.tr("&Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(change)
    box.exec()
    clicked = box.clickedButton()
    if clicked is change:
        return FailureChoice.CHANGE
    if clicked is local:
        return FailureChoice.LOCAL
    return FailureChoice.QUIT


def show_seat_file_problem(sentence: str, interactive: bool = True) -> None:
    """Before any window: this seat's connection file cannot be used (it says what to do). On stderr
    too; in a box unless ``interactive`` is False (the smoke test)."""
    print(f"careapp: {sentence}", file=sys.stderr)
    if not interactive:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "careapp", sentence)
    box.setWindowTitle(box.tr("careapp cannot start"))
    box.exec()


def failure_reason(error: BaseException, server: SharedServer) -> str:
    """The start-up failure as a sentence: the keyring's, or the server's explained."""
    from careapp.services.shop.connection import explain

    original = getattr(error, "orig", None)
    if original is None and type(error).__name__ == "SecretUnavailable":
        return str(error)
    return explain(original if original is not None else error, server)


class ConnectionController(QObject):
    """Owns the Database connection… action and dialog; see the module docstring."""

    restartRequested = Signal()
    quitRequested = Signal()

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        message_bar: MessageBar,
        *,
        chooser: Chooser = ask_after_failure,
        secrets: object | None = None,
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._message_bar = window, runner, message_bar
        self._chooser, self._secrets = chooser, secrets
        self._paths: Paths | None = None
        self.dialog: ConnectionDialog | None = None
        self.restart_requested = False  # the app reads it once the window has closed
        self.action = QAction(self.tr("&Database connection…"), window)
        self.action.setToolTip(self.tr("This computer only, or a database server the shop's computers share"))
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(False)
        window.addAction(self.action)

    def configure(self, paths: Paths) -> None:
        """Where this seat's choice is kept (known once the app has resolved its paths)."""
        self._paths = paths
        self.action.setEnabled(paths.seat_file is not None)

    def open_dialog(self, parent: QWidget | None = None) -> ConnectionDialog | None:
        """``parent``: the window it opens over (the main window unless given: the welcome)."""
        paths = self._paths
        if paths is None or paths.seat_file is None:
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        try:
            current = load_seat_config(paths.seat_file)
        except SeatConfigError as error:
            self._message_bar.show_message(str(error), error=True)
            current = SeatConfig()
        env_url = os.environ.get(DATABASE_URL_ENV, "")
        # Imported when first opened, not before the window's first paint.
        from careapp.ui.connection.dialog import ConnectionDialog, ConnectionJobs

        dialog = ConnectionDialog(
            current,
            paths.data_dir,
            self._runner,
            ConnectionJobs(paths.seat_file, self._secrets),
            parent if isinstance(parent, QWidget) else self._window,
            overridden_by=hide_password(env_url) if env_url else "",
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, config: SeatConfig) -> None:
        where = config.server.address if config.server is not None else self.tr("this computer")
        log.info("this seat now works on %s; restarting", where)
        self._restart()

    def _restart(self) -> None:
        if self.restart_requested:
            return
        self.restart_requested = True
        self.restartRequested.emit()

    # --- the shared server failed at start-up --------------------------------------------

    def open_failed(self, error: BaseException) -> None:
        """The chosen shared server could not be used: say why, and offer the ways on."""
        paths = self._paths
        assert paths is not None and paths.server is not None and paths.seat_file is not None
        choice = self._chooser(self._window, failure_reason(error, paths.server))
        if choice is FailureChoice.CHANGE:
            dialog = self.open_dialog()
            if dialog is not None:
                dialog.rejected.connect(self.quitRequested)
                # Saved as it was (the server is back, say): start again and try once more.
                dialog.accepted.connect(self._restart)
            return
        if choice is FailureChoice.LOCAL:
            from careapp.ui.connection.dialog import ConnectionJobs

            jobs = ConnectionJobs(paths.seat_file, self._secrets)
            self._runner.submit(
                lambda: jobs.save(SeatConfig(), ""),
                lambda _config: self._restart(),
                self._switch_failed,
                owner=self,
            )
            return
        self.quitRequested.emit()

    def _switch_failed(self, error: BaseException) -> None:
        self._message_bar.show_message(str(error), error=True)
        self.quitRequested.emit()
