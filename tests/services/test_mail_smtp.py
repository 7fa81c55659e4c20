"""Email through a real SMTP server on loopback (aiosmtpd) with AUTH over STARTTLS on a self-signed
certificate: sent (the touch done, the timeline says so), refused recipient, wrong password, server
gone mid-send (kept in the Outbox, retried once, never twice), and the password in no file careapp writes."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from careapp.config import DATABASE_FILE
from careapp.context import Services
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, PartialDate
from careapp.domain.touches import TouchKind
from careapp.services.mail.outbox import Outbox
from careapp.services.mail.sender import MailNotSent
from careapp.services.mail.service import MailService
from careapp.services.mail.settings import MailSettings, MailSettingsService
from careapp.services.shop.secrets import SecretStore
from careapp.services.shop.staff import Actor

USER, PASSWORD = "shop@beanthere.example", "Zq7-unique-app-password-91x"
REFUSED = "nobody@example.com"


class MemoryKeyring:
    """Stands in for the system keyring: the one place the password may be."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.kept.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.kept[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.kept.pop((service, user), None)


@dataclass
class Handler:
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    drop_next: bool = False  # the server goes away in the middle of the next DATA

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_next:
            self.drop_next = False
            server.transport.close()
            return "421 gone"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Controller, Handler]]:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = Handler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, handler
    controller.stop()


@dataclass
class Mailroom:
    services: Services
    mail: MailService
    settings: MailSettingsService
    keyring: MemoryKeyring
    handler: Handler
    controller: Controller
    actor: Actor = field(default_factory=lambda: Actor("Sam"))

    def birthday_touch(self) -> tuple[int, int]:
        customer = self.services.customers.create(
            CustomerDraft(
                first_name="Ann",
                last_name="Evans",
                emails=[EmailAddress("ann@example.com")],
                birthday=PartialDate(11, 23, 1986),
            ),
            "test",
        ).id
        self.services.customers.record_consent(
            customer, ConsentEvent(Channel.EMAIL, True, self.services.clock())
        )
        self.services.touches.refresh(self.services.clock().date())
        queue = self.services.care_queue.queue(self.services.clock().date())
        [entry] = [e for e in queue.entries() if e.kind is TouchKind.BIRTHDAY and e.customer_id == customer]
        return entry.touch_id, customer

    def touch_status(self, touch_id: int) -> str:
        from careapp.db.models import TouchRecord

        with self.services.db.session() as session:
            record = session.get(TouchRecord, touch_id)
            assert record is not None
            return record.status


@pytest.fixture
def mailroom(
    services: Services, smtp: tuple[Controller, Handler], certificate: tuple[Path, Path]
) -> Mailroom:
    controller, handler = smtp
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    keyring = MemoryKeyring()
    settings = MailSettingsService(services.db, SecretStore(backend=keyring, service="careapp mail"))
    settings.save(
        MailSettings("127.0.0.1", controller.port, "starttls", USER, USER, "Bean There"), password=PASSWORD
    )
    cafile = str(certificate[0])
    mail = MailService(
        settings,
        Outbox(services.db),
        services.care_queue,
        services.customers,
        context=lambda: ssl.create_default_context(cafile=cafile),
        timeout=10,
    )
    return Mailroom(services, mail, settings, keyring, handler, controller)


def test_a_greeting_is_sent_and_only_then_the_touch_is_done(mailroom: Mailroom) -> None:
    touch_id, customer = mailroom.birthday_touch()
    assert mailroom.touch_status(touch_id) == "open"
    sent = mailroom.mail.send_touch(
        mailroom.actor,
        touch_id,
        customer,
        "ann@example.com",
        "Happy birthday, Ann",
        "Hi Ann,\n\nHappy birthday!",
    )
    [(sender, recipients, data)] = mailroom.handler.received
    message = message_from_bytes(data)
    assert (sender, recipients) == (USER, ["ann@example.com"])
    assert message["Subject"] == "Happy birthday, Ann" and message["Message-ID"] == sent.message_id
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert body.strip() == "Hi Ann,\n\nHappy birthday!"
    assert mailroom.touch_status(touch_id) == "done"
    timeline = mailroom.services.customers.timeline(customer)
    assert any(
        "Email sent: Happy birthday, Ann" in entry.detail and sent.message_id in entry.detail
        for entry in timeline
    )
    assert mailroom.mail.outbox.messages() == []


def test_a_refused_recipient_keeps_the_draft_in_the_outbox_with_the_reason(mailroom: Mailroom) -> None:
    touch_id, customer = mailroom.birthday_touch()
    with pytest.raises(MailNotSent, match=r"nobody@example\.com .*550 5\.1\.1 No such user"):
        mailroom.mail.send_touch(mailroom.actor, touch_id, customer, REFUSED, "Happy birthday", "Hi!")
    [kept] = mailroom.mail.outbox.messages()
    assert (kept.state, kept.to, kept.body) == ("failed", REFUSED, "Hi!")
    assert "550 5.1.1" in kept.reason
    assert mailroom.touch_status(touch_id) == "open"
    assert mailroom.handler.received == []


def test_a_wrong_password_says_so_and_sends_nothing(mailroom: Mailroom) -> None:
    touch_id, customer = mailroom.birthday_touch()
    settings = mailroom.settings.settings()
    mailroom.settings.save(settings, password="not-the-password")
    with pytest.raises(MailNotSent, match="refused the user name or password"):
        mailroom.mail.send_touch(mailroom.actor, touch_id, customer, "ann@example.com", "Hi", "Hi Ann")
    assert mailroom.touch_status(touch_id) == "open"
    assert [m.state for m in mailroom.mail.outbox.messages()] == ["failed"]


def test_server_gone_mid_send_then_retry_sends_it_once_with_the_same_message_id(mailroom: Mailroom) -> None:
    touch_id, customer = mailroom.birthday_touch()
    mailroom.handler.drop_next = True
    with pytest.raises(MailNotSent, match="connection to the mail server was lost"):
        mailroom.mail.send_touch(mailroom.actor, touch_id, customer, "ann@example.com", "Hello", "Hi Ann")
    [kept] = mailroom.mail.outbox.messages()
    assert kept.state == "failed" and mailroom.touch_status(touch_id) == "open"
    sent = mailroom.mail.retry(mailroom.actor, kept.message_id)
    assert sent.message_id == kept.message_id
    assert len(mailroom.handler.received) == 1
    assert message_from_bytes(mailroom.handler.received[0][2])["Message-ID"] == kept.message_id
    assert mailroom.touch_status(touch_id) == "done"


def test_a_message_the_server_accepted_is_never_sent_again(
    mailroom: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch_id, customer = mailroom.birthday_touch()
    care_queue = mailroom.services.care_queue
    real_done = care_queue.done

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("careapp stopped here")

    monkeypatch.setattr(care_queue, "done", crash)
    with pytest.raises(RuntimeError):
        mailroom.mail.send_touch(mailroom.actor, touch_id, customer, "ann@example.com", "Hello", "Hi Ann")
    [kept] = mailroom.mail.outbox.messages()
    assert kept.state == "accepted"
    monkeypatch.setattr(care_queue, "done", real_done)
    mailroom.mail.retry(mailroom.actor, kept.message_id)
    assert len(mailroom.handler.received) == 1  # finished, not sent twice
    assert mailroom.touch_status(touch_id) == "done"


def test_the_test_message_button_sends_one(mailroom: Mailroom) -> None:
    message_id = mailroom.mail.send_test("owner@beanthere.example")
    [(_, recipients, data)] = mailroom.handler.received
    assert recipients == ["owner@beanthere.example"]
    assert message_from_bytes(data)["Message-ID"] == message_id


def test_the_password_is_in_no_file_careapp_writes(mailroom: Mailroom, paths: Any) -> None:
    touch_id, customer = mailroom.birthday_touch()
    mailroom.mail.send_touch(mailroom.actor, touch_id, customer, "ann@example.com", "Hi", "Hi Ann")
    assert mailroom.keyring.kept  # it is in the keyring...
    folders = [paths.data_dir, paths.backup_dir, paths.log_dir]
    files = [f for folder in folders if Path(folder).exists() for f in Path(folder).rglob("*") if f.is_file()]
    if paths.database_url.startswith("sqlite"):
        assert any(f.name == DATABASE_FILE for f in files), files  # the database itself was read
    from sqlalchemy import select

    from careapp.db.models import SettingRecord

    with mailroom.services.db.session() as session:  # on PostgreSQL the database is not a local file
        stored = list(session.scalars(select(SettingRecord.value_json)))
    assert any("smtp" in value or "127.0.0.1" in value for value in stored)
    assert all(PASSWORD not in value for value in stored)
    needle = PASSWORD.encode()
    for file in files:  # ...and in no database, settings, log or backup file
        assert needle not in file.read_bytes(), file
