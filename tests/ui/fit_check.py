"""What "fits" means for a window: within the work area, and no control cut below its minimum size
or lying over a neighbour in its layout."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLayout,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

# Widgets that place their own parts (the text field of an editable combo box or a spin box sits
# inside the box's frame, smaller than it would ask for alone): their parts are not checked.
SELF_ARRANGED = (QComboBox, QAbstractSpinBox)


def _laid_out(layout: QLayout) -> Iterator[QWidget]:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is not None:
            yield item.widget()
        elif item.layout() is not None:
            yield from _laid_out(item.layout())


def _hidden_or_scrolled(widget: QWidget, top: QWidget) -> bool:
    """Inside a scroll area (it may be cut: it scrolls) or on a page not showing."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea) or (
            isinstance(parent.parentWidget(), QStackedWidget)
            and parent.parentWidget().currentWidget() is not parent  # type: ignore[union-attr]
        ):
            return True
        parent = parent.parentWidget()
    return False


def fit_problems(top: QWidget, width: int, height: int) -> list[str]:
    """Each way ``top`` fails to fit a ``width``×``height`` work area, as a sentence."""
    problems = []
    name = top.windowTitle() or top.objectName() or type(top).__name__
    if top.width() > width or top.height() > height:
        problems.append(f"{name} is {top.width()}x{top.height()}, larger than {width}x{height}")
    floor = top.minimumSizeHint()
    if floor.width() > width or floor.height() > height:
        problems.append(f"{name} cannot shrink below {floor.width()}x{floor.height()}")
    for widget in [top, *top.findChildren(QWidget)]:
        if (
            not widget.isVisibleTo(top)
            or isinstance(widget.parentWidget(), SELF_ARRANGED)
            or _hidden_or_scrolled(widget, top)
            or (widget.isWindow() and widget is not top)
        ):
            continue
        hint = widget.minimumSizeHint()
        label = widget.accessibleName() or widget.objectName() or type(widget).__name__
        if (
            widget is not top
            and hint.isValid()
            and (widget.width() < hint.width() - 1 or widget.height() < hint.height() - 1)
        ):
            problems.append(
                f"{name}: {label} is cut to {widget.width()}x{widget.height()} "
                f"(needs {hint.width()}x{hint.height()})"
            )
        layout = widget.layout()
        if layout is None or isinstance(widget, QTabWidget):
            continue
        shown = [w for w in _laid_out(layout) if w.isVisibleTo(top) and w.parentWidget() is widget]
        for first, second in itertools.combinations(shown, 2):
            overlap: QRect = first.geometry().intersected(second.geometry())
            if overlap.width() > 1 and overlap.height() > 1:
                problems.append(f"{name}: {type(first).__name__} and {type(second).__name__} overlap")
    return problems
