"""File → Email sending…: the shop's outgoing mail server, its password and a test message.

A preset (Gmail with an app password, Outlook.com, Fastmail, another server) fills the server, port and
security, never the password. The password field's text goes to the system keyring only (see
:mod:`careapp.ui.mail.jobs`); when there is none, the dialog says so in the keyring's sentence and the
server is still saved. "Send test message" saves what is typed and reports the server's answer.
Everything between the heading and the buttons scrolls, so the dialog fits a 1024x600 screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.services.mail.settings import PRESETS, MailSettings, Preset
from careapp.ui.fit import FittingScrollArea, GridForm
from careapp.ui.formatting import sentence
from careapp.ui.keyboard import follow_layout
from careapp.ui.mail.jobs import (
    MailLoaded,
    MailSaved,
    load_settings,
    save_for_test,
    save_settings,
    send_test_message,
)
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services

SECURITY_CHOICES = (
    ("starttls", "STARTTLS (usually port 587)"),
    ("tls", "TLS from the start (usually port 465)"),
)


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class MailSettingsDialog(QDialog):
    """Edits the mail server; saves through the runner (database and keyring off the UI thread) and
    emits ``saved(MailSaved)``. ``tested(str)`` carries the test's answer, as shown. The test message
    is sent on ``background`` (the window's background runner), after the settings were saved on the
    window's: a slow server holds up no other database job."""

    saved = Signal(object)
    tested = Signal(str)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        parent: QWidget | None = None,
        background: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner = services, runner
        self._background = background or runner
        self._has_password = False
        self.setObjectName("mailSettingsDialog")
        self.setWindowTitle(self.tr("Email sending"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "careapp sends greetings and follow-ups through the shop's own mailbox, always encrypted. "
                "Type what your mail provider gives for sending (SMTP)."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(self._server_form())
        content_layout.addLayout(self._test_row())
        content_layout.addStretch(1)
        self.content_scroll = FittingScrollArea(content)
        layout.addWidget(self.content_scroll, 1)
        self.error = ErrorLabel(self.tr("Problem"))
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        follow_layout(self)
        self.resize(640, self.sizeHint().height())
        self._set_busy(True)
        self._runner.submit(lambda: load_settings(services), self._loaded, self._failed, owner=self)

    # --- building ------------------------------------------------------------------------

    def _server_form(self) -> GridForm:
        form = GridForm()
        self.preset = QComboBox()
        self.preset.setAccessibleName(self.tr("Mail provider"))
        self.preset.addItem(self.tr("Choose to fill in the server…"), None)
        for index, preset in enumerate(PRESETS):
            self.preset.addItem(preset.name, index)
        self.preset.activated.connect(lambda _row: self.apply_preset())
        form.add_row(self.tr("P&rovider:"), self.preset)
        self.preset_note = hint("")
        self.preset_note.setAccessibleName(self.tr("About this provider"))
        self.preset_note.setVisible(False)
        form.add_sentence(self.preset_note)
        self.host = QLineEdit()
        self.host.setAccessibleName(self.tr("Server"))
        self.host.setPlaceholderText("smtp.example.com")
        form.add_row(self.tr("Ser&ver:"), self.host)
        self.port = QSpinBox()
        self.port.setAccessibleName(self.tr("Port"))
        self.port.setRange(1, 65535)
        self.port.setValue(587)
        self.security = QComboBox()
        self.security.setAccessibleName(self.tr("Security"))
        for value, text in SECURITY_CHOICES:
            self.security.addItem(self.tr(text), value)
        self.security.activated.connect(lambda _row: self._port_follows_security())
        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(QLabel(self.tr("Security:")))
        port_row.addWidget(self.security, 1)
        form.add_row(self.tr("&Port:"), port_row, self.port)
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("User name"))
        self.username.setPlaceholderText(self.tr("usually the mailbox's address"))
        form.add_row(self.tr("&User name:"), self.username)
        self.password = QLineEdit()
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.add_row(self.tr("Pass&word:"), self.password)
        self.password_note = hint(
            self.tr("Kept in the system keyring only, never in careapp's files or database.")
        )
        self.password_note.setAccessibleName(self.tr("Where the password is kept"))
        form.add_sentence(self.password_note)
        self.keyring_problem = ErrorLabel(self.tr("Keyring problem"))
        form.add_sentence(self.keyring_problem)
        self.from_address = QLineEdit()
        self.from_address.setAccessibleName(self.tr("From address"))
        self.from_address.setPlaceholderText("hello@yourshop.example")
        form.add_row(self.tr("&From address:"), self.from_address)
        self.from_name = QLineEdit()
        self.from_name.setAccessibleName(self.tr("From name"))
        self.from_name.setPlaceholderText(self.tr("the shop's name, as customers know it"))
        form.add_row(self.tr("From &name:"), self.from_name)
        self.username.textEdited.connect(self._address_follows_user)
        return form

    def _test_row(self) -> QVBoxLayout:
        box = QVBoxLayout()
        row = QHBoxLayout()
        self.test_to = QLineEdit()
        self.test_to.setAccessibleName(self.tr("Send the test to"))
        self.test_to.setPlaceholderText(self.tr("your own address"))
        self.test_button = QPushButton(self.tr("Send test &message"))
        self.test_button.setAutoDefault(False)
        self.test_button.setToolTip(
            self.tr("Saves what is typed and sends a short message through the server")
        )
        self.test_button.clicked.connect(self.send_test)
        caption = QLabel(self.tr("Test &to:"))
        caption.setBuddy(self.test_to)
        row.addWidget(caption)
        row.addWidget(self.test_to, 1)
        row.addWidget(self.test_button)
        box.addLayout(row)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName(self.tr("The server's answer"))
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.setVisible(False)
        box.addWidget(self.test_result)
        self.test_error = ErrorLabel(self.tr("Why the test was not sent"))
        self.test_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.test_error)
        return box

    # --- filling and reading -------------------------------------------------------------

    def _loaded(self, loaded: MailLoaded) -> None:
        self._set_busy(False)
        settings = loaded.settings
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.security.setCurrentIndex(max(self.security.findData(settings.security), 0))
        self.username.setText(settings.username)
        self.from_address.setText(settings.from_address)
        self.from_name.setText(settings.from_name)
        self.test_to.setText(settings.from_address)
        self._has_password = loaded.has_password
        self._show_password_state()
        self.keyring_problem.show_error(loaded.keyring_problem)
        if not settings.configured:
            self.preset.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_password_state(self) -> None:
        self.password.setPlaceholderText(
            self.tr("kept in the keyring; type to change it") if self._has_password else ""
        )

    def apply_preset(self) -> None:
        index = self.preset.currentData()
        if index is None:
            self.preset_note.setVisible(False)
            return
        preset: Preset = PRESETS[index]
        if preset.host:
            self.host.setText(preset.host)
        self.port.setValue(preset.port)
        self.security.setCurrentIndex(max(self.security.findData(preset.security), 0))
        self.preset_note.setText(preset.note)
        self.preset_note.setVisible(True)
        QTimer.singleShot(0, self, self._grow_to_content)
        (self.username if preset.host else self.host).setFocus(Qt.FocusReason.OtherFocusReason)

    def _grow_to_content(self) -> None:
        """A sentence appeared: grow to show it rather than scroll, as far as the screen allows."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        wanted = self.sizeHint().height()
        if screen is not None:
            wanted = min(wanted, screen.height() - (self.frameGeometry().height() - self.height()))
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _port_follows_security(self) -> None:
        """The usual port for the security chosen, unless an unusual port was typed."""
        usual = {"starttls": 587, "tls": 465}
        if self.port.value() in usual.values():
            self.port.setValue(usual[str(self.security.currentData())])

    def _address_follows_user(self, text: str) -> None:
        """Most providers' user name is the mailbox's address: fill the From address while it is empty
        or was filled this way."""
        if "@" in text and self.from_address.text() in ("", self._last_user()):
            self.from_address.setText(text)
            if not self.test_to.text() or self.test_to.text() == self._last_user():
                self.test_to.setText(text)
        self._typed_user = text

    def _last_user(self) -> str:
        return getattr(self, "_typed_user", "")

    def current_settings(self) -> MailSettings:
        return MailSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            security="tls" if self.security.currentData() == "tls" else "starttls",
            username=self.username.text().strip(),
            from_address=self.from_address.text().strip(),
            from_name=self.from_name.text().strip(),
        )

    # --- saving and testing --------------------------------------------------------------

    def save(self) -> None:
        settings, password = self.current_settings(), self.password.text()
        services = self._services
        self._set_busy(True)
        self.error.show_error(None)
        self._runner.submit(
            lambda: save_settings(services, settings, password), self._saved, self._failed, owner=self
        )

    def _saved(self, saved: MailSaved) -> None:
        self._set_busy(False)
        self.saved.emit(saved)
        if saved.keyring_problem:
            # The server is saved; the password is not. Say so and stay open: nothing typed is lost.
            self.keyring_problem.show_error(saved.keyring_problem)
            QTimer.singleShot(0, self, self._grow_to_content)
            return
        self.accept()

    def send_test(self) -> None:
        settings, password, to = self.current_settings(), self.password.text(), self.test_to.text().strip()
        if "@" not in to:
            self._show_test(self.tr("Type the address the test should go to (your own is best)."), False)
            self.test_to.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        services = self._services
        self._set_busy(True)
        self.error.show_error(None)
        self._show_test(self.tr("Sending a test message through {host}…").format(host=settings.host), True)
        # Saved on the window's runner, in order with every other save; then sent in the background.
        self._runner.submit(
            lambda: save_for_test(services, settings, password),
            lambda saved: self._send_test_message(saved, settings, to),
            self._test_failed,
            owner=self,
        )

    def _send_test_message(self, saved: MailSaved, settings: MailSettings, to: str) -> None:
        services = self._services
        self._background.submit(
            lambda: send_test_message(services, settings, to),
            lambda answer: self._test_sent(saved, answer),
            self._test_failed,
            owner=self,
        )

    def _test_sent(self, saved: MailSaved, answer: str) -> None:
        self._set_busy(False)
        if self.password.text():
            self._has_password = True
            self.password.clear()
            self._show_password_state()
        self.keyring_problem.show_error(saved.keyring_problem)
        self.saved.emit(saved)
        self._show_test(answer, True)

    def _test_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._show_test(self.tr("Not sent. {reason}").format(reason=sentence(error)), False)

    def _show_test(self, text: str, worked: bool) -> None:
        self.test_result.setText(text if worked else "")
        self.test_result.setVisible(worked)
        self.test_error.show_error(None if worked else text)
        self.tested.emit(text)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_error(sentence(error))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.save_button, self.test_button):
            widget.setEnabled(not busy)
