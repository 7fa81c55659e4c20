"""SIGKILL a real careapp command inside its action: a restore (the scratch copy, its upgrade, the copy of
the database being replaced, the copy transaction into the database), an erase (its transaction and
its VACUUM), a demo fill (each of its transactions) and an undo of an import. After every kill:

- SQLite's integrity_check and foreign_key_check are clean;
- the database is in the state before the action or after one of its transactions (every table's row
  count is one the complete run passed through), and what the action is about is wholly old or wholly
  new (the restored customers, the erased customer, the undone import);
- careapp opens the folder afterwards and reads its customers.

The child (step_kill_child.py) counts the action's steps (SQL statements and commits, slices of a
VACUUM, pages of an online-backup copy) and kills itself before the one the seed picked; a complete run
first counts the steps and records the states. The seed is printed (``-s`` shows it; every failure
repeats it) and ``CAREAPP_KILL_SEED=N`` replays a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from careapp.config import resolve_paths
from careapp.context import build_services
from careapp.db.backups import list_backups
from careapp.db.upgrade_safety import is_good_copy

sys.path.insert(0, str(Path(__file__).parent))
from step_kill_child import KillServer

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

ROOT = Path(__file__).resolve().parents[2]
OLD_SCHEMA = ROOT / "tests" / "upgrades" / "fixtures" / "schema-0004.db"
NOW = dt.datetime(2026, 11, 23, 9, 30)
SHOP_CUSTOMERS = 200
ERASED = 7
UPDATED_BY_IMPORT = 10
CREATED_BY_IMPORT = 150
Counts = dict[str, int]


def base_seed() -> int:
    seed = int(os.environ.get("CAREAPP_KILL_SEED", str(random.SystemRandom().randrange(1_000_000))))
    print(f"action kill test seed: {seed} (replay with CAREAPP_KILL_SEED={seed})")
    return seed


# --- the child --------------------------------------------------------------------------------------


@dataclass
class CompleteRun:
    """What an uninterrupted run of the command went through."""

    labels: list[str]  # one per step, in order
    states: list[Counts]  # the row counts before the action and after each of its parts


@pytest.fixture(scope="module")
def server() -> Iterator[KillServer]:
    started = KillServer({**os.environ, "CAREAPP_DATABASE_URL": "", "PYTHONPATH": str(ROOT)})
    yield started
    started.close()


def complete_run(server: KillServer, folder: Path, argv: list[str]) -> CompleteRun:
    steps_file, log = folder.parent / f"{folder.name}.steps", folder.parent / f"{folder.name}.log"
    killed, code = server.run(argv, 0, log, steps_file)
    assert (killed, code) == (False, 0), f"the complete run failed ({code}): {log.read_text()[-3000:]}"
    labels, states = [], []
    for line in steps_file.read_text().splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "stage":
            states.append(json.loads(rest))
        else:
            labels.append(rest)
    return CompleteRun(labels, states)


def kill_at(server: KillServer, folder: Path, argv: list[str], step: int, why: str) -> None:
    log = folder.parent / f"{folder.name}.log"
    killed, code = server.run(argv, step, log)
    assert killed, f"{why}: the child was not killed (exit {code}): {log.read_text()[-2000:]}"


def chosen_steps(labels: list[str], groups: dict[str, int], rng: random.Random) -> list[tuple[int, str]]:
    """``groups[part]`` kills among the steps whose label contains ``part``, spread over them (one in
    each equal slice), as 1-based step numbers."""
    chosen = []
    for part, kills in groups.items():
        steps = [number for number, label in enumerate(labels, 1) if part in label]
        assert len(steps) >= kills, f"only {len(steps)} steps of {part!r} in {sorted(set(labels))}"
        for slice_number in range(kills):
            low, high = slice_number * len(steps) // kills, (slice_number + 1) * len(steps) // kills
            chosen.append((steps[rng.randrange(low, high)], part))
    return chosen


# --- what a kill left -------------------------------------------------------------------------------


def table_counts(database: Path) -> Counts:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def query(database: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def check_kill(folder: Path, run: CompleteRun, why: str) -> int:
    """The checks every kill gets; returns which of the run's states the database is in."""
    database = folder / "careapp.db"
    connection = sqlite3.connect(database)  # read-write: a hot journal or WAL is recovered first
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], why
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == [], why
    finally:
        connection.close()
    counts = table_counts(database)
    assert counts in run.states, f"{why}: row counts in no state the action passes through: {counts}"
    for copy in list_backups(folder / "backups"):
        assert is_good_copy(copy.path), f"{why}: the backup {copy.path.name} is not a good copy"
    return run.states.index(counts)


def opens(folder: Path, why: str) -> list[int]:
    """careapp opens the folder (check, upgrade if needed, services) and reads its customers."""
    services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    try:
        assert services.migration.repair_notice is None, f"{why}: {services.migration.repair_notice}"
        return services.customers.search_ids()
    finally:
        services.close()


def kill_runs(
    server: KillServer,
    tmp_path: Path,
    template: Path,
    name: str,
    argv: Callable[[Path], list[str]],
    groups: dict[str, int],
    check: Callable[[Path, int, str], None],
) -> None:
    """The complete run on one copy of ``template``, then one kill per chosen step on fresh copies."""
    seed = base_seed()
    reference = fresh_folder(tmp_path, template, f"{name}-complete")
    run = complete_run(server, reference, argv(reference))
    assert len(run.states) >= 2, run.states
    check(reference, len(run.states) - 1, f"{name}, the complete run")
    rng = random.Random(f"{seed}-{name}")
    chosen = chosen_steps(run.labels, groups, rng)
    for number, (step, part) in enumerate(chosen):
        folder = fresh_folder(tmp_path, template, f"{name}-{number}")
        why = f"seed {seed}, {name} killed before step {step} of {len(run.labels)} ({run.labels[step - 1]})"
        kill_at(server, folder, argv(folder), step, why)
        state = check_kill(folder, run, why)
        check(folder, state, why)
        print(f"{name}: killed in {part} at step {step}, left state {state} of {len(run.states) - 1}")


def fresh_folder(tmp_path: Path, template: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(template, folder)
    return folder


# --- the shop the commands run on -------------------------------------------------------------------


def write_import(path: Path, updated_emails: list[str]) -> None:
    lines = ["First Name,Last Name,Email,Phone,Tags"]
    lines += [f"Imported{n},Kill,killed-import-{n}@example.com,+44 20 7946 {n:04d},kill-test" for n in
              range(CREATED_BY_IMPORT)]  # fmt: skip
    lines += [f"Changed{n},Byimport,{email},,kill-test" for n, email in enumerate(updated_emails)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """A data folder with demo customers, tickets and articles."""
    from careapp.services.demo.articles import fill_demo_articles
    from careapp.services.demo.customers import DemoSpec, fill_demo
    from careapp.services.demo.tickets import fill_demo_tickets

    folder = tmp_path_factory.mktemp("shop") / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(template_db, folder / "careapp.db")
    services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    try:
        fill_demo(services.db, DemoSpec(customers=SHOP_CUSTOMERS, seed=5), NOW)
        fill_demo_tickets(services.db, services.customers.search_ids(), 5, NOW, 60)
        fill_demo_articles(services.db, NOW.date(), NOW)
    finally:
        services.close()
    return folder


@pytest.fixture(scope="module")
def imported_shop(tmp_path_factory: pytest.TempPathFactory, shop: Path) -> Path:
    """The shop after an import that created customers and changed some it already had."""
    folder = tmp_path_factory.mktemp("imported") / "data"
    shutil.copytree(shop, folder)
    emails = [str(row[0]) for row in query(folder / "careapp.db", "SELECT address FROM customer_email "
              "ORDER BY customer_id LIMIT ?", UPDATED_BY_IMPORT)]  # fmt: skip
    source = folder.parent / "till-export.csv"
    write_import(source, emails)
    services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    try:
        summary = services.imports.apply(source, "Sam")
    finally:
        services.close()
    assert summary.count("create") == CREATED_BY_IMPORT, summary
    assert summary.count("update") + summary.count("merge") == UPDATED_BY_IMPORT, summary
    return folder


# --- restore ----------------------------------------------------------------------------------------


def first_names(database: Path) -> list[object]:
    return [row[0] for row in query(database, "SELECT first_name FROM customer ORDER BY id")]


def test_kill_during_restore(server: KillServer, tmp_path: Path, shop: Path) -> None:
    old, restored = first_names(shop / "careapp.db"), first_names(OLD_SCHEMA)
    assert old != restored

    def check(folder: Path, state: int, why: str) -> None:
        database = folder / "careapp.db"
        assert first_names(database) == (restored if state else old), f"{why}: a mix of both"
        assert len(opens(folder, why)) == len(restored if state else old), why
        if state == 0:  # nothing was restored: a restore now works, whatever the kill left behind
            from careapp.services.shop.backups import restore_file

            restore_file(OLD_SCHEMA, database, folder / "backups", NOW)
            assert first_names(database) == restored, why
            assert not list((folder / "backups").glob(".restore-check-*")), why

    kill_runs(
        server,
        tmp_path,
        shop,
        "restore",
        lambda folder: ["--data-dir", str(folder), "restore", str(OLD_SCHEMA)],
        # The scratch copy of the file, its upgrade, the copy of the database it replaces, the copy
        # transaction into the database.
        {"copy:.restore-check-": 1, "sql:.restore-check-": 2, "copy:replaced-": 1, "copy:careapp.db": 2},
        check,
    )


# --- erase ------------------------------------------------------------------------------------------


def test_kill_during_erase_and_its_vacuum(server: KillServer, tmp_path: Path, shop: Path) -> None:
    (name,) = query(shop / "careapp.db", "SELECT display_name FROM customer WHERE id = ?", ERASED)[0]

    def check(folder: Path, state: int, why: str) -> None:
        database = folder / "careapp.db"
        there = query(database, "SELECT count(*) FROM customer WHERE id = ?", ERASED)[0][0]
        audits = query(database, "SELECT count(*) FROM erasure_audit WHERE customer_id = ?", ERASED)[0][0]
        assert (there, audits) == ((0, 1) if state else (1, 0)), f"{why}: customer {there}, audit {audits}"
        ids = opens(folder, why)
        assert (ERASED in ids) == (state == 0), why
        assert len(ids) == SHOP_CUSTOMERS - (1 if state else 0), why

    kill_runs(
        server,
        tmp_path,
        shop,
        "erase",
        lambda folder: [
            "--data-dir",
            str(folder),
            "erase",
            "customer",
            str(ERASED),
            "--reason",
            "asked at the counter",
            "--yes",
        ],
        {"erase_customer/sql:": 2, "commit:": 1, "vacuum:": 3},
        check,
    )
    assert name  # the customer had a name to erase


# --- demo -------------------------------------------------------------------------------------------


def test_kill_during_demo(server: KillServer, tmp_path: Path, template_db: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    shutil.copy(template_db, empty / "careapp.db")

    def check(folder: Path, state: int, why: str) -> None:
        customers = query(folder / "careapp.db", "SELECT count(*) FROM customer")[0][0]
        assert len(opens(folder, why)) == customers, why

    kill_runs(
        server,
        tmp_path,
        empty,
        "demo",
        lambda folder: ["--data-dir", str(folder), "demo", "--customers", "300", "--tickets", "100"],
        {"fill_demo/": 2, "fill_demo_tickets/": 2, "fill_demo_articles/": 1},
        check,
    )


# --- undo-import ------------------------------------------------------------------------------------


def what_import_touches(database: Path, ids: list[int]) -> list[object]:
    """The parts of these customers an import fills in or adds to: names, tags, phones, emails."""
    rows: list[object] = []
    for customer in ids:
        rows += query(database, "SELECT first_name, last_name FROM customer WHERE id = ?", customer)
        for table, column in (
            ("customer_tag", "tag"),
            ("customer_phone", "raw"),
            ("customer_email", "address"),
        ):
            rows.append(
                sorted(query(database, f"SELECT {column} FROM {table} WHERE customer_id = ?", customer))
            )
    return rows


def test_kill_during_undo_import(server: KillServer, tmp_path: Path, shop: Path, imported_shop: Path) -> None:
    database = imported_shop / "careapp.db"
    changed = [int(row[0]) for row in query(database, "SELECT DISTINCT customer_id FROM import_change")]
    assert len(changed) == UPDATED_BY_IMPORT
    before_import = what_import_touches(shop / "careapp.db", changed)
    after_import = what_import_touches(database, changed)
    assert before_import != after_import

    def check(folder: Path, state: int, why: str) -> None:
        database = folder / "careapp.db"
        created = query(database, "SELECT count(*) FROM customer_email WHERE address LIKE 'killed-import-%'")
        undone = query(database, "SELECT count(*) FROM import_batch WHERE undone_at IS NOT NULL")[0][0]
        expected = (0, 1, before_import) if state else (CREATED_BY_IMPORT, 0, after_import)
        assert (created[0][0], undone, what_import_touches(database, changed)) == expected, why
        assert len(opens(folder, why)) == SHOP_CUSTOMERS + (0 if state else CREATED_BY_IMPORT), why

    kill_runs(
        server,
        tmp_path,
        imported_shop,
        "undo-import",
        lambda folder: ["--data-dir", str(folder), "undo-import"],
        {"undo_last/sql:": 4, "undo_last/commit:": 1},
        check,
    )
