"""The work-around for PySide6 6.12.0's emit() losing a reference to True."""

from __future__ import annotations

import sys

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
