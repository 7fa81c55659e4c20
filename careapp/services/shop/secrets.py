"""Passwords (the CalDAV one, the shared database server's), kept in the system keyring (Secret
Service, macOS Keychain, Windows Credential Locker) through ``keyring``; never in the database, the
settings, a file or a log.

Every failure becomes :class:`SecretUnavailable` with a sentence that says what happened and what to
do; the password never appears in it. A keyring call runs on a helper thread and is given up after
``timeout`` seconds: a locked Secret Service may wait for an unlock prompt nobody can answer.

Threading: each call blocks the calling thread (never the UI thread: run it on the worker) for at
most ``timeout`` seconds. A call given up on may linger on its daemon thread until the keyring
answers; it never touches careapp's data.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from careapp.redact import remember_secret

SERVICE = "careapp CalDAV"
CALDAV_PURPOSE = ("CalDAV password", "until then use the .ics file or the feed")
T = TypeVar("T")


class SecretUnavailable(Exception):
    """The keyring could not be used; ``str()`` is a sentence for the user."""


def account(url: str, user: str) -> str:
    """The keyring's user name for a CalDAV login: who at which address."""
    return f"{user}@{url}"


class SecretStore:
    """Get, set and forget a password in a keyring (the system's unless one is given).

    ``service`` is the keyring's service name; ``purpose`` is (what the password is, what to do
    without a keyring), for the sentence said when there is none. The defaults are the CalDAV ones."""

    def __init__(
        self,
        backend: object | None = None,
        timeout: float = 10.0,
        *,
        service: str = SERVICE,
        purpose: tuple[str, str] = CALDAV_PURPOSE,
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._service = service
        self._purpose = purpose

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def get(self, url: str, user: str) -> str | None:
        password: str | None = self._call(lambda ring: ring.get_password(self._service, account(url, user)))
        remember_secret(password, user)  # no log line or crash report may quote it
        return password

    def set(self, url: str, user: str, password: str) -> None:
        remember_secret(password, user)
        self._call(lambda ring: ring.set_password(self._service, account(url, user), password))

    def delete(self, url: str, user: str) -> None:
        from keyring.errors import PasswordDeleteError

        def forget(ring: Any) -> None:
            with contextlib.suppress(PasswordDeleteError):  # nothing was kept
                ring.delete_password(self._service, account(url, user))

        self._call(forget)

    def _call(self, action: Callable[[Any], T]) -> T:
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                outcome["value"] = action(self._keyring())
            except BaseException as error:
                outcome["error"] = error

        worker = threading.Thread(target=run, name="careapp-keyring", daemon=True)
        worker.start()
        worker.join(self._timeout)
        if worker.is_alive():
            raise SecretUnavailable(
                f"The system keyring did not answer within {self._timeout:g} seconds; it may be locked "
                "and waiting for you to unlock it. Unlock it (or log in again) and try once more."
            )
        if "error" in outcome:
            raise SecretUnavailable(_sentence(outcome["error"], self._purpose)) from None
        return outcome.get("value")  # type: ignore[return-value]


def _sentence(error: object, purpose: tuple[str, str] = CALDAV_PURPOSE) -> str:
    from keyring.errors import InitError, KeyringLocked, NoKeyringError

    if isinstance(error, NoKeyringError):
        what, instead = purpose
        return (
            f"No system keyring is available, so careapp cannot keep the {what}. On Linux start "
            f"a Secret Service (GNOME Keyring or KWallet) and log in again; {instead}."
        )
    if isinstance(error, KeyringLocked):
        return "The system keyring is locked. Unlock it and try again."
    if isinstance(error, InitError):
        return "The system keyring could not be opened. Log out and in again, then try once more."
    # Only the kind of error: its text might quote what was being stored.
    return f"The system keyring refused the request ({type(error).__name__}). Check that it is unlocked."
