"""Every window within the screen: a dialog that asks for more room than the screen's free area
(an editor sized for a desktop monitor, on a 1024×600 netbook) is shrunk to that area and moved
into it when it is shown, so its buttons are never below the screen's edge. Installed once on the
application (see :func:`keep_windows_on_screen`); the dialogs themselves scroll where they must
(:class:`FittingScrollArea`).

A dialog nobody gave a size is also grown to what its layout asks for: Qt's own first size for a
window caps it at two thirds of the screen, and a dialog of wrapped text then gets its minimum
height, with every row squashed below the height its wrapped text needs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QScrollArea,
    QWidget,
)

# The window manager's title bar and frame, which the free area does not count.
FRAME_WIDTH, FRAME_HEIGHT = 16, 40
# A scrolled part of a dialog keeps at least this many lines of text on screen.
SCROLL_MIN_LINES = 6


def fitted(geometry: QRect, free: QRect) -> QRect:
    """``geometry`` made no larger than ``free`` (less the frame) and moved inside it."""
    width = min(geometry.width(), free.width() - FRAME_WIDTH)
    height = min(geometry.height(), free.height() - FRAME_HEIGHT)
    x = min(max(geometry.x(), free.x()), free.right() - width - FRAME_WIDTH + 1)
    y = min(max(geometry.y(), free.y()), free.bottom() - height - FRAME_HEIGHT + 1)
    return QRect(max(x, free.x()), max(y, free.y()), width, height)


class ScreenFit(QObject):
    """Shrinks and moves each top-level window into its screen's free area as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            fit_on_screen(watched)
        return False


def wanted_size(window: QWidget, free: QRect) -> QSize:
    """What ``window``'s layout asks for within ``free``: its size hint's width, and the height
    its wrapped text needs at that width."""
    layout = window.layout()
    hint = window.sizeHint()
    width = min(max(hint.width(), window.width()), free.width() - FRAME_WIDTH)
    if layout is not None and layout.hasHeightForWidth():
        return QSize(width, max(layout.totalHeightForWidth(width), window.minimumHeight()))
    return QSize(width, max(hint.height(), window.height()))


def fit_into(window: QWidget, free: QRect) -> None:
    """Size ``window`` for the free area ``free``: grown to what it asks for when nobody gave it a
    size (Qt's first guess), then shrunk and moved into the area."""
    if window.isMaximized() or window.isFullScreen():
        return
    # Measured after the layouts still pending (a sentence set just before show) are done.
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    geometry = window.geometry()
    if not window.testAttribute(Qt.WidgetAttribute.WA_Resized) and not isinstance(window, QMainWindow):
        geometry.setSize(wanted_size(window, free))
    target = fitted(geometry, free)
    if target.size() != window.size():
        window.resize(target.size())
    if window.parentWidget() is None and target.topLeft() != window.pos():
        window.move(target.topLeft())


def fit_on_screen(window: QWidget) -> None:
    screen = window.screen()
    if screen is not None:
        fit_into(window, screen.availableGeometry())


def keep_windows_on_screen(app: QApplication) -> ScreenFit:
    """Install the filter on the application; keep the returned object alive as long as the app."""
    fit = ScreenFit(app)
    app.installEventFilter(fit)
    return fit


class FittingScrollArea(QScrollArea):
    """A frameless scroll area for the long middle of a dialog: it asks for all its content's
    height (so on a big screen nothing scrolls) but can shrink to a few lines (so on a small one the
    dialog fits and this part scrolls). Its content always gets at least its minimum width."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content grew or shrank (a wrapped sentence changed): the dialog lays out again.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _scrollbar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        height = content.heightForWidth(hint.width()) if content.hasHeightForWidth() else -1
        return QSize(hint.width() + self._scrollbar_width(), max(height, hint.height()))

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        lines = self.fontMetrics().lineSpacing() * SCROLL_MIN_LINES
        if content is None:
            return QSize(0, lines)
        floor = content.minimumSizeHint()
        return QSize(floor.width() + self._scrollbar_width(), min(floor.height(), lines))


class GridForm(QGridLayout):
    """A form of labelled rows whose wrapped sentences get the height they need at the width they
    are given. (QFormLayout sizes a word-wrapped label by its own guess at a width, so a hint under
    a field gets three lines' height whatever the window's width, and a dialog of them is squashed
    or gapped.) Labels in column 0, fields in column 1, which takes the spare width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnStretch(1, 1)

    def add_row(self, label: str, field: QWidget | QLayout, buddy: QWidget | None = None) -> QLabel:
        """A labelled row; the label's mnemonic moves the focus to ``buddy`` (else ``field``)."""
        row = self.rowCount()
        caption = QLabel(label)
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        focus = buddy if buddy is not None else field if isinstance(field, QWidget) else None
        if focus is not None:
            caption.setBuddy(focus)
        if _is_tall(field):
            self.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
        else:
            self.addWidget(caption, row, 0)
        if isinstance(field, QWidget):
            self.addWidget(field, row, 1)
        else:
            self.addLayout(field, row, 1)
        return caption

    def add_sentence(self, sentence: QLabel) -> None:
        """A sentence under the fields (a hint, a summary), in the fields' column."""
        self.addWidget(sentence, self.rowCount(), 1)

    def labels(self) -> list[QLabel]:
        found = []
        for row in range(self.rowCount()):
            item = self.itemAtPosition(row, 0)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel):
                found.append(label)
        return found


def _is_tall(field: QWidget | QLayout) -> bool:
    """A field of several lines (a list), whose label goes beside its first line."""
    return isinstance(field, QLayout) or field.sizeHint().height() > 2 * field.fontMetrics().height() + 8


def align_label_columns(*forms: GridForm) -> None:
    """The labels of forms stacked one above the other take one width, so their fields line up."""
    labels = [label for form in forms for label in form.labels()]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
