"""Adding a dated note to a customer's timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from careapp.domain.customer import TimelineEntry
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import PALETTE_EVENTS, ErrorLabel, Prompts, mark_invalid, use_field_marks

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService


class NoteDialog(QDialog):
    """A text box for one note; saved through the runner, kept on screen if saving fails."""

    added = Signal(object)  # the TimelineEntry

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        prompts: Prompts,
        customer_id: int,
        name: str,
        actor: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers, self._runner, self._prompts = customers, runner, prompts
        self._customer_id, self._actor = customer_id, actor
        self.setWindowTitle(self.tr("Note about {name}").format(name=name))
        use_field_marks(self)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(self.tr("Note"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("What happened, what was promised, what to remember"))
        self.error = ErrorLabel(self.tr("Problem with the note"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        save_keys(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("The note goes on the timeline with today's date and your name.")))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, 260)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            use_field_marks(self)

    def save(self) -> None:
        text = self.text.toPlainText()
        if not text.strip():
            self._fail(self.tr("The note is empty."))
            return
        self.save_button.setEnabled(False)
        customers, customer_id, actor = self._customers, self._customer_id, self._actor
        self._runner.submit(
            lambda: customers.add_note(customer_id, text, actor),
            self._saved,
            lambda error: self._fail(str(error)),
            owner=self,
        )

    def _saved(self, entry: TimelineEntry) -> None:
        self.added.emit(entry)
        self.done(QDialog.DialogCode.Accepted)

    def _fail(self, message: str) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(message)
        mark_invalid(self.text, True)

    def reject(self) -> None:
        if self.text.toPlainText().strip() and not self._prompts.confirm(
            self.tr("Discard the note?"),
            self.tr("The note has not been saved. Close and lose it?"),
            self.tr("Discard note"),
        ):
            return
        super().reject()
