"""What a CalDAV address looks like, said to the person typing one.

Checked before anything is sent (saving, finding the calendar, testing, syncing), so that
``sam@gmail.com`` gets a sentence about addresses rather than "Could not reach … (MissingSchema)".
The examples were taken from each provider's own set-up pages; a bare server address
(``https://cloud.example.com``) is looked up through ``/.well-known/caldav`` (RFC 6764, section 5),
which Nextcloud, Fastmail, iCloud, mailbox.org and Radicale all answer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Nextcloud", "https://cloud.example.com/remote.php/dav"),
    ("Fastmail", "https://caldav.fastmail.com/"),
    ("iCloud", "https://caldav.icloud.com/ (with an app-specific password)"),
    ("mailbox.org", "https://dav.mailbox.org/"),
    ("Radicale", "https://radicale.example.com:5232/"),
)

GOOGLE_AND_OUTLOOK = (
    "Google Calendar and Outlook.com do not let careapp write to them with a password. Either sync to a "
    "CalDAV calendar (Nextcloud, Fastmail, mailbox.org…) and subscribe to its public ICS link from "
    "Google or Outlook, or use File → Export calendar… and import the .ics file there."
)

_GOOGLE_OR_MICROSOFT = ("gmail.com", "googlemail.com", "google.com", "outlook.com", "hotmail.com", "live.com")


def examples_text() -> str:
    return "; ".join(f"{name}: {address}" for name, address in EXAMPLES)


def address_problem(address: str) -> str | None:
    """A sentence saying what is wrong with ``address`` as a CalDAV address; None when it will do."""
    text = address.strip()
    if not text:
        return None
    parts = urlsplit(text)
    host = (parts.hostname or "") if parts.scheme else ""
    if "://" not in text and "@" in text:
        domain = text.rsplit("@", 1)[1].lower()
        sentence = (
            f"{text} is an email address. A CalDAV address is a web address, for example "
            f"{EXAMPLES[0][1]} or {EXAMPLES[1][1]}; your calendar provider's help pages give yours. "
            "Put the email address in the user name box if that is how you log in."
        )
        return sentence + (" " + GOOGLE_AND_OUTLOOK if _is_google_or_microsoft(domain) else "")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return (
            f"{text} is not a CalDAV address: it starts with https:// and names the server, for example "
            f"{EXAMPLES[0][1]} (Nextcloud) or {EXAMPLES[1][1]} (Fastmail)."
        )
    if _is_google_or_microsoft(host):
        return GOOGLE_AND_OUTLOOK
    return None


def _is_google_or_microsoft(host: str) -> bool:
    host = host.lower()
    return any(host == name or host.endswith("." + name) for name in _GOOGLE_OR_MICROSOFT)


def discovery_address(address: str) -> str:
    """Where to start looking for calendars: a bare server address becomes its ``/.well-known/caldav``
    (RFC 6764), which the server redirects to its CalDAV home; any other address is used as typed."""
    parts = urlsplit(address.strip())
    if parts.path in ("", "/") and not parts.query:
        return f"{parts.scheme}://{parts.netloc}/.well-known/caldav"
    return address.strip()
