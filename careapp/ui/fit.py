"""Every window within the screen: a dialog that asks for more room than the screen's free area
(an editor sized for a desktop monitor, on a 1024×600 netbook) is shrunk to that area and moved
into it when it is shown, so its buttons are never below the screen's edge. Installed once on the
application (see :func:`keep_windows_on_screen`); the dialogs themselves scroll where they must.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtWidgets import QApplication, QWidget

# The window manager's title bar and frame, which the free area does not count.
FRAME_WIDTH, FRAME_HEIGHT = 16, 40


def fitted(geometry: QRect, free: QRect) -> QRect:
    """``geometry`` made no larger than ``free`` (less the frame) and moved inside it."""
    width = min(geometry.width(), free.width() - FRAME_WIDTH)
    height = min(geometry.height(), free.height() - FRAME_HEIGHT)
    x = min(max(geometry.x(), free.x()), free.right() - width - FRAME_WIDTH + 1)
    y = min(max(geometry.y(), free.y()), free.bottom() - height - FRAME_HEIGHT + 1)
    return QRect(max(x, free.x()), max(y, free.y()), width, height)


class ScreenFit(QObject):
    """Shrinks and moves each top-level window into its screen's free area as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            fit_on_screen(watched)
        return False


def fit_on_screen(window: QWidget) -> None:
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    free = screen.availableGeometry()
    target = fitted(window.geometry(), free)
    if target.size() != window.size():
        window.resize(target.size())
    if window.parentWidget() is None and target.topLeft() != window.pos():
        window.move(target.topLeft())


def keep_windows_on_screen(app: QApplication) -> ScreenFit:
    """Install the filter on the application; keep the returned object alive as long as the app."""
    fit = ScreenFit(app)
    app.installEventFilter(fit)
    return fit
