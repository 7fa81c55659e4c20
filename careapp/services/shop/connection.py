"""This seat's database connection: try a shared server, save the choice (password to the keyring).

Everything here blocks (a network connection, the keyring): run it on a worker thread, never on the UI
thread. Failures become sentences that say what happened and what to do; the password is never in
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from careapp.config import (
    DATABASE_SECRET_PURPOSE,
    DATABASE_SECRET_SERVICE,
    Paths,
    SeatConfig,
    SharedServer,
    save_seat_config,
)
from careapp.services.shop.secrets import SecretStore

CONNECT_TIMEOUT = 8  # seconds: a server that does not answer by then is "unreachable"


def database_secrets(backend: object | None = None, timeout: float = 10.0) -> SecretStore:
    """The keyring entry of the shared server's password (service "careapp database")."""
    return SecretStore(backend, timeout, service=DATABASE_SECRET_SERVICE, purpose=DATABASE_SECRET_PURPOSE)


def connect_url(paths: Paths, secrets: SecretStore | None = None) -> str:
    """The URL to connect with: the shared server's gets its password from the keyring, now.

    Blocks for the keyring (never call it on the UI thread); raises SecretUnavailable with a sentence.
    """
    server = paths.server
    if server is None:
        return paths.database_url
    store = secrets or database_secrets()
    return server.url(store.get(server.address, server.user))



@dataclass(frozen=True)
class ConnectionTest:
    """The answer of a test: ``ok``, and a sentence for the user."""

    ok: bool
    message: str


class ConnectionFailed(Exception):
    """The server could not be used; ``str()`` is a sentence for the user."""


def explain(error: BaseException, server: SharedServer) -> str:
    """The driver's error as a sentence: wrong password, unknown user, missing database, unreachable."""
    text = str(error).lower()
    user = server.user or "(none given)"
    if "password authentication failed" in text:
        return (
            f"The server refused the password for the user “{user}”. Check the user name and the "
            "password (letters are case-sensitive), then try again."
        )
    if "no password supplied" in text or "password is required" in text:
        return "The server asks for a password. Type it in the Password box, then try again."
    if "role" in text and "does not exist" in text:
        return f"The server has no user called “{user}”. Check the user name, or ask whoever runs the server."
    if "database" in text and "does not exist" in text:
        return (
            f"The server has no database called “{server.database}”. Check the name, or ask whoever runs "
            f"the server to create it (for example: createdb -O {server.user or 'USER'} {server.database})."
        )
    if "permission denied" in text or "not permitted" in text or "no pg_hba.conf entry" in text:
        return (
            f"The server does not let the user “{user}” use the database “{server.database}” from this "
            "computer. Ask whoever runs the server to allow it (pg_hba.conf and the database's privileges)."
        )
    return (
        f"careapp could not reach a database server at {server.host}, port {server.port}. Check the "
        "address and the port, that the server is running, and that it accepts connections from this "
        "computer (a firewall, listen_addresses, pg_hba.conf)."
    )


def try_server(server: SharedServer, password: str | None, timeout: int = CONNECT_TIMEOUT) -> ConnectionTest:
    """Connect, look for careapp's tables, disconnect. Blocks up to ``timeout`` seconds (and DNS)."""
    if not server.host.strip():
        return ConnectionTest(False, "Type the server's address (its name or IP address) first.")
    import psycopg

    try:
        with psycopg.connect(
            host=server.host,
            port=server.port,
            dbname=server.database,
            user=server.user or None,
            password=password or None,
            connect_timeout=timeout,
            application_name="careapp (connection test)",
        ) as connection:
            found = connection.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
    except psycopg.Error as error:
        return ConnectionTest(False, explain(error, server))
    if found and found[0]:
        return ConnectionTest(
            True, f"Connected to {server.address}. It holds careapp data; careapp will use it."
        )
    return ConnectionTest(
        True, f"Connected to {server.address}. The database is empty: careapp will set it up when it starts."
    )


def stored_password(server: SharedServer, secrets: SecretStore | None = None) -> str | None:
    """The password kept for the server, or None (raises SecretUnavailable without a keyring)."""
    return (secrets or database_secrets()).get(server.address, server.user)


def save_connection(
    seat_file: Path, config: SeatConfig, password: str | None, secrets: SecretStore | None = None
) -> None:
    """Keep the password in the keyring first (when one is typed), then write the choice; so a keyring
    that refuses leaves the previous choice untouched. An empty password keeps the stored one."""
    if config.server is not None and password:
        (secrets or database_secrets()).set(config.server.address, config.server.user, password)
    save_seat_config(seat_file, config)
