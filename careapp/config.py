"""Where careapp keeps its files, and which database this seat works on.

The database: ``CAREAPP_DATABASE_URL`` beats this seat's connection file beats the SQLite file in the
data folder. The connection file (``connection.json``, readable by the user only) says "this computer
only" or "shared server" with the server's host, port, database and user; it is kept in the user's
config folder, or in the data folder when one is given (``--data-dir``/``CAREAPP_DATA_DIR``). The
server's password is never in it: it is in the system keyring, and
:func:`careapp.services.shop.connection.connect_url` adds it only when connecting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import platformdirs

APP_NAME = "careapp"
DATA_DIR_ENV = "CAREAPP_DATA_DIR"
DATABASE_URL_ENV = "CAREAPP_DATABASE_URL"
DATABASE_FILE = "careapp.db"
LOG_FILE = "careapp.log"  # in the log folder
SEAT_FILE = "connection.json"
DEFAULT_PORT = 5432
DATABASE_SECRET_SERVICE = "careapp database"
DATABASE_SECRET_PURPOSE = (
    "password of the shared database server",
    "until then choose \u201cThis computer only\u201d or a server that asks for no password",
)


class SeatConfigError(Exception):
    """This seat's connection file cannot be used; ``str()`` is a sentence for the user."""


@dataclass(frozen=True)
class SharedServer:
    """A PostgreSQL server several seats share. No password here: it lives in the keyring."""

    host: str
    port: int = DEFAULT_PORT
    database: str = APP_NAME
    user: str = ""

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL (psycopg 3); with the password only when one is given."""
        login = quote(self.user, safe="")
        if password:
            login += ":" + quote(password, safe="")
        at = f"{login}@" if login else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql+psycopg://{at}{host}:{self.port}/{quote(self.database, safe='')}"

    @property
    def address(self) -> str:
        """Where the server is, for the keyring entry and for people: ``postgresql://host:port/db``."""
        return f"postgresql://{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class SeatConfig:
    """This seat's choice: ``server`` None is "this computer only" (the SQLite file)."""

    server: SharedServer | None = None


@dataclass(frozen=True)
class AboutInfo:
    """Where this running careapp keeps its things (the data folder, database and log), for Help →
    About and the queue's saved copy."""

    data_dir: Path
    database_url: str
    log_path: Path


@dataclass(frozen=True)
class Paths:
    """Resolved locations: the data folder, the database URL, backups and logs."""

    data_dir: Path
    database_url: str  # never with a password in it: see services.shop.connection.connect_url
    backup_dir: Path
    log_dir: Path
    seat_file: Path | None = None  # this seat's connection choice (may not exist yet)
    server: SharedServer | None = None  # the shared server chosen there (not by CAREAPP_DATABASE_URL)

    @property
    def uses_default_sqlite(self) -> bool:
        return self.database_url == sqlite_url(self.data_dir / DATABASE_FILE)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_paths(data_dir: str | None = None, environ: Mapping[str, str] | None = None) -> Paths:
    """``--data-dir`` beats ``CAREAPP_DATA_DIR`` beats the platform's user data folder;
    ``CAREAPP_DATABASE_URL`` replaces the SQLite file with any SQLAlchemy URL."""
    env = os.environ if environ is None else environ
    given = data_dir or env.get(DATA_DIR_ENV)
    chosen = given or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    root = Path(chosen).expanduser().resolve()
    seat_file = seat_config_path(root if given else None)
    server = None
    url = env.get(DATABASE_URL_ENV)
    if not url:
        server = load_seat_config(seat_file).server
        url = server.url() if server is not None else sqlite_url(root / DATABASE_FILE)
    log_dir = root / "logs" if given else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    return Paths(
        data_dir=root,
        database_url=url,
        backup_dir=root / "backups",
        log_dir=log_dir,
        seat_file=seat_file,
        server=server,
    )


# --- this seat's connection -------------------------------------------------------------------------


def seat_config_path(data_dir: Path | None) -> Path:
    """In the data folder when one was given, else in the user's config folder."""
    if data_dir is not None:
        return data_dir / SEAT_FILE
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / SEAT_FILE


def load_seat_config(path: Path) -> SeatConfig:
    """The saved choice; no file means "this computer only"."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SeatConfig()
    except OSError as error:
        raise SeatConfigError(
            f"careapp could not read this computer's connection settings ({path}): {error.strerror}."
        ) from None
    try:
        import json  # here, not at the top: only a seat with a connection file pays for it

        data = json.loads(text)
        if data.get("kind", "local") == "local":
            return SeatConfig()
        server = data["server"]
        return SeatConfig(
            SharedServer(
                host=str(server["host"]),
                port=int(server.get("port", DEFAULT_PORT)),
                database=str(server.get("database", APP_NAME)),
                user=str(server.get("user", "")),
            )
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SeatConfigError(
            f"This computer's connection settings ({path}) are damaged. Delete the file to work on this "
            "computer's own database, or choose the shared server again."
        ) from None


def save_seat_config(path: Path, config: SeatConfig) -> None:
    """Write the choice, readable by the user only, in one step (a crash leaves the old or the new)."""
    import json
    import tempfile

    if config.server is None:
        data: dict[str, object] = {"kind": "local"}
    else:
        server = config.server
        data = {
            "kind": "server",
            "server": {
                "host": server.host,
                "port": server.port,
                "database": server.database,
                "user": server.user,
            },
        }
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(prefix=".connection-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:  # mkstemp makes it 0600
            json.dump(data, file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def ensure_private_dir(path: Path) -> None:
    """Create a folder readable by the user only (customer data is personal data)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
