"""Where careapp keeps its files, from the command line, the environment or the platform."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "careapp"
DATA_DIR_ENV = "CAREAPP_DATA_DIR"
DATABASE_URL_ENV = "CAREAPP_DATABASE_URL"
DATABASE_FILE = "careapp.db"


@dataclass(frozen=True)
class Paths:
    """Resolved locations: the data folder, the database URL, backups and logs."""

    data_dir: Path
    database_url: str
    backup_dir: Path
    log_dir: Path

    @property
    def uses_default_sqlite(self) -> bool:
        return self.database_url == sqlite_url(self.data_dir / DATABASE_FILE)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_paths(data_dir: str | None = None, environ: Mapping[str, str] | None = None) -> Paths:
    """``--data-dir`` beats ``CAREAPP_DATA_DIR`` beats the platform's user data folder;
    ``CAREAPP_DATABASE_URL`` replaces the SQLite file with any SQLAlchemy URL."""
    env = os.environ if environ is None else environ
    chosen = data_dir or env.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    root = Path(chosen).expanduser().resolve()
    url = env.get(DATABASE_URL_ENV) or sqlite_url(root / DATABASE_FILE)
    log_dir = (
        root / "logs"
        if (data_dir or env.get(DATA_DIR_ENV))
        else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    )
    return Paths(data_dir=root, database_url=url, backup_dir=root / "backups", log_dir=log_dir)


def ensure_private_dir(path: Path) -> None:
    """Create a folder readable by the user only (customer data is personal data)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
