"""The tray icon while careapp runs: how many touches are due, and a note when new ones fall due.

Only where the desktop has a system tray (:meth:`QSystemTrayIcon.isSystemTrayAvailable`, injected
so tests can say yes or no); elsewhere :class:`CareTray` does nothing at all, and nothing breaks.

The icon is careapp's with the number of touches due (today and overdue) painted on it as a
badge; the tool tip says "careapp: 3 due". Its menu: Show careapp, Log a call (when the window
has that action), Quit. A notification (``showMessage``) appears when touches fall due that were
not due at the last update (the first update, at start, notes them without a message if there
are none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from careapp.ui.care.texts import items_due_text
from careapp.ui.theme import app_icon

if TYPE_CHECKING:
    from careapp.services.care.queue import CareQueue, QueueEntry

BADGE_SIZE = 64
NOTIFY_MS = 8000


def due_now(queue: CareQueue) -> list[QueueEntry]:
    """The touches to do today: overdue and today (carried-over and held ones wait)."""
    return [*queue.overdue, *queue.due_today]


def badge_icon(base: QIcon, count: int, size: int = BADGE_SIZE) -> QIcon:
    """``base`` with ``count`` in a red circle at the bottom right ("99+" above 99); no badge at 0."""
    pixmap = base.pixmap(size, size)
    if count <= 0:
        return QIcon(pixmap)
    if pixmap.isNull():
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
    text = "99+" if count > 99 else str(count)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = int(size * (0.62 if len(text) > 1 else 0.52))
    rect = QRect(size - diameter, size - diameter, diameter, diameter)
    painter.setBrush(QColor("#c62828"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(diameter * (0.42 if len(text) > 2 else 0.62)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


class CareTray(QObject):
    """The tray icon (if there is a tray). ``showRequested`` / ``quitRequested`` from its menu."""

    showRequested = Signal()
    quitRequested = Signal()

    def __init__(
        self,
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        log_call: QAction | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.icon: QSystemTrayIcon | None = None
        self.menu: QMenu | None = None
        self.count: int | None = None
        self._known: set[int] | None = None
        self.notifications: list[tuple[str, str]] = []  # (title, text) of each one shown
        if not available():
            return
        self.menu = QMenu()
        show = self.menu.addAction(self.tr("&Show careapp"))
        show.triggered.connect(self.showRequested)
        if log_call is not None:
            self.menu.addAction(log_call)
        self.menu.addSeparator()
        quit_action = self.menu.addAction(self.tr("&Quit"))
        quit_action.triggered.connect(self.quitRequested)
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip("careapp")
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.showRequested)
        self.icon.show()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.showRequested.emit()

    def tool_tip(self) -> str:
        return self.icon.toolTip() if self.icon is not None else ""

    def update_queue(self, queue: CareQueue) -> None:
        """Show how many are due now, and say so when new ones fell due since the last update.

        The count is the sections' full sizes: the queue page reads only the first entries of each
        (a page), so counting the entries in hand stopped at 50 overdue and 50 today."""
        if self.icon is None:
            return
        counts = queue.counts()
        self.set_count(counts["overdue"] + counts["today"])
        self._notify_new(due_now(queue))

    def set_count(self, count: int) -> None:
        self.count = count
        if self.icon is None:
            return
        self.icon.setIcon(badge_icon(app_icon(), count))
        self.icon.setToolTip(self.tr("careapp: {due}").format(due=items_due_text(count)))

    def _notify_new(self, entries: Iterable[QueueEntry]) -> None:
        listed = list(entries)
        ids = {e.touch_id for e in listed}
        first_time = self._known is None
        new = [e for e in listed if self._known is not None and e.touch_id not in self._known]
        self._known = ids
        if first_time:
            new = listed
        if not new:
            return
        if len(new) == 1:
            title = self.tr("A touch is due")
            text = self.tr("{name}: {why}").format(name=new[0].customer_name, why=new[0].description)
        else:
            title = self.tr("{count} touches are due").format(count=len(new))
            names = ", ".join(e.customer_name for e in new[:3])
            more = self.tr(" and {count} more").format(count=len(new) - 3) if len(new) > 3 else ""
            text = self.tr("For {names}{more}.").format(names=names, more=more)
        self.notifications.append((title, text))
        assert self.icon is not None
        self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, NOTIFY_MS)

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()


def quit_application() -> None:
    """Close every window, which ends careapp the ordinary way (its state is saved on close)."""
    QApplication.closeAllWindows()
