"""The window's mail actions: File → Email sending… and File → Outbox….

Wiring (main window): build it with the window's runner and its background runner (sending runs
there), put ``settings_action`` and ``outbox_action`` in a menu, call ``attach`` with the services, and
``show_not_sent(text)`` when a message was kept in the Outbox (the message bar then offers to open it).
``changed`` fires after a retry or discard in the Outbox (the care queue reloads).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.ui.mail.jobs import MailSaved
    from careapp.ui.mail.outbox_window import OutboxWindow
    from careapp.ui.mail.settings_dialog import MailSettingsDialog

# The dialogs import the mail services (smtplib, ssl, email): only when first opened.


class MailController(QObject):
    """Opens the mail settings and the Outbox (one of each at a time)."""

    changed = Signal()

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        message_bar: MessageBar,
        actor: Callable[[], Actor],
        background: Runner | None = None,
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._bar, self._actor = window, runner, message_bar, actor
        self._background = background or runner  # where sending runs (a test message, a retry)
        self._services: Services | None = None
        self.settings_dialog: MailSettingsDialog | None = None
        self.outbox_window: OutboxWindow | None = None
        self.settings_action = QAction(self.tr("&Email sending…"), window)
        self.settings_action.setToolTip(self.tr("The shop's mailbox that careapp sends greetings through"))
        self.settings_action.triggered.connect(self.open_settings)
        self.outbox_action = QAction(self.tr("&Outbox…"), window)
        self.outbox_action.setToolTip(self.tr("Emails that could not be sent, with the server's reason"))
        self.outbox_action.triggered.connect(lambda: self.open_outbox())
        for action in (self.settings_action, self.outbox_action):
            action.setEnabled(False)

    def attach(self, services: Services) -> None:
        self._services = services
        for action in (self.settings_action, self.outbox_action):
            action.setEnabled(True)

    def open_settings(self) -> MailSettingsDialog | None:
        if self._services is None:
            return None
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        from careapp.ui.mail.settings_dialog import MailSettingsDialog

        dialog = MailSettingsDialog(self._services, self._runner, self._window, self._background)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _code: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, saved: MailSaved) -> None:
        if saved.keyring_problem:
            text = self.tr("The mail server is saved, but not its password: the keyring cannot keep it.")
            self._bar.show_message(text, error=True)
        else:
            self._bar.show_message(self.tr("Email sending saved."))

    def open_outbox(self, message_id: str | None = None) -> OutboxWindow | None:
        if self._services is None:
            return None
        from careapp.ui.mail.outbox_window import OutboxWindow

        if self.outbox_window is None:
            window = OutboxWindow(self._services, self._runner, self._actor, self._window, self._background)
            window.changed.connect(self.changed)
            window.finished.connect(lambda _code: setattr(self, "outbox_window", None))
            self.outbox_window = window
        else:
            self.outbox_window.reload()
        if message_id is not None:
            self.outbox_window.select(message_id)
        self.outbox_window.show()
        self.outbox_window.raise_()
        self.outbox_window.activateWindow()
        return self.outbox_window

    def show_not_sent(self, text: str) -> None:
        """A message was kept in the Outbox: say so, with the way to it."""
        self._bar.show_message(text, self.tr("Open Outbox"), self._open_outbox_from_bar, error=True)

    def _open_outbox_from_bar(self) -> None:
        self.open_outbox()
