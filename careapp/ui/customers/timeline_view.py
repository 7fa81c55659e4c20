"""Drawing the timeline: a coloured mark per kind, the title, when, and the detail wrapped below."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from careapp.ui.customers.timeline_model import TimelineModel
from careapp.ui.theme import is_dark

AnyIndex = QModelIndex | QPersistentModelIndex

# The mark beside each entry; the dark-palette colours are lighter so they stand out on dark.
KIND_COLOURS = {
    "purchase": QColor("#2e7d32"),
    "contact": QColor("#1565c0"),
    "note": QColor("#ef8f00"),
    "consent": QColor("#6a1b9a"),
    "created": QColor("#757575"),
}
KIND_COLOURS_DARK = {
    "purchase": QColor("#66bb6a"),
    "contact": QColor("#64b5f6"),
    "note": QColor("#ffb74d"),
    "consent": QColor("#ce93d8"),
    "created": QColor("#9e9e9e"),
}


def kind_colour(kind: str, palette: QPalette) -> QColor:
    colours = KIND_COLOURS_DARK if is_dark(palette) else KIND_COLOURS
    return colours.get(kind, colours["created"])


_PAD = 6
_MARK = 4


class TimelineDelegate(QStyledItemDelegate):
    """Paints one timeline entry on two or more lines."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def _text_width(self) -> int:
        return max(self._view.viewport().width() - 2 * _PAD - _MARK - _PAD, 80)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        bold, normal = self._fonts(option)
        width = self._text_width()
        title_height = QFontMetrics(bold).height()
        detail = str(index.data(TimelineModel.DetailRole) or "")
        detail_height = 0
        if detail:
            rect = QFontMetrics(normal).boundingRect(
                QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, detail
            )
            detail_height = rect.height() + 2
        return QSize(width, title_height + detail_height + 2 * _PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        rect: QRect = option.rect
        style = self._view.style() or QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, self._view)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        bold, normal = self._fonts(option)
        painter.save()
        kind = str(index.data(TimelineModel.KindRole) or "")
        painter.fillRect(
            QRect(rect.left() + _PAD, rect.top() + _PAD, _MARK, rect.height() - 2 * _PAD),
            kind_colour(kind, palette),
        )
        left = rect.left() + _PAD + _MARK + _PAD
        width = rect.right() - _PAD - left
        line = QFontMetrics(bold).height()
        when = str(index.data(TimelineModel.WhenTextRole) or "")
        painter.setFont(normal)
        painter.setPen(palette.color(text_role if selected else QPalette.ColorRole.PlaceholderText))
        when_width = QFontMetrics(normal).horizontalAdvance(when) + _PAD
        painter.drawText(
            QRect(rect.right() - _PAD - when_width, rect.top() + _PAD, when_width, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            when,
        )
        painter.setFont(bold)
        painter.setPen(palette.color(text_role))
        title = QFontMetrics(bold).elidedText(
            str(index.data(TimelineModel.TitleRole) or ""), Qt.TextElideMode.ElideRight, width - when_width
        )
        painter.drawText(
            QRect(left, rect.top() + _PAD, width - when_width, line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        detail = str(index.data(TimelineModel.DetailRole) or "")
        if detail:
            painter.setFont(normal)
            painter.drawText(
                QRect(left, rect.top() + _PAD + line + 2, width, rect.height()),
                int(Qt.TextFlag.TextWordWrap),
                detail,
            )
        painter.restore()


class TimelineView(QListView):
    """A read-only list of timeline entries that re-wraps its text when resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(TimelineDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
