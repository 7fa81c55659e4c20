"""A slow database must not freeze the window: it keeps painting and taking input."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer

from careapp.ui.runner import ThreadedRunner
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


class SlowCustomers:
    """The real customer service, except that searching waits until the test says so."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.search_started = threading.Event()
        self.release = threading.Event()

    def _wait(self) -> None:
        self.search_started.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never released the search")

    def search_ids(self, *args: Any, **kwargs: Any) -> list[int]:
        self._wait()
        return self._real.search_ids(*args, **kwargs)

    def search_page(self, *args: Any, **kwargs: Any) -> Any:  # what the list asks per keystroke
        self._wait()
        return self._real.search_page(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_window_repaints_and_takes_input_while_the_database_is_busy(
    qtbot: QtBot,
    demo_services: Services,
    threaded_runner: ThreadedRunner,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> None:
    slow = SlowCustomers(demo_services.customers)
    services = demo_services.replaced(customers=slow)
    window = make_window(qtbot, threaded_runner, tmp_path, prompts)
    window.attach_services(services, services.settings.shop())  # type: ignore[arg-type]
    assert slow.search_started.wait(5), "the first search should be running on the worker"

    # The worker is stuck in the search; the UI thread must carry on regardless.
    assert threaded_runner.is_busy()
    ticks: list[int] = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=2000)

    counter = PaintCounter()
    search = window.list_panel.search
    search.installEventFilter(counter)
    search.update()
    qtbot.waitUntil(lambda: counter.paints > 0, timeout=2000)

    qtbot.keyClicks(search, "ann")
    assert search.text() == "ann"
    painted_before = counter.paints
    qtbot.waitUntil(lambda: counter.paints > painted_before, timeout=2000)  # the typed text was drawn
    assert window.list_panel.model is not None and not window.list_panel.model.has_searched

    slow.release.set()
    expected = demo_services.customers.search_ids("ann")
    qtbot.waitUntil(lambda: window.list_panel.model.rowCount() == len(expected), timeout=5000)  # type: ignore[union-attr]
    assert window.count_label.text().endswith("match")


class SlowCall:
    """A real service with one method that waits until the test says so."""

    def __init__(self, real: Any, method: str) -> None:
        self._real = real
        self._method = method
        self.started = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name != self._method:
            return attribute

        def slow(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            if not self.release.wait(timeout=30):
                raise TimeoutError("the test never released the call")
            return attribute(*args, **kwargs)

        return slow


def test_a_slow_care_queue_leaves_the_window_painting_and_typing(
    qtbot: QtBot,
    demo_services: Services,
    threaded_runner: ThreadedRunner,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> None:
    # The care queue's refresh at start-up is the longest database work of a morning (touches for
    # 100,000 customers); while it runs the window must still switch pages, paint and take typing.
    slow = SlowCall(demo_services.touches, "refresh")
    services = demo_services.replaced(touches=slow)
    window = make_window(qtbot, threaded_runner, tmp_path, prompts)
    window.show_page(window.care.queue_page)
    window.attach_services(services, services.settings.shop())
    # The refresh starts once the queue as last planned has been read and shown (on this thread).
    qtbot.waitUntil(slow.started.is_set, timeout=5000)  # the refresh is running on the worker
    assert threaded_runner.is_busy()

    counter = PaintCounter()
    window.installEventFilter(counter)
    search = window.list_panel.search
    search.installEventFilter(counter)
    window.show_page(window.splitter)  # switching pages works while the worker is stuck
    qtbot.waitUntil(lambda: counter.paints > 0, timeout=2000)
    qtbot.keyClicks(search, "ben")
    assert search.text() == "ben"
    painted = counter.paints
    search.update()
    qtbot.waitUntil(lambda: counter.paints > painted, timeout=2000)

    with qtbot.waitSignal(window.care.queue_page.queueLoaded, timeout=20_000):
        slow.release.set()  # then the queue loads as usual


def test_a_long_refresh_on_the_background_thread_does_not_hold_up_the_list_or_the_queue(
    qtbot: QtBot,
    demo_services: Services,
    threaded_runner: ThreadedRunner,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> None:
    # A new day's first refresh plans every customer (tens of seconds at 100,000): the app runs it
    # on a second database thread, so searching and the stored queue answer meanwhile.
    from PySide6.QtCore import QSettings

    from careapp.ui.main_window import MainWindow

    demo_services.touches.refresh()  # yesterday's run: a planned queue is stored
    background = ThreadedRunner(name="careapp-background")
    slow = SlowCall(demo_services.touches, "refresh")
    services = demo_services.replaced(touches=slow)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(threaded_runner, settings, "Sam", prompts, background=background)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    try:
        window.show()
        page = window.care.queue_page
        window.attach_services(services, services.settings.shop())
        qtbot.waitUntil(slow.started.is_set, timeout=5000)  # the refresh runs on the background thread
        qtbot.waitUntil(lambda: page.queue is not None and page.queue.counts() != {}, timeout=5000)
        assert background.is_busy()  # still stuck in the refresh, yet the stored queue shows

        window.show_page(window.splitter)
        model = window.list_panel.model
        assert model is not None
        qtbot.waitUntil(lambda: model.has_searched, timeout=5000)
        qtbot.keyClicks(window.list_panel.search, "ann")
        expected = demo_services.customers.search_ids("ann")
        qtbot.waitUntil(lambda: model.query == "ann" and model.rowCount() == len(expected), timeout=5000)
        assert background.is_busy()

        with qtbot.waitSignal(window.care.scheduler.refreshed, timeout=20_000):  # type: ignore[union-attr]
            slow.release.set()
    finally:
        slow.release.set()
        window.close()
        background.shutdown()
