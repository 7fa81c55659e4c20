"""Keeping passwords out of logs and crash reports.

Two nets, because a password can reach a message two ways:

* in an address (``https://user:secret@host/``, typed into a URL field or built for a database
  connection): :func:`mask_url_passwords` replaces the password part with ``***``;
* as itself, quoted by a library or an exception: every password careapp reads from or writes to the
  keyring is remembered for the life of the process (:func:`remember_secret`, in memory only), and
  :func:`redact` replaces it, URL-encoded and base64 forms included (HTTP basic authentication sends
  ``base64(user:password)``), with ``***``.

:class:`RedactingFilter` applies both to every log record of the handlers it is added to
(careapp.logs adds it to the file and console handlers); the crash dialog redacts its text too.

Threading: the registry is a set guarded by a lock; any thread may remember or redact.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET = 4  # shorter "passwords" would mask ordinary words
_URL_LOGIN = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*):(?P<secret>[^\s@/]+)@")
_lock = threading.Lock()
_secrets: set[str] = set()


# A whole database URL: scheme://user:password@host -> scheme://user:***@host (the password may hold "/")
_URL_PASSWORD = re.compile(r"^(?P<start>[^:/]+://[^:/@]*):[^@]*@")


def hide_password(url: str) -> str:
    """A database URL fit to show and copy: the password, if any, replaced by ***."""
    return _URL_PASSWORD.sub(r"\g<start>:***@", url)


def mask_url_passwords(text: str) -> str:
    """``scheme://user:secret@host`` becomes ``scheme://user:***@host`` wherever it appears."""
    return _URL_LOGIN.sub(lambda m: f"{m.group('head')}:{MASK}@", text)


def _forms(secret: str) -> set[str]:
    encoded = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(encoded).decode("ascii")}
    return {f for f in forms if len(f) >= MIN_SECRET}


def remember_secret(secret: str | None, user: str = "") -> None:
    """From now on :func:`redact` hides ``secret`` (and ``user:secret`` as basic auth sends it)."""
    if not secret or len(secret) < MIN_SECRET:
        return
    forms = _forms(secret)
    if user:
        forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode("ascii"))
    with _lock:
        _secrets.update(forms)


def forget_secrets() -> None:
    """For tests: start from an empty registry."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """``text`` with URL passwords and every remembered secret replaced by ``***``."""
    text = mask_url_passwords(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its traceback text) with :func:`redact` before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
