"""Sending a touch's email: Outbox first (Message-ID kept), then the server, then the touch is done.

The touch is marked done only once the server accepted the message; the customer's timeline then
says "Email sent" with the subject and the Message-ID. Nothing is lost (a failure stays in the
Outbox with the server's reason) and nothing is sent twice (see outbox.py).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

from careapp.domain.customer import Channel
from careapp.services.care.queue import CareQueueService, SentMessage, TouchLogView
from careapp.services.customers.service import CustomerService
from careapp.services.mail import sender
from careapp.services.mail.outbox import Outbox, OutboxMessage
from careapp.services.mail.sender import MailNotSent
from careapp.services.mail.settings import MailSettings, MailSettingsService
from careapp.services.shop.staff import Actor


class MailNotSetUp(Exception):
    def __init__(self) -> None:
        super().__init__(
            "careapp has no mail server yet. Set the shop's mailbox in File › Email sending…, or copy the "
            "message or open it in your mail program instead."
        )


@dataclass(frozen=True)
class EmailSent:
    message_id: str
    log: TouchLogView


class MailService:
    """Sends through the shop's mailbox. ``context`` is the TLS context (tests trust their own CA)."""

    def __init__(
        self,
        settings: MailSettingsService,
        outbox: Outbox,
        care_queue: CareQueueService,
        customers: CustomerService,
        context: Callable[[], ssl.SSLContext] = ssl.create_default_context,
        timeout: float = 30.0,
    ) -> None:
        self._settings, self.outbox = settings, outbox
        self._care_queue, self._customers = care_queue, customers
        self._context, self._timeout = context, timeout

    @property
    def server_settings(self) -> MailSettingsService:
        """The server settings and the keyring's password (the settings dialog reads and saves them)."""
        return self._settings

    def _server(self) -> tuple[MailSettings, str | None]:
        settings = self._settings.settings()
        if not settings.configured:
            raise MailNotSetUp()
        return settings, self._settings.password(settings) if settings.username else None

    def send_test(self, to: str) -> str:
        """Send a short test message to ``to``; returns its Message-ID."""
        settings, password = self._server()
        message_id = sender.new_message_id(settings)
        body = "This is a test message from careapp. If you can read it, the shop's email works."
        message = sender.build_message(settings, to, "careapp test message", body, message_id)
        sender.send(settings, password, message, context=self._context(), timeout=self._timeout)
        return message_id

    def send_touch(
        self, actor: Actor, touch_id: int, customer_id: int, to: str, subject: str, body: str
    ) -> EmailSent:
        """Send the touch's email and mark the touch done; MailNotSent leaves it in the Outbox."""
        settings, _ = self._server()
        message_id = sender.new_message_id(settings)
        self.outbox.put(OutboxMessage(message_id, touch_id, customer_id, to, subject, body))
        return self._deliver(actor, message_id)

    def retry(self, actor: Actor, message_id: str) -> EmailSent:
        return self._deliver(actor, message_id)

    def _deliver(self, actor: Actor, message_id: str) -> EmailSent:
        queued = self.outbox.get(message_id)
        if queued is None:
            raise MailNotSent("That message is no longer in the Outbox (sent or removed on another seat).")
        if queued.state != "accepted":
            self._send(queued)
        return self._finish(actor, queued)

    def _send(self, queued: OutboxMessage) -> None:
        settings, password = self._server()
        message = sender.build_message(settings, queued.to, queued.subject, queued.body, queued.message_id)
        try:
            sender.send(settings, password, message, context=self._context(), timeout=self._timeout)
        except MailNotSent as error:
            self.outbox.mark(queued.message_id, "failed", error.reason)
            raise
        self.outbox.mark(queued.message_id, "accepted")

    def _finish(self, actor: Actor, sent: OutboxMessage) -> EmailSent:
        log = self._care_queue.done(actor, sent.touch_id, Channel.EMAIL, SentMessage(sent.body, sent.subject))
        self._customers.add_note(
            sent.customer_id, f"Email sent: {sent.subject} (Message-ID {sent.message_id})", actor.name
        )
        self.outbox.remove(sent.message_id)
        return EmailSent(sent.message_id, log)
