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
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

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
