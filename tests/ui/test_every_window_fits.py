"""The main window fits a 1366×768 screen with its status bar, and a 1024×600 one, with no control
cut below its minimum size or lying over a neighbour; careapp.ui.fit shrinks a window that asks for
more room than the screen has.

Not yet here (issue 16): the same check over every dialog; a first run of it found the welcome
taller than a 1024×600 work area and several dialogs not opening in time under the test; see the
issue's closing note."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from careapp.ui.fit import FRAME_HEIGHT, FRAME_WIDTH, fitted
from careapp.ui.window_state import DEFAULT_SIZE
from tests.ui.fit_check import fit_problems

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.ui.main_window import MainWindow

PANEL = 28  # a desktop's panel or task bar takes this much of the screen
SCREENS = {"1366x768": (1366, 768), "1024x600": (1024, 600)}


def work_area(screen: str) -> QRect:
    width, height = SCREENS[screen]
    return QRect(0, 0, width, height - PANEL)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_main_window_fits_with_its_status_bar(qtbot: QtBot, window: MainWindow, screen: str) -> None:
    area = work_area(screen)
    window.setGeometry(fitted(QRect(0, 0, *DEFAULT_SIZE), area))
    QApplication.processEvents()
    width, height = area.width() - FRAME_WIDTH, area.height() - FRAME_HEIGHT
    assert fit_problems(window, width, height) == []
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() <= window.height()


def test_a_window_larger_than_the_screen_is_shrunk_into_it() -> None:
    free = QRect(0, 28, 1024, 572)
    assert fitted(QRect(100, 100, 1180, 700), free) == QRect(0, 28, 1024 - FRAME_WIDTH, 572 - FRAME_HEIGHT)
    assert fitted(QRect(100, 100, 400, 300), free) == QRect(100, 100, 400, 300)  # fits: left alone
