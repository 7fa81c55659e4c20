"""The None work-around wraps Python overrides of ``data``/``headerData`` only: a binding's own C++
method is never called through Python by a view, and wrapping those made PySide work out their
signatures in the window's first turn after its paint (careapp/ui/qt_workarounds.py)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItemModel

from careapp.ui.qt_workarounds import _fix_model_class, install


class Overrides(QStandardItemModel):
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        return None


class Plain(QStandardItemModel):
    """A Python subclass that overrides nothing: Qt calls the C++ data()."""


def test_only_python_overrides_are_wrapped(qapp: object) -> None:
    install()
    for binding in (QStandardItemModel, QSortFilterProxyModel, QIdentityProxyModel):
        _fix_model_class(binding)
        assert not getattr(binding.data, "_gives_back_none", False)
        assert not getattr(binding.headerData, "_gives_back_none", False)
    _fix_model_class(Plain)
    assert "data" not in Plain.__dict__
    assert getattr(Overrides.data, "_gives_back_none", False)


def test_a_python_override_on_a_binding_model_keeps_none_alive(qapp: object) -> None:
    install()
    model = Overrides(2, 2)
    proxy = QIdentityProxyModel()
    proxy.setSourceModel(model)
    index = proxy.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(2000):
        proxy.data(index, Qt.ItemDataRole.DecorationRole)
    assert sys.getrefcount(None) - before >= 0
