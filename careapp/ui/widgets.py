"""Small widgets shared by the screens: error marks, the message bar, and owner-facing prompts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from careapp.ui.theme import error_colour, invalid_style, message_background

if TYPE_CHECKING:
    from careapp.ui.customers.public import ConflictChoice

PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def set_style_sheet(widget: QWidget, sheet: str) -> None:
    """Set a style sheet only when it differs (setting one sends a palette change event)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def use_field_marks(dialog: QWidget) -> None:
    """Red borders for fields marked invalid, in the red that suits the current palette.

    Call it again from the dialog's ``changeEvent`` on a palette change (see PALETTE_EVENTS).
    """
    set_style_sheet(dialog, invalid_style())


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    # Style sheets look at dynamic properties only when the widget is polished again.
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class ErrorLabel(QLabel):
    """A red sentence under a field; hidden while there is nothing to say."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setVisible(False)
        self._restyle()

    def _restyle(self) -> None:
        set_style_sheet(self, f"color: {error_colour()};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self._restyle()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


class MessageBar(QFrame):
    """A strip above the content: a sentence, an optional action button ("Undo"), and ×."""

    actionTriggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAccessibleName(self.tr("Message"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("Message text"))
        self.action = QPushButton()
        self.action.clicked.connect(self.actionTriggered)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAccessibleName(self.tr("Close message"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.close_button)
        self._on_action: Callable[[], None] | None = None
        self._error = False
        self.actionTriggered.connect(self._run_action)
        self.setVisible(False)

    def show_message(
        self,
        text: str,
        action_text: str = "",
        on_action: Callable[[], None] | None = None,
        error: bool = False,
    ) -> None:
        self._error = error
        self._restyle()
        self.text.setText(text)
        self._on_action = on_action
        self.action.setText(action_text)
        self.action.setAccessibleName(action_text)
        self.action.setVisible(bool(action_text and on_action))
        self.setVisible(True)

    def _restyle(self) -> None:
        background = message_background(self._error)
        set_style_sheet(self, f"#messageBar {{ background: {background}; border: 1px solid palette(mid); }}")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            self._restyle()

    def dismiss(self) -> None:
        self._on_action = None
        self.setVisible(False)

    def _run_action(self) -> None:
        action, self._on_action = self._on_action, None
        self.dismiss()
        if action is not None:
            action()


class Prompts:
    """Questions and bad news for the owner, as modal message boxes.

    Screens ask through this object rather than calling QMessageBox themselves, so tests can
    give the answers (a modal box would otherwise wait for a click that never comes).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def _owner(self) -> QWidget | None:
        # Over whatever is on top (an open editor), or the window being worked in (the call log, a
        # ticket: they are not modal), else over the main window. Owned by the main window, a box
        # asked from the call log gave the keyboard back to the main window when it closed, so
        # "Cancel, keep the call" left the call's text out of reach of what was typed next.
        return QApplication.activeModalWidget() or QApplication.activeWindow() or self.parent

    def confirm(self, title: str, text: str, action_text: str, detail: str = "") -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self._owner()
        )
        box.setInformativeText(detail)
        yes = box.addButton(action_text, QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is yes

    def error(self, title: str, text: str, detail: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self._owner())
        box.setInformativeText(detail)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self._owner(), title, text)

    def resolve_conflict(self, message: str, rows: list[tuple[str, str, str]]) -> ConflictChoice:
        """Someone else saved first: overwrite, keep editing, or discard what was typed."""
        from careapp.ui.customers.public import ask_about_conflict

        return ask_about_conflict(message, rows, self._owner())
