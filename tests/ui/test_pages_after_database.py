"""At the start, the pages' modules are imported once the database thread has opened the services (or
failed to), not at the same time (issue 14: two Python imports at once held the UI thread 100-190 ms
at a time); a database that takes long to answer does not keep the pages waiting for ever."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from careapp import app as careapp_app
from careapp.ui.main_window import import_pages


class RecordingRunner:
    def __init__(self) -> None:
        self.calls: list[Callable[[], Any]] = []

    def submit(self, call: Callable[[], Any], on_done: Any = None, on_error: Any = None, **_: Any) -> None:
        self.calls.append(call)


class FakeWindow(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.background_runner = RecordingRunner()


class FakeStartup(QObject):
    settled = Signal()


def _begin(monkeypatch: Any, wait_ms: int) -> tuple[FakeWindow, FakeStartup]:
    monkeypatch.setattr(careapp_app, "PAGES_WAIT_FOR_DATABASE_MS", wait_ms)
    window, startup = FakeWindow(), FakeStartup()
    careapp_app._import_pages_after_opening(None, window, startup, None, None)  # type: ignore[arg-type]
    return window, startup


def test_the_pages_are_imported_once_the_database_has_opened_and_only_once(
    qtbot: QtBot, monkeypatch: Any
) -> None:
    window, startup = _begin(monkeypatch, wait_ms=400)
    qtbot.wait(100)
    assert window.background_runner.calls == []  # the database thread is still at work
    startup.settled.emit()
    assert window.background_runner.calls == [import_pages]
    qtbot.wait(600)  # the wait's timer has run out as well
    startup.settled.emit()
    assert window.background_runner.calls == [import_pages]


def test_a_database_that_does_not_answer_keeps_the_pages_waiting_only_a_moment(
    qtbot: QtBot, monkeypatch: Any
) -> None:
    window, _startup = _begin(monkeypatch, wait_ms=200)
    assert window.background_runner.calls == []
    qtbot.waitUntil(lambda: window.background_runner.calls == [import_pages], timeout=3000)
