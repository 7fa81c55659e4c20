"""Reports → Control group…: the owner keeps a fixed random 5-10 % of customers out of marketing
touches, so the care-effect report compares the touched with customers nobody chose to skip.

The menu item is greyed out for staff and asks for the owner's PIN (careapp/ui/staff/owner_gate.py);
the value service checks the owner again in the same transaction. A refused save leaves the choice
on screen with the reason under it. The care queue hears the settings commit and re-plans: the
group's touches go to Held, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.fit import GridForm, fit_on_screen
from careapp.ui.formatting import sentence
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.shop.control_group import ControlGroup
    from careapp.services.shop.staff import Actor
    from careapp.services.value.service import ValueService


class ControlGroupDialog(QDialog):
    """On/off and the share (5-10 %); ``saved(text)`` says what was saved, for the message bar."""

    saved = Signal(str)

    def __init__(
        self, value: ValueService, runner: Runner, actor: Callable[[], Actor], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._value, self._runner, self._actor = value, runner, actor
        self.setWindowTitle(self.tr("Control group"))
        layout = QVBoxLayout(self)
        explain = QLabel(
            self.tr(
                "A control group is a fixed random share of customers whom marketing touches skip: "
                "their birthday greetings, follow-ups, check-ins and offers wait under Held in the care "
                "queue, with the reason, and are not sent. Callbacks they asked for still go. Comparing "
                "what they buy with what touched customers buy shows whether the care pays off "
                "(Reports → Value and retention, Effect of care)."
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = GridForm()
        self.enabled = QCheckBox(self.tr("Keep a control group"))
        form.add_row(self.tr("Control group:"), self.enabled)
        self.share = QSpinBox()
        self.share.setRange(5, 10)
        self.share.setSuffix(self.tr(" % of customers"))
        self.share.setAccessibleName(self.tr("Share of customers in the control group"))
        form.add_row(self.tr("Share:"), self.share)
        layout.addLayout(form)
        note = QLabel(
            self.tr(
                "The same customers stay in the group after a restart and on every computer; a larger "
                "share adds customers and never swaps them. With a small group the comparison moves a "
                "lot by chance."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.error = ErrorLabel(self.tr("Why the control group was not saved"))
        layout.addWidget(self.error)
        button = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(button.Save | button.Cancel)
        self.save_button = buttons.button(button.Save)
        self.save_button.setEnabled(False)  # until the setting is read
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        save_keys(self, self.save)
        self.enabled.toggled.connect(self.share.setEnabled)
        self.share.setEnabled(False)
        runner.submit(value.control_group, self._loaded, self._failed, owner=self)
        fit_on_screen(self)

    def _loaded(self, group: ControlGroup) -> None:
        self.enabled.setChecked(group.enabled)
        self.share.setValue(group.percent)
        self.share.setEnabled(group.enabled)
        self.save_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(sentence(error))

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.save_button.setEnabled(False)
        self.error.show_error(None)
        actor, value = self._actor(), self._value
        enabled, share = self.enabled.isChecked(), self.share.value()
        self._runner.submit(
            lambda: value.save_control_group(actor, enabled, share), self._saved, self._failed, owner=self
        )

    def _saved(self, group: ControlGroup) -> None:
        if group.enabled:
            text = self.tr("Control group on: {share} % of customers; their marketing touches are held.")
        else:
            text = self.tr("Control group off: marketing touches reach every customer again.")
        self.saved.emit(text.format(share=group.percent))
        self.accept()
