"""After the first paint the start goes on in short turns (careapp/app.py): Qt's enums first, then the
bindings' fixes with the threads started, then the log; a timer's tick gets in between them."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

import careapp.app as app_module

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


class Held:
    def __init__(self) -> None:
        self.submitted: list[Any] = []

    def submit(self, call: Any, *args: Any, **kwargs: Any) -> None:
        self.submitted.append(call)


class Begun(QObject):
    """A start whose database opens at once: the pages' modules are imported after it has."""

    settled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.begun = 0

    def begin(self) -> None:
        self.begun += 1
        self.settled.emit()


def test_the_start_after_the_paint_is_three_turns_with_ticks_between(
    qtbot: QtBot, monkeypatch: Any, tmp_path: Any
) -> None:
    events: list[str] = []
    monkeypatch.setattr(app_module, "fix_bindings", lambda _app: events.append("fixes"))
    monkeypatch.setattr(app_module, "_start_error_handling", lambda *_args: events.append("log"))
    window = QWidget()
    qtbot.addWidget(window)
    window.background_runner = Held()  # type: ignore[attr-defined]
    startup = Begun()
    tick = QTimer()
    tick.setInterval(0)
    tick.timeout.connect(lambda: events.append("tick"))
    tick.start()
    app = QApplication.instance()
    app_module._after_first_paint(app, window, startup, None, None)  # type: ignore[arg-type]
    assert events == [] and startup.begun == 0  # the first turn: Qt's enums only
    qtbot.waitUntil(lambda: "log" in events)
    tick.stop()
    fixes, log = events.index("fixes"), events.index("log")
    assert "tick" in events[:fixes] and "tick" in events[fixes:log]
    assert startup.begun == 1 and len(window.background_runner.submitted) == 1  # type: ignore[attr-defined]


def test_the_event_loops_timers_run_between_the_parts_of_the_pages(
    qtbot: QtBot, tmp_path: Any, prompts: Any, monkeypatch: Any
) -> None:
    from tests.ui.test_window_start_order import deferred_window

    window = deferred_window(qtbot, tmp_path, prompts)
    events: list[str] = []
    real = type(window)._build_next

    def part(self: Any) -> None:
        events.append("part")
        real(self)

    monkeypatch.setattr(type(window), "_build_next", part)
    tick = QTimer()
    tick.setInterval(0)
    tick.timeout.connect(lambda: events.append("tick"))
    tick.start()
    with qtbot.waitSignal(window.built, timeout=5000):
        window.build_in_turns()
    tick.stop()
    parts = [i for i, event in enumerate(events) if event == "part"]
    assert len(parts) > 2
    assert all("tick" in events[a:b] for a, b in itertools.pairwise(parts))
