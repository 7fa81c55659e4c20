"""A keyring for the benchmark's child processes (``PYTHON_KEYRING_BACKEND=bench.env_keyring.EnvKeyring``):
every password is CAREAPP_BENCH_KEYRING_PASSWORD, and nothing is stored. The bench machine has no desktop
keyring, and `careapp sync` in a new process reads the CalDAV password from the keyring only. For the
throwaway Radicale's throwaway password only; never a user's keyring."""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend

PASSWORD_VARIABLE = "CAREAPP_BENCH_KEYRING_PASSWORD"


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(PASSWORD_VARIABLE)

    def set_password(self, service: str, username: str, password: str) -> None:
        if password != os.environ.get(PASSWORD_VARIABLE):
            raise ValueError("the bench keyring only knows the bench server's password")

    def delete_password(self, service: str, username: str) -> None:
        return None
