"""Every window and dialog fits: the main window (each tab) a 1366×768 screen with its status bar,
and it and every dialog a 1024×600 work area, light and dark, with no control cut below its minimum
size or lying over a neighbour (tests/ui/fit_check.py). careapp.ui.fit shrinks a window that asks for
more room than the screen has and grows one Qt squashed to two thirds of the screen.

Each screen size is a separate process (tests/ui/fit_windows.py), since the offscreen screen's size
is fixed when the QApplication starts; each builds every window directly from a demo database."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import careapp.ui
from careapp.ui.fit import FRAME_HEIGHT, FRAME_WIDTH, FittingScrollArea, fit_into, fitted
from tests.ui.fit_check import fit_problems

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ("1366x768", "1024x600")
SCHEMES = ("light", "dark")


def run_fit_windows(screen: str, scheme: str, *names: str) -> list[dict[str, object]]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # the script sets its own screen
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.fit_windows", screen, scheme, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: list[dict[str, object]] = json.loads(done.stdout.splitlines()[-1])["windows"]
    return result


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_window_and_dialog_fits(screen: str, scheme: str) -> None:
    windows = run_fit_windows(screen, scheme)
    problems = {str(w["name"]): w["problems"] for w in windows if w["problems"]}
    assert problems == {}
    checked = {str(w["class"]) for w in windows}
    assert checked >= window_classes(), "a window class is missing from tests/ui/fit_windows.py"


def window_classes() -> set[str]:
    """Every QDialog and QMainWindow subclass in careapp.ui."""
    found = set()
    for module in pkgutil.walk_packages(careapp.ui.__path__, "careapp.ui."):
        loaded = importlib.import_module(module.name)
        for name, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, (QDialog, QMainWindow)) and value.__module__ == loaded.__name__:
                found.add(name)
    return found


def test_the_list_of_window_classes_is_found() -> None:
    assert {"MainWindow", "WelcomeDialog", "CalendarDialog", "FcrReportWindow"} <= window_classes()


def wrapped_rows_dialog(qtbot: QtBot, rows: int, scrolled: bool) -> QDialog:
    """Sentences that wrap, each over a field: what the welcome is made of."""
    dialog = QDialog()
    qtbot.addWidget(dialog)
    middle = QWidget()
    column = QVBoxLayout(middle)
    for index in range(rows):
        sentence = QLabel(f"Sentence {index}: " + "words that wrap at the dialog's width " * 4)
        sentence.setWordWrap(True)
        column.addWidget(sentence)
        column.addWidget(QLineEdit())
    layout = QVBoxLayout(dialog)
    layout.addWidget(FittingScrollArea(middle) if scrolled else middle)
    layout.addWidget(QPushButton("Done"))
    return dialog


def shown_as_qt_sizes_it(dialog: QDialog, free: QRect) -> None:
    """Shown at its minimum height, as Qt's first size (two thirds of a small screen) leaves it,
    then fitted to the free area as careapp.ui.fit does on show."""
    dialog.show()
    dialog.resize(dialog.width(), dialog.minimumSizeHint().height())
    dialog.setAttribute(Qt.WidgetAttribute.WA_Resized, False)  # as after Qt's own first size
    fit_into(dialog, free)
    QApplication.processEvents()


def test_the_check_finds_rows_squashed_below_what_their_wrapped_text_needs(qtbot: QtBot) -> None:
    dialog = wrapped_rows_dialog(qtbot, 4, scrolled=False)
    dialog.show()
    dialog.resize(dialog.width(), dialog.minimumSizeHint().height())
    QApplication.processEvents()
    assert any("is cut to" in problem for problem in fit_problems(dialog, 1350, 700))


def test_a_dialog_qt_squashed_is_grown_to_what_it_asks_for(qtbot: QtBot) -> None:
    dialog = wrapped_rows_dialog(qtbot, 4, scrolled=False)
    shown_as_qt_sizes_it(dialog, QRect(0, 0, 1366, 740))
    assert fit_problems(dialog, 1366 - FRAME_WIDTH, 740 - FRAME_HEIGHT) == []


def test_a_tall_dialog_scrolls_its_middle_on_a_small_screen_and_shows_it_all_on_a_big_one(
    qtbot: QtBot,
) -> None:
    small = wrapped_rows_dialog(qtbot, 12, scrolled=True)
    shown_as_qt_sizes_it(small, QRect(0, 0, 1024, 572))
    assert small.height() <= 572 - FRAME_HEIGHT
    assert fit_problems(small, 1024 - FRAME_WIDTH, 572 - FRAME_HEIGHT) == []
    scroll = small.findChild(FittingScrollArea)
    assert scroll is not None and scroll.verticalScrollBar().maximum() > 0  # it scrolls
    big = wrapped_rows_dialog(qtbot, 3, scrolled=True)
    shown_as_qt_sizes_it(big, QRect(0, 0, 1366, 740))
    scroll = big.findChild(FittingScrollArea)
    assert scroll is not None and scroll.verticalScrollBar().maximum() == 0  # all in view


def test_a_window_larger_than_the_screen_is_shrunk_into_it() -> None:
    free = QRect(0, 28, 1024, 572)
    assert fitted(QRect(100, 100, 1180, 700), free) == QRect(0, 28, 1024 - FRAME_WIDTH, 572 - FRAME_HEIGHT)
    assert fitted(QRect(100, 100, 400, 300), free) == QRect(100, 100, 400, 300)  # fits: left alone
