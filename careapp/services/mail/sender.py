"""One message to the shop's SMTP server, always encrypted (STARTTLS or TLS from the start).

Every failure becomes :class:`MailNotSent` with the server's reason in words; ``accepted`` tells a
failure before the server took the message from one after (which cannot happen here: a message is
either accepted by the final reply to DATA or not at all).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from careapp.services.mail.settings import MailSettings


class MailNotSent(Exception):
    """The server did not accept the message; ``str()`` says why, ``reason`` is kept in the Outbox."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_message_id(settings: MailSettings) -> str:
    domain = settings.from_address.rpartition("@")[2] or "careapp.invalid"
    return make_msgid(domain=domain)


def build_message(settings: MailSettings, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.from_name, settings.from_address))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def send(
    settings: MailSettings,
    password: str | None,
    message: EmailMessage,
    *,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> None:
    """Hand ``message`` to the server; returns only when the server accepted it for every recipient."""
    context = context or ssl.create_default_context()
    try:
        with _connect(settings, context, timeout) as smtp:
            if settings.username:
                smtp.login(settings.username, password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise MailNotSent(
            f"The mail server refused the user name or password ({_said(error)}). Check them in "
            "File › Email sending…; for Gmail and Outlook.com use an app password."
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        said = "; ".join(_said(reply) for reply in error.recipients.values())
        raise MailNotSent(f"The mail server refused the address {message['To']} ({said}).") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailNotSent(
            f"The mail server refused the sender {settings.from_address} ({_said(error)})."
        ) from None
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"The mail server did not take the message ({_said(error)}).") from None
    except smtplib.SMTPServerDisconnected:
        raise MailNotSent(
            "The connection to the mail server was lost before it took the message; it was not sent. "
            "Try again in a moment."
        ) from None
    except ssl.SSLError as error:
        raise MailNotSent(
            f"The secure connection to {settings.host} failed ({error.reason or 'TLS error'}). Check the "
            "port and whether the server wants STARTTLS (587) or TLS (465)."
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(_connection_problem(settings, error)) from None
    if refused:
        raise MailNotSent(f"The mail server refused {', '.join(refused)}.")


def _connect(settings: MailSettings, context: ssl.SSLContext, timeout: float) -> smtplib.SMTP:
    if settings.security == "tls":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    try:
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise MailNotSent(
                f"{settings.host} does not offer STARTTLS on port {settings.port}, and careapp never sends "
                "mail unencrypted. Try port 465 with TLS."
            )
        smtp.starttls(context=context)
        smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _said(error: smtplib.SMTPResponseException | tuple[int, bytes]) -> str:
    code, text = (
        (error.smtp_code, error.smtp_error) if isinstance(error, smtplib.SMTPResponseException) else error
    )
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()


def _connection_problem(settings: MailSettings, error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return f"The mail server {settings.host} did not answer in time; it was not sent. Try again later."
    if isinstance(error, socket.gaierror):
        return f"There is no mail server called {settings.host}; check its name in File › Email sending…"
    if isinstance(error, ConnectionRefusedError):
        return f"{settings.host} refused the connection on port {settings.port}; check the port."
    return (
        f"careapp could not reach the mail server {settings.host} ({type(error).__name__}); it was not sent."
    )
