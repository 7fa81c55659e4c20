"""The strip under a ticket's buttons where a change that needs a choice or a reason is filled in.

"Reopen…", "Assign…", "Merge into…" and the other changes with a reason open this panel instead
of a modal box: the choice and the reason are typed in the ticket screen itself, Enter applies,
Escape (or Cancel) closes the panel, and a refused change leaves what was typed in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.widgets import ErrorLabel, mark_invalid


@dataclass(frozen=True)
class ChangeSpec:
    """What the panel asks for one change, and how to turn the answers into a job.

    ``make_job(choice, reason)`` gets the chosen value (None without choices) and the stripped
    reason, and returns the callable to run on the database thread.
    """

    title: str
    prompt: str
    make_job: Callable[[Any, str], Callable[[], Any]]
    choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    choice_label: str = ""
    current: Any = None
    reason_required: bool = True
    apply_text: str = "Apply"
    editable: bool = False  # the choice may also be typed (a new category); its text is the value
    ask_reason: bool = True  # False: no reason field at all (renaming someone needs none)


class ChangePanel(QGroupBox):
    """Asks for one change at a time; ``applyRequested(job)`` carries the job to run."""

    applyRequested = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changePanel")
        self.spec: ChangeSpec | None = None
        self._values: list[Any] = []
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.choice = QComboBox()
        self.choice_label = QLabel()
        self.choice_label.setBuddy(self.choice)
        self.reason = QLineEdit()
        self.reason_label = QLabel(self.tr("R&eason:"))
        self.reason_label.setBuddy(self.reason)
        self.error = ErrorLabel(self.tr("Problem with the change"))
        self.apply_button = QPushButton()
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the change"))
        self.cancel_button.clicked.connect(self.close_panel)
        self.reason.returnPressed.connect(self.apply)
        form = QFormLayout()
        form.addRow(self.choice_label, self.choice)
        form.addRow(self.reason_label, self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._form = form
        for widget in (self.choice, self.reason):
            widget.installEventFilter(self)
        self.setVisible(False)

    def ask(self, spec: ChangeSpec) -> None:
        """Show the panel for ``spec``; the previous question, if any, is dropped."""
        self.spec = spec
        self.setTitle(spec.title)
        self.prompt.setText(spec.prompt)
        self.prompt.setVisible(bool(spec.prompt))
        self.choice.clear()
        self.choice.setEditable(spec.editable)
        # Values stay in Python (item data would turn a StrEnum into a plain str).
        self._values = [value for _, value in spec.choices]
        self.choice.addItems([text for text, _ in spec.choices])
        if spec.current is not None:
            index = next((i for i, (_, v) in enumerate(spec.choices) if v == spec.current), 0)
            self.choice.setCurrentIndex(index)
        has_choices = bool(spec.choices)
        self.choice_label.setText(spec.choice_label)
        self.choice.setAccessibleName(spec.choice_label.replace("&", "").rstrip(":"))
        self._form.setRowVisible(self.choice, has_choices)
        self.reason.clear()
        self._form.setRowVisible(self.reason, spec.ask_reason)
        self.reason.setPlaceholderText(
            self.tr("required: it is kept in the audit trail")
            if spec.reason_required
            else self.tr("optional")
        )
        self.reason.setAccessibleName(self.tr("Reason"))
        mark_invalid(self.reason, False)
        self.error.show_error(None)
        self.apply_button.setText(spec.apply_text)
        self.apply_button.setEnabled(True)
        self.setVisible(True)
        (self.choice if has_choices else self.reason).setFocus(Qt.FocusReason.OtherFocusReason)
        if spec.editable:
            line = self.choice.lineEdit()
            if line is not None:
                line.selectAll()

    def apply(self) -> None:
        spec = self.spec
        if spec is None or not self.apply_button.isEnabled():
            return
        reason = self.reason.text().strip()
        if spec.ask_reason and spec.reason_required and not reason:
            self.show_error(self.tr("Give a reason; it is kept in the audit trail."))
            mark_invalid(self.reason, True)
            self.reason.setFocus()
            return
        choice: Any = None
        if spec.editable:
            choice = self.choice.currentText().strip()
        elif spec.choices:
            choice = self.current_value()
        self.apply_button.setEnabled(False)
        self.applyRequested.emit(spec.make_job(choice, reason))

    def current_value(self) -> Any:
        """The value of the choice shown (None when the panel offers no choice)."""
        index = self.choice.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def choose(self, value: Any) -> None:
        """Show the choice whose value is ``value``."""
        self.choice.setCurrentIndex(self._values.index(value))

    def show_error(self, message: str) -> None:
        """The change was refused: say why, keep what was typed, let the user try again."""
        self.apply_button.setEnabled(True)
        self.error.show_error(message)

    def close_panel(self) -> None:
        self.spec = None
        self.setVisible(False)
        self.cancelled.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                self.close_panel()
                return True
            if watched is self.choice and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply()
                return True
        return super().eventFilter(watched, event)
