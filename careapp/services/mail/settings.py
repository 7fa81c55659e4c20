"""The shop's outgoing mail server: where, how (STARTTLS or TLS), who. The password is not here:
it lives in the system keyring only (SecretStore with the mail service name)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from careapp.db.database import Database
from careapp.services.shop.secrets import SecretStore
from careapp.services.shop.settings import lock_setting, read_setting, write_setting

Security = Literal["starttls", "tls"]
MAIL_KEY = "mail_server"
KEYRING_SERVICE = "careapp mail"
MAIL_PURPOSE = ("mail password", "until then copy the message or open it in your mail program")


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    from_address: str = ""
    from_name: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host.strip() and self.from_address.strip())

    @property
    def keyring_url(self) -> str:
        return f"smtp://{self.host.strip().lower()}:{self.port}"


@dataclass(frozen=True)
class Preset:
    name: str
    host: str
    port: int
    security: Security
    note: str


# Examples for the settings form; a preset fills host, port and security, never the password.
PRESETS = (
    Preset(
        "Gmail (app password)",
        "smtp.gmail.com",
        587,
        "starttls",
        "Turn on 2-step verification, then create an app password (Google Account › Security › App "
        "passwords) and type that, not your Google password. The user name is your Gmail address.",
    ),
    Preset(
        "Outlook.com / Hotmail",
        "smtp-mail.outlook.com",
        587,
        "starttls",
        "The user name is your Outlook.com address. With two-step verification, use an app password.",
    ),
    Preset(
        "Fastmail",
        "smtp.fastmail.com",
        465,
        "tls",
        "Create an app password in Fastmail (Settings › Privacy & Security › App passwords) for SMTP.",
    ),
    Preset(
        "Another mail server",
        "",
        587,
        "starttls",
        "Your provider's SMTP server: port 587 with STARTTLS, or 465 with TLS from the start.",
    ),
)


class MailSettingsService:
    """Reads and saves the server settings (the database) and the password (the keyring)."""

    def __init__(self, db: Database, secrets: SecretStore | None = None) -> None:
        self._db = db
        self._secrets = secrets or SecretStore(service=KEYRING_SERVICE, purpose=MAIL_PURPOSE)

    def settings(self) -> MailSettings:
        with self._db.session() as session:
            stored: dict[str, Any] | None = read_setting(session, MAIL_KEY)
        return MailSettings(**stored) if stored else MailSettings()

    def save(self, settings: MailSettings, password: str | None = None) -> None:
        """Save the server settings; ``password`` (when given) goes to the keyring, nowhere else."""
        check_settings(settings)
        if password:
            self._secrets.set(settings.keyring_url, settings.username, password)
        with self._db.session() as session:
            lock_setting(session, MAIL_KEY)
            write_setting(session, MAIL_KEY, asdict(settings))

    def password(self, settings: MailSettings) -> str | None:
        return self._secrets.get(settings.keyring_url, settings.username)


class InvalidMailSettings(ValueError):
    """A sentence that says which field is wrong."""


def check_settings(settings: MailSettings) -> None:
    if not settings.host.strip():
        raise InvalidMailSettings("Type the mail server's name, like smtp.gmail.com.")
    if not 1 <= settings.port <= 65535:
        raise InvalidMailSettings("The port is a number from 1 to 65535 (587 for STARTTLS, 465 for TLS).")
    if settings.security not in ("starttls", "tls"):
        raise InvalidMailSettings("Choose STARTTLS or TLS: careapp never sends mail unencrypted.")
    if "@" not in settings.from_address:
        raise InvalidMailSettings("Type the shop's email address that messages come from.")
