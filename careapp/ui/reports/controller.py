"""The Reports menu's action: one first-contact resolution window, brought forward when open."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.ui.reports.screen import FcrReportWindow


class ReportController(QObject):
    """Opens the FCR report as whoever is working when it opens (the windows panel acts as them)."""

    def __init__(self, window: QWidget, runner: Runner, actor: Callable[[], Actor]) -> None:
        super().__init__(window)
        self._window, self._runner, self._actor = window, runner, actor
        self._services: Services | None = None
        self.window: FcrReportWindow | None = None
        self.fcr_action = QAction(self.tr("&First-contact resolution…"), window)
        self.fcr_action.setToolTip(self.tr("First-contact resolution by month, staff member or category"))
        self.fcr_action.triggered.connect(self.open_fcr)
        self.fcr_action.setEnabled(False)
        window.addAction(self.fcr_action)

    def attach(self, services: Services) -> None:
        self._services = services
        self.fcr_action.setEnabled(True)

    def open_fcr(self) -> FcrReportWindow | None:
        if self._services is None:
            return None
        if self.window is None:
            from careapp.ui.reports.screen import FcrReportWindow

            report = FcrReportWindow(self._services, self._runner, self._actor(), self._window)
            report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            report.finished.connect(lambda _code: setattr(self, "window", None))
            self.window = report
            report.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window
