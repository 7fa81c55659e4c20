"""Work-arounds for bugs in the Qt bindings, applied once at start-up (and by the UI tests).

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without owning a reference to it.
Every emit made from Python therefore takes one reference away from ``True``; after a few
hundred emits CPython aborts with "bool_dealloc: deallocating True or False". The fix below
is only installed when a probe shows the bug, and it only gives back the missing reference,
so it is harmless on a fixed release.

PySide6 6.12.0 also loses a reference to ``None`` each time C++ calls a Python ``data()`` or
``headerData()`` override of an item model and it returns ``None`` (every role a cell does not use:
a table asks about ten per cell per paint). Scrolling through the 100,000-customer list took
``None``'s count to zero and CPython aborted ("none_dealloc: deallocating None"; found by
``bench/``). :func:`install_model_fix` wraps those overrides, in every model class there is and
every one defined later, to give the reference back (only when a probe shows the bug).

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
import functools
import gc
import sys
import types
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)

_installed = False
_models_fixed = False
_RETURNING_NONE = ("data", "headerData")


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


class _NoneModel(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        return None


def model_data_drops_none() -> bool:
    """Whether C++ calling a Python ``data()`` that returns None leaves None one reference short."""
    model = _NoneModel()
    proxy = QIdentityProxyModel()
    proxy.setSourceModel(model)  # the proxy's data() is C++, calling the model's Python override
    index = proxy.index(0, 0)
    calls = 50
    before = sys.getrefcount(None)
    for _ in range(calls):
        proxy.data(index, Qt.ItemDataRole.DisplayRole)
    lost = before - sys.getrefcount(None)
    for _ in range(max(lost, 0)):
        _give_back(None)
    return lost >= calls


def _giving_back_none(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        if result is None:
            # One too many when Python called it; harmless: None is never freed.
            _give_back(None)
        return result

    wrapper.__dict__["_gives_back_none"] = True
    return wrapper


def _fix_model_class(cls: type) -> None:
    for name in _RETURNING_NONE:
        method = cls.__dict__.get(name)
        # Only Python overrides: C++ calling a binding's own C++ method never passes through Python
        # (and wrapping one made PySide work out its signatures: 30 ms at start).
        if isinstance(method, types.FunctionType) and not getattr(method, "_gives_back_none", False):
            setattr(cls, name, _giving_back_none(method))


def _all_subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def install_model_fix() -> bool:
    """Wrap ``data``/``headerData`` of every Python item model (now and later) if this PySide6 loses
    a reference to None on each of their calls from C++; returns whether it did."""
    global _models_fixed
    if _models_fixed:
        return True
    if not model_data_drops_none():
        return False
    for cls in _all_subclasses(QAbstractItemModel):
        _fix_model_class(cls)

    def fix_later(cls: type, **kwargs: Any) -> None:
        _fix_model_class(cls)

    QAbstractItemModel.__init_subclass__ = classmethod(fix_later)  # type: ignore[assignment,method-assign]
    _models_fixed = True
    return True


def install() -> bool:
    """Patch ``SignalInstance.emit`` (and item models, see :func:`install_model_fix`) if this PySide6
    needs it; returns whether ``emit`` was patched."""
    global _installed
    install_model_fix()
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


def set_aside_what_start_made() -> None:
    """Keep what exists now (modules, classes, the window's widgets, the database's metadata) out of
    every later collection (:func:`gc.freeze`). A collection of the oldest generation looks at every
    object in it: with all of start-up's there, each one held the UI thread 0.1-0.2 s in the window's
    first minute at 100,000 customers. What is set aside is never collected, so call it once, when
    start-up has made what lives as long as the window, not while a job's data is in flight."""
    gc.freeze()


def collect_garbage_on_ui_thread(app: QObject) -> UiThreadCollector:
    """Start collecting on the UI thread (call it on the UI thread, once the application exists)."""
    return UiThreadCollector(app)
