"""The Outbox: emails careapp could not send, each with the server's reason; Retry and Discard.

A refused address can be corrected before Retry (the same Message-ID is used: the server never took
the message). A message the server already accepted (careapp stopped before marking its touch done)
is only finished by Retry, never sent again, and cannot be discarded. Discarding a draft leaves its
touch in the care queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.formatting import sentence
from careapp.ui.keyboard import follow_layout
from careapp.ui.mail.jobs import discard, outbox_messages, retry
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from collections.abc import Callable

    from careapp.context import Services
    from careapp.services.mail.outbox import OutboxMessage
    from careapp.services.mail.service import EmailSent
    from careapp.services.shop.staff import Actor

AnyIndex = QModelIndex | QPersistentModelIndex
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1


def state_words(message: OutboxMessage) -> str:
    if message.state == "accepted":
        return "The server took it; Retry marks the touch done (it is not sent again)."
    if message.state == "sending":
        return "Was being sent when careapp stopped; Retry sends it."
    return message.reason or "Not sent."


class OutboxModel(QAbstractTableModel):
    """The kept messages: To, Subject, Why (the server's reason). ``MESSAGE_ROLE`` gives the message."""

    HEADERS = ("To", "Subject", "Why it was not sent")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._messages: list[OutboxMessage] = []

    def set_messages(self, messages: list[OutboxMessage]) -> None:
        self.beginResetModel()
        self._messages = list(messages)
        self.endResetModel()

    def messages(self) -> list[OutboxMessage]:
        return list(self._messages)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._messages)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._messages):
            return None
        message = self._messages[index.row()]
        if role == MESSAGE_ROLE:
            return message
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (message.to, message.subject, state_words(message))[index.column()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation is Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


class OutboxWindow(QDialog):
    """Lists the Outbox and acts on the selected message through the runner. ``changed`` fires after a
    retry or discard (the care queue reloads); ``sent(EmailSent)`` after a retry the server accepted.
    Retry runs on ``background`` (the window's background runner): a slow server holds up no other
    database job."""

    changed = Signal()
    sent = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
        background: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self._background = background or runner
        self.setObjectName("outboxWindow")
        self.setWindowTitle(self.tr("Outbox"))
        self.model = OutboxModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Messages not sent"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda _now, _before: self._show_current())
        self.empty = QLabel(self.tr("The Outbox is empty: no email is waiting to be sent again."))
        self.empty.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName(self.tr("The server's reason"))
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.to = QLineEdit()
        self.to.setAccessibleName(self.tr("Send to"))
        self.to.setToolTip(self.tr("Correct the address here if the server refused it, then Retry"))
        self.error = ErrorLabel(self.tr("Problem"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("What happened"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reason)
        to_row = QHBoxLayout()
        self.to_caption = QLabel(self.tr("Send &to:"))
        self.to_caption.setBuddy(self.to)
        to_row.addWidget(self.to_caption)
        to_row.addWidget(self.to, 1)
        layout.addLayout(to_row)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons())
        follow_layout(self)
        self.resize(720, 420)
        self.reload()

    def _buttons(self) -> QHBoxLayout:
        self.retry_button = QPushButton(self.tr("&Retry"))
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry)
        self.discard_button = QPushButton(self.tr("&Discard"))
        self.discard_button.setAutoDefault(False)
        self.discard_button.setToolTip(self.tr("Throw the draft away; the touch stays in the care queue"))
        self.discard_button.clicked.connect(self.discard)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.retry_button, self.discard_button, self.close_button):
            row.addWidget(button)
        return row

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        services = self._services
        self._runner.submit(lambda: outbox_messages(services), self._loaded, self._failed, owner=self)

    def _loaded(self, messages: list[OutboxMessage]) -> None:
        self.model.set_messages(messages)
        self.empty.setVisible(not messages)
        self.table.setVisible(bool(messages))
        if messages:
            self.table.selectRow(0)
            self.table.resizeRowsToContents()
        self._show_current()

    def current_message(self) -> OutboxMessage | None:
        index = self.table.currentIndex()
        found = self.model.data(index, MESSAGE_ROLE) if index.isValid() else None
        return found  # type: ignore[return-value]

    def select(self, message_id: str) -> bool:
        for row, message in enumerate(self.model.messages()):
            if message.message_id == message_id:
                self.table.selectRow(row)
                return True
        return False

    def _show_current(self) -> None:
        message = self.current_message()
        self.reason.setText(state_words(message) if message else "")
        self.to.setText(message.to if message else "")
        for widget in (self.to, self.to_caption, self.reason):
            widget.setVisible(message is not None)
        self.to.setEnabled(message is not None and message.state == "failed")
        self.retry_button.setEnabled(message is not None)
        self.discard_button.setEnabled(message is not None and message.state != "accepted")
        self.retry_button.setText(
            self.tr("&Finish") if message is not None and message.state == "accepted" else self.tr("&Retry")
        )

    # --- acting --------------------------------------------------------------------------

    def retry(self) -> None:
        message = self.current_message()
        if message is None:
            return
        services, actor, to = self._services, self._actor(), self.to.text()
        self._busy(True)
        self.status.setText(self.tr("Sending to {to}…").format(to=to.strip() or message.to))
        self._background.submit(
            lambda: retry(services, actor, message.message_id, to),
            self._retried,
            self._retry_failed,
            owner=self,
        )

    def _retried(self, sent: EmailSent) -> None:
        self._busy(False)
        self.error.show_error(None)
        self.status.setText(
            self.tr("Sent; the touch is marked done (Message-ID {id}).").format(id=sent.message_id)
        )
        self.sent.emit(sent)
        self.changed.emit()
        self.reload()

    def _retry_failed(self, error: BaseException) -> None:
        self._busy(False)
        self.status.setText("")
        self.error.show_error(self.tr("Still not sent. {reason}").format(reason=sentence(error)))
        self.changed.emit()
        self.reload()

    def discard(self) -> None:
        message = self.current_message()
        if message is None or message.state == "accepted":
            return
        services = self._services
        self._busy(True)
        self._runner.submit(
            lambda: discard(services, message.message_id), self._discarded, self._failed, owner=self
        )

    def _discarded(self, _result: object) -> None:
        self._busy(False)
        self.error.show_error(None)
        self.status.setText(self.tr("Discarded; the touch is still in the care queue."))
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.error.show_error(sentence(error))

    def _busy(self, busy: bool) -> None:
        for button in (self.retry_button, self.discard_button):
            button.setEnabled(not busy)
        if not busy:
            self._show_current()
