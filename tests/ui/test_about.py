"""Help → About: name, version, licence, where the files are, versions; details copied for support."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QTranslator, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from careapp import __version__
from careapp.ui.about import AboutDialog, AboutInfo, hide_password
from careapp.ui.runner import SyncRunner
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

    from careapp.ui.main_window import MainWindow

INFO = AboutInfo(
    Path("/home/sam/.local/share/careapp"),
    "postgresql+psycopg://shop:s3cret@db.example.com/careapp",
    Path("/home/sam/.local/state/careapp/log/careapp.log"),
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://shop:s3cret@db/careapp", "postgresql://shop:***@db/careapp"),
        ("postgresql+psycopg://shop:p:a@ss@db:5432/x", "postgresql+psycopg://shop:***@ss@db:5432/x"),
        ("postgresql://shop@db/careapp", "postgresql://shop@db/careapp"),
        ("sqlite:////home/sam/careapp.db", "sqlite:////home/sam/careapp.db"),
    ],
)
def test_the_database_password_is_never_shown(url: str, shown: str) -> None:
    assert hide_password(url) == shown


def texts(dialog: AboutDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_about_shows_what_support_needs(qtbot: QtBot) -> None:
    dialog = AboutDialog(INFO)
    qtbot.addWidget(dialog)
    shown = texts(dialog)
    for expected in (
        "careapp",
        __version__,
        "MIT",
        str(INFO.data_dir),
        "postgresql+psycopg://shop:***@db.example.com/careapp",
        str(INFO.log_path),
        qVersion(),
        pyside_version,
        platform.python_version(),
    ):
        assert expected in shown
    assert "s3cret" not in shown
    icon = dialog.findChild(QLabel, "aboutIcon")
    assert icon is not None and not icon.pixmap().isNull()


def test_copy_details_puts_them_on_the_clipboard(qtbot: QtBot) -> None:
    dialog = AboutDialog(INFO)
    qtbot.addWidget(dialog)
    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"careapp {__version__}\n")
    assert f"Log file: {INFO.log_path}" in copied
    assert "s3cret" not in copied


def test_help_about_opens_from_the_menu(qtbot: QtBot, window: MainWindow) -> None:
    window.about_info = INFO
    window.about_action.trigger()
    dialog = window.about_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert str(INFO.data_dir) in texts(dialog)
    dialog.close_button.click()
    qtbot.waitUntil(lambda: window.about_dialog is None)


@pytest.fixture
def restored_application() -> Iterator[None]:
    """make_application() changes the shared QApplication; put it back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    icon, name = QApplication.windowIcon(), QApplication.applicationName()
    yield
    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)
    QApplication.setWindowIcon(icon)
    QApplication.setApplicationName(name)


@pytest.mark.usefixtures("restored_application")
def test_the_app_icon_is_set_for_every_window(qtbot: QtBot, tmp_path: Path) -> None:
    from careapp.app import make_application

    assert QApplication.windowIcon().isNull()
    app = make_application()
    assert app is QApplication.instance()
    icon = QApplication.windowIcon()
    assert not icon.isNull()
    # Sharp at high-DPI sizes too: the SVG scales, so large pixmaps are really large.
    assert icon.pixmap(256, 256).width() == 256
    window = make_window(qtbot, SyncRunner(), tmp_path, ScriptedPrompts())
    assert window.windowIcon().cacheKey() == icon.cacheKey()
