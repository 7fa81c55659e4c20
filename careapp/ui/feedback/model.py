"""The customer's feedback, newest first, as a list model (one item per thing they said)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from careapp.ui.formatting import format_stored_date

if TYPE_CHECKING:  # the UI must not import the database stack at start-up
    from careapp.services.tickets.feedback import Feedback

FeedbackRole = Qt.ItemDataRole.UserRole + 1  # the Feedback itself
PublishedRole = Qt.ItemDataRole.UserRole + 2  # bool: published as a testimonial

Index = QModelIndex | QPersistentModelIndex


class FeedbackListModel(QAbstractListModel):
    """Each item: local date, positive or negative, linked ticket; the words; the testimonial state."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Feedback] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def set_rows(self, rows: list[Feedback]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def feedback(self, row: int) -> Feedback:
        return self._rows[row]

    def row_of(self, feedback_id: int) -> int | None:
        for row, item in enumerate(self._rows):
            if item.id == feedback_id:
                return row
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.recorded_text(item)
        if role == FeedbackRole:
            return item
        if role == PublishedRole:
            return item.publishable
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # The texts, also used by tests and screen readers.

    def heading(self, item: Feedback) -> str:
        parts = [
            format_stored_date(item.at),
            self.tr("Positive") if item.positive else self.tr("Negative"),
        ]
        if item.ticket_id is not None:
            parts.append(self.tr("Ticket {number}").format(number=item.ticket_id))
        return " · ".join(parts)

    def words(self, item: Feedback) -> str:
        return f"“{item.text}”" if item.text else self.tr("(no words recorded)")

    def state_text(self, item: Feedback) -> str:
        if item.publishable:
            return self.tr("Published as a testimonial (how they agreed: {method})").format(
                method=item.publish_consent_method
            )
        if item.publish_consent_method:  # published once, then withdrawn: the consent record stays
            return self.tr("Withdrawn from testimonials (they had agreed: {method})").format(
                method=item.publish_consent_method
            )
        return self.tr("Not published")

    def text(self, item: Feedback) -> str:
        return "\n".join((self.heading(item), self.words(item), self.state_text(item)))

    def recorded_text(self, item: Feedback) -> str:
        return self.tr("Recorded by {name}").format(name=item.recorded_by)
