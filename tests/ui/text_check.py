"""A small check of the words a screen shows: no "customer(s)", no "lines 9–9", and a count that
agrees with its noun ("1 customer", "3 customers"; not "1 customers" or "2 customer")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QGroupBox, QLabel, QTabWidget, QWidget

# Nouns careapp counts, singular -> plural.
NOUNS = {
    "customer": "customers",
    "row": "rows",
    "line": "lines",
    "event": "events",
    "calendar event": "calendar events",
    "ticket": "tickets",
    "open ticket": "open tickets",
    "callback": "callbacks",
    "sale": "sales",
    "record": "records",
    "touch": "touches",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "contact": "contacts",
    "purchase": "purchases",
    "problem": "problems",
    "person": "people",
    "member": "members",
    "match": "matches",
}
_NUMBER = r"(?<![\d.,:/–-])(\d[\d,]*)"
_EQUAL_RANGE = re.compile(r"(?<![\d.,:/])(\d+)\s*[–-]\s*(\d+)(?![\d.,:/])")
_RANGE_WORDS = re.compile(r"\b(lines|rows|pages|days)\s+$", re.IGNORECASE)


def word_problems(text: str) -> list[str]:
    """What is wrong with the words of ``text``, each as a sentence."""
    problems = []
    if "(s)" in text or "(es)" in text:
        problems.append(f"a plural written as (s): {text!r}")
    for match in _EQUAL_RANGE.finditer(text):
        if match.group(1) == match.group(2) and _RANGE_WORDS.search(text[: match.start()]):
            problems.append(f"a range of one: {match.group(0)!r} in {text!r}")
    for one, many in NOUNS.items():
        for match in re.finditer(_NUMBER + r"\s+(" + re.escape(one) + "|" + re.escape(many) + r")\b", text):
            count = int(match.group(1).replace(",", ""))
            noun = match.group(2)
            if (count == 1) != (noun == one) and one != many:
                problems.append(f"{match.group(0)!r} does not agree in {text!r}")
    return problems


def shown_texts(top: QWidget) -> Iterator[str]:
    """The texts a person sees on ``top``: titles, labels, buttons, tabs, tool tips, actions and
    the first rows of each list."""
    yield top.windowTitle()
    for widget in [top, *top.findChildren(QWidget)]:
        if not widget.isVisibleTo(top) and widget is not top:
            continue
        yield widget.toolTip()
        if isinstance(widget, (QLabel, QAbstractButton)):
            yield widget.text()
        elif isinstance(widget, QGroupBox):
            yield widget.title()
        elif isinstance(widget, QTabWidget):
            yield from (widget.tabText(i) for i in range(widget.count()))
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _model_texts(widget)
    for action in top.findChildren(QAction):
        yield action.text()
        yield action.toolTip()


def _model_texts(view: QAbstractItemView, rows: int = 30) -> Iterator[str]:
    model = view.model()
    root = QModelIndex()
    try:
        columns = model.columnCount(root)
    except TypeError:  # Qt's own empty model (a header without one of careapp's)
        return
    for column in range(columns):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        for row in range(min(rows, model.rowCount(root))):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str):
                    yield value


def screen_word_problems(top: QWidget) -> list[str]:
    found: list[str] = []
    for text in shown_texts(top):
        for problem in word_problems(text or ""):
            if problem not in found:
                found.append(problem)
    return found
