"""The mail screens' calls, for the database thread: plain data in, plain data (or a sentence) out.

The password goes to the system keyring only (MailSettingsService); when there is no keyring the
settings are saved without it and the keyring's sentence comes back to be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from careapp.services.mail.settings import MailSettings
from careapp.services.shop.secrets import SecretUnavailable

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.mail.outbox import OutboxMessage
    from careapp.services.mail.service import EmailSent
    from careapp.services.shop.staff import Actor


@dataclass(frozen=True)
class MailLoaded:
    """What the settings dialog opens with."""

    settings: MailSettings
    has_password: bool
    keyring_problem: str | None  # the keyring's sentence when it cannot be read


@dataclass(frozen=True)
class MailSaved:
    settings: MailSettings
    keyring_problem: str | None = None  # saved, but the password could not be kept


def load_settings(services: Services) -> MailLoaded:
    server = services.mail.server_settings
    settings = server.settings()
    if not settings.configured or not settings.username:
        return MailLoaded(settings, False, None)
    try:
        return MailLoaded(settings, bool(server.password(settings)), None)
    except SecretUnavailable as error:
        return MailLoaded(settings, False, str(error))


def save_settings(services: Services, settings: MailSettings, password: str) -> MailSaved:
    """Save the server; a typed password goes to the keyring. Without a keyring the server is still
    saved (so nothing typed is lost) and the keyring's sentence is returned."""
    server = services.mail.server_settings
    try:
        server.save(settings, password or None)
    except SecretUnavailable as error:
        server.save(settings)
        return MailSaved(settings, str(error))
    return MailSaved(settings)


def save_for_test(services: Services, settings: MailSettings, password: str) -> MailSaved:
    """Save what is typed before a test (database thread); SecretUnavailable when the password the
    server needs could not be kept, since the test could only fail for want of it."""
    saved = save_settings(services, settings, password)
    if saved.keyring_problem and settings.username:
        raise SecretUnavailable(saved.keyring_problem)
    return saved


def send_test_message(services: Services, settings: MailSettings, to: str) -> str:
    """Send a test message to ``to`` through the saved server (background thread: the server may be
    slow); a sentence about the server's answer. MailNotSent carries the server's reason."""
    message_id = services.mail.send_test(to)
    return (
        f"The mail server {settings.host} accepted the test message for {to} (Message-ID {message_id}). "
        "Look for it in that mailbox."
    )


def outbox_messages(services: Services) -> list[OutboxMessage]:
    return services.mail.outbox.messages()


def retry(services: Services, actor: Actor, message_id: str, to: str) -> EmailSent:
    """Send a kept message again, to ``to`` if the address was corrected (same Message-ID: the server
    never took it). One the server already accepted is only finished, never sent again."""
    outbox = services.mail.outbox
    kept = outbox.get(message_id)
    to = to.strip()
    if kept is not None and kept.state == "failed" and to and to != kept.to:
        outbox.put(replace(kept, to=to))
    return services.mail.retry(actor, message_id)


def discard(services: Services, message_id: str) -> None:
    services.mail.outbox.remove(message_id)


def mail_ready(services: Services) -> bool:
    return services.mail.server_settings.settings().configured
