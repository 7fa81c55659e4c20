"""Writing the message for a touch: the draft, its wording with a live preview, and sending it.

The draft comes from :meth:`MessageService.draft` (the shop's wording for the touch's kind and
channel, filled in for this customer). The message itself can be edited freely. Below it, the
wording (the template with ``{placeholders}``) can be changed for this one message: each change is
rendered again by the service (debounced, on the database thread) and replaces the message, unless
the message was edited by hand, which is never overwritten without asking.

With the shop's mailbox set up (File › Email sending…), Ctrl+Enter sends an email through it
(:meth:`MailService.send_touch`): the touch is marked done only once the server accepted it; a failure
keeps the draft in the Outbox with the server's reason, and ``keptInOutbox(text)`` says so. The send runs
on the window's background runner (found through the parents, or ``send_runner``), since a slow mail
server may hold it for its whole timeout and the window's database jobs must not wait behind it; the
one job keeps the order: the message in the Outbox first, the server, then the touch done.
Otherwise the message opens in the mail program (``mailto:``), the messaging app (``sms:``) or the
dialler (``tel:``), or is copied; the touch is then marked done with the message recorded as copied or
opened, never as sent (:class:`Route`), and ``sent`` fires; ``route`` says which it was. How a URL is
opened is injected (tests pass a fake; the app uses ``QDesktopServices.openUrl``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
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
from careapp.domain.message_routes import Route
from careapp.domain.templates import PLACEHOLDERS, MessageTemplate, mailto_url, sms_url, tel_url
from careapp.ui.care.texts import kind_title
from careapp.ui.formatting import channel_name, sentence
from careapp.ui.runner import Runner, background_runner_of
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.care.messages import MessageDraft
    from careapp.services.care.queue import QueueEntry, TouchLogView
    from careapp.services.mail.service import EmailSent
    from careapp.services.shop.staff import Actor

UrlOpener = Callable[[QUrl], bool]
PREVIEW_DELAY_MS = 300


def open_url(url: QUrl) -> bool:
    """Hand ``url`` to the desktop: the mail program, the messaging app or the dialler."""
    return QDesktopServices.openUrl(url)


@dataclass(frozen=True)
class LoadedDraft:
    """A draft and the wording it was made from."""

    draft: MessageDraft
    template: MessageTemplate
    mail_ready: bool = False  # the shop's mailbox is set up: Ctrl+Enter sends through it


def load_draft(services: Services, touch_id: int, channel: Channel | None) -> LoadedDraft:
    """Database thread."""
    draft = services.messages.draft(touch_id, channel)
    ready = draft.channel is Channel.EMAIL and services.mail.server_settings.settings().configured
    return LoadedDraft(draft, services.messages.templates()[draft.kind, draft.channel], ready)


def message_url(channel: Channel, address: str, subject: str, body: str) -> str | None:
    """The link that opens the program for ``channel`` with the message; None for post or no address."""
    if not address.strip():
        return None
    try:
        if channel is Channel.EMAIL:
            return mailto_url(address, subject, body)
        if channel is Channel.SMS:
            return sms_url(address, body)
        if channel is Channel.PHONE:
            return tel_url(address)
    except ValueError:  # a number without digits
        return None
    return None


def placeholder_help() -> str:
    return "\n".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS.items())


class MessageDialog(QDialog):
    """The message for one touch; ``sent(TouchLogView)`` once the touch was marked done (``route`` says
    whether careapp sent it, or it was copied or opened in another program); ``keptInOutbox(text)``
    when the mail server did not take it (the draft waits in the Outbox)."""

    sent = Signal(object)
    keptInOutbox = Signal(str)
    draftShown = Signal()

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Actor,
        entry: QueueEntry,
        url_opener: UrlOpener = open_url,
        parent: QWidget | None = None,
        send_runner: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self._send_runner = send_runner if send_runner is not None else background_runner_of(parent, runner)
        self.entry = entry
        self._open_url = url_opener
        self.loaded: LoadedDraft | None = None
        self.hand_edited = False
        self._filling = False
        self.route: Route | None = None
        self.setWindowTitle(
            self.tr("{kind} for {name}").format(kind=kind_title(entry.kind), name=entry.customer_name)
        )
        self._build()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.preview_now)
        self.resize(760, 680)
        self._load(entry.channel)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = QLabel(
            self.tr("{why}, for {name}").format(why=self.entry.description, name=self.entry.customer_name)
        )
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.channel = QComboBox()
        self.channel.setAccessibleName(self.tr("Send by"))
        for channel in self.entry.channels or tuple(Channel):
            self.channel.addItem(channel_name(channel), channel.value)
        if self.entry.channel is not None:
            self.channel.setCurrentIndex(max(self.channel.findData(self.entry.channel.value), 0))
        self.channel.currentIndexChanged.connect(lambda _index: self._load(self.current_channel()))
        self.address = QLabel()
        self.address.setAccessibleName(self.tr("To"))
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject = QLineEdit()
        self.subject.setAccessibleName(self.tr("Subject"))
        self.body = QPlainTextEdit()
        self.body.setAccessibleName(self.tr("Message"))
        self.body.setTabChangesFocus(True)
        self.subject.textEdited.connect(self._edited_by_hand)
        self.body.textChanged.connect(self._edited_by_hand)
        form = QFormLayout()
        self.subject_caption = QLabel(self.tr("S&ubject:"))
        self.subject_caption.setBuddy(self.subject)
        for caption, widget in (
            (self.tr("Se&nd by:"), self.channel),
            (self.tr("To:"), self.address),
            (None, self.subject),
            (self.tr("&Message:"), self.body),
        ):
            label = self.subject_caption if caption is None else QLabel(caption)
            if caption is not None and "&" in caption:
                label.setBuddy(widget)
            form.addRow(label, widget)
        self.edited_note = QLabel(
            self.tr("You changed the message by hand, so changes to the wording below no longer replace it.")
        )
        self.edited_note.setWordWrap(True)
        self.redo_button = QPushButton(self.tr("&Redo from the wording"))
        self.redo_button.setAutoDefault(False)
        self.redo_button.clicked.connect(self.redo_from_wording)
        edited_row = QHBoxLayout()
        edited_row.addWidget(self.edited_note, 1)
        edited_row.addWidget(self.redo_button)
        self.wording = self._wording_box()
        self.wording_button = QPushButton(self.tr("Change the &wording…"))
        self.wording_button.setCheckable(True)
        self.wording_button.setAutoDefault(False)
        self.wording_button.toggled.connect(self.wording.setVisible)
        self.error = ErrorLabel(self.tr("Problem with the message"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form, 3)
        layout.addLayout(edited_row)
        wording_row = QHBoxLayout()
        wording_row.addWidget(self.wording_button)
        wording_row.addStretch(1)
        layout.addLayout(wording_row)
        layout.addWidget(self.wording, 2)
        layout.addWidget(self.error)
        layout.addLayout(self._buttons())
        self.wording.setVisible(False)
        self._show_edited(False)

    def _wording_box(self) -> QWidget:
        box = QWidget()
        self.template_subject = QLineEdit()
        self.template_subject.setAccessibleName(self.tr("Subject wording"))
        self.template_body = QPlainTextEdit()
        self.template_body.setAccessibleName(self.tr("Message wording"))
        self.template_body.setTabChangesFocus(True)
        self.template_subject.textEdited.connect(lambda _text: self._wording_changed())
        self.template_body.textChanged.connect(self._wording_changed)
        self.placeholders = QLabel(
            self.tr(
                "Placeholders are filled in for each customer; a sentence whose value is unknown is left out."
            )
            + "\n"
            + placeholder_help()
        )
        self.placeholders.setWordWrap(True)
        self.placeholders.setStyleSheet("color: palette(placeholder-text);")
        self.placeholders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.placeholders.setAccessibleName(self.tr("Placeholders"))
        self.unknown = ErrorLabel(self.tr("Unknown placeholders"))
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.template_subject_caption = QLabel(self.tr("Subject wording:"))
        form.addRow(self.template_subject_caption, self.template_subject)
        form.addRow(QLabel(self.tr("Wording:")), self.template_body)
        form.addRow(self.unknown)
        form.addRow(self.placeholders)
        return box

    def _buttons(self) -> QHBoxLayout:
        self.email_button = QPushButton(self.tr("&Send email"))
        self.email_button.setToolTip(
            self.tr(
                "Send it through the shop's mailbox (Ctrl+Enter); the touch is done once the server took it"
            )
        )
        self.email_button.clicked.connect(self.send_email)
        self.email_action = QAction(self.tr("Send email"), self)
        self.email_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.email_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.email_action.triggered.connect(self.send_email)
        self.addAction(self.email_action)
        self.send_button = QPushButton()
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.copy_button = QPushButton(self.tr("&Copy and mark done"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.setToolTip(
            self.tr("Copy the message to paste it wherever you send it; the touch is marked done")
        )
        self.copy_button.clicked.connect(self.copy)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.email_button, self.send_button, self.copy_button, self.cancel_button):
            row.addWidget(button)
        return row

    # --- loading and previewing ----------------------------------------------------------

    def current_channel(self) -> Channel:
        return Channel(self.channel.currentData())

    def _load(self, channel: Channel | None) -> None:
        self._set_busy(True)
        services, touch_id = self._services, self.entry.touch_id
        self._runner.submit(
            lambda: load_draft(services, touch_id, channel),
            self._loaded,
            self._failed,
            key=f"message-draft-{id(self)}",
            owner=self,
        )

    def _loaded(self, loaded: LoadedDraft) -> None:
        self.loaded = loaded
        draft = loaded.draft
        self._filling = True
        try:
            self.template_subject.setText(loaded.template.subject)
            self.template_body.setPlainText(loaded.template.body)
        finally:
            self._filling = False
        self._show_draft(draft)
        self._show_edited(False)
        self._set_busy(False)
        self._update_channel_widgets(draft)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)
        self.draftShown.emit()

    def _show_draft(self, draft: MessageDraft) -> None:
        self._filling = True
        try:
            self.subject.setText(draft.subject)
            self.body.setPlainText(draft.body)
        finally:
            self._filling = False
        self.hand_edited = False
        if draft.unknown_placeholders:
            names = ", ".join(f"{{{name}}}" for name in draft.unknown_placeholders)
            self.unknown.show_error(
                self.tr("careapp does not know {names}; check the spelling.").format(names=names)
            )
        else:
            self.unknown.show_error(None)

    def _update_channel_widgets(self, draft: MessageDraft) -> None:
        email = draft.channel is Channel.EMAIL
        for widget in (
            self.subject,
            self.subject_caption,
            self.template_subject,
            self.template_subject_caption,
        ):
            widget.setVisible(email)
        address = draft.address.replace("\n", ", ")
        self.address.setText(address or self.tr("careapp has no address for this; copy the message instead."))
        texts = {
            Channel.EMAIL: self.tr("&Open in mail program"),
            Channel.SMS: self.tr("&Open in messaging app"),
            Channel.PHONE: self.tr("&Open the dialler"),
        }
        self.send_button.setText(texts.get(draft.channel, self.tr("&Open")))
        self.send_button.setToolTip(
            self.tr("Opens the program with the message for you to send; the touch is marked done")
        )
        self.send_button.setVisible(self.url() is not None)
        by_mail = self._can_send_email()
        self.email_button.setVisible(by_mail)
        self.email_button.setDefault(by_mail)
        self.send_button.setDefault(not by_mail and self.url() is not None)
        self.copy_button.setDefault(not by_mail and self.url() is None)

    def _can_send_email(self) -> bool:
        loaded = self.loaded
        return bool(loaded and loaded.mail_ready and loaded.draft.address.strip())

    def _wording_changed(self) -> None:
        if not self._filling and self.loaded is not None:
            self._preview_timer.start()

    def current_wording(self) -> MessageTemplate | None:
        if self.loaded is None:
            return None
        draft = self.loaded.draft
        return MessageTemplate(
            draft.kind, draft.channel, self.template_body.toPlainText(), self.template_subject.text()
        )

    def preview_now(self) -> None:
        """Render the wording as it is now (the debounce timer calls this)."""
        self._preview_timer.stop()
        template = self.current_wording()
        if template is None:
            return
        services, touch_id = self._services, self.entry.touch_id
        self._runner.submit(
            lambda: services.messages.draft(touch_id, template.channel, template),
            self._previewed,
            self._failed,
            key=f"message-preview-{id(self)}",
            owner=self,
        )

    def _previewed(self, draft: MessageDraft) -> None:
        if self.loaded is None or draft.channel is not self.loaded.draft.channel:
            return
        self.loaded = LoadedDraft(draft, self.loaded.template)
        if self.hand_edited:
            return
        self._show_draft(draft)

    def _edited_by_hand(self) -> None:
        if not self._filling:
            self.hand_edited = True
            self._show_edited(True)

    def _show_edited(self, edited: bool) -> None:
        self.edited_note.setVisible(edited)
        self.redo_button.setVisible(edited)

    def redo_from_wording(self) -> None:
        """Throw away the hand edits and render the wording again."""
        self.hand_edited = False
        self._show_edited(False)
        self.preview_now()

    # --- sending -------------------------------------------------------------------------

    def url(self) -> str | None:
        if self.loaded is None:
            return None
        draft = self.loaded.draft
        return message_url(draft.channel, draft.address, self.subject.text(), self.body.toPlainText())

    def message_text(self) -> str:
        subject, body = self.subject.text().strip(), self.body.toPlainText()
        if self.current_channel() is Channel.EMAIL and subject:
            return f"{subject}\n\n{body}"
        return body

    def send_email(self) -> None:
        """Ctrl+Enter: send through the shop's mailbox; the touch is marked done once the server took it."""
        if self.loaded is None or not self.email_action.isEnabled():
            return
        draft = self.loaded.draft
        if draft.channel is not Channel.EMAIL:
            self.error.show_error(
                self.tr("careapp sends email only; open or copy the {channel} message instead.").format(
                    channel=channel_name(draft.channel).lower()
                )
            )
            return
        if not self.loaded.mail_ready:
            self.error.show_error(
                self.tr(
                    "careapp has no mail server yet: set the shop's mailbox in File › Email sending…, or "
                    "open the message in your mail program or copy it."
                )
            )
            return
        to = draft.address.splitlines()[0].strip() if draft.address.strip() else ""
        subject, body = self.subject.text().strip(), self.body.toPlainText()
        if not to:
            self.error.show_error(self.tr("careapp has no email address for this customer."))
            return
        if not body.strip():
            self.error.show_error(self.tr("The message is empty; write what the customer should read."))
            return
        mail, actor, entry = self._services.mail, self._actor, self.entry
        self._set_busy(True)
        self.error.show_error(None)
        self._send_runner.submit(  # the touch is done once the server accepted it (MailService.send_touch)
            lambda: mail.send_touch(actor, entry.touch_id, entry.customer_id, to, subject, body),
            self._emailed,
            self._email_failed,
            owner=self,
        )

    def _emailed(self, sent: EmailSent) -> None:
        self.route = Route.SENT
        self._done(sent.log)

    def _email_failed(self, error: BaseException) -> None:
        from careapp.services.mail.sender import MailNotSent

        self._set_busy(False)
        if not isinstance(error, MailNotSent):  # not set up, no keyring, the touch gone: nothing kept
            self.error.show_error(sentence(error))
            return
        to = self.loaded.draft.address.splitlines()[0] if self.loaded else ""
        text = self.tr(
            "Not sent to {to}: {reason} The message is kept in the Outbox (File › Outbox…) to retry; "
            "the touch stays in the queue."
        ).format(to=to, reason=sentence(error))
        self.keptInOutbox.emit(text)
        self.accept()

    def send(self) -> None:
        """Open the program with the message, then mark the touch done (careapp did not send it)."""
        link = self.url()
        if link is None:
            self.copy()
            return
        if not self._open_url(QUrl(link, QUrl.ParsingMode.StrictMode)):
            self.error.show_error(
                self.tr(
                    "careapp could not open a program for {channel} on this computer. "
                    "Copy the message instead and paste it where you send it."
                ).format(channel=channel_name(self.current_channel()).lower())
            )
            return
        self._mark_done(Route.OPENED)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.message_text())
        self._mark_done(Route.COPIED)

    def _mark_done(self, route: Route) -> None:
        from careapp.services.care.queue import SentMessage

        if not self.body.toPlainText().strip():
            self.error.show_error(self.tr("The message is empty; write what the customer should read."))
            return
        channel = self.current_channel()
        subject = self.subject.text().strip() if channel is Channel.EMAIL else ""
        message = SentMessage(self.body.toPlainText(), subject, route)
        self.route = route
        services, actor, touch_id = self._services, self._actor, self.entry.touch_id
        self._set_busy(True)
        self.error.show_error(None)
        self._runner.submit(
            lambda: services.care_queue.done(actor, touch_id, channel, message),
            self._done,
            self._failed,
            owner=self,
        )

    def _done(self, view: TouchLogView) -> None:
        self._set_busy(False)
        self.sent.emit(view)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_error(sentence(error))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.email_button, self.send_button, self.copy_button, self.channel):
            widget.setEnabled(not busy)
        self.email_action.setEnabled(not busy)
