"""Work-arounds for bugs in the Qt bindings, applied once at start-up (and by the UI tests).

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without owning a reference to it.
Every emit made from Python therefore takes one reference away from ``True``; after a few
hundred emits CPython aborts with "bool_dealloc: deallocating True or False". The fix below
is only installed when a probe shows the bug, and it only gives back the missing reference,
so it is harmless on a fixed release.

Not worked around, so avoided instead: PySide6 6.12.0 also loses a reference to ``None`` each
time C++ calls a Python override with a null pointer argument (``QStyle.styleHint(hint)``
reaches a ``QProxyStyle`` subclass with option, widget and returnData all null). A style hint is
asked for thousands of times, and CPython soon aborts with "none_dealloc: deallocating None".
So careapp overrides no virtual that Qt calls with null pointers (no QProxyStyle subclass; see
``careapp.ui.theme`` for the style-sheet alternative).

Not a bug of one release but of threads and Python's cycle collector: the collector runs on
whichever thread allocates when a threshold is crossed. If that is the database thread (the runner's
worker) and the garbage holds a Qt object that Python owns (a closed window or dialog caught in a
reference cycle with a lambda), Qt deletes that object off the UI thread and the process crashes
("Garbage-collecting" on the worker in the fault handler's trace). :class:`UiThreadCollector`
turns automatic collection off and collects on the UI thread instead, on a timer (as Anki does).
"""

from __future__ import annotations

import ctypes
import gc
import sys
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_drops_a_reference() -> bool:
    """Whether emitting a signal leaves the returned object with one reference too few."""
    probe = _Probe()
    # The stubs say emit() returns None; at run time it returns a bool.
    result: object = probe.ping.emit()  # type: ignore[func-returns-value]
    if not isinstance(result, bool):
        return False
    before = sys.getrefcount(result)
    for _ in range(4):
        probe.ping.emit()
    return sys.getrefcount(result) < before


def _give_back(value: object) -> None:
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


def install() -> bool:
    """Patch ``SignalInstance.emit`` if this PySide6 needs it; returns whether it did."""
    global _installed
    if _installed:
        return True
    if not emit_drops_a_reference():
        return False
    # The probe itself took a few references away; give them back.
    for _ in range(5):
        _give_back(True)
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if isinstance(result, bool):
            _give_back(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _installed = True
    return True


GC_INTERVAL_MS = 1000


class UiThreadCollector(QObject):
    """Runs Python's cycle collector on the UI thread only (see the module docstring).

    Every ``interval_ms`` it collects the generations whose counts passed Python's own thresholds,
    youngest first, as the automatic collector would have. :meth:`stop` turns automatic collection
    back on if it was on before.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = GC_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> int:
        """Collect what is due now; returns how many unreachable objects were found."""
        young, middle, old = gc.get_count()
        found = 0
        if young > self.threshold[0]:
            found += gc.collect(0)
            if middle > self.threshold[1]:
                found += gc.collect(1)
                if old > self.threshold[2]:
                    found += gc.collect(2)
        return found

    def stop(self) -> None:
        """Stop, and let Python collect by itself again if it did before."""
        self.timer.stop()
        if self._was_enabled:
            gc.enable()


def collect_garbage_on_ui_thread(app: QObject) -> UiThreadCollector:
    """Start collecting on the UI thread (call it on the UI thread, once the application exists)."""
    return UiThreadCollector(app)
