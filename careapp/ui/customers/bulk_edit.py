"""Changing the selected customers at once: add a tag, remove a tag, set the loyalty stage.

The dialog runs the change through the runner (one transaction in the service: all of them or none);
the controller offers Undo in the message bar afterwards, as deleting does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import LoyaltyStage
from careapp.ui.customers.list_panel import CustomerListPanel
from careapp.ui.formatting import customers_text
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, MessageBar

if TYPE_CHECKING:
    from careapp.services.customers.bulk import BulkEditResult
    from careapp.services.customers.service import CustomerService


def stage_label(stage: LoyaltyStage) -> str:
    return str(stage.value).capitalize()


class BulkEditDialog(QDialog):
    """Asks what to change on ``ids``; saves through the runner and stays open (with what was typed)
    if the change is refused."""

    applied = Signal(object)  # the BulkEditResult

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        ids: Sequence[int],
        actor: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers, self._runner, self._ids, self._actor = customers, runner, list(ids), actor
        self.setWindowTitle(self.tr("Change selected customers"))
        self.intro = intro = QLabel(
            self.tr("Changes {customers} at once. Fields left empty stay as they are.").format(
                customers=customers_text(len(self._ids))
            )
        )
        intro.setWordWrap(True)
        self.add_tag = self._line(self.tr("Tag to add"), self.tr("e.g. christmas-card"))
        self.remove_tag = self._line(self.tr("Tag to remove"), self.tr("e.g. newsletter"))
        self.stage = QComboBox()
        self.stage.setAccessibleName(self.tr("Loyalty stage"))
        self.stage.addItem(self.tr("Leave as it is"), None)
        for stage in LoyaltyStage:
            self.stage.addItem(stage_label(stage), stage)
        form = QFormLayout()
        form.addRow(self._buddy(self.tr("&Add tag:"), self.add_tag), self.add_tag)
        form.addRow(self._buddy(self.tr("&Remove tag:"), self.remove_tag), self.remove_tag)
        form.addRow(self._buddy(self.tr("&Loyalty stage:"), self.stage), self.stage)
        self.error = ErrorLabel(self.tr("Problem with the change"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the change is one transaction
        self.busy.setAccessibleName(self.tr("Changing the customers"))
        self.busy.setVisible(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.change_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.change_button.setText(self.tr("&Change {count}").format(count=len(self._ids)))
        self.change_button.setAccessibleName(self.tr("Change the selected customers"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit()
        line.setAccessibleName(name)
        line.setPlaceholderText(placeholder)
        return line

    @staticmethod
    def _buddy(text: str, field: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(field)
        return label

    def apply(self) -> None:
        add, remove = self.add_tag.text().strip(), self.remove_tag.text().strip()
        # The combo hands the stage back as its text value (Qt keeps no Python enum).
        stage = LoyaltyStage(self.stage.currentData()) if self.stage.currentData() else None
        if not (add or remove or stage):
            self.error.show_error(self.tr("Type a tag to add or remove, or choose a loyalty stage."))
            return
        self.error.show_error(None)
        self._set_busy(True)
        customers, ids, actor = self._customers, self._ids, self._actor
        self._runner.submit(
            lambda: customers.bulk_edit(
                ids, actor, add_tags=[add] if add else [], remove_tags=[remove] if remove else [], stage=stage
            ),
            self._applied,
            self._failed,
            owner=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.change_button.setEnabled(not busy)
        for field in (self.add_tag, self.remove_tag, self.stage):
            field.setEnabled(not busy)

    def _applied(self, result: BulkEditResult) -> None:
        self._set_busy(False)
        self.applied.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_error(
            self.tr("Nothing was changed: {error} What you chose is still here; try again.").format(
                error=error
            )
        )


class BulkEditController(QObject):
    """The "Change selected…" action (Ctrl+Shift+E) over the customer list's selection, with Undo."""

    customersChanged = Signal()

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        panel: CustomerListPanel,
        message_bar: MessageBar,
        actor: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._panel, self._bar, self._actor = (
            window,
            runner,
            panel,
            message_bar,
            actor,
        )
        self._customers: CustomerService | None = None
        self._last: BulkEditResult | None = None
        self.dialog: BulkEditDialog | None = None
        self.action = QAction(self.tr("C&hange selected…"), window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.action.setToolTip(
            self.tr("Add or remove a tag, or set the loyalty stage, of every selected customer")
        )
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(False)
        window.addAction(self.action)
        self.undo_action = QAction(self.tr("Un&do change of selected"), window)
        self.undo_action.setToolTip(self.tr("Put the customers of the last bulk change back as they were"))
        self.undo_action.triggered.connect(self.undo)
        self.undo_action.setEnabled(False)

    def attach(self, customers: CustomerService) -> None:
        self._customers = customers
        self.action.setEnabled(True)

    def open_dialog(self) -> BulkEditDialog | None:
        ids = self._panel.selected_ids()
        if self._customers is None or self.dialog is not None:
            return None
        if not ids and self._panel.selection_waits_for_ids():
            # Selected past the first page a moment ago: the customers are on their way.
            self._panel.when_ids_known(self.open_dialog)
            return None
        if not ids:
            self._bar.show_message(self.tr("Select the customers to change first (Ctrl+click, Shift+click)."))
            return None
        dialog = BulkEditDialog(self._customers, self._runner, ids, self._actor(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self._applied)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _applied(self, result: BulkEditResult) -> None:
        changed = len(result.changed_ids)
        if changed == 0:
            self._bar.show_message(self.tr("Nothing to change: the selected customers already were so."))
            return
        self._last = result
        self.undo_action.setEnabled(True)
        self._bar.show_message(
            self.tr("Changed {customers}.").format(customers=customers_text(changed)),
            self.tr("Undo"),
            self.undo,
        )
        self._panel.refresh()
        self.customersChanged.emit()

    def undo(self) -> None:
        result, self._last = self._last, None
        self.undo_action.setEnabled(False)
        if result is None or self._customers is None:
            return
        customers, actor = self._customers, self._actor()
        self._runner.submit(
            lambda: customers.undo_bulk_edit(result, actor),
            self._undone,
            self._undo_failed,
            owner=self._window,
        )

    def _undone(self, count: int) -> None:
        self._bar.show_message(
            self.tr("Undone: {customers} are as they were.").format(customers=customers_text(count))
        )
        self._panel.refresh()
        self.customersChanged.emit()

    def _undo_failed(self, error: BaseException) -> None:
        self._bar.show_message(str(error), error=True)
