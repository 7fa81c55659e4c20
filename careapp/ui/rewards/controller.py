"""The rewards' menu items: File → Reward rules… (the owner's) and Reports → Rewards…, each one
window, brought forward when already open."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor


class RewardsController(QObject):
    """``rules_action`` opens the rules dialog (the window gates it to the owner); ``report_action``
    the rewards report. ``saved(text)`` says a rules change was stored."""

    saved = Signal(str)

    def __init__(self, window: QWidget, runner: Runner, actor: Callable[[], Actor]) -> None:
        super().__init__(window)
        self._window, self._runner, self._actor = window, runner, actor
        self._services: Services | None = None
        self.rules_dialog: QDialog | None = None
        self.report_window: QDialog | None = None
        self.rules_action = QAction(self.tr("Rew&ard rules…"), window)
        self.rules_action.setToolTip(self.tr("Switch loyalty and referral rewards on and set them"))
        self.rules_action.triggered.connect(self.open_rules)
        self.report_action = QAction(self.tr("&Rewards…"), window)
        self.report_action.setToolTip(
            self.tr("Rewards earned, redeemed and expired per month, their cost and what came after")
        )
        self.report_action.triggered.connect(self.open_report)
        for action in (self.rules_action, self.report_action):
            action.setEnabled(False)
            window.addAction(action)

    def attach(self, services: Services) -> None:
        self._services = services
        self.rules_action.setEnabled(True)
        self.report_action.setEnabled(True)

    def open_rules(self) -> QDialog | None:
        if self._services is None:
            return None
        if self.rules_dialog is None:
            from careapp.ui.rewards.rules_dialog import RewardRulesDialog

            dialog = RewardRulesDialog(self._services, self._runner, self._actor, self._window)
            dialog.saved.connect(self.saved)
            self.rules_dialog = self._keep(dialog, "rules_dialog")
        return self._front(self.rules_dialog)

    def open_report(self) -> QDialog | None:
        if self._services is None:
            return None
        if self.report_window is None:
            from careapp.ui.rewards.report_window import RewardsReportWindow

            shown = RewardsReportWindow(self._services, self._runner, self._window)
            self.report_window = self._keep(shown, "report_window")
        return self._front(self.report_window)

    def _keep(self, dialog: QDialog, name: str) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: setattr(self, name, None))
        dialog.show()
        return dialog

    @staticmethod
    def _front(dialog: QDialog) -> QDialog:
        dialog.raise_()
        dialog.activateWindow()
        return dialog
