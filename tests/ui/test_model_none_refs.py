"""Item models returning None to Qt must not use up None's references (PySide6 6.12.0 loses one per
call; scrolling the 100,000-customer list aborted with "none_dealloc"). tests/ui/conftest installs the
work-arounds, as the app does."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt

from careapp.ui.qt_workarounds import install

AnyIndex = QModelIndex | QPersistentModelIndex


class Sparse(QAbstractTableModel):
    """Defined after the work-arounds are installed: answers None for everything."""

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return None


def _none_refs_after_qt_asks(model: QAbstractTableModel, calls: int) -> int:
    proxy = QIdentityProxyModel()
    proxy.setSourceModel(model)  # the proxy is C++: it calls the Python overrides as a view does
    index = proxy.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(calls):
        proxy.data(index, Qt.ItemDataRole.DecorationRole)
        proxy.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole)
    return sys.getrefcount(None) - before


def test_a_model_defined_later_keeps_none_alive(qapp: object) -> None:
    install()
    assert _none_refs_after_qt_asks(Sparse(), 2000) >= 0
