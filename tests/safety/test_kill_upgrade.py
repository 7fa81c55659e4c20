"""SIGKILL a real careapp start in the middle of a schema upgrade (a fixture of every earlier schema) and
of the very first start (an empty folder), then check what it left: SQLite's integrity and foreign keys
are clean, the schema is wholly the old one or wholly the new one (never new tables under an old
``alembic_version``), the next start opens it and brings it to head with every value the fixture held,
and every before-migration copy is a good one.

Each kill lands just before one SQL statement or commit on the database file, picked by the seed (the
child, upgrade_kill_child.py, kills itself with SIGKILL at that moment). The seed is printed (``-s``
shows it, every failure message repeats it); ``CAREAPP_KILL_SEED=N`` replays a run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from careapp.config import resolve_paths
from careapp.db.backups import BackupKind, list_backups
from careapp.db.database import head_revision, open_database
from careapp.db.upgrade_safety import expected_signature, file_signature, is_good_copy

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("upgrade_kill_child.py")
FIXTURES = ROOT / "tests" / "upgrades" / "fixtures"
NOW = dt.datetime(2026, 11, 23, 9, 30)
KILLS_PER_SCHEMA = 4
FIRST_START_KILLS = 8


def base_seed() -> int:
    seed = int(os.environ.get("CAREAPP_KILL_SEED", str(random.SystemRandom().randrange(1_000_000))))
    print(f"upgrade kill test seed: {seed} (replay with CAREAPP_KILL_SEED={seed})")
    return seed


def older_schemas() -> list[str]:
    head = head_revision()
    return sorted(p.stem.removeprefix("schema-") for p in FIXTURES.glob("schema-*.db") if p.stem[7:] != head)


def all_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'alembic_version'"
            )
        ]
        result = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            rows = connection.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY rowid')
            result[table] = [dict(zip(columns, row, strict=True)) for row in rows]
        return result  # type: ignore[return-value]
    finally:
        connection.close()


def statements_to_open(folder: Path) -> int:
    """How many statements and commits a start sends to the file (counted in this process, on a copy)."""
    count = 0

    def step(connection: Any, *_args: Any) -> None:
        nonlocal count
        if connection.engine.url.database not in (None, "", ":memory:"):
            count += 1

    event.listen(Engine, "before_cursor_execute", step)
    event.listen(Engine, "commit", step)
    try:
        db, _ = open_database(resolve_paths(str(folder)).database_url, folder / "backups", NOW)
        db.dispose()
    finally:
        event.remove(Engine, "before_cursor_execute", step)
        event.remove(Engine, "commit", step)
    return count


def kill_start_at(folder: Path, statement: int, why: str) -> None:
    child = subprocess.run(
        [sys.executable, str(CHILD), str(folder), str(statement)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CAREAPP_DATABASE_URL": "", "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode in (-signal.SIGKILL, 0), f"{why}: the child failed: {child.stderr[-2000:]}"


def revision_of(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone() if has else None
        return None if row is None else str(row[0])
    finally:
        connection.close()


def check_after_kill(folder: Path, old: str | None, before: dict[str, list[Any]], why: str) -> None:
    database = folder / "careapp.db"
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], why
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == [], why
    finally:
        connection.close()
    revision = revision_of(database)
    assert revision in (old, head_revision()), f"{why}: left at schema {revision}"
    assert file_signature(database) == expected_signature(revision), f"{why}: half-upgraded at {revision}"
    for copy in list_backups(folder / "backups"):
        if copy.kind is BackupKind.BEFORE_MIGRATION:
            assert is_good_copy(copy.path), f"{why}: {copy.path.name} is not a good copy"
    # The next start opens it, as an ordinary upgrade (nothing to mend) with every value kept.
    db, report = open_database(resolve_paths(str(folder)).database_url, folder / "backups", NOW)
    db.dispose()
    assert report.repair_notice is None, f"{why}: {report.repair_notice}"
    assert revision_of(database) == head_revision(), why
    after = all_rows(database)
    for table, rows in before.items():
        kept = [{column: row[column] for column in rows[0]} for row in after[table]] if rows else []
        assert kept == rows, f"{why}: {table} changed"


def test_kill_during_every_upgrade(tmp_path: Path) -> None:
    seed = base_seed()
    schemas = older_schemas()
    assert len(schemas) >= 7, schemas
    kills = 0
    for schema in schemas:
        fixture = FIXTURES / f"schema-{schema}.db"
        before = all_rows(fixture)
        probe = tmp_path / f"probe-{schema}"
        probe.mkdir()
        shutil.copy(fixture, probe / "careapp.db")
        total = statements_to_open(probe)
        for run in range(KILLS_PER_SCHEMA):
            rng = random.Random(f"{seed}-{schema}-{run}")
            statement = rng.randint(1, total)
            folder = tmp_path / f"upgrade-{schema}-{run}"
            folder.mkdir(mode=0o700)
            shutil.copy(fixture, folder / "careapp.db")
            why = f"seed {seed}, schema {schema}, killed before statement {statement} of {total}"
            kill_start_at(folder, statement, why)
            check_after_kill(folder, schema, before, why)
            kills += 1
        print(f"schema {schema}: {KILLS_PER_SCHEMA} kills in {total} statements")
    assert kills == KILLS_PER_SCHEMA * len(schemas)


def test_kill_during_the_first_start(tmp_path: Path) -> None:
    seed = base_seed()
    probe = tmp_path / "probe"
    probe.mkdir()
    total = statements_to_open(probe)
    rng = random.Random(f"{seed}-first-start")
    # Spread over the whole start: one kill in each eighth of it.
    statements = [
        rng.randint(1 + part * total // FIRST_START_KILLS, (part + 1) * total // FIRST_START_KILLS)
        for part in range(FIRST_START_KILLS)
    ]
    for run, statement in enumerate(statements):
        folder = tmp_path / f"first-{run}"
        folder.mkdir(mode=0o700)
        why = f"seed {seed}, first start killed before statement {statement} of {total}"
        kill_start_at(folder, statement, why)
        check_after_kill(folder, None, {}, why)
    print(f"first start: {FIRST_START_KILLS} kills in {total} statements at {statements}")
