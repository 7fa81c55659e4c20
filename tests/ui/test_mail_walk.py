"""Greetings out, for real, through the window: the mail settings (a preset, the password to the keyring,
Send test message), Ctrl+Enter in the message dialog delivering to a real SMTP server on loopback
(aiosmtpd, AUTH over STARTTLS on a self-signed certificate), a refused address kept in the Outbox and
sent by Retry once corrected, and the message bar's way to the Outbox."""

from __future__ import annotations

import ssl
from email import message_from_bytes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, PartialDate
from careapp.domain.touches import TouchKind
from careapp.services.mail.outbox import Outbox
from careapp.services.mail.service import MailService
from careapp.services.mail.settings import (
    KEYRING_SERVICE,
    MAIL_PURPOSE,
    PRESETS,
    MailSettings,
    MailSettingsService,
)
from careapp.services.shop.secrets import SecretStore
from careapp.services.shop.staff import Actor
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.mail.outbox_window import OutboxModel, OutboxWindow
from careapp.ui.mail.public import MailController
from careapp.ui.mail.settings_dialog import MailSettingsDialog
from careapp.ui.runner import SyncRunner
from careapp.ui.widgets import MessageBar
from tests.services import test_mail_smtp as smtp_kit
from tests.services.test_mail_smtp import Handler, MemoryKeyring

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.care.message_dialog import MessageDialog

# The real SMTP server and its certificate, as the service tests run them.
certificate = smtp_kit.certificate
smtp = smtp_kit.smtp
USER, PASSWORD, REFUSED = smtp_kit.USER, smtp_kit.PASSWORD, smtp_kit.REFUSED


class NoKeyring:
    """A computer without a Secret Service: every call fails as keyring's fail backend does."""

    def _fail(self, *_args: Any) -> Any:
        from keyring.errors import NoKeyringError

        raise NoKeyringError("No recommended backend was available.")

    get_password = set_password = delete_password = _fail


def mail_for(services: Services, keyring: object, cafile: Path) -> MailService:
    """The services' mail, with the test's keyring and trust in the test server's certificate."""
    store = SecretStore(backend=keyring, service=KEYRING_SERVICE, purpose=MAIL_PURPOSE)  # as the app's
    settings = MailSettingsService(services.db, store)
    services.mail_service = MailService(
        settings,
        Outbox(services.db),
        services.care_queue,
        services.customers,
        context=lambda: ssl.create_default_context(cafile=str(cafile)),
        timeout=10,
    )
    return services.mail_service


def birthday_customer(services: Services, email: str) -> int:
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    customer = services.customers.create(
        CustomerDraft(
            first_name="Ann",
            last_name="Evans",
            emails=[EmailAddress(email)],
            birthday=PartialDate(11, 23, 1986),
        ),
        "test",
    ).id
    services.customers.record_consent(customer, ConsentEvent(Channel.EMAIL, True, services.clock()))
    services.touches.refresh(services.clock().date())
    return customer


def body_of(data: bytes) -> str:
    """The text of a plain message as the server received it (SMTP lines end in CRLF)."""
    payload = message_from_bytes(data).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n").strip()


def touch_status(services: Services, touch_id: int) -> str:
    from careapp.db.models import TouchRecord

    with services.db.session() as session:
        record = session.get(TouchRecord, touch_id)
        assert record is not None
        return record.status


def set_up_mail_through_the_dialog(qtbot: QtBot, services: Services, port: int) -> MailSettingsDialog:
    dialog = MailSettingsDialog(services, SyncRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    gmail = dialog.preset.findText(PRESETS[0].name)
    dialog.preset.setCurrentIndex(gmail)
    dialog.apply_preset()
    assert (dialog.host.text(), dialog.port.value()) == ("smtp.gmail.com", 587)
    assert "app password" in dialog.preset_note.text()
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(port)
    qtbot.keyClicks(dialog.username, USER)  # typed: the From address follows the user name
    assert dialog.from_address.text() == USER and dialog.test_to.text() == USER
    dialog.password.setText(PASSWORD)
    dialog.from_name.setText("Bean There")
    return dialog


@pytest.fixture
def served(
    services: Services, smtp: tuple[Controller, Handler], certificate: tuple[Path, Path]
) -> tuple[Services, Controller, Handler, MemoryKeyring]:
    controller, handler = smtp
    keyring = MemoryKeyring()
    mail_for(services, keyring, certificate[0])
    return services, controller, handler, keyring


def open_greeting(qtbot: QtBot, services: Services, customer: int) -> tuple[CareQueuePage, MessageDialog]:
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"), lambda _url: pytest.fail("no program opens"))
    qtbot.addWidget(page)
    page.attach(services)
    page.show()
    page.reload()
    qtbot.waitUntil(lambda: page.queue is not None)
    [entry] = [e for e in page.model.entries() if e.kind is TouchKind.BIRTHDAY and e.customer_id == customer]
    assert page.select_touch(entry.touch_id)
    dialog = page.write_message()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.loaded is not None)
    dialog.activateWindow()  # Ctrl+Enter is the dialog's shortcut: it works in the window in front
    qtbot.waitUntil(dialog.isActiveWindow)
    return page, dialog


def test_settings_dialog_saves_the_password_to_the_keyring_only_and_the_test_message_arrives(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services, controller, handler, keyring = served
    dialog = set_up_mail_through_the_dialog(qtbot, services, controller.port)
    dialog.test_button.click()
    [(sender, recipients, data)] = handler.received
    assert (sender, recipients) == (USER, [USER])
    assert message_from_bytes(data)["Subject"] == "careapp test message"
    assert dialog.test_result.isVisible() and not dialog.test_error.isVisible()
    assert dialog.test_result.text().startswith(
        f"The mail server 127.0.0.1 accepted the test message for {USER}"
    )
    assert dialog.password.text() == "" and "kept in the keyring" in dialog.password.placeholderText()
    assert list(keyring.kept.values()) == [PASSWORD]
    stored = services.mail.server_settings.settings()
    assert stored == MailSettings("127.0.0.1", controller.port, "starttls", USER, USER, "Bean There")
    with qtbot.waitSignal(dialog.finished):
        dialog.save_button.click()


def test_the_test_message_reports_a_wrong_password_in_words(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services, controller, handler, _keyring = served
    dialog = set_up_mail_through_the_dialog(qtbot, services, controller.port)
    dialog.password.setText("not-the-password")
    dialog.test_button.click()
    assert handler.received == []
    assert dialog.test_error.isVisible() and not dialog.test_result.isVisible()
    assert dialog.test_error.text().startswith(
        "Not sent. The mail server refused the user name or password (535"
    )


def test_without_a_keyring_the_dialog_says_so_and_keeps_the_server(qtbot: QtBot, services: Services) -> None:
    mail_for(services, NoKeyring(), Path("/nonexistent"))
    dialog = MailSettingsDialog(services, SyncRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.host.setText("smtp.fastmail.com")
    dialog.username.setText("me@shop.example")
    dialog.from_address.setText("me@shop.example")
    dialog.password.setText("app-password")
    dialog.save_button.click()
    assert dialog.isVisible()  # stays open: what was typed is still there
    assert dialog.keyring_problem.isVisible()
    assert dialog.keyring_problem.text().startswith("No system keyring is available, so careapp cannot keep")
    assert "mail password" in dialog.keyring_problem.text()
    assert dialog.password.text() == "app-password"
    assert services.mail.server_settings.settings().host == "smtp.fastmail.com"


def test_ctrl_enter_sends_the_greeting_to_the_server_and_the_touch_is_done(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services, controller, handler, _keyring = served
    set_up_mail_through_the_dialog(qtbot, services, controller.port).save_button.click()
    customer = birthday_customer(services, "ann@example.com")
    page, dialog = open_greeting(qtbot, services, customer)
    assert dialog.email_button.isVisible() and dialog.email_button.isDefault()
    subject = dialog.subject.text()
    dialog.body.setPlainText("Hi Ann,\n\nHappy birthday from all of us!")
    touch_id = dialog.entry.touch_id
    assert touch_status(services, touch_id) == "open"
    with qtbot.waitSignal(dialog.sent):
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [(sender, recipients, data)] = handler.received
    message = message_from_bytes(data)
    assert (sender, recipients) == (USER, ["ann@example.com"])
    assert message["To"] == "ann@example.com" and message["Subject"] == subject
    assert body_of(data) == "Hi Ann,\n\nHappy birthday from all of us!"
    assert touch_status(services, touch_id) == "done"
    assert page.status.text().startswith("Email sent: birthday greeting for Ann Evans")
    timeline = services.customers.timeline(customer)
    assert any(f"Email sent: {subject} (Message-ID {message['Message-ID']})" in e.detail for e in timeline)
    assert services.mail.outbox.messages() == []


def test_a_refused_address_waits_in_the_outbox_and_retry_after_correcting_it_sends(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services, controller, handler, _keyring = served
    set_up_mail_through_the_dialog(qtbot, services, controller.port).save_button.click()
    customer = birthday_customer(services, REFUSED)
    page, dialog = open_greeting(qtbot, services, customer)
    touch_id, body = dialog.entry.touch_id, dialog.body.toPlainText()
    with qtbot.waitSignal(page.mailKept) as kept:
        qtbot.keyClick(dialog.body, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    [said] = kept.args
    assert said.startswith(f"Not sent to {REFUSED}: The mail server refused the address {REFUSED}")
    assert "550 5.1.1 No such user here" in said and "kept in the Outbox" in said
    assert handler.received == [] and touch_status(services, touch_id) == "open"
    assert page.model.find(touch_id).isValid()  # still in the queue

    outbox = OutboxWindow(services, SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(outbox)
    outbox.show()
    assert outbox.model.rowCount() == 1
    assert outbox.model.index(0, 0).data() == REFUSED
    assert "550 5.1.1" in outbox.model.index(0, 2).data() and "550 5.1.1" in outbox.reason.text()
    outbox.to.setText("ann@example.com")
    with qtbot.waitSignal(outbox.sent):
        outbox.retry_button.click()
    [(_, recipients, data)] = handler.received
    assert recipients == ["ann@example.com"]
    assert body_of(data) == body.strip()
    assert touch_status(services, touch_id) == "done"
    assert outbox.model.rowCount() == 0 and outbox.empty.isVisible()


def test_a_retry_the_server_still_refuses_says_why_and_discard_leaves_the_touch(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services, controller, handler, _keyring = served
    set_up_mail_through_the_dialog(qtbot, services, controller.port).save_button.click()
    customer = birthday_customer(services, REFUSED)
    _page, dialog = open_greeting(qtbot, services, customer)
    touch_id = dialog.entry.touch_id
    dialog.send_email()
    outbox = OutboxWindow(services, SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(outbox)
    outbox.show()
    outbox.retry_button.click()
    assert outbox.error.isVisible() and outbox.error.text().startswith(
        "Still not sent. The mail server refused"
    )
    assert outbox.model.rowCount() == 1
    outbox.discard_button.click()
    assert outbox.model.rowCount() == 0 and services.mail.outbox.messages() == []
    assert touch_status(services, touch_id) == "open" and handler.received == []


def test_without_mail_set_up_ctrl_enter_says_how_and_the_other_ways_remain(
    qtbot: QtBot, services: Services
) -> None:
    mail_for(services, MemoryKeyring(), Path("/nonexistent"))
    customer = birthday_customer(services, "ann@example.com")
    _page, dialog = open_greeting(qtbot, services, customer)
    assert not dialog.email_button.isVisible() and dialog.send_button.isDefault()
    qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().startswith(
        "careapp has no mail server yet: set the shop's mailbox in File › Email"
    )
    assert touch_status(services, dialog.entry.touch_id) == "open"


def test_the_message_bar_opens_the_outbox_after_a_failure(
    qtbot: QtBot, served: tuple[Services, Controller, Handler, MemoryKeyring]
) -> None:
    services = served[0]
    window = QWidget()
    qtbot.addWidget(window)
    bar = MessageBar(window)
    mail = MailController(window, SyncRunner(), bar, lambda: Actor("Sam"))
    assert not mail.outbox_action.isEnabled()
    mail.attach(services)
    mail.show_not_sent("Not sent to x: refused. The message is kept in the Outbox.")
    assert bar.isVisibleTo(window) and bar.action.text() == "Open Outbox"
    bar.action.click()
    assert mail.outbox_window is not None and mail.outbox_window.isVisible()
    mail.settings_action.trigger()
    assert isinstance(mail.settings_dialog, MailSettingsDialog)


def test_outbox_model(qtmodeltester: Any) -> None:
    from careapp.services.mail.outbox import OutboxMessage

    model = OutboxModel()
    model.set_messages(
        [
            OutboxMessage("<a@x>", 1, 2, "ann@example.com", "Hi", "Body", "failed", "550 No such user"),
            OutboxMessage("<b@x>", 3, 4, "bob@example.com", "Hello", "Body", "accepted"),
        ]
    )
    qtmodeltester.check(model)
