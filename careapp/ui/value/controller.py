"""Reports → Value and retention…: one window, brought forward when open; Reports → Control group…
(owner only: the window guards :attr:`ValueController.control_action`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.ui.value.control_dialog import ControlGroupDialog
    from careapp.ui.value.window import ValueWindow


class ValueController(QObject):
    """``actor`` says who works now (the control group is saved as them); ``message(text)`` says what
    the control group dialog saved."""

    message = Signal(str)

    def __init__(self, window: QWidget, runner: Runner, actor: Callable[[], Actor] | None = None) -> None:
        super().__init__(window)
        self._window, self._runner, self._actor = window, runner, actor
        self._services: Services | None = None
        self.window: ValueWindow | None = None
        self.action = QAction(self.tr("&Value and retention…"), window)
        self.action.setToolTip(self.tr("Customer value, retention, churn and the effect of care"))
        self.action.triggered.connect(self.open)
        self.action.setEnabled(False)
        window.addAction(self.action)
        self.control_action = QAction(self.tr("&Control group…"), window)
        self.control_action.setToolTip(
            self.tr("Keep a random 5-10 % of customers out of marketing touches (the effect of care)")
        )
        self.control_action.triggered.connect(self.open_control_group)
        self.control_action.setEnabled(False)
        window.addAction(self.control_action)
        self.control_dialog: ControlGroupDialog | None = None

    def attach(self, services: Services) -> None:
        self._services = services
        self.action.setEnabled(True)
        self.control_action.setEnabled(self._actor is not None)

    def open_control_group(self) -> ControlGroupDialog | None:
        if self._services is None or self._actor is None:
            return None
        from careapp.ui.value.control_dialog import ControlGroupDialog

        dialog = ControlGroupDialog(self._services.value, self._runner, self._actor, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.message)
        dialog.finished.connect(lambda _code: setattr(self, "control_dialog", None))
        self.control_dialog = dialog
        dialog.open()
        return dialog

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
