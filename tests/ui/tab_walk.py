"""Walking a window with the Tab key, and finding what Tab ought to reach."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

MAX_PRESSES = 400


def controls(root: QWidget) -> list[QWidget]:
    """Every visible, enabled widget inside ``root`` that takes focus with Tab.

    Widgets that hand their focus to another (the line edit inside a spin box or an editable
    combo box has the box as its focus proxy) are not controls of their own.
    """
    return [
        widget
        for widget in root.findChildren(QWidget)
        if widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.focusProxy() is None
    ]


def tab_through(qtbot: QtBot, first: QWidget, backwards: bool = False) -> list[QWidget]:
    """Focus ``first``, press Tab until the focus comes back to it; the widgets focused, in order."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
    reached: list[QWidget] = [first]
    for _ in range(MAX_PRESSES):
        focused = QApplication.focusWidget()
        assert focused is not None, f"the focus was lost after {describe(reached[-1])}"
        qtbot.keyClick(focused, key)
        now = QApplication.focusWidget()
        if now is first:
            return reached
        assert now not in reached, f"Tab went round without coming back to {describe(first)}: {describe(now)}"
        reached.append(now)  # type: ignore[arg-type]
    raise AssertionError(f"Tab never came back to {describe(first)}")


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def describe(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    name = widget.accessibleName() or accessible_name(widget) or widget.objectName()
    return f"{type(widget).__name__}({name!r})"
