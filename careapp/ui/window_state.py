"""Remembering the main window's layout between sessions (QSettings).

Kept: the window's geometry, the divider between list and detail, the divider inside the
detail (once the user has moved it), the list's sort column and order, and its column widths
(once the user has sized one; until then the columns follow the list's width).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QSplitter

    from careapp.ui.customers.detail import CustomerDetail
    from careapp.ui.customers.list_panel import CustomerListPanel

GEOMETRY_KEY = "main_window/geometry"
SPLITTER_KEY = "main_window/splitter"
DETAIL_SPLITTER_KEY = "main_window/detail_splitter"
HEADER_KEY = "main_window/list_header"
COLUMNS_SIZED_KEY = "main_window/columns_sized_by_user"
DEFAULT_SIZE = (1200, 760)
# Room left for the window manager's title bar and frame, which the available area does not count.
FRAME_ALLOWANCE = (16, 40)
DEFAULT_SPLIT = [780, 500]


def private_settings() -> QSettings:
    """The window settings (QSettings' usual place), in a file readable by the user only: it names the
    staff member working and the folders used. QSettings rewrites the file keeping its mode."""
    settings = QSettings()
    path = Path(settings.fileName())
    if settings.format() != QSettings.Format.NativeFormat or not path.is_absolute():
        return settings  # the Windows registry or macOS defaults: no file to protect here
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return settings


def _bytes(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def _flag(settings: QSettings, key: str) -> bool:
    return str(settings.value(key, "false")).lower() == "true"


def restore_geometry(settings: QSettings, window: QMainWindow) -> None:
    """The window's size and place, before it is first shown."""
    geometry = _bytes(settings, GEOMETRY_KEY)
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(*fitting_size(window, DEFAULT_SIZE))
    elif not window.isMaximized():
        window.resize(*fitting_size(window, (window.width(), window.height())))


def fitting_size(window: QMainWindow, wanted: tuple[int, int]) -> tuple[int, int]:
    """``wanted``, made small enough that the window with its frame fits the screen's free area
    (a 1366×768 laptop has about 1366×740 once its panel is drawn): the status bar stays in sight."""
    screen = window.screen()
    if screen is None:
        return wanted
    free = screen.availableGeometry()
    width = min(wanted[0], free.width() - FRAME_ALLOWANCE[0])
    height = min(wanted[1], free.height() - FRAME_ALLOWANCE[1])
    return max(width, 1), max(height, 1)


def restore_dividers(settings: QSettings, splitter: QSplitter, detail: CustomerDetail) -> None:
    """Where the customers page's dividers were left, once that page is built."""
    split = _bytes(settings, SPLITTER_KEY)
    if split is None or not splitter.restoreState(split):
        splitter.setSizes(DEFAULT_SPLIT)
    divider = _bytes(settings, DETAIL_SPLITTER_KEY)
    if divider is not None:
        detail.restore_divider(divider)


def restore_list(settings: QSettings) -> tuple[QByteArray | None, bool]:
    """The list header's saved state (sort and widths), and whether the user sized the columns."""
    return _bytes(settings, HEADER_KEY), _flag(settings, COLUMNS_SIZED_KEY)


def save(
    settings: QSettings,
    window: QMainWindow,
    splitter: QSplitter,
    detail: CustomerDetail,
    panel: CustomerListPanel,
) -> None:
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(SPLITTER_KEY, splitter.saveState())
    divider = detail.divider_state()
    if divider is not None:
        settings.setValue(DETAIL_SPLITTER_KEY, divider)
    if panel.model is not None:
        settings.setValue(HEADER_KEY, panel.table.horizontalHeader().saveState())
        settings.setValue(COLUMNS_SIZED_KEY, not panel.columns_follow_width())
    settings.sync()
