"""The rewards' menu items: File → Reward rules… (the owner's) and Reports → Rewards…, each one
window, brought forward when already open; and the ledger's catch-up right after a commit.

A sale, a customer or a stage change committed on this seat brings the rewards ledger of the customers
it touched in step at once (RewardService.catch_up, queued on the window's runner right behind the
write), so a reward earned by a sale is written with that moment, and the care queue (which reads the
waiting rewards) hears of it. Other seats' and the command line's writes are caught up when the
rewards are next read, as before."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor


# The tables a reward is earned or taken back from (the rewards ledger's inputs).
LEDGER_INPUTS = frozenset({"purchase", "customer", "customer_stage_change", "?"})


class _CommitRelay(QObject):
    """Carries the database thread's "committed these tables" to the UI thread (a queued signal)."""

    committed = Signal(object)  # frozenset[str]


class RewardsController(QObject):
    """``rules_action`` opens the rules dialog (the window gates it to the owner); ``report_action``
    the rewards report. ``saved(text)`` says a rules change was stored."""

    saved = Signal(str)

    def __init__(self, window: QWidget, runner: Runner, actor: Callable[[], Actor]) -> None:
        super().__init__(window)
        self._window, self._runner, self._actor = window, runner, actor
        self._services: Services | None = None
        self._relay = _CommitRelay(self)
        self._relay.committed.connect(self._committed)
        self._listener: Callable[[frozenset[str]], None] | None = None
        # How far the ledger has been caught up (care_dirty's seq); read and written on the database
        # thread only, by jobs that run one after another on the window's runner.
        self.seen_seq: int | None = None
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
        relay = self._relay

        def heard(tables: frozenset[str]) -> None:  # on the database thread, after a commit
            with suppress(RuntimeError):  # the window is gone
                relay.committed.emit(tables)

        self._listener = heard
        services.db.changes.add_listener(heard)
        self._catch_up()  # the first call marks where this seat starts from

    def _committed(self, tables: frozenset[str]) -> None:
        if tables & LEDGER_INPUTS:
            self._catch_up()

    def _catch_up(self) -> None:
        if self._services is None:
            return
        rewards = self._services.rewards

        def run() -> int:  # on the database thread, in order behind the write that was heard
            self.seen_seq, _wrote = rewards.catch_up(self.seen_seq)
            return self.seen_seq

        self._runner.submit(run, owner=self)

    def shutdown(self) -> None:
        if self._listener is not None and self._services is not None:
            self._services.db.changes.remove_listener(self._listener)
            self._listener = None

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
