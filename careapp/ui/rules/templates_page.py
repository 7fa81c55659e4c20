"""The shop's wording for each kind of touch and channel, with the placeholders and a live preview.

The preview is rendered as the text is typed, with made-up values (Ann, turning 41, a burr grinder,
the shop's own name) by the domain's :func:`careapp.domain.templates.render`, which is pure and quick,
so it runs on the UI thread. Wording typed for one kind and channel is kept while another is looked
at, until it is saved or the dialog is closed; saving and going back to careapp's wording are the
dialog's job (``saveRequested`` / ``resetRequested``).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import Channel
from careapp.domain.templates import MessageTemplate, MessageValues, render, unknown_placeholders
from careapp.domain.touches import TouchKind
from careapp.ui.care.public import kind_title, placeholder_help
from careapp.ui.formatting import channel_name
from careapp.ui.widgets import ErrorLabel

Key = tuple[TouchKind, Channel]


def sample_values(shop_name: str) -> MessageValues:
    """Made-up values for the preview."""
    return MessageValues(
        first_name="Ann",
        age=41,
        last_purchase="burr grinder",
        article_title="Dialling in a new bag of beans",
        article_link="https://example.com/guides/dialling-in-beans",
        shop_name=shop_name,
        occasion="the anniversary of your first visit",
        years=5,
        referred_name="Ben Davies",
    )


class TemplatesPage(QWidget):
    """Kind and channel, the wording (subject for email), placeholders, and the preview."""

    saveRequested = Signal(object)  # MessageTemplate
    resetRequested = Signal(object, object)  # TouchKind, Channel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._in_use: dict[Key, MessageTemplate] = {}
        self._custom: set[Key] = set()
        self._typed: dict[Key, MessageTemplate] = {}
        self._shown: Key | None = None
        self._filling = False
        self._editable = True
        self.shop_name = ""
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Touch"))
        for kind in TouchKind:
            self.kind.addItem(kind_title(kind), kind.value)
        self.channel = QComboBox()
        self.channel.setAccessibleName(self.tr("Channel"))
        for channel in Channel:
            self.channel.addItem(channel_name(channel), channel.value)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_current())
        self.channel.currentIndexChanged.connect(lambda _i: self._show_current())
        self.state = QLabel()
        self.state.setAccessibleName(self.tr("Whose wording"))
        self.subject = QLineEdit()
        self.subject.setAccessibleName(self.tr("Subject"))
        self.body = QPlainTextEdit()
        self.body.setAccessibleName(self.tr("Wording"))
        self.body.setTabChangesFocus(True)
        self.subject.textChanged.connect(self._typed_now)
        self.body.textChanged.connect(self._typed_now)
        self.unknown = ErrorLabel(self.tr("Unknown placeholders"))
        self.placeholders = QLabel(placeholder_help())
        self.placeholders.setAccessibleName(self.tr("Placeholders"))
        self.placeholders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.placeholders.setStyleSheet("color: palette(placeholder-text);")
        self.placeholders.setWordWrap(True)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setTabChangesFocus(True)
        self.save_button = QPushButton(self.tr("Sa&ve wording"))
        self.save_button.clicked.connect(lambda: self.saveRequested.emit(self.current_template()))
        self.reset_button = QPushButton(self.tr("Back to careapp's w&ording"))
        self.reset_button.clicked.connect(lambda: self.resetRequested.emit(*self.current_key()))
        for button in (self.save_button, self.reset_button):
            button.setAutoDefault(False)
        self._lay_out()

    def _lay_out(self) -> None:
        choose = QHBoxLayout()
        for text, combo in ((self.tr("Touc&h:"), self.kind), (self.tr("Chann&el:"), self.channel)):
            label = QLabel(text)
            label.setBuddy(combo)
            choose.addWidget(label)
            choose.addWidget(combo)
        choose.addWidget(self.state, 1)
        self.subject_caption = QLabel(self.tr("S&ubject:"))
        self.subject_caption.setBuddy(self.subject)
        body_caption = QLabel(self.tr("&Wording:"))
        body_caption.setBuddy(self.body)
        form = QFormLayout()
        form.addRow(self.subject_caption, self.subject)
        form.addRow(body_caption, self.body)
        form.addRow(self.unknown)
        left = QVBoxLayout()
        left.addLayout(form, 1)
        left.addWidget(self.placeholders)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Preview, for a made-up customer:")))
        right.addWidget(self.preview, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

    # --- showing -------------------------------------------------------------------------

    def set_templates(
        self, in_use: Mapping[Key, MessageTemplate], custom: Mapping[Key, MessageTemplate], shop_name: str
    ) -> None:
        """The wording in use for every kind and channel, and which of it is the shop's own."""
        self._in_use, self._custom, self.shop_name = dict(in_use), set(custom), shop_name
        for key in list(self._typed):
            if self._typed[key] == self._in_use.get(key):
                del self._typed[key]
        self._shown = None
        self._show_current()

    def current_key(self) -> Key:
        return TouchKind(self.kind.currentData()), Channel(self.channel.currentData())

    def choose(self, kind: TouchKind, channel: Channel) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))
        self.channel.setCurrentIndex(self.channel.findData(channel.value))

    def current_template(self) -> MessageTemplate:
        kind, channel = self.current_key()
        subject = self.subject.text() if channel is Channel.EMAIL else ""
        return MessageTemplate(kind, channel, self.body.toPlainText(), subject)

    def forget_typed(self, key: Key) -> None:
        """The wording for ``key`` was saved or reset: what was typed for it is no longer pending."""
        self._typed.pop(key, None)

    def _show_current(self) -> None:
        key = self.current_key()
        if key == self._shown or key not in self._in_use:
            return
        template = self._typed.get(key) or self._in_use[key]
        self._shown = key
        self._filling = True
        try:
            self.subject.setText(template.subject)
            self.body.setPlainText(template.body)
        finally:
            self._filling = False
        email = key[1] is Channel.EMAIL
        self.subject.setVisible(email)
        self.subject_caption.setVisible(email)
        self._refresh()

    def _typed_now(self) -> None:
        if self._filling or self._shown is None:
            return
        self._typed[self._shown] = self.current_template()
        self._refresh()

    def _refresh(self) -> None:
        key = self.current_key()
        template = self.current_template()
        message = render(template, sample_values(self.shop_name))
        text = f"{message.subject}\n\n{message.body}" if message.subject else message.body
        self.preview.setPlainText(text)
        unknown = unknown_placeholders(template.subject + "\n" + template.body)
        if unknown:
            names = ", ".join(f"{{{name}}}" for name in unknown)
            self.unknown.show_error(
                self.tr("careapp does not know {names}; check the spelling.").format(names=names)
            )
        else:
            self.unknown.show_error(None)
        if key in self._typed and self._typed[key] != self._in_use.get(key):
            self.state.setText(self.tr("Changed, not saved yet"))
        elif key in self._custom:
            self.state.setText(self.tr("The shop's own wording"))
        else:
            self.state.setText(self.tr("careapp's wording"))
        self.reset_button.setEnabled(self._editable and key in self._custom)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self.subject.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.save_button.setEnabled(editable)
        self._refresh()
