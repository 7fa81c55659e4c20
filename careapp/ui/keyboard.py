"""Tab order that follows what the user sees: top to bottom, left column before right.

Qt's default tab order is the order in which widgets got their parent, which drifts from the
screen as soon as rows are added later (an extra email, a removed phone). ``follow_layout``
re-reads the layouts and chains every focusable widget in layout order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLayout, QScrollArea, QWidget


def takes_tab_focus(widget: QWidget) -> bool:
    """A control of its own: reached with Tab, not forwarding focus to another widget."""
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def _in_layout(layout: QLayout) -> Iterator[QWidget]:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        child_widget, child_layout = item.widget(), item.layout()
        if child_widget is not None:
            yield from in_layout_order(child_widget)
        elif child_layout is not None:
            yield from _in_layout(child_layout)


def in_layout_order(widget: QWidget) -> Iterator[QWidget]:
    """The widget and everything laid out inside it, in the order of its layouts."""
    yield widget
    content = widget.widget() if isinstance(widget, QScrollArea) else None
    if content is not None:
        yield from in_layout_order(content)
    layout = widget.layout()
    if layout is not None:
        yield from _in_layout(layout)


def chain(widgets: Sequence[QWidget]) -> None:
    """Make Tab go through ``widgets`` in this order."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def follow_layout(root: QWidget) -> list[QWidget]:
    """Chain the focusable widgets inside ``root`` in layout order; returns them."""
    controls = [w for w in in_layout_order(root) if w is not root and takes_tab_focus(w)]
    chain(controls)
    return controls


SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter")  # the same in every form with a multi-line field


def save_keys(dialog: QWidget, save: Callable[[], object], with_ctrl_s: bool = False) -> list[QShortcut]:
    """Ctrl+Enter (and Ctrl+S where a form is a document, like the customer editor) calls ``save``
    from anywhere in ``dialog``, even inside a multi-line field, where Enter starts a new line."""
    keys = (*SAVE_KEYS, "Ctrl+S") if with_ctrl_s else SAVE_KEYS
    shortcuts = []
    for key in keys:
        shortcut = QShortcut(QKeySequence(key), dialog)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(save)
        shortcuts.append(shortcut)
    return shortcuts
