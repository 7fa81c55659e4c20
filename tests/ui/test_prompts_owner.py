"""A question asked from a window that is not modal (the call log, a ticket) belongs to that window,
so closing it gives the keyboard back there: asked over the main window, "Cancel, keep the call" left
the main window active and what was typed next went into it (seen walking the app under Xvfb)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox, QPlainTextEdit, QVBoxLayout

from careapp.ui.widgets import Prompts

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def test_a_question_from_the_call_log_is_its_own_and_cancel_returns_there(qtbot: QtBot) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    main.show()
    call = QDialog(main)  # shown as the call log is: a window of its own, not modal
    summary = QPlainTextEdit(call)
    QVBoxLayout(call).addWidget(summary)
    call.show()
    call.activateWindow()
    summary.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is call)
    owners: list[object] = []

    def answer_cancel() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        owners.append(box.parentWidget())
        box.escapeButton().click()  # Cancel: keep the call

    QTimer.singleShot(0, answer_cancel)
    kept = not Prompts(main).confirm("Close without saving?", "Lose what you typed?", "Close without saving")

    # Its owner gets the keyboard back when it closes (a window manager's part, not checked offscreen).
    assert kept and owners == [call]
