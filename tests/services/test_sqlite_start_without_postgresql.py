"""A shop on its SQLite file, once created, never loads SQLAlchemy's PostgreSQL dialect (40-55 ms of
every start, command and window alike; creating or upgrading the file imports Alembic, which loads
it); an engine for PostgreSQL declares PostgreSQL's own indexes on the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from careapp.db import models
from careapp.db.database import make_engine

OPEN_A_SQLITE_SHOP = """
import sys
from careapp.config import resolve_paths
from careapp.context import build_services
services = build_services(resolve_paths(sys.argv[1]), daily_backup=False)
services.build_all()
services.close()
print("postgresql" if "sqlalchemy.dialects.postgresql" in sys.modules else "sqlite only")
"""


def _open(folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", OPEN_A_SQLITE_SHOP, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "HOME": str(folder), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_opening_a_sqlite_shop_does_not_import_the_postgresql_dialect(tmp_path: Path) -> None:
    _open(tmp_path / "shop")  # creates the file: Alembic's migrations
    assert _open(tmp_path / "shop") == "sqlite only"


def test_an_engine_for_postgresql_declares_the_trigram_index_once() -> None:
    table = models.core_table(models.CustomerRecord)
    make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # no connection is made here
    make_engine("postgresql://nobody@127.0.0.1:1/none")
    trigram = [index for index in table.indexes if index.name == models.TRIGRAM_INDEX]
    assert len(trigram) == 1
    assert trigram[0].dialect_options["postgresql"]["using"] == "gin"
