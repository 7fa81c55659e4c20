"""The window's start on the Care queue page: built a part per turn, the queue read first and beside the
list, today's backup behind the touches' refresh, a new queue merged a run of rows at a time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from careapp.app import open_services
from careapp.config import resolve_paths
from careapp.ui.care.queue_model import CareQueueModel
from careapp.ui.care.texts import SECTION_KEYS
from careapp.ui.main_window import MainWindow
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


class RecordingRunner(SyncRunner):
    """A synchronous runner that keeps the qualified name of each job it was given, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def submit(self, call: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        self.names.append(getattr(call, "__qualname__", repr(call)))
        return super().submit(call, *args, **kwargs)


class HoldingRunner(RecordingRunner):
    """Keeps the jobs it is given until :meth:`run_held` (a background thread that has not got to them)."""

    def __init__(self) -> None:
        super().__init__()
        self._held: list[tuple[Callable[[], Any], tuple[Any, ...], dict[str, Any]]] = []

    def submit(self, call: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        self.names.append(getattr(call, "__qualname__", repr(call)))
        self._held.append((call, args, kwargs))

    def run_held(self) -> None:
        held, self._held = self._held, []
        for call, args, kwargs in held:
            SyncRunner.submit(self, call, *args, **kwargs)


def deferred_window(qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts, **kwargs: Any) -> MainWindow:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SyncRunner(), settings, "Sam", prompts, deferred=True, **kwargs)
    qtbot.addWidget(window)
    return window


def test_the_pages_are_built_a_part_per_turn_of_the_event_loop(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = deferred_window(qtbot, tmp_path, prompts)
    window.build_in_turns()
    # One part made, the rest waiting for the next turns: the window paints in between.
    assert not window.is_built
    assert hasattr(window, "list_panel") and not hasattr(window, "care")
    with qtbot.waitSignal(window.built, timeout=5000):
        pass
    assert window.is_built
    assert window.pages.widget(0) is window.care.queue_page
    assert window.pages.widget(1) is window.splitter
    assert window.new_action.text() == "&New customer…"


def test_a_part_that_fails_says_so_and_the_rest_is_not_built(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    window = deferred_window(qtbot, tmp_path, prompts)
    failures: list[BaseException] = []

    def broken() -> None:
        raise OSError("disk gone")

    window._build_customer_tabs = broken  # type: ignore[method-assign]
    window.build_in_turns(failures.append)
    qtbot.waitUntil(lambda: bool(failures))
    qtbot.wait(50)
    assert [str(f) for f in failures] == ["disk gone"]
    assert not window.is_built and not hasattr(window, "care")


def test_the_queue_is_read_first_beside_the_list_and_the_backup_comes_behind_the_refresh(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    backups = demo_services.backup_dir
    assert backups is not None
    for copy in backups.glob("daily-*.db"):
        copy.unlink()
    runner, background = RecordingRunner(), HoldingRunner()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam", prompts, background=background)
    qtbot.addWidget(window)
    window.attach_services(demo_services, demo_services.settings.shop())
    # The background thread: the queue as last planned first, alone (the refresh starts once it has
    # been shown, so the two do not share the UI thread's turn that shows it) ...
    assert background.names == ["CareQueuePage.attach.<locals>.<lambda>"]
    # The database thread starts with the customer list, beside the queue; nothing of the queue's
    # waits behind the other pages' first reads there.
    assert runner.names[0] == "CustomerListModel._search_page.<locals>.<lambda>"
    assert not [name for name in runner.names if name.startswith("CareQueuePage")]
    assert not list(backups.glob("daily-*.db"))  # not before the queue and the refresh
    background.run_held()
    # ... then the touches' refresh, then today's copy.
    assert background.names[1:] == ["CareController.attach.<locals>.<lambda>", "BackupService.daily"]
    assert not list(backups.glob("daily-*.db"))
    background.run_held()
    assert [p.name for p in backups.glob("daily-*.db")]  # then the copy was taken
    assert window.care.queue_page.queue is not None


def test_the_window_opens_its_database_without_copying_it_first(tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path / "data"))
    opened = open_services(paths)
    try:
        assert not list(paths.backup_dir.glob("daily-*.db"))  # taken later, on the background thread
    finally:
        opened.services.close()


def without(queue: Any, field: str, start: int, stop: int) -> Any:
    entries = getattr(queue, field)
    return dataclasses.replace(queue, **{field: entries[:start] + entries[stop:]})


def test_a_new_queue_is_merged_a_run_of_rows_at_a_time(
    qtbot: QtBot, qtmodeltester: Any, demo_services: Services
) -> None:
    demo_services.touches.refresh()
    full = demo_services.care_queue.queue(page=40)
    fields = ("overdue", "due_today", "next_7_days", "next_30_days", "held", "carried_over")
    section = max(range(len(fields)), key=lambda row: len(getattr(full, fields[row])))
    field = fields[section]
    assert len(getattr(full, field)) >= 20  # the demo shop has a section this long
    model = CareQueueModel()
    model.set_queue(without(full, field, 5, 15))
    qtmodeltester.check(model)
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    model.set_queue(full)
    assert inserted == [(5, 14)]  # ten new rows: one insert, not ten
    assert [e.touch_id for e in model.entries(SECTION_KEYS[section])] == [
        e.touch_id for e in getattr(full, field)
    ]
    model.set_queue(without(full, field, 5, 15))
    assert removed == [(5, 14)]
    qtmodeltester.check(model)


def test_the_start_sets_aside_what_it_made_from_later_collections(
    qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    """A collection of the oldest generation looked at all of start-up's objects each time (0.1-0.2 s
    of the UI thread in the window's first minute at 100,000 customers)."""
    import gc

    from careapp.app import ErrorHandling, _build_pages

    paths = resolve_paths(str(tmp_path / "data"))
    window = deferred_window(qtbot, tmp_path, prompts)
    gc.unfreeze()
    try:
        with qtbot.waitSignal(window.built, timeout=5000):
            _build_pages(window, ErrorHandling(paths, smoke_test=True), paths)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


class NeverRunner(RecordingRunner):
    """A database thread that has not got to anything yet."""

    def submit(self, call: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        self.names.append(getattr(call, "__qualname__", repr(call)))


def test_the_saved_copys_counts_stay_while_the_stored_queue_is_read(
    qtbot: QtBot, demo_services: Services, tmp_path: Path
) -> None:
    """Attached before the stored queue has come, the page keeps the saved copy's counts (saying it is
    being brought up to date) rather than "Loading the care queue…" above a queue that is there."""
    from careapp.services.shop.staff import Actor
    from careapp.ui.care.queue_page import CareQueuePage

    demo_services.touches.refresh()
    url, today = "sqlite:///somewhere/careapp.db", demo_services.touches.today()
    first = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(first)
    first.show_snapshot(tmp_path, url, today)
    first.attach(demo_services)
    first.reload()  # keeps a copy
    again = CareQueuePage(NeverRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(again)
    assert again.show_snapshot(tmp_path, url, today)
    again.attach(demo_services)
    assert "as at the last start, bringing it up to date" in again.counts.text()
    empty = CareQueuePage(NeverRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(empty)
    empty.attach(demo_services)
    assert empty.counts.text() == "Loading the care queue…"
