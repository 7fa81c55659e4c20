"""Reports → Value and retention…: one window, brought forward when open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.ui.value.window import ValueWindow


class ValueController(QObject):
    def __init__(self, window: QWidget, runner: Runner) -> None:
        super().__init__(window)
        self._window, self._runner = window, runner
        self._services: Services | None = None
        self.window: ValueWindow | None = None
        self.action = QAction(self.tr("&Value and retention…"), window)
        self.action.setToolTip(self.tr("Customer value, retention, churn and the effect of care"))
        self.action.triggered.connect(self.open)
        self.action.setEnabled(False)
        window.addAction(self.action)

    def attach(self, services: Services) -> None:
        self._services = services
        self.action.setEnabled(True)

    def open(self) -> ValueWindow | None:
        if self._services is None:
            return None
        if self.window is None:
            from careapp.ui.value.window import ValueWindow

            shown = ValueWindow(self._services, self._runner, self._window)
            shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            shown.finished.connect(lambda _code: setattr(self, "window", None))
            self.window = shown
            shown.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window
