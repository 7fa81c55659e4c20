"""The Feedback tab of the customer page: what the customer said, and which of it is a testimonial.

Every service call goes through the runner with whoever is working at that moment; the list is
read again after each action. A refusal to publish (:class:`PublishingRefused`) is shown as its
sentence in the panel, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.feedback.model import FeedbackListModel
from careapp.ui.formatting import sentence
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.feedback import Feedback


class RecordFeedbackDialog(QDialog):
    """Positive or negative, and the customer's words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record feedback"))
        self.positive = QRadioButton(self.tr("&Positive"))
        self.negative = QRadioButton(self.tr("&Negative"))
        self.positive.setChecked(True)
        kind = QHBoxLayout()
        kind.addWidget(self.positive)
        kind.addWidget(self.negative)
        kind.addStretch(1)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(self.tr("What the customer said"))
        words = QLabel(self.tr("&What they said:"))
        words.setBuddy(self.text)
        form = QFormLayout()
        form.addRow(self.tr("Feedback:"), kind)
        form.addRow(words, self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        save_keys(self, self.save_button.click)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.text.setFocus()

    def is_positive(self) -> bool:
        return self.positive.isChecked()

    def words(self) -> str:
        return self.text.toPlainText().strip()


class PublishDialog(QDialog):
    """Asks how the customer agreed to being quoted; Publish stays off until that is said."""

    def __init__(self, feedback: Feedback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Publish as testimonial"))
        self.setMinimumWidth(420)  # the customer's words in lines, not a column
        quote = QLabel(f"“{feedback.text}”")
        quote.setWordWrap(True)
        quote.setAccessibleName(self.tr("The words to publish"))
        question = QLabel(
            self.tr("Only publish these words if the customer agreed to it. &How did they agree?")
        )
        question.setWordWrap(True)
        self.method = QComboBox()
        self.method.setEditable(True)
        self.method.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.method.addItems(
            [
                "",
                self.tr("said yes on the phone"),
                self.tr("said yes in the shop"),
                self.tr("signed form"),
                self.tr("agreed by email"),
            ]
        )
        self.method.setAccessibleName(self.tr("How the customer agreed"))
        question.setBuddy(self.method)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.publish_button = self.buttons.addButton(
            self.tr("&Publish"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.method.editTextChanged.connect(self._update_button)
        layout = QVBoxLayout(self)
        layout.addWidget(quote)
        layout.addWidget(question)
        layout.addWidget(self.method)
        layout.addWidget(self.buttons)
        self._update_button()
        self.method.setFocus()

    def consent_method(self) -> str:
        return self.method.currentText().strip()

    def _update_button(self) -> None:
        self.publish_button.setEnabled(bool(self.consent_method()))


class FeedbackPanel(QWidget):
    """The feedback of the customer shown, newest first, with the actions on the selected item."""

    countChanged = Signal(int)  # how many pieces of feedback the customer shown has
    changed = Signal(int)  # customer id: feedback was recorded, published or withdrawn

    def __init__(self, runner: Runner, actor: Callable[[], Actor], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._actor = actor
        self._services: Services | None = None
        self.customer_id: int | None = None
        self.record_dialog: RecordFeedbackDialog | None = None
        self.publish_dialog: PublishDialog | None = None
        self.model = FeedbackListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName(self.tr("Feedback"))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setUniformItemSizes(False)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = QLabel(self.tr("No feedback yet."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.list)
        # Why the last action did not happen (a refused publication, a failed save).
        self.status = ErrorLabel(self.tr("Feedback message"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record_button = QPushButton(self.tr("Recor&d feedback…"))
        self.publish_button = QPushButton(self.tr("&Publish as testimonial…"))
        self.withdraw_button = QPushButton(self.tr("&Withdraw from testimonials"))
        for button in (self.record_button, self.publish_button, self.withdraw_button):
            button.setAutoDefault(False)
        self.record_button.clicked.connect(self.ask_record)
        self.publish_button.clicked.connect(self.ask_publish)
        self.withdraw_button.clicked.connect(self.withdraw_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        buttons.addWidget(self.publish_button)
        buttons.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def attach(self, services: Services) -> None:
        self._services = services
        self._update_buttons()

    # Loading

    def show_customer(self, customer_id: int | None) -> None:
        """Load the customer's feedback (None: show nothing)."""
        if customer_id != self.customer_id:
            self._clear_status()
        self.customer_id = customer_id
        self._load(keep=None)

    def refresh(self) -> None:
        current = self.current_feedback()
        self._load(keep=current.id if current is not None else None)

    def _load(self, keep: int | None) -> None:
        customer_id = self.customer_id
        if customer_id is None or self._services is None:
            self._show([], None)
            return
        feedback = self._services.feedback
        self._runner.submit(
            lambda: feedback.for_customer(customer_id),
            lambda rows: self._show(rows, keep),
            lambda error: self._failed(sentence(error)),
            key=f"customer-feedback-{id(self)}",
            owner=self,
        )

    def _show(self, rows: list[Feedback], keep: int | None) -> None:
        self.model.set_rows(rows)
        self.empty.setText(self.tr("No feedback yet."))
        self.stack.setCurrentWidget(self.list if rows else self.empty)
        row = self.model.row_of(keep) if keep is not None else None
        if rows:
            self.list.setCurrentIndex(self.model.index(row if row is not None else 0, 0))
        self._update_buttons()
        self.countChanged.emit(len(rows))

    def _failed(self, message: str) -> None:
        self.model.set_rows([])
        self.empty.setText(message)
        self.stack.setCurrentWidget(self.empty)
        self._update_buttons()

    # Selection and buttons

    def current_feedback(self) -> Feedback | None:
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.feedback(index.row())

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self._services is not None and self.customer_id is not None
        current = self.current_feedback() if ready else None
        self.record_button.setEnabled(ready)
        self.publish_button.setEnabled(
            current is not None and current.positive and bool(current.text) and not current.publishable
        )
        self.withdraw_button.setEnabled(current is not None and current.publishable)

    def _show_status(self, text: str) -> None:
        self.status.show_error(text)

    def _clear_status(self) -> None:
        self.status.show_error(None)

    # Actions

    def ask_record(self) -> None:
        if self._services is None or self.customer_id is None:
            return
        dialog = RecordFeedbackDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.record(dialog.is_positive(), dialog.words()))
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        self.record_dialog = dialog
        dialog.open()

    def ask_publish(self) -> None:
        current = self.current_feedback()
        if self._services is None or current is None:
            return
        dialog = PublishDialog(current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        feedback_id = current.id
        dialog.accepted.connect(lambda: self.publish(feedback_id, dialog.consent_method()))
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        self.publish_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: QDialog) -> None:
        if self.record_dialog is dialog:
            self.record_dialog = None
        if self.publish_dialog is dialog:
            self.publish_dialog = None

    def record(self, positive: bool, text: str) -> None:
        customer_id = self.customer_id
        if self._services is None or customer_id is None:
            return
        feedback, actor = self._services.feedback, self._actor()
        self._clear_status()
        self._runner.submit(
            lambda: feedback.record(actor, customer_id, positive, text),
            lambda saved: self._done(customer_id, saved.id),
            lambda error: self._refused(customer_id, error),
            owner=self,
        )

    def publish(self, feedback_id: int, consent_method: str) -> None:
        customer_id = self.customer_id
        if self._services is None or customer_id is None:
            return
        feedback, actor = self._services.feedback, self._actor()
        self._clear_status()
        self._runner.submit(
            lambda: feedback.mark_publishable(actor, feedback_id, consent_method),
            lambda saved: self._done(customer_id, saved.id),
            lambda error: self._refused(customer_id, error),
            owner=self,
        )

    def withdraw_current(self) -> None:
        current = self.current_feedback()
        customer_id = self.customer_id
        if self._services is None or current is None or customer_id is None:
            return
        feedback, actor, feedback_id = self._services.feedback, self._actor(), current.id
        self._clear_status()
        self._runner.submit(
            lambda: feedback.withdraw_publishable(actor, feedback_id),
            lambda saved: self._done(customer_id, saved.id),
            lambda error: self._refused(customer_id, error),
            owner=self,
        )

    def _done(self, customer_id: int, feedback_id: int) -> None:
        if customer_id == self.customer_id:
            self._load(keep=feedback_id)
        self.changed.emit(customer_id)

    def _refused(self, customer_id: int, error: BaseException) -> None:
        if customer_id != self.customer_id:
            return  # the user has moved on to another customer; this sentence is about someone else
        self._show_status(sentence(error))
        self.refresh()  # show what is really stored (nothing changed)
