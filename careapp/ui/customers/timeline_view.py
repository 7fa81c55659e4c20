"""Drawing the timeline: a coloured mark per kind, the title, when, and the detail wrapped below.

A purchase on it can be changed or taken away where it is seen: F2 or a double-click (Enter) edits it,
Del deletes it, and both are in its context menu. The view only asks (``editPurchaseRequested``,
``deletePurchaseRequested``); the purchase actions do it, with Undo.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from careapp.domain.customer import Purchase
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
    """A list of timeline entries that re-wraps its text when resized; a purchase's row can be edited
    or deleted (``editPurchaseRequested(Purchase)``, ``deletePurchaseRequested(Purchase)``)."""

    editPurchaseRequested = Signal(object)
    deletePurchaseRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(TimelineDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.edit_purchase_action = self._purchase_action(
            self.tr("&Edit purchase…"), QKeySequence("F2"), self.editPurchaseRequested
        )
        self.delete_purchase_action = self._purchase_action(
            self.tr("&Delete purchase"),
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.deletePurchaseRequested,
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.activated.connect(lambda index: self._ask(self.editPurchaseRequested, index))

    def _purchase_action(self, text: str, keys: QKeySequence, request: SignalInstance) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        # Only while the timeline has the focus: Del in the search box still deletes text.
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setEnabled(False)
        action.triggered.connect(lambda: self._ask(request, self.currentIndex()))
        self.addAction(action)
        return action

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        selection = self.selectionModel()
        if selection is not None:
            selection.currentChanged.connect(lambda _now, _before: self._update_actions())
        if model is not None:
            model.modelReset.connect(self._update_actions)
        self._update_actions()

    def purchase_at(self, index: QModelIndex | QPersistentModelIndex) -> Purchase | None:
        found = index.data(TimelineModel.PurchaseRole) if index.isValid() else None
        return found if isinstance(found, Purchase) and found.id is not None else None

    def current_purchase(self) -> Purchase | None:
        return self.purchase_at(self.currentIndex())

    def _update_actions(self) -> None:
        chosen = self.current_purchase() is not None
        self.edit_purchase_action.setEnabled(chosen)
        self.delete_purchase_action.setEnabled(chosen)

    def _ask(self, request: SignalInstance, index: QModelIndex | QPersistentModelIndex) -> None:
        purchase = self.purchase_at(index)
        if purchase is not None:
            request.emit(purchase)

    def _context_menu(self, where: QPoint) -> None:
        index = self.indexAt(where)
        if self.purchase_at(index) is None:
            return
        self.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addActions([self.edit_purchase_action, self.delete_purchase_action])
        menu.exec(self.viewport().mapToGlobal(where))
