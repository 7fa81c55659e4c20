"""Shared fixtures: a real database migrated by Alembic, copied per test from a template.

Service-level tests run twice, on a SQLite file and on a real PostgreSQL server started on
loopback for the run (``db_backend`` ids "sqlite" and "postgresql"); tests under tests/ui, tests
marked ``gui`` and tests marked ``sqlite_only`` (SQLite-file behaviour) run on SQLite only.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pg_server import PgServer, PgUnavailable

from careapp.config import DATABASE_URL_ENV, Paths, resolve_paths
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


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: tests SQLite-file behaviour; runs on SQLite only")
    config.addinivalue_line("markers", "postgresql_only: tests PostgreSQL behaviour; runs on PostgreSQL only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on the data fixtures runs on both backends, except Qt tests and SQLite-file tests."""
    if "db_backend" not in metafunc.fixturenames:
        return
    definition = metafunc.definition
    if (
        definition.get_closest_marker("sqlite_only")
        or definition.get_closest_marker("gui")
        or "ui" in Path(str(definition.fspath)).relative_to(Path(__file__).parent).parts[:1]
    ):
        return
    only_pg = definition.get_closest_marker("postgresql_only")
    metafunc.parametrize("db_backend", ["postgresql"] if only_pg else BACKENDS, indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """Which database the test's data folder uses: "sqlite" (default) or "postgresql"."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the run (CAREAPP_TEST_PG_URL, or a throwaway loopback cluster)."""
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        message = f"PostgreSQL tests cannot run: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """A database migrated to head once per run; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    from careapp.db.database import make_engine

    name = pg_server.create_database("careapp_template")
    engine = make_engine(pg_server.url(name))
    migrate(engine, None, FIXED_NOW)
    engine.dispose()
    return name


@pytest.fixture
def pg_url(pg_server: PgServer, pg_template: str) -> Iterator[str]:
    """The URL of a fresh migrated PostgreSQL database, dropped after the test."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def data_dir(
    tmp_path: Path, db_backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The test's data folder; its database is a SQLite file in it or, for "postgresql", a fresh
    database named by CAREAPP_DATABASE_URL (so the CLI run with --data-dir finds it too)."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    if db_backend == "postgresql":
        monkeypatch.setenv(DATABASE_URL_ENV, request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
        shutil.copy(request.getfixturevalue("template_db"), folder / "careapp.db")
    return folder


@contextmanager
def another_database(db_backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[Paths]:
    """The paths of a second database of the test's backend, fresh from the same migrations, in
    ``folder`` (made here); a PostgreSQL one is dropped at the end."""
    folder.mkdir(mode=0o700)
    if db_backend != "postgresql":
        shutil.copy(request.getfixturevalue("template_db"), folder / "careapp.db")
        yield resolve_paths(str(folder), {})
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    try:
        yield resolve_paths(str(folder), {DATABASE_URL_ENV: server.url(name)})
    finally:
        server.drop_database(name)


@pytest.fixture
def paths(data_dir: Path) -> Paths:
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
