"""The calendar's background updates (coalesced, off the UI thread) and File → Export .ics…."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar
import pytest
from PySide6.QtWidgets import QMainWindow

from careapp.services.calendar.service import ADDS_ONLY_NOTE
from careapp.services.shop.secrets import SecretStore
from careapp.ui.calendar.background import CalendarBackground
from careapp.ui.calendar.controller import CalendarController
from careapp.ui.calendar.jobs import CalendarJobs
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from careapp.ui.runner import ThreadedRunner


class FakeUpdate:
    """Records the thread of each run; ``gate`` holds a run until the test lets it go."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()

    def __call__(self) -> str:
        self.threads.append(threading.current_thread())
        self.started.set()
        assert self.gate.wait(10)
        return f"CalDAV sync: run {len(self.threads)}."


def make_background(runner: ThreadedRunner, update: FakeUpdate, shown: list[str]) -> CalendarBackground:
    return CalendarBackground(runner, update, shown.append, delay_ms=0, interval_ms=60_000)


def test_two_changes_are_one_update_off_the_ui_thread(qtbot: QtBot, threaded_runner: ThreadedRunner) -> None:
    update, shown = FakeUpdate(), []
    background = make_background(threaded_runner, update, shown)
    background.changed()
    background.changed()
    with qtbot.waitSignal(background.finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: background.is_idle() and not threaded_runner.is_busy())
    assert len(update.threads) == 1
    assert update.threads[0] is not threading.main_thread()
    assert shown == ["CalDAV sync: run 1."]


def test_changes_during_an_update_give_exactly_one_more(
    qtbot: QtBot, threaded_runner: ThreadedRunner
) -> None:
    update, shown = FakeUpdate(), []
    update.gate.clear()
    background = make_background(threaded_runner, update, shown)
    background.changed()
    qtbot.waitUntil(lambda: update.started.is_set(), timeout=10_000)
    assert background.is_running()
    for _ in range(3):
        background.changed()
    update.gate.set()
    qtbot.waitUntil(lambda: len(shown) == 2 and background.is_idle(), timeout=10_000)
    assert len(update.threads) == 2
    assert all(t is not threading.main_thread() for t in update.threads)
    assert background.runs == 2


def test_a_failed_update_is_shown_and_the_next_tick_tries_again(
    qtbot: QtBot, threaded_runner: ThreadedRunner
) -> None:
    calls: list[int] = []

    def update() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return "CalDAV sync: 0 added."

    shown: list[str] = []
    background = CalendarBackground(threaded_runner, update, shown.append, delay_ms=0, interval_ms=10)
    background.start()
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=10_000)
    background.stop()
    qtbot.waitUntil(lambda: background.is_idle() and not threaded_runner.is_busy())
    assert shown[0] == "The calendar could not be updated: disk full"
    assert shown[1] == "CalDAV sync: 0 added."


@pytest.fixture
def controller(qtbot: QtBot, threaded_runner: ThreadedRunner, services: Services) -> CalendarController:
    window = QMainWindow()
    qtbot.addWidget(window)
    bar = MessageBar()
    window.setCentralWidget(bar)
    made = CalendarController(window, threaded_runner, bar, window.statusBar())
    made.background.stop()
    made.attach(services, CalendarJobs(services, SecretStore(object())))
    made.background.stop()  # this test is about the export
    return made


def test_export_ics_writes_a_file_icalendar_reads_and_says_adds_only(
    qtbot: QtBot, controller: CalendarController, shop_with_birthdays: Services, tmp_path: Path
) -> None:
    target = tmp_path / "care.ics"
    bar = controller._message_bar
    controller.export_to(target)
    qtbot.waitUntil(lambda: "Exported" in bar.text.text(), timeout=10_000)
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 2
    assert bar.text.text().startswith(f"Exported 2 calendar events to {target}.")
    assert ADDS_ONLY_NOTE in bar.text.text()


@pytest.fixture
def shop_with_birthdays(services: Services) -> Services:
    """Two customers with birthdays; the calendar holds birthdays only."""
    from dataclasses import replace

    from careapp.context import calendar_service
    from careapp.domain.customer import CustomerDraft, PartialDate

    for first, day in (("Ann", 5), ("Bob", 6)):
        draft = CustomerDraft(first_name=first, last_name="Lee", birthday=PartialDate(12, day))
        services.customers.create(draft, "test")
    calendar = calendar_service(services)
    calendar.save_calendar_settings(replace(calendar.calendar_settings(), kinds=("birthdays",)))
    return services


def test_the_main_window_offers_calendar_and_export_in_the_file_menu(window: MainWindow) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    texts = {a.text(): a for a in file_menu.actions()}  # type: ignore[union-attr]
    assert texts["&Calendar…"].isEnabled()
    assert texts["Ex&port .ics…"].isEnabled()
    window.calendar.shutdown()
