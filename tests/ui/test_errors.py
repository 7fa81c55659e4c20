"""Unexpected errors at run time: logged with the traceback, explained, and the app carries on."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from careapp.ui.errors import ErrorDialog, ErrorReporter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

LOG = Path("/home/sam/.local/state/careapp/log/careapp.log")


class Shown:
    """Stands in for the dialog: remembers what it was asked to show."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, summary: str, details: str) -> None:
        self.errors.append((summary, details))
        self.threads.append(threading.current_thread())


@pytest.fixture
def shown() -> Shown:
    return Shown()


@pytest.fixture
def reporter(shown: Shown) -> Iterator[ErrorReporter]:
    installed = ErrorReporter(LOG, shown)
    installed.install()
    yield installed
    installed.uninstall()


def explode() -> None:
    raise ValueError("the till drawer is stuck")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_shown_and_the_app_carries_on(
    qtbot: QtBot, reporter: ErrorReporter, shown: Shown, caplog: pytest.LogCaptureFixture
) -> None:
    ticks: list[str] = []
    with caplog.at_level(logging.CRITICAL, logger="careapp.ui.errors"):
        QTimer.singleShot(0, explode)
        qtbot.waitUntil(lambda: bool(shown.errors))
    summary, details = shown.errors[0]
    assert summary == "ValueError: the till drawer is stuck"
    assert "in explode" in details and "Traceback" in details
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert [str(error) for error in logged] == ["the till drawer is stuck"]
    QTimer.singleShot(0, lambda: ticks.append("still running"))
    qtbot.waitUntil(lambda: ticks == ["still running"])


def test_an_exception_in_another_thread_is_shown_on_the_ui_thread(
    qtbot: QtBot, reporter: ErrorReporter, shown: Shown
) -> None:
    worker = threading.Thread(target=explode)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown.errors))
    assert shown.errors[0][0] == "ValueError: the till drawer is stuck"
    assert shown.threads == [threading.main_thread()]


def test_uninstall_puts_the_previous_hooks_back(shown: Shown) -> None:
    import sys

    before = (sys.excepthook, threading.excepthook)
    reporter = ErrorReporter(LOG, shown)
    reporter.install()
    assert sys.excepthook != before[0]
    reporter.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_dialog_says_what_happened_and_where_the_log_is(qtbot: QtBot) -> None:
    dialog = ErrorDialog("ValueError: the till drawer is stuck", "Traceback (most recent call last): …", LOG)
    qtbot.addWidget(dialog)
    text = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    assert "ValueError: the till drawer is stuck" in text
    assert str(LOG) in text
    assert not dialog.details.isVisibleTo(dialog)
    dialog.details_button.click()
    assert dialog.details.isVisibleTo(dialog)
    assert dialog.keep_button.isDefault()
    dialog.copy_details()
    assert "Traceback" in QGuiApplication.clipboard().text()


def test_keep_working_and_quit(qtbot: QtBot) -> None:
    keep = ErrorDialog("ValueError: x", "…", LOG)
    qtbot.addWidget(keep)
    keep.show()
    keep.keep_button.click()
    assert not keep.quit_requested
    leave = ErrorDialog("ValueError: x", "…", LOG)
    qtbot.addWidget(leave)
    leave.show()
    leave.quit_button.click()
    assert leave.quit_requested


def test_when_careapp_cannot_start_there_is_no_keep_working(qtbot: QtBot) -> None:
    dialog = ErrorDialog("OSError: disk not found", "…", LOG, can_continue=False)
    qtbot.addWidget(dialog)
    assert not hasattr(dialog, "keep_button")
    assert dialog.quit_button.text() == "&Close"
    assert dialog.quit_requested
    text = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    assert "careapp could not start." in text and "OSError: disk not found" in text


def test_only_one_dialog_at_a_time(qtbot: QtBot) -> None:
    shown: list[str] = []

    def present(summary: str, _details: str) -> None:
        shown.append(summary)
        if len(shown) == 1:
            # A second error while the first dialog is open; its event loop delivers it.
            reporter.report(RuntimeError, RuntimeError("while the dialog is open"), None)
            QCoreApplication.processEvents()

    reporter = ErrorReporter(LOG, present)
    reporter.report(ValueError, ValueError("first"), None)
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["ValueError: first"]  # the second is in the log only
    reporter.report(KeyError, KeyError("later"), None)
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert shown[1] == "KeyError: 'later'"
