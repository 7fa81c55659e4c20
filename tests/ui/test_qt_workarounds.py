"""The work-around for PySide6 6.12.0's emit() losing a reference to True."""

from __future__ import annotations

import gc
import sys
import threading

from PySide6.QtCore import QObject, Signal

from careapp.ui import qt_workarounds


class _Sender(QObject):
    happened = Signal(object)


def test_emitting_many_signals_keeps_the_reference_count_of_true() -> None:
    qt_workarounds.install()
    sender = _Sender()
    received: list[object] = []
    sender.happened.connect(received.append)
    before = sys.getrefcount(True)
    for number in range(2000):
        sender.happened.emit(number)
    assert len(received) == 2000
    assert sys.getrefcount(True) >= before


def test_after_install_no_reference_is_lost() -> None:
    qt_workarounds.install()
    assert not qt_workarounds.emit_drops_a_reference()


class _Cycle:
    """Garbage only the cycle collector can free."""

    def __init__(self) -> None:
        self.me = self


def test_with_the_collector_garbage_is_collected_on_the_ui_thread_only() -> None:
    was_enabled = gc.isenabled()
    collector = qt_workarounds.UiThreadCollector()
    try:
        assert not gc.isenabled()
        threads: list[str] = []

        def note(phase: str, _info: dict[str, int]) -> None:
            if phase == "start":
                threads.append(threading.current_thread().name)

        gc.callbacks.append(note)
        try:
            worker = threading.Thread(target=lambda: [_Cycle() for _ in range(3000)], name="worker")
            worker.start()
            worker.join()
            assert threads == []  # nothing was collected on the worker, however much it allocated
            assert collector.check() > 0
            assert threads and set(threads) == {threading.current_thread().name}
        finally:
            gc.callbacks.remove(note)
    finally:
        collector.stop()
        collector.deleteLater()
    assert gc.isenabled() == was_enabled
