"""Shared fixtures: a real SQLite file migrated by Alembic, copied per test from a template."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from careapp.config import Paths, resolve_paths
from careapp.db.database import Database, migrate

if TYPE_CHECKING:
    from careapp.context import Services

FIXED_NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head per test run; tests get copies (migrating is the slow part)."""
    from careapp.db.database import make_engine

    path = tmp_path_factory.mktemp("template") / "careapp.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, None, FIXED_NOW)
    engine.dispose()
    return path


@pytest.fixture
def data_dir(tmp_path: Path, template_db: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(template_db, folder / "careapp.db")
    return folder


@pytest.fixture
def paths(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    return resolve_paths(str(data_dir))


@pytest.fixture
def clock() -> list[dt.datetime]:
    """A settable clock: tests move time by replacing element 0."""
    return [FIXED_NOW]


@pytest.fixture
def services(paths: Paths, clock: list[dt.datetime]) -> Iterator[Services]:
    from careapp.context import build_services

    built = build_services(paths, clock=lambda: clock[0])
    yield built
    built.close()


@pytest.fixture
def database(paths: Paths) -> Iterator[Database]:
    from careapp.db.database import open_database

    db, _ = open_database(paths.database_url, paths.backup_dir, FIXED_NOW)
    yield db
    db.dispose()
