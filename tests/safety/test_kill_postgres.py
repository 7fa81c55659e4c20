"""SIGKILL a careapp client of a real PostgreSQL server (tests/pg_server.py) in the middle of an import and
of a bulk edit. The server must roll the killed client's transaction back: its backend ends, nothing
is half imported or half changed, no lock is left behind, and the next import or bulk edit works.

Each kill lands before one SQL statement (or the COMMIT) the client sends inside the action, picked by
the seed (step_kill_child.py counts them); the seed is printed (``-s``; every failure repeats it) and
``CAREAPP_KILL_SEED=N`` replays a run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PgServer
from sqlalchemy import create_engine, text

from careapp.config import DATABASE_URL_ENV, resolve_paths
from careapp.context import build_services

sys.path.insert(0, str(Path(__file__).parent))
from step_kill_child import KillServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 9, 30)
IMPORT_ROWS = 600
BULK_CUSTOMERS = 200
KILLS = {"apply/sql:": 2, "apply/commit:": 1, "bulk_edit/sql:": 2, "bulk_edit/commit:": 1}


def base_seed() -> int:
    seed = int(os.environ.get("CAREAPP_KILL_SEED", str(random.SystemRandom().randrange(1_000_000))))
    print(f"postgresql kill test seed: {seed} (replay with CAREAPP_KILL_SEED={seed})")
    return seed


def write_import(path: Path, prefix: str, rows: int) -> None:
    lines = ["First Name,Last Name,Email,Phone,Tags"]
    lines += [f"Kim{n},Park,{prefix}-{n}@example.com,+1 416 555 {n:04d},imported" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[KillServer]:
    started = KillServer({**os.environ, "CAREAPP_DATABASE_URL": "", "PYTHONPATH": str(ROOT)})
    yield started
    started.close()


def scalar(url: str, sql: str, **parameters: object) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), parameters).scalar()
    finally:
        engine.dispose()


def wait_for_rollback(pg: PgServer, database: str, why: str) -> None:
    """The killed client's backend is gone (its transaction rolled back, its locks released)."""
    deadline = time.monotonic() + 20
    left: object = None
    while time.monotonic() < deadline:
        left = scalar(
            pg.url("postgres"),
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()",
            name=database,
        )
        if left == 0:
            return
        time.sleep(0.1)
    pytest.fail(f"{why}: the killed client's backend is still there ({left}) after 20 s")


def run_in_services(url: str, folder: Path, work: str, *args: object) -> object:
    before = os.environ.get(DATABASE_URL_ENV)
    os.environ[DATABASE_URL_ENV] = url  # how a seat is pointed at the server
    try:
        services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    finally:
        os.environ.pop(DATABASE_URL_ENV)
        if before is not None:
            os.environ[DATABASE_URL_ENV] = before
    try:
        if work == "import":
            return services.imports.apply(*args, "Sam").count("create")  # type: ignore[arg-type]
        from careapp.domain.customer import LoyaltyStage

        ids = services.customers.search_ids()
        result = services.customers.bulk_edit(
            ids, "Sam", add_tags=[str(args[0])], stage=LoyaltyStage.ADVOCATE
        )
        return len(result.changed_ids)
    finally:
        services.close()


def steps_of(server: KillServer, folder: Path, argv: list[str], url: str) -> list[str]:
    steps_file, log = folder / "complete.steps", folder / "complete.log"
    killed, code = server.run(argv, 0, log, steps_file, env={DATABASE_URL_ENV: url})
    assert (killed, code) == (False, 0), f"the complete run failed ({code}): {log.read_text()[-3000:]}"
    return [line.split(" ", 1)[1] for line in steps_file.read_text().splitlines() if line.startswith("step ")]


def chosen(labels: list[str], part: str, kills: int, rng: random.Random) -> list[int]:
    steps = [number for number, label in enumerate(labels, 1) if label.startswith(part)]
    assert len(steps) >= kills, f"only {len(steps)} steps of {part!r}"
    return [
        steps[rng.randrange(k * len(steps) // kills, (k + 1) * len(steps) // kills)] for k in range(kills)
    ]


def kill(server: KillServer, folder: Path, argv: list[str], url: str, step: int, why: str) -> None:
    log = folder / f"kill-{step}.log"
    killed, code = server.run(argv, step, log, env={DATABASE_URL_ENV: url})
    assert killed, f"{why}: the client was not killed (exit {code}): {log.read_text()[-2000:]}"


def test_kill_a_client_in_the_middle_of_an_import(
    server: KillServer, pg_server: PgServer, pg_template: str, tmp_path: Path
) -> None:
    seed = base_seed()
    rng = random.Random(f"{seed}-import")
    source = tmp_path / "shop-export.csv"
    write_import(source, "pgkill", IMPORT_ROWS)
    probe = pg_server.create_database(template=pg_template)
    labels = steps_of(server, tmp_path, ["--data-dir", str(tmp_path / "probe"), "import", str(source)],
                      pg_server.url(probe))  # fmt: skip
    pg_server.drop_database(probe)
    steps = [(s, p) for p in ("apply/sql:", "apply/commit:") for s in chosen(labels, p, KILLS[p], rng)]
    for run, (step, part) in enumerate(steps):
        database = pg_server.create_database(template=pg_template)
        url = pg_server.url(database)
        folder = tmp_path / f"seat-{run}"
        folder.mkdir()
        why = f"seed {seed}, import killed before step {step} of {len(labels)} ({part})"
        kill(server, folder, ["--data-dir", str(folder), "import", str(source)], url, step, why)
        wait_for_rollback(pg_server, database, why)
        customers = scalar(url, "SELECT count(*) FROM customer_email WHERE address LIKE 'pgkill-%'")
        batches = scalar(url, "SELECT count(*) FROM import_batch")
        assert (customers, batches) == (0, 0), f"{why}: {customers} customers, {batches} batches left"
        # The next import works, with nothing held by the killed client.
        assert run_in_services(url, folder, "import", source) == IMPORT_ROWS, why
        assert scalar(url, "SELECT count(*) FROM customer") == IMPORT_ROWS, why
        pg_server.drop_database(database)
        print(f"import: killed in {part} at step {step}; rolled back, the next import added {IMPORT_ROWS}")


@pytest.fixture(scope="module")
def customers_template(
    pg_server: PgServer, pg_template: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database with BULK_CUSTOMERS customers, the template of each bulk edit's database."""
    folder = tmp_path_factory.mktemp("bulk-seat")
    source = folder / "customers.csv"
    write_import(source, "bulk", BULK_CUSTOMERS)
    name = pg_server.create_database(template=pg_template)
    assert run_in_services(pg_server.url(name), folder, "import", source) == BULK_CUSTOMERS
    return name


def test_kill_a_client_in_the_middle_of_a_bulk_edit(
    server: KillServer, pg_server: PgServer, customers_template: str, tmp_path: Path
) -> None:
    seed = base_seed()
    rng = random.Random(f"{seed}-bulk")
    probe = pg_server.create_database(template=customers_template)
    argv = ["bulk-edit", str(tmp_path / "probe"), "half-done", "client"]
    labels = steps_of(server, tmp_path, argv, pg_server.url(probe))
    pg_server.drop_database(probe)
    steps = [
        (s, p) for p in ("bulk_edit/sql:", "bulk_edit/commit:") for s in chosen(labels, p, KILLS[p], rng)
    ]
    for run, (step, part) in enumerate(steps):
        database = pg_server.create_database(template=customers_template)
        url = pg_server.url(database)
        folder = tmp_path / f"seat-{run}"
        folder.mkdir()
        why = f"seed {seed}, bulk edit killed before step {step} of {len(labels)} ({part})"
        kill(server, folder, ["bulk-edit", str(folder), "half-done", "client"], url, step, why)
        wait_for_rollback(pg_server, database, why)
        tagged = scalar(url, "SELECT count(*) FROM customer_tag WHERE tag = 'half-done'")
        moved = scalar(url, "SELECT count(*) FROM customer WHERE version <> 1 OR loyalty_stage = 'client'")
        assert (tagged, moved) == (0, 0), f"{why}: {tagged} tagged, {moved} changed"
        # The next bulk edit works on every customer.
        assert run_in_services(url, folder, "bulk", "next") == BULK_CUSTOMERS, why
        assert scalar(url, "SELECT count(*) FROM customer_tag WHERE tag = 'next'") == BULK_CUSTOMERS, why
        pg_server.drop_database(database)
        print(f"bulk edit: killed in {part} at step {step}; rolled back, the next one changed all")
