"""Unexpected errors: logged with their traceback, then explained in a dialog, not a silent exit.

:class:`ErrorReporter` replaces ``sys.excepthook`` (which PySide6 calls for an exception raised in
a slot or an event handler) and ``threading.excepthook``. The traceback is logged at once, from
whichever thread raised; the dialog is shown on the UI thread through a queued signal, one at a
time. Qt's event loop carries on after such an exception, so the dialog offers to keep working.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from careapp.redact import redact
from careapp.ui.keyboard import follow_layout

log = logging.getLogger(__name__)

EXIT_CRASHED = 1
WIDTH = 640
Presenter = Callable[[str, str], None]  # (one-line summary, full traceback)


def summary_of(error: BaseException) -> str:
    """ "ValueError: bad thing": the exception's type and message on one line."""
    return "".join(traceback.format_exception_only(type(error), error)).strip()


class ErrorDialog(QDialog):
    """What went wrong, where the log is, the details on request; keep working or quit."""

    def __init__(
        self,
        summary: str,
        details: str,
        log_path: Path,
        can_continue: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # What is shown can be copied and mailed: no password goes with it (careapp.redact).
        summary, details = redact(summary), redact(details)
        self.setObjectName("errorDialog")
        self.setWindowTitle(self.tr("careapp ran into a problem"))
        self._details_text, self._log_path = details, log_path
        self.quit_requested = not can_continue
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        heading = QLabel(
            self.tr("Something went wrong.") if can_continue else self.tr("careapp could not start.")
        )
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        text = QLabel(self._explanation(summary, can_continue))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAccessibleName(self.tr("What went wrong"))
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Technical details"))
        self.details.setTabChangesFocus(True)
        self.details.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.addWidget(heading)
        words.addWidget(text)
        top.addLayout(words, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(self._buttons(can_continue))
        follow_layout(self)
        self._fit_height()

    def _explanation(self, summary: str, can_continue: bool) -> str:
        next_step = (
            self.tr(
                "careapp is still running, but what you did last may not have finished: "
                "please check it. If careapp keeps misbehaving, quit and start it again."
            )
            if can_continue
            else self.tr("Nothing was changed. Try starting careapp again.")
        )
        text = self.tr("What happened: {summary}\n\n{next_step}\n\nThe details are in the log file: {log}")
        return text.format(summary=summary, next_step=next_step, log=self._log_path)

    def _buttons(self, can_continue: bool) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.details_button = self._button(buttons, self.tr("Show &details"), self.toggle_details)
        self._button(buttons, self.tr("Open the log &folder"), self.open_log_folder)
        self._button(buttons, self.tr("&Copy details"), self.copy_details)
        quit_text = self.tr("&Quit careapp") if can_continue else self.tr("&Close")
        self.quit_button = buttons.addButton(quit_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.clicked.connect(self._quit)
        if can_continue:
            keep_text = self.tr("&Keep working")
            self.keep_button = buttons.addButton(keep_text, QDialogButtonBox.ButtonRole.AcceptRole)
            self.keep_button.clicked.connect(self.accept)
            self.keep_button.setDefault(True)
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        return buttons

    def _button(self, buttons: QDialogButtonBox, text: str, slot: Callable[[], None]) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _fit_height(self) -> None:
        """As tall as the wrapped text needs at this width (the size hint guesses a narrower one)."""
        layout = self.layout()
        wanted = layout.heightForWidth(WIDTH) if layout is not None else -1
        self.resize(WIDTH, wanted if wanted > 0 else self.sizeHint().height())

    def toggle_details(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.details_button.setText(self.tr("Hide &details") if shown else self.tr("Show &details"))
        self._fit_height()

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_path.parent)))

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self._details_text}\nLog file: {self._log_path}\n")

    def _quit(self) -> None:
        self.quit_requested = True
        self.reject()


def show_error_dialog(summary: str, details: str, log_path: Path, parent: QWidget | None = None) -> None:
    """The dialog for an error at run time; quits the app if the user asks to."""
    dialog = ErrorDialog(summary, details, log_path, True, parent)
    dialog.exec()
    if dialog.quit_requested:
        QCoreApplication.exit(EXIT_CRASHED)


class ErrorReporter(QObject):
    """Logs every uncaught exception and hands it to a presenter (the dialog by default).

    ``install()`` / ``uninstall()`` swap the interpreter's hooks; only one reporter at a time.
    """

    errorRaised = Signal(str, str)  # summary, details

    def __init__(
        self, log_path: Path, present: Presenter | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.window: QWidget | None = None  # the dialog's parent, once there is a window
        self._present = present or self._dialog
        self._presenting = False
        self._previous: tuple[object, object] | None = None
        # Queued even on the UI thread: the dialog opens from the event loop, not inside the
        # code that has just failed.
        self.errorRaised.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _dialog(self, summary: str, details: str) -> None:
        show_error_dialog(summary, details, self.log_path, self.window)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
            self._previous = None

    def report(self, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        """Log the exception with its traceback; the presenter follows from the event loop. Neither
        the log nor the dialog (whose details can be copied) keeps a password (careapp.redact)."""
        log.critical("unexpected error", exc_info=(kind, error, trace))
        details = redact("".join(traceback.format_exception(kind, error, trace)))
        self.errorRaised.emit(redact(summary_of(error)), details)

    def _hook(self, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        self.report(kind, error, trace)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, summary: str, details: str) -> None:
        if self._presenting:
            return  # one dialog at a time; the rest are in the log
        self._presenting = True
        try:
            self._present(summary, details)
        finally:
            self._presenting = False
